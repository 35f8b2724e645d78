import Testing

@testable import KloudCore

@Suite("AWS error parsing, every protocol")
struct AWSErrorParserTests {
    private func parse(
        _ service: AWSService, status: Int, body: String, headers: HTTPHeaders = [:], method: String = "POST"
    ) -> AWSError {
        AWSErrorParser.error(
            from: HTTPResponse(status: status, headers: headers, body: Array(body.utf8)), service: service,
            method: method)
    }

    @Test func readsAQueryProtocolError() {
        let error = parse(
            .sts, status: 403,
            body: """
                <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>secret detail</Message></Error>
                  <RequestId>req-1</RequestId>
                </ErrorResponse>
                """)

        #expect(error.code == .serviceError)
        #expect(error.service == "STS")
        #expect(error.serviceCode == "SignatureDoesNotMatch")
        #expect(error.message == "secret detail")
        #expect(error.requestID == "req-1")
        #expect(error.statusCode == 403)
        #expect(!error.description.contains("secret detail"))
        #expect(error.debugDescription.contains("secret detail"))
    }

    @Test func readsAnEC2Error() {
        let error = parse(
            .ec2, status: 401,
            body:
                "<Response><Errors><Error><Code>AuthFailure</Code><Message>m</Message></Error></Errors><RequestID>r-2</RequestID></Response>"
        )

        #expect(error.serviceCode == "AuthFailure")
        #expect(error.requestID == "r-2")
    }

    @Test func readsAnS3ErrorAndItsRequestIDHeader() {
        let error = parse(
            .s3, status: 404, body: "<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>",
            headers: ["x-amz-request-id": "s3-req"], method: "GET")

        #expect(error.serviceCode == "NoSuchKey")
        #expect(error.requestID == "s3-req")
    }

    @Test(arguments: [(404, "NotFound"), (403, "Forbidden"), (400, "BadRequest"), (500, "500")])
    func namesABodilessS3ErrorByItsStatus(status: Int, code: String) {
        let error = parse(.s3, status: status, body: "", method: "HEAD")

        #expect(error.code == .serviceError)
        #expect(error.serviceCode == code)
    }

    @Test func readsAJSONErrorType() {
        let error = parse(
            .kms, status: 400, body: #"{"__type":"com.amazonaws.kms#NotFoundException","message":"no key"}"#,
            headers: ["x-amzn-RequestId": "kms-req"])

        #expect(error.serviceCode == "NotFoundException")
        #expect(error.message == "no key")
        #expect(error.requestID == "kms-req")
    }

    @Test func prefersTheErrorTypeHeader() {
        let error = parse(
            .lambda, status: 404, body: #"{"Type":"User","Message":"Function not found"}"#,
            headers: ["x-amzn-ErrorType": "ResourceNotFoundException:http://internal.amazon.com/coral/"])

        #expect(error.serviceCode == "ResourceNotFoundException")
        #expect(error.message == "Function not found")
    }

    @Test func readsAnErrorTypeHeaderWithoutBody() {
        let error = parse(.lambda, status: 429, body: "", headers: ["x-amzn-ErrorType": "TooManyRequestsException"])

        #expect(error.serviceCode == "TooManyRequestsException")
        #expect(error.isThrottling)
    }

    @Test(arguments: [AWSService.sts, .kms, .s3, .lambda, .ec2])
    func callsAnHTMLPageUnrecognized(service: AWSService) {
        let error = parse(
            service, status: 502,
            body: "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>",
            headers: ["Content-Type": "text/html"])

        #expect(error.code == .unrecognizedErrorResponse)
        #expect(error.statusCode == 502)
        #expect(error.serviceCode == nil)
        #expect(error.isTransient)
    }

    @Test(arguments: [
        "<ErrorResponse><Error><Code>Throttling</Code>",
        "<ErrorResponse><Error><Message>no code</Message></Error></ErrorResponse>",
        "<ErrorResponse><Error><Code>bad code with spaces</Code></Error></ErrorResponse>",
        "<Error><Code>&unknown;</Code></Error>",
    ])
    func callsABrokenXMLErrorMalformed(body: String) {
        let error = parse(.sts, status: 400, body: body)

        #expect(error.code == .malformedErrorResponse)
        #expect(error.serviceCode == nil)
        #expect(!error.isRetryable)
    }

    @Test(arguments: [#"{"__type":"Thrott"#, #"{"message":"no code at all"}"#, #"{"__type": 42}"#, "[1,2"])
    func callsABrokenJSONErrorMalformed(body: String) {
        let error = parse(.kms, status: 400, body: body)

        #expect(error.code == .malformedErrorResponse)
    }

    @Test func callsPlainTextUnrecognized() {
        #expect(parse(.kms, status: 503, body: "upstream connect error").code == .unrecognizedErrorResponse)
        #expect(parse(.sts, status: 503, body: "").code == .unrecognizedErrorResponse)
    }

    @Test(arguments: [
        ("Throttling", true), ("ThrottlingException", true), ("SlowDown", true), ("RequestLimitExceeded", true),
        ("ProvisionedThroughputExceededException", true), ("EC2ThrottledException", true),
        ("ValidationException", false), ("AccessDenied", false),
    ])
    func classifiesThrottlingCodes(code: String, isThrottling: Bool) {
        let error = AWSError.service("KMS", serviceCode: code, message: nil, requestID: nil, statusCode: 400)

        #expect(error.isThrottling == isThrottling)
        #expect(error.isRetryable == isThrottling)
    }

    @Test(arguments: [(500, true), (502, true), (503, true), (504, true), (501, false), (400, false), (404, false)])
    func classifiesTransientStatuses(status: Int, isTransient: Bool) {
        let error = AWSError.service("S3", serviceCode: "X", message: nil, requestID: nil, statusCode: status)

        #expect(error.isTransient == isTransient)
    }

    @Test func classifiesTimeoutCodesAsTransient() {
        for code in ["RequestTimeout", "RequestTimeoutException"] {
            #expect(
                AWSError.service("S3", serviceCode: code, message: nil, requestID: nil, statusCode: 400).isTransient)
        }
    }
}
