import FoundationEssentials

/// A JSON document for a `jsonb` column, kept as its UTF-8 text.
///
/// Sent as `jsonb`; read from `jsonb` or `json`. Use ``init(encoding:using:)``
/// and ``decode(_:using:)`` to go to and from `Codable` types.
public struct PostgresJSON: Sendable, Hashable, CustomStringConvertible {
    /// The document's UTF-8 text.
    public var utf8: [UInt8]

    /// Wraps JSON text as it is; the server checks that it is valid JSON.
    public init(text: String) {
        self.utf8 = Array(text.utf8)
    }

    /// Encodes a value to JSON.
    public init(encoding value: some Encodable, using encoder: JSONEncoder = JSONEncoder()) throws {
        self.utf8 = Array(try encoder.encode(value))
    }

    /// The document's text.
    public var text: String {
        String(decoding: utf8, as: UTF8.self)
    }

    /// Decodes the document into a `Decodable` type.
    public func decode<T: Decodable>(_ type: T.Type, using decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(type, from: Data(utf8))
    }

    /// The document's text.
    public var description: String { text }
}

extension PostgresJSON: PostgresEncodable, PostgresDecodable, PostgresArrayElement {
    /// The binary format version of `jsonb` that precedes the text.
    private static let jsonbVersion: UInt8 = 1

    /// JSON is sent as `jsonb`.
    public static var postgresType: PostgresDataType { .jsonb }

    /// `[PostgresJSON]` is `jsonb[]`.
    public static var postgresArrayType: PostgresDataType { .jsonbArray }

    /// Appends the version byte and the text.
    public func encode(into buffer: inout [UInt8]) {
        buffer.append(Self.jsonbVersion)
        buffer.append(contentsOf: utf8)
    }

    /// Decodes `jsonb` and `json`.
    public static func decode(from value: PostgresValue) throws -> PostgresJSON {
        switch value.type {
        case .jsonb:
            guard value.bytes.first == jsonbVersion else { throw PostgresDecodingFailure.malformed }
            return PostgresJSON(utf8: Array(value.bytes.dropFirst()))
        case .json:
            return PostgresJSON(utf8: Array(value.bytes))
        default:
            throw PostgresDecodingFailure.typeMismatch
        }
    }

    private init(utf8: [UInt8]) {
        self.utf8 = utf8
    }
}
