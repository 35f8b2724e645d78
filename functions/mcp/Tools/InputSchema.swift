import FoundationEssentials
import KloudCore
import LambdaRuntime

/// A tool's arguments: their JSON Schema for `tools/list`, and the validation of a call's
/// arguments against it. No argument outside the schema is accepted.
struct InputSchema: Sendable {
    /// One argument.
    struct Property: Sendable {
        var name: String
        var description: String
        var kind: Kind
        var isRequired = false
    }

    /// The values an argument takes.
    enum Kind: Sendable {
        case uuid
        case string(maxLength: Int)
        case oneOf([String])
        case integer(minimum: Int, maximum: Int, default: Int)
        /// A dollar amount, zero or more, as a JSON number or a decimal string.
        case money
        /// A `nextCursor` from an earlier page.
        case cursor
    }

    var properties: [Property]

    init(_ properties: [Property] = []) {
        self.properties = properties
    }

    /// The JSON Schema (2020-12) of the arguments.
    var json: JSONValue {
        var members: [String: JSONValue] = [:]
        for property in properties {
            var schema = property.kind.schema
            schema["description"] = .string(property.description)
            members[property.name] = .object(schema)
        }
        return .object([
            "type": "object",
            "properties": .object(members),
            "required": .array(properties.filter(\.isRequired).map { .string($0.name) }),
            "additionalProperties": false,
        ])
    }

    /// The arguments, checked; throws naming the first argument that is wrong.
    func validate(_ arguments: [String: JSONValue]) throws(ArgumentError) -> ToolArguments {
        for name in arguments.keys.sorted() where !properties.contains(where: { $0.name == name }) {
            let known = properties.map(\.name).joined(separator: ", ")
            throw ArgumentError(
                name: name,
                message: "unknown argument \(name.prefix(64))"
                    + (known.isEmpty ? "; this tool takes no arguments" : "; expected one of: \(known)"))
        }
        var values = ToolArguments()
        for property in properties {
            guard let value = arguments[property.name], value != .null else {
                if property.isRequired {
                    throw ArgumentError(name: property.name, message: "\(property.name) is required")
                }
                if case .integer(_, _, let fallback) = property.kind { values.integers[property.name] = fallback }
                continue
            }
            try property.check(value, into: &values)
        }
        return values
    }
}

/// A call's argument that does not fit the tool's input schema.
struct ArgumentError: Error, Sendable {
    var name: String
    var message: String
}

/// Arguments that passed validation, by type.
struct ToolArguments: Sendable {
    var strings: [String: String] = [:]
    var uuids: [String: UUID] = [:]
    var integers: [String: Int] = [:]
    var amounts: [String: Money] = [:]

    func string(_ name: String) -> String? { strings[name] }
    func uuid(_ name: String) -> UUID? { uuids[name] }
    func integer(_ name: String) -> Int { integers[name] ?? 0 }
    func money(_ name: String) -> Money? { amounts[name] }
}

extension InputSchema.Kind {
    fileprivate var schema: [String: JSONValue] {
        switch self {
        case .uuid: ["type": "string", "format": "uuid"]
        case .string(let maxLength): ["type": "string", "maxLength": .number(Double(maxLength))]
        case .oneOf(let values): ["type": "string", "enum": .array(values.map { .string($0) })]
        case .integer(let minimum, let maximum, let fallback):
            [
                "type": "integer", "minimum": .number(Double(minimum)), "maximum": .number(Double(maximum)),
                "default": .number(Double(fallback)),
            ]
        case .money: ["type": "number", "minimum": 0]
        case .cursor: ["type": "string", "maxLength": .number(Double(PageCursor.maximumLength))]
        }
    }
}

extension InputSchema.Property {
    fileprivate func check(_ value: JSONValue, into values: inout ToolArguments) throws(ArgumentError) {
        switch kind {
        case .uuid:
            guard let text = value.stringValue, let id = UUID(uuidString: text) else {
                throw ArgumentError(name: name, message: "\(name) must be a UUID, like the ids other tools return")
            }
            values.uuids[name] = id
        case .string(let maxLength):
            guard let text = value.stringValue, text.count <= maxLength else {
                throw ArgumentError(name: name, message: "\(name) must be a string of at most \(maxLength) characters")
            }
            values.strings[name] = text
        case .oneOf(let allowed):
            guard let text = value.stringValue, allowed.contains(text) else {
                throw ArgumentError(name: name, message: "\(name) must be one of: \(allowed.joined(separator: ", "))")
            }
            values.strings[name] = text
        case .integer(let minimum, let maximum, _):
            guard let number = value.intValue, (minimum...maximum).contains(number) else {
                throw ArgumentError(name: name, message: "\(name) must be an integer from \(minimum) to \(maximum)")
            }
            values.integers[name] = number
        case .money:
            let amount: Money? =
                switch value {
                case .number(let number) where number.isFinite && number >= 0 && number < 1e12:
                    Money(String(describing: number))
                case .string(let text): Money(text).flatMap { $0 >= .zero ? $0 : nil }
                default: nil
                }
            guard let amount else {
                throw ArgumentError(
                    name: name, message: "\(name) must be a dollar amount of zero or more, like 25 or 12.5")
            }
            values.amounts[name] = amount
        case .cursor:
            guard let text = value.stringValue, text.count <= PageCursor.maximumLength else {
                throw ArgumentError(name: name, message: "\(name) must be the nextCursor of an earlier page")
            }
            values.strings[name] = text
        }
    }
}
