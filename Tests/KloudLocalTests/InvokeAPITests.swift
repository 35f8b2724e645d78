import Foundation
import KloudCore
import Testing

@testable import KloudLocal

/// The Lambda Invoke API, in its three invocation types.
@Suite("Lambda Invoke API")
struct InvokeAPITests {
    @Test func requestResponseReturnsTheOutput() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let answer = try await HTTPExchange.send(
            "POST", local.endpoints.invocation(of: "runtime-probe"), body: Data(#"{"action":"echo","n":5}"#.utf8))
        #expect(answer.status == 200)
        #expect(answer.headers["x-amz-executed-version"] == "$LATEST")
        #expect(answer.headers["x-amz-function-error"] == nil)
        #expect(try answer.json()["n"] as? Int == 5)
    }

    @Test func functionErrorIsMarkedUnhandled() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let answer = try await HTTPExchange.send(
            "POST", local.endpoints.invocation(of: "runtime-probe"), body: Data(#"{"action":"throw"}"#.utf8))
        #expect(answer.status == 200)
        #expect(answer.headers["x-amz-function-error"] == "Unhandled")
        #expect(try answer.json()["errorType"] as? String == "ProbeFailure")
    }

    @Test func functionIsFoundByNameOrARN() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        for name in [
            "arn:aws:lambda:us-east-1:000000000000:function:runtime-probe", "000000000000:function:runtime-probe",
        ] {
            let url = URL(
                string: local.endpoints.lambda.absoluteString + "/2015-03-31/functions/"
                    + name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)! + "/invocations")!
            #expect(try await HTTPExchange.send("POST", url, body: Data("{}".utf8)).status == 200)
        }
    }

    @Test func clientContextReachesTheHandler() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let clientContext = #"{"custom":{"tenant":"t-1"}}"#
        let answer = try await HTTPExchange.send(
            "POST", local.endpoints.invocation(of: "runtime-probe"),
            headers: ["X-Amz-Client-Context": Data(clientContext.utf8).base64EncodedString()],
            body: Data(#"{"action":"context"}"#.utf8))
        #expect(try answer.json()["clientContext"] as? String == clientContext)
    }

    @Test func eventInvocationAnswers202AndRunsInTheBackground() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let answer = try await HTTPExchange.send(
            "POST", local.endpoints.invocation(of: "runtime-probe"), headers: ["X-Amz-Invocation-Type": "Event"],
            body: Data(#"{"action":"sleep","milliseconds":200}"#.utf8))
        #expect(answer.status == 202)
        #expect(answer.body.isEmpty)
        let requestID = try #require(answer.headers["x-amzn-requestid"])
        #expect(local.lines(containing: "REPORT RequestId: \(requestID)").isEmpty, "the call returned before the work")
        try await eventually { !local.lines(containing: "REPORT RequestId: \(requestID)").isEmpty }
    }

    @Test func failedEventInvocationIsRetriedTwice() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let answer = try await HTTPExchange.send(
            "POST", local.endpoints.invocation(of: "runtime-probe"), headers: ["X-Amz-Invocation-Type": "Event"],
            body: Data(#"{"action":"throw"}"#.utf8))
        let requestID = try #require(answer.headers["x-amzn-requestid"])
        try await eventually { local.lines(containing: "START RequestId: \(requestID)").count == 3 }
        try await eventually { !local.lines(containing: "failed after 3 attempts").isEmpty }
    }

    @Test func dryRunAnswers204AndRunsNothing() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let answer = try await HTTPExchange.send(
            "POST", local.endpoints.invocation(of: "runtime-probe"), headers: ["X-Amz-Invocation-Type": "DryRun"],
            body: Data("{}".utf8))
        #expect(answer.status == 204)
        try await Task.sleep(for: .milliseconds(200))
        #expect(local.lines(containing: "START").isEmpty)
    }

    @Test func unknownFunctionIs404ResourceNotFound() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let answer = try await HTTPExchange.send(
            "POST", local.endpoints.invocation(of: "no-such-function"), body: Data("{}".utf8))
        #expect(answer.status == 404)
        #expect(answer.headers["x-amzn-errortype"] == "ResourceNotFoundException")
        #expect((try answer.json()["message"] as? String)?.contains("function:no-such-function") == true)
    }

    @Test func payloadThatIsNotJSONIs400AndRunsNothing() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let answer = try await HTTPExchange.send(
            "POST", local.endpoints.invocation(of: "runtime-probe"), body: Data("{broken".utf8))
        #expect(answer.status == 400)
        #expect(answer.headers["x-amzn-errortype"] == "InvalidRequestContentException")
        #expect(local.lines(containing: "START").isEmpty)
    }

