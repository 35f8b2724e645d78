import Foundation
import LambdaRuntime
import Testing

/// The stream encoder writes what Foundation's `JSONEncoder` writes, in one pass.
@Suite struct JSONStreamEncoderTests {
    struct Resource: Encodable {
        enum Kind: String, Encodable { case volume, instance }
        var id: UUID
        var cloudAccountID: UUID
        var monthlyCost: Decimal
        var name: String
        var kind: Kind
        var sizeGiB: Int32
        var utilization: Double
        var isAttached: Bool
        var deletedAt: Date?
        var lastSeenAt: Date
        var tags: [String: String]
        var limits: [String: Int]
        var history: [[Int]]
        var link: URL
        var digest: Data
        var parent: Nested?
    }

    struct Nested: Encodable {
        var myURLValue: String
        var httpStatus: Int
    }

    static let resource = Resource(
        id: UUID(), cloudAccountID: UUID(), monthlyCost: Decimal(string: "12.34")!,
        name: "web \"primary\"\n\t\u{1}/\\ é 🚀", kind: .volume, sizeGiB: 100, utilization: 0.125, isAttached: false,
        deletedAt: nil, lastSeenAt: Date(timeIntervalSince1970: 1_795_000_000),
        tags: ["CostCenter": "42", "Name": "web"], limits: ["maxItems": 3], history: [[1, 2], [], [3]],
        link: URL(string: "https://example.com/x?y=1")!, digest: Data([0, 255, 7]),
        parent: Nested(myURLValue: "https://example.com/a/b", httpStatus: 200))

