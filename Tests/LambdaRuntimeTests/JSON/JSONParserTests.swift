import Foundation
import LambdaRuntime
import Testing

/// `JSONValue(parsing:)` reads what Foundation's `JSONDecoder` reads, and refuses what it refuses.
@Suite struct JSONParserTests {
    static let documents = [
        #"{"a":1,"b":[true,false,null],"c":{"d":"e"},"f":-0.5e-3,"g":1E+2,"h":0,"i":[],"j":{}}"#,
        #"  [ 1 , 2.25 , -3 , "x" ]  "#,
        "\"plain\"", "true", "null", "-0", "123456789012345678", "1.7976931348623157e308",
        #"{"escapes":"\"\\\/\b\f\n\r\t\u0041\u00e9\u20ac\ud83d\ude80","raw":"é€🚀 ünïcode"}"#,
        #"{"body":"{\"jsonrpc\":\"2.0\",\"result\":{\"text\":\"{\\\"a\\\":1}\"}}","statusCode":200}"#,
        #"{"dup":1,"dup":2}"#,
        "\n\t\r {\"nested\":[[[[{\"deep\":[]}]]]]} \n",
    ]

    static let malformed = [
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "[1 2]", "01", "-", "1.", ".5", "1e", "1e+",
        "+1", "tru", "nul", "True", "\"open", "\"tab\there\"", "\"\\x\"", "\"\\u12\"", "\"\\ud83d\"",
        "\"\\ud83d\\u0041\"", "\"\\ude80\"", "[1] 2", "{\"a\":1}}", "'single'", "NaN", "1e400", "[", "[\"a\",",
    ]

    /// Not JSON, though `JSONDecoder` reads them.
    static let trailingCommas: Set = ["[1,]", "{\"a\":1,}"]

    @Test(arguments: documents)
    func readsWhatFoundationReads(_ text: String) throws {
        let expected = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(try JSONValue(parsing: Array(text.utf8)) == expected)
        #expect(try JSONValue(parsing: Data(text.utf8)) == expected)
    }

    @Test(arguments: malformed)
    func refusesWhatIsNotJSON(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: Array(text.utf8)) }
        if !Self.trailingCommas.contains(text) {
            #expect((try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) == nil)
        }
    }

    @Test func refusesInvalidUTF8InAString() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0x5C, 0x6E, 0xED, 0xA0, 0x80, 0x22]] {
            #expect(throws: JSONParseError.self) { try JSONValue(parsing: bytes) }
        }
    }

    @Test func saysWhereTheTextStopsBeingJSON() {
        let error = #expect(throws: JSONParseError.self) { try JSONValue(parsing: Array(#"{"a":1]"#.utf8)) }
        #expect(error?.offset == 6)
        #expect(error?.description == "not JSON at byte 6: expected ',' or '}' in an object")
    }

    @Test func refusesNestingDeeperThanTheLimit() throws {
        let allowed = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        _ = try JSONValue(parsing: Array(allowed.utf8))
        let tooDeep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: Array(tooDeep.utf8)) }
        let bomb = String(repeating: "{\"a\":", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: Array(bomb.utf8)) }
    }

    @Test func readsAJSONTextInsideAString() throws {
        let inner = try JSONSerialization.data(withJSONObject: [
            "items": (0..<500).map { ["name": "item \"\($0)\"\n", "cost": $0] }
        ])
        let outer = try JSONEncoder().encode([
            "statusCode": JSONValue.number(200), "body": .string(String(decoding: inner, as: UTF8.self)),
        ])
        let parsed = try JSONValue(parsing: outer)
        #expect(parsed["body"]?.stringValue.map { Array($0.utf8) } == Array(inner))
        #expect(parsed["statusCode"]?.intValue == 200)
    }
}