    @Test func unknownInvocationTypeIs400() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let answer = try await HTTPExchange.send(
            "POST", local.endpoints.invocation(of: "runtime-probe"), headers: ["X-Amz-Invocation-Type": "Sometimes"],
            body: Data("{}".utf8))
        #expect(answer.status == 400)
        #expect(answer.headers["x-amzn-errortype"] == "InvalidParameterValueException")
    }

    @Test func oversizedEventPayloadIs413() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let payload = Data(("\"" + String(repeating: "x", count: 1_100_000) + "\"").utf8)
        let answer = try await HTTPExchange.send(
            "POST", local.endpoints.invocation(of: "runtime-probe"), headers: ["X-Amz-Invocation-Type": "Event"],
            body: payload)
        #expect(answer.status == 413)
        #expect(answer.headers["x-amzn-errortype"] == "RequestTooLargeException")
    }

    @Test func listsTheFunctions() async throws {
        let local = try await TestEmulator.start()
        defer { Task { await local.stop() } }
        let answer = try await HTTPExchange.send(
            "GET", URL(string: local.endpoints.lambda.absoluteString + "/2015-03-31/functions/")!)
        let functions = try #require(try answer.json()["Functions"] as? [[String: Any]])
        #expect(
            functions.compactMap { $0["FunctionName"] as? String } == [
                "kloudcore-probe", "raw-runtime", "runtime-probe",
            ])
    }

    // MARK: - Who may invoke whom

    /// Credentials the emulator gives each fixture function, as Lambda gives it its role's.
    private static let roles = [
        "runtime-probe": AWSCredentials(accessKeyID: "ASIARUNTIMEPROBE0001", secretAccessKey: "runtime-secret"),
        "kloudcore-probe": AWSCredentials(accessKeyID: "ASIAKLOUDCOREPROBE01", secretAccessKey: "kloudcore-secret"),
    ]

    private func lambda(_ local: TestEmulator, signedAs credentials: AWSCredentials) throws -> LambdaClient {
        LambdaClient(
            configuration: AWSConfiguration(
                region: "us-east-1", credentials: credentials,
                endpointURL: try AWSEndpoint(url: local.endpoints.lambda.absoluteString)),
            httpClient: HTTPClient())
    }

    @Test func aFunctionInvokesWhatItsManifestNames() async throws {
        let local = try await TestEmulator.start { $0.functionCredentials = Self.roles }
        defer { Task { await local.stop() } }

        let invocation = try await lambda(local, signedAs: Self.roles["runtime-probe"]!).invoke(
            functionName: "runtime-probe", payload: Array(#"{"action":"echo","n":1}"#.utf8))

        #expect(invocation.statusCode == 200 && invocation.functionError == nil)
    }

    @Test func aFunctionIsRefusedWhatItsManifestDoesNotName() async throws {
        let local = try await TestEmulator.start { $0.functionCredentials = Self.roles }
        defer { Task { await local.stop() } }

        let error = await #expect(throws: AWSError.self) {
            try await lambda(local, signedAs: Self.roles["runtime-probe"]!).invoke(
                functionName: "kloudcore-probe", payload: Array("{}".utf8), invocationType: .event)
        }

        #expect(error?.serviceCode == "AccessDeniedException")
        #expect(error?.statusCode == 403)
        #expect(local.lines(containing: "[kloudcore-probe] START").isEmpty, "nothing ran")
    }

    @Test func aSignatureMadeWithAnotherSecretIsRefused() async throws {
        let local = try await TestEmulator.start { $0.functionCredentials = Self.roles }
        defer { Task { await local.stop() } }
        let forged = AWSCredentials(accessKeyID: Self.roles["runtime-probe"]!.accessKeyID, secretAccessKey: "guessed")

        let error = await #expect(throws: AWSError.self) {
            try await lambda(local, signedAs: forged).invoke(functionName: "runtime-probe", payload: Array("{}".utf8))
        }

        #expect(error?.serviceCode == "InvalidSignatureException")
    }
}
