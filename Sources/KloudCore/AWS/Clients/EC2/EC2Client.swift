import FoundationEssentials

/// Amazon EC2's read operations the scan uses: regions, instances, volumes, snapshots,
/// addresses and NAT gateways, each followed to its last page.
public struct EC2Client: Sendable {
    let client: AWSServiceClient

    /// Creates a client; `credentials` replaces the configuration's environment credentials.
    public init(
        configuration: AWSConfiguration,
        httpClient: HTTPClient,
        credentials: (any AWSCredentialsProvider)? = nil
    ) {
        client = AWSServiceClient(
            service: .ec2, configuration: configuration, httpClient: httpClient, credentialsProvider: credentials)
    }

    /// The regions enabled for the account (opted in, or not needing to be).
    public func describeRegions() async throws(AWSError) -> [String] {
        let response = try await client.query(QueryRequest(action: "DescribeRegions"))
        return EC2XML.items(of: response, "regionInfo").compactMap { region in
            let status = region.text(of: "optInStatus") ?? "opt-in-not-required"
            return status == "not-opted-in" ? nil : region.text(of: "regionName")
        }.sorted()
    }

    public func describeInstances() async throws(AWSError) -> [EC2Instance] {
        try await pages("DescribeInstances", pageSize: 1000) { response in
            EC2XML.items(of: response, "reservationSet").flatMap { EC2XML.items(of: $0, "instancesSet") }
                .map(EC2Instance.init(xml:))
        }
    }

    public func describeVolumes() async throws(AWSError) -> [EC2Volume] {
        try await pages("DescribeVolumes", pageSize: 500) {
            EC2XML.items(of: $0, "volumeSet").map(EC2Volume.init(xml:))
        }
    }

    /// The snapshots the account owns (not the public ones it can see).
    public func describeOwnSnapshots() async throws(AWSError) -> [EC2Snapshot] {
        try await pages("DescribeSnapshots", pageSize: 1000, parameters: [("Owner.1", "self")]) {
            EC2XML.items(of: $0, "snapshotSet").map(EC2Snapshot.init(xml:))
        }
    }

    public func describeAddresses() async throws(AWSError) -> [EC2Address] {
        let response = try await client.query(QueryRequest(action: "DescribeAddresses"))
        return EC2XML.items(of: response, "addressesSet").map(EC2Address.init(xml:))
    }

    public func describeNatGateways() async throws(AWSError) -> [EC2NatGateway] {
        try await pages("DescribeNatGateways", pageSize: 1000) {
            EC2XML.items(of: $0, "natGatewaySet").map(EC2NatGateway.init(xml:))
        }
    }

    /// Every page of an operation that takes `MaxResults` and answers `nextToken`.
    private func pages<Item>(
        _ action: String, pageSize: Int, parameters: [(String, String)] = [],
        items: (XMLElement) -> [Item]
    ) async throws(AWSError) -> [Item] {
        return try await AWSPagination.allPages(service: "EC2") { token throws(AWSError) in
            var request = QueryRequest(action: action)
            for (name, value) in parameters { request.set(name, value) }
            request.set("MaxResults", String(pageSize))
            request.set("NextToken", token)
            let response = try await client.query(request)
            return (items(response), response.text(of: "nextToken"))
        }.flatMap { $0 }
    }
}

/// How EC2 writes lists and tags: `<name><item>…</item></name>`.
enum EC2XML {
    static func items(of element: XMLElement, _ name: String) -> [XMLElement] {
        element.child(name)?.children("item") ?? []
    }

    /// The `tagSet` as a dictionary.
    static func tags(of element: XMLElement) -> [String: String] {
        var tags: [String: String] = [:]
        for item in items(of: element, "tagSet") {
            if let key = item.text(of: "key") { tags[key] = item.text(of: "value") ?? "" }
        }
        return tags
    }

    static func date(_ text: String?) -> Date? { text.flatMap(AWSTimestamp.iso8601) }
}
