import FoundationEssentials
import KloudCore
import LambdaRuntime

/// Where the next page of a list starts: the sort key and id of the last row shown, bound to
/// the list it came from. Opaque to clients (base64url); a cursor of another list is refused.
struct PageCursor: Sendable, Equatable {
    static let maximumLength = 512

    /// The list (tool name) the cursor belongs to.
    var list: String
    /// The last row's sort key, as text (an amount, a timestamp in microseconds, a name).
    var key: String
    var id: UUID

    var encoded: String {
        Base64URL.encode(Array("v1\n\(list)\n\(id.uuidString)\n\(key)".utf8))
    }

    /// The cursor `text` encodes for `list`; throws an argument error for anything else.
    static func decode(_ text: String, list: String) throws(ToolFailure) -> PageCursor {
        let failure = ToolFailure(message: "cursor is not a nextCursor of \(list); start again without a cursor")
        guard let bytes = Base64URL.decode(Substring(text)), let plain = String(validating: bytes, as: UTF8.self)
        else { throw failure }
        let parts = plain.split(separator: "\n", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "v1", parts[1] == list, let id = UUID(uuidString: String(parts[2])) else {
            throw failure
        }
        return PageCursor(list: list, key: String(parts[3]), id: id)
    }
}

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
        return try PageCursor.decode(text, list: list)
    }

    /// The page of `rows` (fetched with one extra row) and the cursor after it.
    static func split<Row>(
        _ rows: [Row], limit: Int, list: String, cursor: (Row) -> (key: String, id: UUID)
    ) -> (rows: [Row], nextCursor: String?) {
        guard rows.count > limit else { return (rows, nil) }
        let page = Array(rows.prefix(limit))
        let last = cursor(page[page.count - 1])
        return (page, PageCursor(list: list, key: last.key, id: last.id).encoded)
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
