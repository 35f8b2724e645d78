import FoundationEssentials

/// AWS Lambda's Invoke API (rest-json): how functions call each other, synchronously or as
/// an asynchronous job.
public struct LambdaClient: Sendable {
    /// How Lambda runs the invocation.
    public enum InvocationType: String, Sendable {
        /// Run now and answer with the function's result (HTTP 200).
        case requestResponse = "RequestResponse"
        /// Queue the event and answer at once (HTTP 202); Lambda retries failures.
        case event = "Event"
        /// Check the parameters and permissions only (HTTP 204).
        case dryRun = "DryRun"
    }

    let client: AWSServiceClient

    /// Creates a client; `credentials` replaces the configuration's environment credentials.
    public init(
        configuration: AWSConfiguration,
        httpClient: HTTPClient,
        credentials: (any AWSCredentialsProvider)? = nil
    ) {
        client = AWSServiceClient(
            service: .lambda, configuration: configuration, httpClient: httpClient, credentialsProvider: credentials)
    }

    /// Invokes a function by name or ARN with a JSON payload.
    ///
    /// A function that failed still answers 200: its error is in
    /// ``LambdaInvocation/functionError`` (`X-Amz-Function-Error`) and the payload holds the
    /// error document. Errors of Lambda itself (no such function, throttling) throw.
    public func invoke(
        functionName: String,
        payload: [UInt8] = [],
        invocationType: InvocationType = .requestResponse,
        qualifier: String? = nil,
        includesLogTail: Bool = false
    ) async throws(AWSError) -> LambdaInvocation {
        guard !functionName.isEmpty, functionName.utf8.count <= 170 else {
            throw .invalidRequest("Lambda", "a function name must be 1 to 170 characters")
        }
        var encodedName: [UInt8] = []
        SigV4Encoding.appendEncoded(functionName, to: &encodedName)
        var request = AWSRequest(
            operation: "Invoke", method: "POST",
            path: "/2015-03-31/functions/\(String(decoding: encodedName, as: UTF8.self))/invocations")
        if let qualifier { request.queryItems = [.init(name: "Qualifier", value: qualifier)] }
        request.headers.add(name: "X-Amz-Invocation-Type", value: invocationType.rawValue)
        if includesLogTail { request.headers.add(name: "X-Amz-Log-Type", value: "Tail") }
        request.body = .bytes(payload)
        let response = try await client.send(request)
        return LambdaInvocation(
            statusCode: response.status,
            payload: response.body,
            functionError: response.headers["X-Amz-Function-Error"],
            executedVersion: response.headers["X-Amz-Executed-Version"],
            logTail: response.headers["X-Amz-Log-Result"].flatMap { Data(base64Encoded: $0) }
                .map { String(decoding: $0, as: UTF8.self) })
    }
}

/// What an invocation returned.
public struct LambdaInvocation: Sendable, Hashable {
    /// 200 for `RequestResponse`, 202 for `Event`, 204 for `DryRun`.
    public var statusCode: Int
    /// The function's response, or its error document when ``functionError`` is set.
    public var payload: [UInt8]
    /// `Unhandled` or `Handled` when the function failed; nil when it succeeded.
    public var functionError: String?
    /// The version that ran.
    public var executedVersion: String?
    /// The last 4 KB of the function's log, when asked for.
    public var logTail: String?

    /// Whether the function itself failed.
    public var isFunctionError: Bool { functionError != nil }
}

extension LambdaClient {
    /// Every function in the region (ListFunctions, followed to its last page).
    public func listFunctions() async throws(AWSError) -> [LambdaFunctionSummary] {
        struct Output: Decodable {
            var functions: [LambdaFunctionSummary]?
            var nextMarker: String?
            enum CodingKeys: String, CodingKey { case functions = "Functions", nextMarker = "NextMarker" }
        }
        return try await AWSPagination.allPages(service: "Lambda") { marker throws(AWSError) in
            var request = AWSRequest(operation: "ListFunctions", method: "GET", path: "/2015-03-31/functions/")
            request.queryItems = [.init(name: "MaxItems", value: "50")]
            if let marker { request.queryItems.append(.init(name: "Marker", value: marker)) }
            let output = try client.decodeJSON(Output.self, from: try await client.send(request))
            return (output.functions ?? [], output.nextMarker)
        }.flatMap { $0 }
    }
}

/// A function as ListFunctions shows it.
public struct LambdaFunctionSummary: Sendable, Hashable, Decodable {
    public var name: String
    public var arn: String
    public var runtime: String?
    public var memorySizeMB: Int?

    private enum CodingKeys: String, CodingKey {
        case name = "FunctionName", arn = "FunctionArn", runtime = "Runtime", memorySizeMB = "MemorySize"
    }

    public init(name: String, arn: String, runtime: String?, memorySizeMB: Int?) {
        self.name = name
        self.arn = arn
        self.runtime = runtime
        self.memorySizeMB = memorySizeMB
    }
}
