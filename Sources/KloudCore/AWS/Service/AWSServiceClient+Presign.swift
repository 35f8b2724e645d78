import FoundationEssentials

extension AWSServiceClient {
    /// A URL that lets whoever holds it send `request` without credentials until it expires:
    /// SigV4 in the query string, signed with the client's credentials at the client's time.
    func presignedURL(
        _ request: AWSRequest, expiresIn seconds: Int, options: SigV4Signer.Options
    ) async throws(AWSError) -> String {
        guard let credentialsProvider else { throw .missingCredentials(service.id) }
        let credentials = try await credentialsProvider.credentials()
        let host = request.hostPrefix + endpoint.host
        let signable = SignableRequest(
            method: request.method, path: endpoint.basePath + request.path, queryItems: request.queryItems,
            headers: [.init(name: "Host", value: host)], body: [])
        let signer = SigV4Signer(service: service.signingName, region: signingRegion, options: options)
        do {
            let signed = try signer.presign(signable, using: credentials, at: now(), expiresIn: seconds)
            return "\(endpoint.scheme)://\(host)\(signed.request.requestTarget)"
        } catch {
            throw .invalidRequest(service.id, "the request cannot be presigned", underlying: error)
        }
    }
}
