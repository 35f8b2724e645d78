import FoundationEssentials
import KloudCore
import LambdaRuntime

/// The common arguments and answer of a paginated list.
enum Page {
    /// `limit` and `cursor`, the arguments every list takes.
    static func properties(defaultLimit: Int = 25) -> [InputSchema.Property] {
        [
            .init(
                name: "limit", description: "How many items to return (1 to 100).",
                kind: .integer(minimum: 1, maximum: 100, default: defaultLimit)),
            .init(
                name: "cursor", description: "The nextCursor of the previous page, to continue the list.",
                kind: .cursor),
        ]
    }

    /// The decoded cursor argument of `list`, if one was given.
    static func cursor(_ arguments: ToolArguments, list: String) throws(ToolFailure) -> PageCursor? {
        guard let text = arguments.string("cursor") else { return nil }
        guard let cursor = PageCursor.decode(text, list: list) else {
            throw ToolFailure(message: "cursor is not a nextCursor of \(list); start again without a cursor")
        }
        return cursor
    }

    /// The page of `rows` (fetched with one extra row) and the cursor after it.
    static func split<Row>(
        _ rows: [Row], limit: Int, list: String, cursor: (Row) -> (key: String, id: UUID)
    ) -> (rows: [Row], nextCursor: String?) {
        PageCursor.split(rows, limit: limit, list: list, cursor: cursor)
    }

    /// A timestamp as a cursor key: whole microseconds since 1970, which Postgres keeps exactly.
    static func key(_ date: Date) -> String {
        String(Int64((date.timeIntervalSince1970 * 1_000_000).rounded()))
    }

    /// The timestamp of a cursor key made by ``key(_:)``.
    static func date(_ key: String) throws(ToolFailure) -> Date {
        guard let micros = Int64(key) else { throw ToolFailure(message: "cursor is damaged; start again without one") }
        return Date(timeIntervalSince1970: Double(micros) / 1_000_000)
    }
}
