import Testing

@testable import KloudCore

@Suite("XML reader")
struct XMLReaderTests {
    @Test func readsElementsAttributesAndText() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment -->
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/" a='1'>
              <Name>bucket</Name>
              <Contents><Key>a.txt</Key><Size>3</Size></Contents>
              <Contents><Key>b.txt</Key><Size>4</Size></Contents>
              <Empty/>
            </ListBucketResult>
            """

        let root = try XMLReader.parse(Array(xml.utf8))

        #expect(root.name == "ListBucketResult")
        #expect(root.attributes["a"] == "1")
        #expect(root.attributes["xmlns"] == "http://s3.amazonaws.com/doc/2006-03-01/")
        #expect(root.text(of: "Name") == "bucket")
        #expect(root.children("Contents").compactMap { $0.text(of: "Key") } == ["a.txt", "b.txt"])
        #expect(root.child("Empty")?.text == "")
        #expect(root.firstDescendant("Size")?.text == "3")
    }

    @Test func decodesEntitiesCharacterReferencesAndCDATA() throws {
        let xml = "<a>&lt;&gt;&amp;&apos;&quot; &#65;&#x42;&#x1F600; <![CDATA[<raw> & ]]>end</a>"

        let root = try XMLReader.parse(Array(xml.utf8))

        #expect(root.text == "<>&'\" AB😀 <raw> & end")
    }

    @Test func dropsNamespacePrefixes() throws {
        let root = try XMLReader.parse(Array("<s:Envelope xmlns:s='x'><s:Body>1</s:Body></s:Envelope>".utf8))

        #expect(root.name == "Envelope")
        #expect(root.text(of: "Body") == "1")
    }

    @Test func acceptsAByteOrderMark() throws {
        let root = try XMLReader.parse([0xEF, 0xBB, 0xBF] + Array("<a>x</a>".utf8))

        #expect(root.text == "x")
    }

    @Test(arguments: [
        "",
        "   ",
        "plain text",
        "<a>",
        "<a><b></a>",
        "<a></b>",
        "<a>x</a><b/>",
        "<a>x</a>trailing",
        "<a>&bogus;</a>",
        "<a>&#0;</a>",
        "<a>&#xD800;</a>",
        "<a>&#x110000;</a>",
        "<a>&amp</a>",
        "<a b=1/>",
        "<a b='1' b='2'/>",
        "<a b='<'/>",
        "<a b='1'c='2'/>",
        "<!DOCTYPE a [<!ENTITY x 'boom'>]><a>&x;</a>",
        "<a><![CDATA[never closed</a>",
        "<a><!-- never closed</a>",
        "<1a/>",
        "<a:/>",
        "<Error><Code>Throttl",
    ])
    func refusesMalformedDocuments(xml: String) {
        #expect(throws: XMLSyntaxError.self) { try XMLReader.parse(Array(xml.utf8)) }
    }

    @Test func refusesBytesThatAreNotUTF8() {
        #expect(throws: XMLSyntaxError.self) {
            try XMLReader.parse(Array("<a>".utf8) + [0xFF, 0xFE] + Array("</a>".utf8))
        }
    }

    @Test func refusesNestingDeeperThanTheLimit() {
        let depth = XMLReader.maximumDepth + 1
        let xml = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)

        #expect(throws: XMLSyntaxError.self) { try XMLReader.parse(Array(xml.utf8)) }
    }

    @Test func survivesHugeNestingWithoutRecursion() {
        let xml = String(repeating: "<a>", count: 200_000)

        #expect(throws: XMLSyntaxError.self) { try XMLReader.parse(Array(xml.utf8)) }
    }

    @Test func escapesTextForRequestBodies() throws {
        let text = "a<b>&\"c'\n"

        let root = try XMLReader.parse(Array("<k>\(XMLText.escaped(text))</k>".utf8))

        #expect(root.text == text)
    }
}
