import FoundationEssentials

/// Elastic Load Balancing v2's read operations: load balancers, their target groups and the
/// health of each group's targets.
public struct ELBv2Client: Sendable {
    let client: AWSServiceClient

    /// Creates a client; `credentials` replaces the configuration's environment credentials.
    public init(
        configuration: AWSConfiguration,
        httpClient: HTTPClient,
        credentials: (any AWSCredentialsProvider)? = nil
    ) {
        client = AWSServiceClient(
            service: .elasticLoadBalancingV2, configuration: configuration, httpClient: httpClient,
            credentialsProvider: credentials)
    }

    public func describeLoadBalancers() async throws(AWSError) -> [ELBLoadBalancer] {
        try await pages("DescribeLoadBalancers", list: "LoadBalancers") { member in
            ELBLoadBalancer(
                arn: member.text(of: "LoadBalancerArn") ?? "", name: member.text(of: "LoadBalancerName") ?? "",
                type: member.text(of: "Type") ?? "", state: member.element(at: ["State", "Code"])?.text ?? "",
                createdTime: member.text(of: "CreatedTime").flatMap(AWSTimestamp.iso8601))
        }
    }

    public func describeTargetGroups() async throws(AWSError) -> [ELBTargetGroup] {
        try await pages("DescribeTargetGroups", list: "TargetGroups") { member in
            ELBTargetGroup(
                arn: member.text(of: "TargetGroupArn") ?? "", name: member.text(of: "TargetGroupName") ?? "",
                loadBalancerARNs: member.child("LoadBalancerArns")?.children("member").map(\.text) ?? [])
        }
    }

    /// The state of each target registered in a group (`healthy`, `unhealthy`, `unused`, …).
    public func describeTargetHealth(targetGroupARN: String) async throws(AWSError) -> [ELBTargetHealth] {
        var request = QueryRequest(action: "DescribeTargetHealth")
        request.set("TargetGroupArn", targetGroupARN)
        let result = try await client.query(request)
        return (result.child("TargetHealthDescriptions")?.children("member") ?? []).map { member in
            ELBTargetHealth(
                targetID: member.element(at: ["Target", "Id"])?.text ?? "",
                state: member.element(at: ["TargetHealth", "State"])?.text ?? "")
        }
    }

    /// Every page of an operation that takes `PageSize` and `Marker` and answers `NextMarker`.
    private func pages<Item>(
        _ action: String, list: String, item: (XMLElement) -> Item
    ) async throws(AWSError) -> [Item] {
        return try await AWSPagination.allPages(service: client.service.id) { marker throws(AWSError) in
            var request = QueryRequest(action: action)
            request.set("PageSize", "400")
            request.set("Marker", marker)
            let result = try await client.query(request)
            return ((result.child(list)?.children("member") ?? []).map(item), result.text(of: "NextMarker"))
        }.flatMap { $0 }
    }
}

/// An application, network or gateway load balancer.
public struct ELBLoadBalancer: Sendable, Hashable {
    public var arn: String
    public var name: String
    /// `application`, `network` or `gateway`.
    public var type: String
    public var state: String
    public var createdTime: Date?

    public init(arn: String, name: String, type: String, state: String, createdTime: Date? = nil) {
        self.arn = arn
        self.name = name
        self.type = type
        self.state = state
        self.createdTime = createdTime
    }
}

/// A target group and the load balancers that route to it.
public struct ELBTargetGroup: Sendable, Hashable {
    public var arn: String
    public var name: String
    public var loadBalancerARNs: [String]

    public init(arn: String, name: String, loadBalancerARNs: [String]) {
        self.arn = arn
        self.name = name
        self.loadBalancerARNs = loadBalancerARNs
    }
}

/// One registered target's health.
public struct ELBTargetHealth: Sendable, Hashable {
    public var targetID: String
    public var state: String

    public init(targetID: String, state: String) {
        self.targetID = targetID
        self.state = state
    }
}
