/// The parameter values of a query, already encoded in binary format.
///
/// Built by ``PostgresQuery``'s interpolation: each interpolated value adds
/// one binding and the SQL gets `$n` in its place.
public struct PostgresBindings: Sendable, Hashable {
    /// The Postgres type of each parameter.
    public private(set) var types: [PostgresDataType] = []
    /// Where each parameter's bytes start in `bytes`, and how many; `nil` for NULL.
    private var ranges: [Range<Int>?] = []
    private var bytes: [UInt8] = []

    /// Creates an empty list.
    public init() {}

    /// The number of parameters.
    public var count: Int { types.count }

    /// Appends a value.
    public mutating func append(_ value: some PostgresEncodable) {
        let start = bytes.count
        value.encode(into: &bytes)
        types.append(type(of: value).postgresType)
        ranges.append(start..<bytes.count)
    }

    /// Appends SQL NULL of the given type.
    public mutating func appendNull(as type: PostgresDataType) {
        types.append(type)
        ranges.append(nil)
    }

    /// Calls `body` with the C arrays `PQexecParams` takes: types, values,
    /// lengths and formats (all binary).
    func withUnsafeParameters<Result>(
        _ body: (
            _ types: UnsafePointer<UInt32>?, _ values: UnsafePointer<UnsafePointer<CChar>?>?,
            _ lengths: UnsafePointer<Int32>?, _ formats: UnsafePointer<Int32>?
        ) throws -> Result
    ) rethrows -> Result {
        guard !types.isEmpty else { return try body(nil, nil, nil, nil) }
        let oids = types.map(\.rawValue)
        let lengths = ranges.map { Int32($0?.count ?? 0) }
        let formats = [Int32](repeating: 1, count: types.count)
        // A zero-length value still needs a non-null pointer (NULL means SQL
        // NULL), so the storage always has at least one byte.
        let storage = bytes.isEmpty ? [0] : bytes
        return try storage.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            let values: [UnsafePointer<CChar>?] = ranges.map { range in
                range.map { base + $0.lowerBound }
            }
            return try body(oids, values, lengths, formats)
        }
    }
}
