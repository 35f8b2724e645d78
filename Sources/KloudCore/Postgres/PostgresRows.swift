import CLibPQ

/// Owns a libpq result and frees it when the last row referring to it is gone.
///
/// `@unchecked Sendable`: a `PGresult` is never changed after libpq returns
/// it, and libpq allows reading one from any thread.
final class PostgresResult: @unchecked Sendable {
    let pointer: OpaquePointer
    let columnNames: [String]
    let columnTypes: [PostgresDataType]
    let rowCount: Int

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
        let columnCount = Int(PQnfields(pointer))
        columnNames = (0..<columnCount).map { String(cString: PQfname(pointer, Int32($0))) }
        columnTypes = (0..<columnCount).map { PostgresDataType(rawValue: PQftype(pointer, Int32($0))) }
        rowCount = Int(PQntuples(pointer))
    }

    deinit {
        PQclear(pointer)
    }
}

/// The rows a statement returned, in order.
public struct PostgresRows: Sendable, RandomAccessCollection {
    private let result: PostgresResult
    /// The command tag, such as `SELECT 3` or `UPDATE 1`.
    public let commandTag: String
    /// The rows inserted, updated, deleted or selected, from the command tag.
    public let affectedRowCount: Int

    init(_ result: PostgresResult) {
        self.result = result
        commandTag = String(cString: PQcmdStatus(result.pointer))
        affectedRowCount = Int(String(cString: PQcmdTuples(result.pointer))) ?? 0
    }

    /// The column names, in order.
    public var columnNames: [String] { result.columnNames }

    /// The index of the first row.
    public var startIndex: Int { 0 }
    /// One past the index of the last row.
    public var endIndex: Int { result.rowCount }

    /// The row at `position`.
    public subscript(position: Int) -> PostgresRow {
        precondition(indices.contains(position), "row index out of range")
        return PostgresRow(result: result, index: position)
    }

    /// Decodes every row of one column.
    public func decode<T: PostgresDecodable>(_ type: T.Type) throws -> [T] {
        try map { try $0.decode(type) }
    }

    /// Decodes every row into a tuple of the given column types.
    public func decode<each Column: PostgresDecodable>(
        _ columns: (repeat each Column).Type
    ) throws -> [(repeat each Column)] {
        try map { try $0.decode(columns) }
    }
}

/// One row of a result.
public struct PostgresRow: Sendable {
    fileprivate let result: PostgresResult
    fileprivate let index: Int

    /// The number of columns.
    public var columnCount: Int { result.columnNames.count }

    /// Decodes the row's columns, in order, into the given types; the number
    /// of types must match the number of columns.
    ///
    /// ```swift
    /// let (id, name) = try row.decode((UUID, String).self)
    /// ```
    public func decode<each Column: PostgresDecodable>(
        _ columns: (repeat each Column).Type
    ) throws -> (repeat each Column) {
        var expected = 0
        for _ in repeat (each Column).self { expected += 1 }
        guard expected == columnCount else {
            var error = PostgresError(.decodingFailed)
            error.swiftType = "\((repeat each Column).self)"
            error.decodingFailure = .columnCountMismatch
            throw error
        }
        var next = 0
        func decodeNext<T: PostgresDecodable>(_ type: T.Type) throws -> T {
            defer { next += 1 }
            return try decode(type, at: next)
        }
        return (repeat try decodeNext((each Column).self))
    }

    /// Decodes a row of one column.
    public func decode<T: PostgresDecodable>(_ type: T.Type) throws -> T {
        guard columnCount == 1 else {
            var error = PostgresError(.decodingFailed)
            error.swiftType = String(describing: type)
            error.decodingFailure = .columnCountMismatch
            throw error
        }
        return try decode(type, at: 0)
    }

    /// Decodes the column with the given name.
    public func decode<T: PostgresDecodable>(_ type: T.Type, column name: String) throws -> T {
        guard let column = result.columnNames.firstIndex(of: name) else {
            var error = PostgresError(.decodingFailed)
            error.column = name
            error.swiftType = String(describing: type)
            error.decodingFailure = .noSuchColumn
            throw error
        }
        return try decode(type, at: column)
    }

    /// Decodes the column at a position.
    public func decode<T: PostgresDecodable>(_ type: T.Type, at column: Int) throws -> T {
        let row = Int32(index)
        let field = Int32(column)
        let columnType = result.columnTypes[column]
        do {
            if PQgetisnull(result.pointer, row, field) == 1 {
                return try T.decodeNull()
            }
            let length = Int(PQgetlength(result.pointer, row, field))
            let bytes = UnsafeRawBufferPointer(start: PQgetvalue(result.pointer, row, field), count: length)
            return try T.decode(from: PostgresValue(type: columnType, bytes: bytes))
        } catch let failure as PostgresDecodingFailure {
            throw PostgresError.decoding(
                column: result.columnNames[column], columnType: columnType, swiftType: T.self, failure: failure)
        } catch let error as PostgresError {
            throw error
        } catch {
            throw PostgresError.decoding(
                column: result.columnNames[column], columnType: columnType, swiftType: T.self,
                underlying: SendableErrorDescription(error))
        }
    }
}

/// A non-Sendable error, kept as its description.
struct SendableErrorDescription: Error, Sendable, CustomStringConvertible {
    let description: String

    init(_ error: any Error) {
        description = String(reflecting: error)
    }
}
