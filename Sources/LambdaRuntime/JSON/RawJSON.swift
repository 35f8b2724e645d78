import FoundationEssentials

/// JSON text already encoded, copied into a ``JSONStreamEncoder``'s output as it is.
///
/// A tool's structured content is encoded once for its text rendering, and the same bytes
/// become its `structuredContent`.
public struct RawJSON: Encodable, Sendable {
    /// The JSON text: one complete value.
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The text as a value, for readers that want to look inside.
    public func decoded() throws -> JSONValue {
        try JSONValue(parsing: bytes)
    }

    /// To another encoder, the text is handed as the value it holds.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(try decoded())
    }
}
