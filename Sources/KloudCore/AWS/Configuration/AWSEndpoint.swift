/// Where a service's requests go: scheme, host (with any port) and a base path.
public struct AWSEndpoint: Sendable, Hashable {
    /// `https`, or `http` for a local endpoint.
    public let scheme: String
    /// The host and, when not the scheme's default, the port: `127.0.0.1:5000`.
    public let host: String
    /// A path every request path is appended to; empty for AWS's own endpoints.
    public let basePath: String

    /// Parses an endpoint URL such as `http://127.0.0.1:5000` or `https://s3.eu-west-1.amazonaws.com`.
    ///
    /// The URL must be absolute `http` or `https`, with a host and without user info, query or
    /// fragment; a trailing `/` is dropped from its path.
    public init(url: String) throws(AWSError) {
        let lowered = url.lowercased()
        let scheme: String
        if lowered.hasPrefix("https://") {
            scheme = "https"
        } else if lowered.hasPrefix("http://") {
            scheme = "http"
        } else {
            throw .invalidConfiguration("an endpoint URL must start with http:// or https://")
        }
        let rest = url.dropFirst(scheme.count + 3)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        var path = String(rest[slash...])
        guard !authority.isEmpty, !authority.contains("@"),
            !authority.utf8.contains(where: {
                $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#")
            })
        else {
            throw .invalidConfiguration("an endpoint URL needs a host, without user info or spaces")
        }
        guard !path.contains("?"), !path.contains("#"), !path.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw .invalidConfiguration("an endpoint URL must not have a query or fragment")
        }
        while path.hasSuffix("/") { path.removeLast() }
        var host = authority.lowercased()
        let defaultPort = scheme == "https" ? ":443" : ":80"
        if host.hasSuffix(defaultPort) { host.removeLast(defaultPort.count) }
        self.scheme = scheme
        self.host = host
        self.basePath = path
    }

    init(scheme: String, host: String, basePath: String = "") {
        self.scheme = scheme
        self.host = host
        self.basePath = basePath
    }

    /// AWS's own endpoint of the service in the region, such as `https://kms.eu-west-1.amazonaws.com`.
    public static func standard(for service: AWSService, region: String) -> AWSEndpoint {
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        if service.isGlobal {
            return AWSEndpoint(scheme: "https", host: "\(service.endpointPrefix).\(suffix)")
        }
        return AWSEndpoint(scheme: "https", host: "\(service.endpointPrefix).\(region).\(suffix)")
    }

    /// The URL text `scheme://host`.
    public var origin: String { "\(scheme)://\(host)" }
}
