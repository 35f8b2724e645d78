import FoundationEssentials

/// Where the next page of a list starts: the sort key and id of the last row shown, bound to
/// the list it came from. Opaque to clients (base64url); a cursor of another list is refused.
/// REST and MCP lists share it.
public struct PageCursor: Sendable, Equatable {
    public static let maximumLength = 512

    /// The list (route or tool name) the cursor belongs to.
    public var list: String
    /// The last row's sort key, as text (an amount, a timestamp in microseconds, a name).
    public var key: String
    public var id: UUID

    public init(list: String, key: String, id: UUID) {
        self.list = list
        self.key = key
        self.id = id
    }

    public var encoded: String {
        Base64URL.encode(Array("v1\n\(list)\n\(id.uuidString)\n\(key)".utf8))
    }

    /// The cursor `text` encodes for `list`; nil for anything else.
    public static func decode(_ text: String, list: String) -> PageCursor? {
        guard text.utf8.count <= maximumLength, let bytes = Base64URL.decode(Substring(text)),
            let plain = String(validating: bytes, as: UTF8.self)
        else { return nil }
        let parts = plain.split(separator: "\n", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "v1", parts[1] == list, let id = UUID(uuidString: String(parts[2])) else {
            return nil
        }
        return PageCursor(list: list, key: String(parts[3]), id: id)
    }

    /// The page of `rows` (fetched with one extra row) and the cursor after it.
    public static func split<Row>(
        _ rows: [Row], limit: Int, list: String, cursor: (Row) -> (key: String, id: UUID)
    ) -> (rows: [Row], nextCursor: String?) {
        guard rows.count > limit else { return (rows, nil) }
        let page = Array(rows.prefix(limit))
        let last = cursor(page[page.count - 1])
        return (page, PageCursor(list: list, key: last.key, id: last.id).encoded)
    }
}
