/// An operation of a query-protocol service (STS, SES, IAM, EC2, RDS, ELB, CloudWatch): a
/// form-encoded `Action` with flattened parameters.
struct QueryRequest: Sendable {
    /// The operation, such as `AssumeRole`.
    let action: String
    private(set) var parameters: [(name: String, value: String)] = []

    init(action: String) {
        self.action = action
    }

    /// Adds `name=value`; a nil value adds nothing.
    mutating func set(_ name: String, _ value: String?) {
        guard let value else { return }
        parameters.append((name, value))
    }

    /// Adds a list as `name.member.1`, `name.member.2`… (or `name.1`… for EC2, with
    /// `memberName` nil).
    mutating func set(list name: String, _ values: [String], memberName: String? = "member") {
        let prefix = memberName.map { "\(name).\($0)" } ?? name
        for (index, value) in values.enumerated() {
            parameters.append(("\(prefix).\(index + 1)", value))
        }
    }

    /// Adds a map as `name.entry.N.key` / `name.entry.N.value`, keys sorted.
    mutating func set(map name: String, _ values: [String: String]) {
        for (index, key) in values.keys.sorted().enumerated() {
            parameters.append(("\(name).entry.\(index + 1).key", key))
            parameters.append(("\(name).entry.\(index + 1).value", values[key]!))
        }
    }

    /// The form-encoded body: `Action`, `Version`, then the parameters, each part
    /// percent-encoded but for RFC 3986's unreserved characters, and a space as `+`: byte for
    /// byte what botocore sends, so that a server re-encoding the parsed form gets our bytes.
    func body(version: String) -> [UInt8] {
        var body: [UInt8] = []
        let all = [("Action", action), ("Version", version)] + parameters.map { ($0.name, $0.value) }
        for (index, (name, value)) in all.enumerated() {
            if index > 0 { body.append(UInt8(ascii: "&")) }
            Self.appendFormEncoded(name, to: &body)
            body.append(UInt8(ascii: "="))
            Self.appendFormEncoded(value, to: &body)
        }
        return body
    }

    private static func appendFormEncoded(_ text: String, to body: inout [UInt8]) {
        var encoded: [UInt8] = []
        SigV4Encoding.appendEncoded(text, to: &encoded)
        // A literal '%' was encoded as %25, so every %20 left stands for a space.
        var index = 0
        while index < encoded.count {
            if encoded[index] == UInt8(ascii: "%"), index + 2 < encoded.count, encoded[index + 1] == UInt8(ascii: "2"),
                encoded[index + 2] == UInt8(ascii: "0")
            {
                body.append(UInt8(ascii: "+"))
                index += 3
            } else {
                body.append(encoded[index])
                index += 1
            }
        }
    }
}

extension AWSServiceClient {
    /// Calls a query-protocol operation and returns its result element: `<ActionResult>` of the
    /// query protocol (empty when the response has none), or EC2's whole response element.
    func query(_ request: QueryRequest) async throws(AWSError) -> XMLElement {
        var awsRequest = AWSRequest(operation: request.action, method: "POST", path: "/")
        awsRequest.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")
        awsRequest.body = .bytes(request.body(version: service.apiVersion))
        let response = try await send(awsRequest)
        let root = try parseXML(response)
        if service.wireProtocol == .ec2Query { return root }
        guard root.name == "\(request.action)Response" else {
            throw .malformedResponse(service.id, "the root element is not \(request.action)Response")
        }
        return root.child("\(request.action)Result") ?? XMLElement(name: "\(request.action)Result")
    }

    /// The response body as XML, or a malformed-response error.
    func parseXML(_ response: HTTPResponse) throws(AWSError) -> XMLElement {
        do {
            return try XMLReader.parse(response.body)
        } catch {
            throw .malformedResponse(
                service.id, "the body is not well-formed XML", statusCode: response.status,
                requestID: response.headers["x-amzn-RequestId"] ?? response.headers["x-amz-request-id"],
                underlying: error)
        }
    }

    /// The text of a required child element, or a malformed-response error naming it.
    func requiredText(_ name: String, in element: XMLElement) throws(AWSError) -> String {
        guard let text = element.text(of: name) else {
            throw .malformedResponse(service.id, "the response has no \(name)")
        }
        return text
    }
}
