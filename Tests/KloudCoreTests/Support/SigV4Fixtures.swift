import Foundation
import KloudCore

/// The credentials, date and request shape the SigV4 unit tests share (AWS's suite's own).
enum SigV4Fixtures {
    static let credentials = AWSCredentials(
        accessKeyID: "AKIDEXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    )

    /// 2015-08-30T12:36:00Z.
    static let date = Date(timeIntervalSince1970: 1_440_938_160)

    /// A request to `example.amazonaws.com`, which comes first among its headers.
    static func request(
        method: String = "GET",
        path: String = "/",
        query: [SignableRequest.QueryItem] = [],
        headers: [SignableRequest.Header] = [],
        body: [UInt8] = []
    ) -> SignableRequest {
        SignableRequest(
            method: method,
            path: path,
            queryItems: query,
            headers: [.init(name: "Host", value: "example.amazonaws.com")] + headers,
            body: body
        )
    }

    /// The canonical request's lines.
    static func canonicalLines(_ signed: SigV4Signer.SignedRequest) -> [Substring] {
        signed.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)
    }
}
