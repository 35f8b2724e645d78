import Foundation
import KloudCore
import Testing

/// AWS's own SigV4 test suite (`../shared/testdata/aws-sigv4/`): every case, signed with the
/// Authorization header and presigned, must give the suite's canonical request, string to
/// sign, signature and signed request.
@Suite("AWS SigV4 test suite")
struct SigV4TestSuiteTests {
    @Test func suiteIsPresent() {
        #expect(SigV4SuiteCase.all().count >= 30, "AWS's suite was not found at \(SigV4TestPaths.suiteFolder.path)")
    }

    @Test(arguments: SigV4SuiteCase.all())
    func headerSigningMatchesSuite(_ suiteCase: SigV4SuiteCase) throws {
        let context = try suiteCase.context()
        let request = try suiteCase.request().signableRequest()

        let signed = try context.signer.sign(request, using: context.awsCredentials, at: try context.date())

        try expectSteps(of: signed, match: suiteCase, mode: .header)
        if let expected = try suiteCase.expectedSignedRequest(.header) {
            #expect(signed.request.method == expected.method)
            #expect(signed.request.requestTarget == (try expected.signableRequest().requestTarget))
            #expect(headerLines(signed.request.headers) == headerLines(expected.headers))
            #expect(signed.request.body == expected.body)
        }
    }

    @Test(arguments: SigV4SuiteCase.all())
    func presigningMatchesSuite(_ suiteCase: SigV4SuiteCase) throws {
        let context = try suiteCase.context()
        let request = try suiteCase.request().signableRequest()

        let signed = try context.signer.presign(
            request,
            using: context.awsCredentials,
            at: try context.date(),
            expiresIn: context.expirationInSeconds
        )

        try expectSteps(of: signed, match: suiteCase, mode: .query)
        if let expected = try suiteCase.expectedSignedRequest(.query) {
            let expectedRequest = try expected.signableRequest()
            #expect(signed.request.path == expectedRequest.path)
            #expect(queryPairs(signed.request.queryItems) == queryPairs(expectedRequest.queryItems))
            #expect(headerLines(signed.request.headers) == headerLines(expected.headers))
            #expect(signed.request.body == expected.body)
        }
    }

    /// The steps can also be run one by one on the signed request and give the same values.
    @Test(arguments: SigV4SuiteCase.all())
    func separateStepsMatchSuite(_ suiteCase: SigV4SuiteCase) throws {
        let context = try suiteCase.context()
        let signer = context.signer
        let date = try context.date()
        var request = try suiteCase.request().signableRequest()
        let signed = try signer.sign(request, using: context.awsCredentials, at: date)
        request = signed.request
        request.removeHeaders(named: "authorization")
        if !signer.options.isSessionTokenSigned {
            request.removeHeaders(named: "x-amz-security-token")
        }

        let canonical = try signer.canonicalRequest(for: request, payloadHash: try signer.payloadHash(for: request))
        let stringToSign = try signer.stringToSign(for: canonical, at: date)
        let signature = try signer.signature(for: stringToSign, using: context.awsCredentials, at: date)

        #expect(canonical.text == (try suiteCase.expected("canonical-request", .header)))
        #expect(stringToSign == (try suiteCase.expected("string-to-sign", .header)))
        #expect(signature == (try suiteCase.expected("signature", .header)))
    }

    private func expectSteps(
        of signed: SigV4Signer.SignedRequest,
        match suiteCase: SigV4SuiteCase,
        mode: SigV4SuiteCase.Mode
    ) throws {
        if let expected = try suiteCase.expected("canonical-request", mode) {
            #expect(signed.canonicalRequest == expected)
        }
        if let expected = try suiteCase.expected("string-to-sign", mode) {
            #expect(signed.stringToSign == expected)
        }
        if let expected = try suiteCase.expected("signature", mode) {
            #expect(signed.signature == expected)
        }
    }

    /// Header lines as sorted `name:value` strings with lowercased names: the suite's own
    /// signer orders and cases the headers it adds its way.
    private func headerLines(_ headers: [SignableRequest.Header]) -> [String] {
        headers.map { "\($0.name.lowercased()):\($0.value)" }.sorted()
    }

    private func queryPairs(_ items: [SignableRequest.QueryItem]) -> [String] {
        items.map { "\($0.name)=\($0.value)" }.sorted()
    }
}
