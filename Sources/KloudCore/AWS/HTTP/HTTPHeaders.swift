/// Header lines in order, looked up by name without regard to ASCII case.
public struct HTTPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    /// One header line.
    public struct Field: Sendable, Hashable {
        /// The name as sent or received.
        public var name: String
        /// The value, without surrounding whitespace.
        public var value: String

        /// Creates a header line.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The lines, in order; names may repeat.
    public private(set) var fields: [Field]

    /// Creates headers from lines.
    public init(_ fields: [Field] = []) {
        self.fields = fields
    }

    /// Creates headers from `name: value` literals.
    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    /// The first value of the header with this name, or nil.
    public subscript(name: String) -> String? {
        fields.first { $0.name.isASCIICaseInsensitiveEqual(to: name) }?.value
    }

    /// Every value of the headers with this name, in order.
    public func values(named name: String) -> [String] {
        fields.compactMap { $0.name.isASCIICaseInsensitiveEqual(to: name) ? $0.value : nil }
    }

    /// Appends a line.
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces every line with this name by one line.
    public mutating func set(name: String, value: String) {
        remove(name: name)
        add(name: name, value: value)
    }

    /// Removes every line with this name.
    public mutating func remove(name: String) {
        fields.removeAll { $0.name.isASCIICaseInsensitiveEqual(to: name) }
    }

    /// Iterates over the lines in order.
    public func makeIterator() -> IndexingIterator<[Field]> {
        fields.makeIterator()
    }
}
