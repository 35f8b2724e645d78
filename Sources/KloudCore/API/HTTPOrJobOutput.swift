import LambdaRuntime

/// What a function that serves HTTP and runs its own async jobs returns: the HTTP response, or
/// the job's result as the invocation's output.
public enum HTTPOrJobOutput<JobResult: Encodable & Sendable>: Encodable, Sendable {
    case http(APIGatewayV2Response)
    case job(JobResult)

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .http(let response): try response.encode(to: encoder)
        case .job(let result): try result.encode(to: encoder)
        }
    }
}
