import FoundationEssentials

/// An event from an EventBridge schedule.
///
/// EventBridge rules send `detail` as an object (`{}`); EventBridge Scheduler sends it as a
/// string holding JSON (`"{}"`). Both decode to the same ``detail``.
public struct ScheduledEvent: Codable, Sendable, Equatable {
    public var version: String
    public var id: String
    public var detailType: String
    public var source: String
    public var account: String
    public var time: String
    public var region: String
    public var resources: [String]
    public var detail: JSONValue

    enum CodingKeys: String, CodingKey {
        case version, id, source, account, time, region, resources, detail
        case detailType = "detail-type"
    }

    public init(
        id: String, account: String, time: String, region: String, resources: [String],
        detail: JSONValue = .object([:])
    ) {
        self.version = "0"
        self.id = id
        self.detailType = "Scheduled Event"
        self.source = "aws.events"
        self.account = account
        self.time = time
        self.region = region
        self.resources = resources
        self.detail = detail
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decodeIfPresent(String.self, forKey: .version) ?? "0"
        id = try container.decode(String.self, forKey: .id)
        detailType = try container.decode(String.self, forKey: .detailType)
        source = try container.decode(String.self, forKey: .source)
        account = try container.decodeIfPresent(String.self, forKey: .account) ?? ""
        time = try container.decode(String.self, forKey: .time)
        region = try container.decodeIfPresent(String.self, forKey: .region) ?? ""
        resources = try container.decodeIfPresent([String].self, forKey: .resources) ?? []
        let rawDetail = try container.decodeIfPresent(JSONValue.self, forKey: .detail) ?? .object([:])
        if case .string(let text) = rawDetail {
            guard let parsed = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .detail, in: container, debugDescription: "detail is a string that is not JSON")
            }
            detail = parsed
        } else {
            detail = rawDetail
        }
    }
}
