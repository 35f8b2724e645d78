import FoundationEssentials

/// An event of any trigger a KloudHub function has, told apart by its shape.
public enum LambdaEvent: Decodable, Sendable, Equatable {
    case http(APIGatewayV2Request)
    case scheduled(ScheduledEvent)
    case job(AsyncJob)

    private enum ShapeKeys: String, CodingKey {
        case requestContext, routeKey, job
        case detailType = "detail-type"
    }

    public init(from decoder: any Decoder) throws {
        let shape = try decoder.container(keyedBy: ShapeKeys.self)
        if shape.contains(.requestContext) && shape.contains(.routeKey) {
            self = .http(try APIGatewayV2Request(from: decoder))
        } else if shape.contains(.detailType) {
            self = .scheduled(try ScheduledEvent(from: decoder))
        } else if shape.contains(.job) {
            self = .job(try AsyncJob(from: decoder))
        } else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: [], debugDescription: "not an HTTP request, a scheduled event or a job"))
        }
    }
}
