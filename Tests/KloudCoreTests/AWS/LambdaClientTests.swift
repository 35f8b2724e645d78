import Foundation
import KloudTestSupport
import Testing

@testable import KloudCore

@Suite("Lambda Invoke client")
struct LambdaClientTests {
    /// A loopback server speaking the Invoke API: `echo` answers with its payload, `fails`
    /// with a function error, anything else is not found.
    private func invokeServer() throws -> LoopbackHTTPServer {
        try LoopbackHTTPServer { request in
            let parts = request.path.split(separator: "/")
            guard request.method == "POST", parts.count == 4, parts[0] == "2015-03-31", parts[1] == "functions",
                parts[3] == "invocations"
            else { return .response(status: 400) }
            let name = String(parts[2]).removingPercentEncoding ?? ""
            let type = request.headers["x-amz-invocation-type"] ?? "RequestResponse"
            switch (name, type) {
            case (_, "Event"):
                return .response(status: 202)
            case ("scan", _):
                return .response(
                    status: 200,
                    headers: [("X-Amz-Executed-Version", "$LATEST"), ("Content-Type", "application/json")],
                    body: request.body)
            case ("fails", _):
                return .response(
                    status: 200, headers: [("X-Amz-Function-Error", "Unhandled")],
                    body: Array(#"{"errorType":"ValidationFailed","errorMessage":"bad input"}"#.utf8))
            default:
                return .response(
                    status: 404, headers: [("x-amzn-ErrorType", "ResourceNotFoundException")],
                    body: Array(#"{"Type":"User","Message":"Function not found"}"#.utf8))
            }
        }
    }

    @Test func invokesSynchronouslyAndReturnsThePayload() async throws {
        let server = try invokeServer()
        let lambda = LambdaClient(configuration: try server.awsConfiguration(), httpClient: HTTPClient())

        let result = try await lambda.invoke(functionName: "scan", payload: Array(#"{"accountId":"a"}"#.utf8))

        #expect(result.statusCode == 200)
        #expect(result.payload == Array(#"{"accountId":"a"}"#.utf8))
        #expect(result.functionError == nil)
        #expect(result.executedVersion == "$LATEST")
        let request = try #require(server.requests.first)
        #expect(request.headers["x-amz-invocation-type"] == "RequestResponse")
        #expect(request.headers["authorization"]?.contains("/us-east-1/lambda/aws4_request") == true)
    }

    @Test func invokesAsynchronouslyAsAnEvent() async throws {
        let server = try invokeServer()
        let lambda = LambdaClient(configuration: try server.awsConfiguration(), httpClient: HTTPClient())

        let result = try await lambda.invoke(functionName: "scan", payload: Array("{}".utf8), invocationType: .event)

        #expect(result.statusCode == 202)
        #expect(server.requests.first?.headers["x-amz-invocation-type"] == "Event")
    }

    @Test func surfacesAFunctionError() async throws {
        let server = try invokeServer()
        let lambda = LambdaClient(configuration: try server.awsConfiguration(), httpClient: HTTPClient())

        let result = try await lambda.invoke(functionName: "fails", payload: Array("{}".utf8))

        #expect(result.isFunctionError)
        #expect(result.functionError == "Unhandled")
        #expect(String(decoding: result.payload, as: UTF8.self).contains("ValidationFailed"))
    }

    @Test func anUnknownFunctionIsAServiceError() async throws {
        let server = try invokeServer()
        let lambda = LambdaClient(configuration: try server.awsConfiguration(), httpClient: HTTPClient())

        let error = try await #require(throws: AWSError.self) { try await lambda.invoke(functionName: "nope") }

        #expect(error.serviceCode == "ResourceNotFoundException")
        #expect(error.statusCode == 404)
        #expect(error.message == "Function not found")
    }

    @Test func encodesAnARNAsOnePathSegment() async throws {
        let server = try invokeServer()
        let lambda = LambdaClient(configuration: try server.awsConfiguration(), httpClient: HTTPClient())

        _ = try? await lambda.invoke(
            functionName: "arn:aws:lambda:us-east-1:123456789012:function:scan", qualifier: "live")

        #expect(
            server.requests.first?.target
                == "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Ascan/invocations?Qualifier=live"
        )
    }

    @Test func motoChecksTheSignatureOfAnInvoke() async throws {
        let moto = try await MotoServer.shared.endpoint()
        let signed = LambdaClient(configuration: try moto.configuration(), httpClient: HTTPClient())
        let wrong = LambdaClient(configuration: try moto.wronglySignedConfiguration(), httpClient: HTTPClient())
        let name = uniqueName("missing-function")

        let accepted = try await #require(throws: AWSError.self) { try await signed.invoke(functionName: name) }
        let refused = try await #require(throws: AWSError.self) { try await wrong.invoke(functionName: name) }

        #expect(accepted.serviceCode == "ResourceNotFoundException")
        #expect(refused.serviceCode == "SignatureDoesNotMatch")
        #expect(refused.statusCode == 403)
    }
}
