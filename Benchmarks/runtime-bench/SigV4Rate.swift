import Foundation
import KloudCore
import KloudLocal

/// SigV4 signatures per second on one core: KloudCore's signer beside botocore's, same request,
/// same run.
enum SigV4Rate {
    static func measure(python: URL) async throws -> (swift: Int, botocore: Int) {
        let credentials = AWSCredentials(
            accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            sessionToken: "session-token")
        let signer = SigV4Signer(service: "lambda", region: "us-east-1")
        let request = SignableRequest(
            method: "POST", path: "/2015-03-31/functions/scan/invocations",
            queryItems: [.init(name: "Qualifier", value: "$LATEST")],
            headers: [
                .init(name: "Host", value: "lambda.us-east-1.amazonaws.com"),
                .init(name: "Content-Type", value: "application/json"),
                .init(name: "X-Amz-Invocation-Type", value: "Event"),
            ],
            body: Array(String(repeating: "{\"job\":\"scan.run\"}", count: 10).utf8))
        let count = 50_000
        let start = DispatchTime.now()
        for _ in 0..<count { _ = try signer.sign(request, using: credentials, at: Date()) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let script = """
            import time
            from botocore.auth import SigV4Auth
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials
            credentials = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token")
            body = '{"job":"scan.run"}' * 10
            count = 5000
            start = time.perf_counter()
            for _ in range(count):
                request = AWSRequest(method="POST", data=body,
                    url="https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/scan/invocations?Qualifier=$LATEST",
                    headers={"Content-Type": "application/json", "X-Amz-Invocation-Type": "Event"})
                SigV4Auth(credentials, "lambda", "us-east-1").add_auth(request)
            print(int(count / (time.perf_counter() - start)))
            """
        let botocore = try await CommandRunner.run(python, ["-c", script])
        return (Int(Double(count) / seconds), Int(botocore.text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0)
    }
}
