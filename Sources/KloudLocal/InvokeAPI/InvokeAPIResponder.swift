import Foundation
import HTTPTypes
import Hummingbird

/// The Lambda Invoke API (`POST /2015-03-31/functions/NAME/invocations`), so that functions can
/// invoke each other and `aws lambda invoke --endpoint-url` works against the emulator.
struct InvokeAPIResponder: HTTPResponder {
    typealias Context = PeerRequestContext

    /// Lambda's payload limits: 6 MB for a synchronous invoke, 1 MB for an asynchronous one.
    static let maximumSynchronousPayload = 6_291_456
    static let maximumAsynchronousPayload = 1_048_576

    let functions: [String: FunctionManifest]
    let region: String
    let accountID: String
    /// Who signed a request: a function may invoke only what its manifest's `invokes` names.
    let caller: InvokeCaller
    let invoke: @Sendable (String, Invocation) async throws -> InvocationResult
    let enqueue: @Sendable (String, Invocation) -> Void

    func respond(to request: Request, context: Context) async throws -> Response {
        let parts = request.uri.path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        guard parts.count >= 2, parts[0] == "2015-03-31", parts[1] == "functions" else {
            return Self.error(
                404, "ResourceNotFoundException", "Unknown operation \(request.method) \(request.uri.path)")
        }
        if parts.count == 2 && request.method == .get { return listFunctions() }
        guard parts.count == 4, parts[3] == "invocations", request.method == .post else {
            return Self.error(
                404, "ResourceNotFoundException", "Unknown operation \(request.method) \(request.uri.path)")
        }
        guard let name = functionName(from: parts[2]), let manifest = functions[name] else {
            return Self.error(404, "ResourceNotFoundException", "Function not found: \(arn(parts[2]))")
        }
        let invocationType = request.headers[HTTPField.Name("X-Amz-Invocation-Type")!] ?? "RequestResponse"
        let limit = invocationType == "Event" ? Self.maximumAsynchronousPayload : Self.maximumSynchronousPayload
        guard let body = try await request.collectBody(limit: limit) else {
            return Self.error(
                413, "RequestTooLargeException",
                "Request must be smaller than \(limit) bytes for the InvokeFunction operation")
        }
        if let refusal = refusal(of: request, body: body, target: manifest) { return refusal }
        let payload = body.isEmpty ? Data("{}".utf8) : Data(body)
        guard (try? JSONSerialization.jsonObject(with: payload, options: [.fragmentsAllowed])) != nil else {
            return Self.error(
                400, "InvalidRequestContentException",
                "Could not parse request body into json: the payload is not valid JSON")
        }
        let clientContext = request.headers[HTTPField.Name("X-Amz-Client-Context")!].flatMap { Data(base64Encoded: $0) }
        let invocation = Invocation(
            payload: payload, clientContext: clientContext.map { String(decoding: $0, as: UTF8.self) })
        switch invocationType {
        case "RequestResponse":
            let result = try await invoke(manifest.name, invocation)
            var fields: [(name: String, value: String)] = [
                ("content-type", "application/json"), ("x-amz-executed-version", "$LATEST"),
            ]
            fields.append(("x-amzn-requestid", invocation.requestID))
            switch result {
            case .success(let output):
                return Response(status: 200, fields: fields, body: Array(output))
            case .failure(let failure):
                fields.append(("x-amz-function-error", "Unhandled"))
                return Response(status: 200, fields: fields, body: Array(failure.document))
            }
        case "Event":
            enqueue(manifest.name, invocation)
            return Response(status: 202, fields: [("x-amzn-requestid", invocation.requestID)], body: [])
        case "DryRun":
            return Response(status: 204, fields: [("x-amzn-requestid", invocation.requestID)], body: [])
        default:
            return Self.error(400, "InvalidParameterValueException", "Unsupported invocation type \(invocationType)")
        }
    }

    /// Lambda's answer when the request's signer may not invoke `target`: a function's role
    /// allows invoking what its manifest's `invokes` names and nothing else.
    private func refusal(of request: Request, body: [UInt8], target: FunctionManifest) -> Response? {
        var headers = request.headers.map { (name: $0.name.rawName, value: $0.value) }
        if let authority = request.head.authority { headers.append((name: "host", value: authority)) }
        let identity = caller.identify(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "",
            headers: headers, body: body)
        switch identity {
        case .other:
            return nil
        case .badSignature:
            return Self.error(
                403, "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided.")
        case .function(let name):
            guard let own = functions[name], !own.invokes.contains(target.name) else { return nil }
            return Self.error(
                403, "AccessDeniedException",
                "User: arn:aws:sts::\(accountID):assumed-role/kloudhub-local-\(name)-function/\(name) is not "
                    + "authorized to perform: lambda:InvokeFunction on resource: \(arn(target.name)) because no "
                    + "identity-based policy allows the lambda:InvokeFunction action")
        }
    }

    /// The function's name from a name, a full ARN or a partial ARN (`ACCOUNT:function:NAME`).
    private func functionName(from identifier: String) -> String? {
        let parts = identifier.split(separator: ":").map(String.init)
        switch parts.count {
        case 1: return parts[0]
        case 3 where parts[1] == "function": return parts[2]
        case 7,
            8 where parts[0] == "arn" && parts[5] == "function":
            guard parts.count == 7 || parts[7] == "$LATEST" else { return nil }
            return parts[6]
        default: return nil
        }
    }

    private func arn(_ name: String) -> String {
        name.hasPrefix("arn:") ? name : "arn:aws:lambda:\(region):\(accountID):function:\(name)"
    }

    private func listFunctions() -> Response {
        let list = functions.values.sorted { $0.name < $1.name }.map { manifest -> [String: Any] in
            [
                "FunctionName": manifest.name, "FunctionArn": arn(manifest.name), "Runtime": "provided.al2023",
                "Handler": "bootstrap", "MemorySize": manifest.memory, "Timeout": manifest.timeout,
                "Description": manifest.description, "Version": "$LATEST", "PackageType": "Zip",
            ]
        }
        let body = (try? JSONSerialization.data(withJSONObject: ["Functions": list], options: [.sortedKeys])) ?? Data()
        return Response(status: 200, fields: [("content-type", "application/json")], body: Array(body))
    }

    /// An error in the Lambda API's rest-json form, which the AWS SDKs parse.
    static func error(_ status: Int, _ type: String, _ message: String) -> Response {
        let body =
            (try? JSONSerialization.data(withJSONObject: ["Type": "User", "message": message], options: [.sortedKeys]))
            ?? Data()
        return Response(
            status: status, fields: [("content-type", "application/json"), ("x-amzn-errortype", type)],
            body: Array(body))
    }
}
