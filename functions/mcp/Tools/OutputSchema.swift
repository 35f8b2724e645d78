import LambdaRuntime

/// Building blocks of the tools' output schemas (JSON Schema 2020-12), so each tool's schema
/// reads as its fields. A field is required unless its name is listed as optional.
enum OutputSchema {
    static let uuid: JSONValue = ["type": "string", "format": "uuid"]
    static let string: JSONValue = ["type": "string"]
    static let integer: JSONValue = ["type": "integer", "minimum": 0]
    static let dateTime: JSONValue = ["type": "string", "format": "date-time"]
    /// Dollars as a decimal string (never a floating-point number): "12.50".
    static let money: JSONValue = ["type": "string", "pattern": "^-?[0-9]+\\.[0-9]{2,4}$"]
    static let anyObject: JSONValue = ["type": "object"]
    static let stringArray: JSONValue = ["type": "array", "items": string]

    static func oneOf(_ values: [String]) -> JSONValue {
        ["type": "string", "enum": .array(values.map { .string($0) })]
    }

    static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }

    /// An object with `fields`; all are required except those in `optional`.
    static func object(_ fields: [String: JSONValue], optional: Set<String> = []) -> JSONValue {
        .object([
            "type": "object",
            "properties": .object(fields),
            "required": .array(fields.keys.filter { !optional.contains($0) }.sorted().map { .string($0) }),
        ])
    }

    /// A page of `items` under `key`, with `next_cursor` when more follow.
    static func page(_ key: String, of item: JSONValue, extra: [String: JSONValue] = [:]) -> JSONValue {
        var fields = extra
        fields[key] = array(item)
        fields["next_cursor"] = string
        return object(fields, optional: ["next_cursor"])
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByDictionaryLiteral,
    ExpressibleByArrayLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
