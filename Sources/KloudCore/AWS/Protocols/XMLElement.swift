/// One element of a parsed XML document: its name, attributes, child elements and text.
///
/// Names are local names: a namespace prefix (`s3:Key`) is dropped, as AWS's documents are
/// read by local name only. `text` is the element's own character data (CDATA included),
/// entities decoded, without its children's text.
struct XMLElement: Sendable, Hashable {
    var name: String
    var attributes: [String: String]
    var children: [XMLElement]
    var text: String

    init(name: String, attributes: [String: String] = [:], children: [XMLElement] = [], text: String = "") {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// The first child element with this name.
    func child(_ name: String) -> XMLElement? {
        children.first { $0.name == name }
    }

    /// Every child element with this name, in order.
    func children(_ name: String) -> [XMLElement] {
        children.filter { $0.name == name }
    }

    /// The element reached by following child names, such as `["Credentials", "SessionToken"]`.
    func element(at path: [String]) -> XMLElement? {
        var current = self
        for name in path {
            guard let next = current.child(name) else { return nil }
            current = next
        }
        return current
    }

    /// The text of the first child with this name.
    func text(of name: String) -> String? {
        child(name)?.text
    }

    /// The first element with this name in document order, this one included.
    func firstDescendant(_ name: String) -> XMLElement? {
        var pending = [self]
        while let element = pending.popLast() {
            if element.name == name { return element }
            pending.append(contentsOf: element.children.reversed())
        }
        return nil
    }
}