    func foundation(_ value: some Encodable, snakeCase: Bool) throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        if snakeCase { encoder.keyEncodingStrategy = .convertToSnakeCase }
        return try JSONDecoder().decode(JSONValue.self, from: try encoder.encode(value))
    }

    func streamed(_ value: some Encodable, keys: JSONStreamEncoder.KeyEncoding) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(try JSONStreamEncoder(keys: keys).encode(value)))
    }

    @Test func writesTheSameValueAsJSONEncoder() throws {
        #expect(try streamed(Self.resource, keys: .asDeclared) == foundation(Self.resource, snakeCase: false))
        #expect(
            try streamed([Self.resource, Self.resource], keys: .asDeclared)
                == foundation([Self.resource, Self.resource], snakeCase: false))
    }

    @Test func convertsFieldNamesLikeJSONEncoderButNotDictionaryKeys() throws {
        let value = try streamed(Self.resource, keys: .snakeCase)
        guard case .object(let object) = value, case .object(let tags)? = object["tags"],
            case .object(let parent)? = object["parent"], case .object(let limits)? = object["limits"]
        else { Issue.record("not an object: \(value)"); return }
        #expect(
            Set(object.keys) == [
                "id", "cloud_account_id", "monthly_cost", "name", "kind", "size_gi_b", "utilization", "is_attached",
                "last_seen_at", "tags", "limits", "history", "link", "digest", "parent",
            ])
        #expect(Set(parent.keys) == ["my_url_value", "http_status"])
        #expect(Set(tags.keys) == ["CostCenter", "Name"])
        #expect(Set(limits.keys) == ["maxItems"])
        for key in ["cloudAccountID", "myURLValue", "a", "URL", "aB", "ABc", "lastSeenAt", "sizeGiB", "x1Y2"] {
            #expect(JSONStreamEncoder.snakeCase(key) == foundationSnakeCase(key), "\(key)")
        }
    }

    /// What `JSONEncoder` makes of one field name.
    func foundationSnakeCase(_ key: String) -> String {
        struct Probe: Encodable {
            var key: String
            struct Key: CodingKey {
                var stringValue: String
                init(stringValue: String) { self.stringValue = stringValue }
                var intValue: Int? { nil }
                init?(intValue: Int) { nil }
            }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Key.self)
                try container.encode(1, forKey: Key(stringValue: key))
            }
        }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let text = String(decoding: (try? encoder.encode(Probe(key: key))) ?? Data(), as: UTF8.self)
        return String(text.dropFirst(2).prefix { $0 != "\"" })
    }

    @Test func escapesStringsAndLeavesSlashesAlone() throws {
        let text = String(decoding: try JSONStreamEncoder().encode(["a\"b\\c\n\u{1f}/d é"]), as: UTF8.self)
        #expect(text == #"["a\"b\\c\n\u001f/d é"]"#)
    }

    /// A whole Double is written without a fraction, as Foundation writes it (a Kloud's variable
    /// 3 reaches Terraform as 3, not 3.0).
    @Test func writesWholeNumbersAsFoundationDoes() throws {
        let numbers: [Double] = [3, -42, 0, 0.5, 1e20, 123_456_789_012, 2.25]
        let ours = try JSONSerialization.jsonObject(with: Data(try JSONStreamEncoder().encode(numbers))) as? [Double]
        let text = String(decoding: try JSONStreamEncoder().encode(numbers), as: UTF8.self)
        #expect(text.hasPrefix("[3,-42,0,0.5,") && text.hasSuffix(",123456789012,2.25]"), "\(text)")
        #expect(ours == numbers)
    }

    @Test(arguments: [
        0, 1_795_000_000.999, 951_782_400, -1.5, -86_401, 253_402_300_799, 4_102_444_800.25, -62_135_596_800,
    ])
    func writesEveryDateAsFoundationDoes(_ seconds: Double) throws {
        let dates = [Date(timeIntervalSince1970: seconds)]
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        #expect(try JSONStreamEncoder().encode(dates) == Array(try encoder.encode(dates)))
    }

    @Test func writesUUIDsAsUUIDStringDoes() throws {
        let ids =
            [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))]
            + [UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))]
            + (0..<200).map { _ in UUID() }
        let written = try JSONDecoder().decode([String].self, from: Data(try JSONStreamEncoder().encode(ids)))
        #expect(written == ids.map(\.uuidString))
        #expect(written[1] == "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")
    }

    @Test func writesDatesAsISO8601AndRefusesNumbersJSONHasNot() throws {
        let date = Date(timeIntervalSince1970: 1_795_000_000)
        #expect(String(decoding: try JSONStreamEncoder().encode([date]), as: UTF8.self) == #"["2026-11-18T11:06:40Z"]"#)
        #expect(throws: EncodingError.self) { try JSONStreamEncoder().encode([Double.nan]) }
        #expect(throws: EncodingError.self) { try JSONStreamEncoder().encode(["x": Double.infinity]) }
        struct Reading: Encodable {
            struct Sample: Encodable { var value: Double }
            var samples: [String: Sample]
        }
        let error = try #require(throws: EncodingError.self) {
            try JSONStreamEncoder().encode(Reading(samples: ["cpu": .init(value: .nan)]))
        }
        guard case .invalidValue(_, let context) = error else { throw error }
        #expect(context.codingPath.map(\.stringValue) == ["samples", "value"], "where the bad number is")
    }

    /// A value may ask for its container twice (a result wrapped with more fields), and an
    /// empty value is an empty object.
    @Test func reopensAValuesOwnContainerAndWritesEmptyObjects() throws {
        struct Wrapped: Encodable {
            var body: Nested
            enum Keys: String, CodingKey { case resultType }
            func encode(to encoder: any Encoder) throws {
                try body.encode(to: encoder)
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode("complete", forKey: .resultType)
            }
        }
        struct Empty: Encodable {}
        let text = String(
            decoding: try JSONStreamEncoder().encode([Wrapped(body: Nested(myURLValue: "u", httpStatus: 1))]),
            as: UTF8.self)
        #expect(text == #"[{"myURLValue":"u","httpStatus":1,"resultType":"complete"}]"#)
        #expect(String(decoding: try JSONStreamEncoder().encode(Empty()), as: UTF8.self) == "{}")
    }

    @Test func copiesRawJSONVerbatimAndHandsItToOtherEncodersAsAValue() throws {
        struct Result: Encodable {
            var structuredContent: RawJSON
            var isError = false
        }
        let raw = RawJSON(bytes: Array(#"{"total":"12.50","rows":[1,2.50]}"#.utf8))
        #expect(
            String(decoding: try JSONStreamEncoder().encode(Result(structuredContent: raw)), as: UTF8.self)
                == #"{"structuredContent":{"total":"12.50","rows":[1,2.50]},"isError":false}"#)
        let decoded = try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(raw))
        #expect(decoded == .object(["total": .string("12.50"), "rows": .array([.number(1), .number(2.5)])]))
    }
}
