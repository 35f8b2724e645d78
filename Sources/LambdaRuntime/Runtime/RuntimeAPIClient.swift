/// The Lambda Runtime API, as a custom runtime calls it (version 2018-06-01).
struct RuntimeAPIClient {
    /// One event to handle, with the headers that describe it.
    struct Invocation {
        var requestID: String
        var deadlineMilliseconds: Int64
        var invokedFunctionARN: String
        var traceID: String?
        var clientContext: String?
        var cognitoIdentity: String?
        var body: [UInt8]
    }

    /// What Lambda answered when the runtime reported a result.
    enum Acknowledgement: Equatable {
        case accepted
        /// Lambda refused the response (too large, for instance) and failed the invocation itself.
        case refused(status: Int, body: String)
    }

    private static let base = "/2018-06-01/runtime"
    private let connection: HTTPConnection

    init(hostAndPort: String) throws(TransportError) {
        connection = try HTTPConnection(hostAndPort: hostAndPort)
    }

    /// Waits for the next event; no timeout, as the call blocks until Lambda has one.
    func next() throws(RuntimeError) -> Invocation {
        let response = try transport { () throws(TransportError) in
            try connection.send(method: "GET", path: "\(Self.base)/invocation/next")
        }
        guard response.status == 200 else { throw .nextFailed(status: response.status) }
        guard let requestID = response.headers["lambda-runtime-aws-request-id"], !requestID.isEmpty else {
            throw .missingHeader("Lambda-Runtime-Aws-Request-Id")
        }
        guard let deadline = response.headers["lambda-runtime-deadline-ms"].flatMap({ Int64($0) }) else {
            throw .missingHeader("Lambda-Runtime-Deadline-Ms")
        }
        return Invocation(
            requestID: requestID,
            deadlineMilliseconds: deadline,
            invokedFunctionARN: response.headers["lambda-runtime-invoked-function-arn"] ?? "",
            traceID: response.headers["lambda-runtime-trace-id"],
            clientContext: response.headers["lambda-runtime-client-context"],
            cognitoIdentity: response.headers["lambda-runtime-cognito-identity"],
            body: response.body)
    }

    /// Reports the handler's response for `requestID`.
    func respond(requestID: String, body: [UInt8]) throws(RuntimeError) -> Acknowledgement {
        try post(path: "\(Self.base)/invocation/\(requestID)/response", headers: [], body: body)
    }

    /// Reports that the handler failed for `requestID`.
    func fail(requestID: String, error: ErrorReport) throws(RuntimeError) -> Acknowledgement {
        try post(path: "\(Self.base)/invocation/\(requestID)/error", headers: error.headers, body: error.body)
    }

    /// Reports that the function could not initialize.
    func failInitialization(error: ErrorReport) throws(RuntimeError) -> Acknowledgement {
        try post(path: "\(Self.base)/init/error", headers: error.headers, body: error.body)
    }

    private func post(
        path: String, headers: [(String, String)], body: [UInt8]
    ) throws(RuntimeError)
        -> Acknowledgement
    {
        let response = try transport { () throws(TransportError) in
            try connection.send(method: "POST", path: path, headers: headers, body: body)
        }
        if (200..<300).contains(response.status) { return .accepted }
        return .refused(status: response.status, body: String(decoding: response.body, as: UTF8.self))
    }

    private func transport(
        _ call: () throws(TransportError) -> HTTPConnection.Response
    ) throws(RuntimeError)
        -> HTTPConnection.Response
    {
        do {
            return try call()
        } catch {
            throw .transport(error)
        }
    }
}

/// An error as the Runtime API takes it: a JSON body and the error-type header.
struct ErrorReport {
    /// `Function` for the handler's errors, `Runtime` for the runtime's own.
    enum Category: String {
        case function = "Function"
        case runtime = "Runtime"
    }

    var category: Category
    var errorType: String
    var message: String

    var headers: [(String, String)] {
        [
            ("Content-Type", "application/vnd.aws.lambda.error+json"),
            ("Lambda-Runtime-Function-Error-Type", "\(category.rawValue).\(errorType)"),
        ]
    }

    /// The body's `errorType`: the runtime's own errors carry their `Runtime.` prefix, as
    /// AWS's runtimes write them (`Runtime.UnmarshalError`); a handler's error is its plain type.
    var documentedType: String { category == .runtime ? "Runtime.\(errorType)" : errorType }

    var body: [UInt8] {
        let json =
            "{\"errorMessage\":\(JSONLogHandler.quoted(message)),\"errorType\":\(JSONLogHandler.quoted(documentedType)),\"stackTrace\":[]}"
        return Array(json.utf8)
    }

    /// The report for an error a handler threw.
    init(handlerError error: any Error) {
        category = .function
        errorType = (error as? any LambdaReportableError)?.errorType ?? Self.typeName(of: error)
        message = String(describing: error)
    }

    init(category: Category, errorType: String, message: String) {
        self.category = category
        self.errorType = errorType
        self.message = message
    }

    private static func typeName(of error: any Error) -> String {
        let full = String(describing: type(of: error))
        let name = full.split(separator: ".").last.map(String.init) ?? full
        let allowed = name.filter { $0.isLetter || $0.isNumber }
        return allowed.isEmpty ? "UnhandledError" : allowed
    }
}

/// Why the runtime loop could not go on.
enum RuntimeError: Error, CustomStringConvertible {
    case missingEnvironment(String)
    case transport(TransportError)
    case nextFailed(status: Int)
    case missingHeader(String)

    var description: String {
        switch self {
        case .missingEnvironment(let name): "\(name) is not set"
        case .transport(let error): error.description
        case .nextFailed(let status): "the Runtime API answered \(status) to next"
        case .missingHeader(let name): "the Runtime API sent no \(name) header"
        }
    }
}
