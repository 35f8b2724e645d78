import FoundationEssentials

extension AWSServiceClient {
    /// Calls a JSON 1.0/1.1 operation (`X-Amz-Target: Prefix.Operation`) with a raw JSON body.
    func json(operation: String, body: [UInt8]) async throws(AWSError) -> HTTPResponse {
        guard case .json(let version, let targetPrefix) = service.wireProtocol else {
            throw .invalidRequest(service.id, "the service does not speak the JSON protocol")
        }
        var request = AWSRequest(operation: operation, method: "POST", path: "/")
        request.headers.add(name: "Content-Type", value: "application/x-amz-json-\(version)")
        request.headers.add(name: "X-Amz-Target", value: "\(targetPrefix).\(operation)")
        request.body = .bytes(body)
        return try await send(request)
    }

    /// Calls a JSON 1.0/1.1 operation with an encodable input and decodes its output.
    func json<Input: Encodable, Output: Decodable>(
        operation: String, input: Input, output: Output.Type
    ) async throws(AWSError) -> Output {
        let response = try await json(operation: operation, body: try encodeJSON(input))
        return try decodeJSON(output, from: response)
    }

    func encodeJSON(_ value: some Encodable) throws(AWSError) -> [UInt8] {
        do {
            return Array(try JSONEncoder().encode(value))
        } catch {
            throw .invalidRequest(service.id, "the input cannot be encoded as JSON", underlying: error)
        }
    }

    /// The response body decoded, or a malformed-response error.
    func decodeJSON<Output: Decodable>(_ type: Output.Type, from response: HTTPResponse) throws(AWSError) -> Output {
        do {
            return try JSONDecoder().decode(type, from: Data(response.body))
        } catch {
            throw .malformedResponse(
                service.id, "the body is not the expected JSON", statusCode: response.status,
                requestID: response.headers["x-amzn-RequestId"], underlying: error)
        }
    }
}
