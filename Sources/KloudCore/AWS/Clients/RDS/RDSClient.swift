import FoundationEssentials

/// Amazon RDS's read operation the scan uses: the database instances.
public struct RDSClient: Sendable {
    let client: AWSServiceClient

    /// Creates a client; `credentials` replaces the configuration's environment credentials.
    public init(
        configuration: AWSConfiguration,
        httpClient: HTTPClient,
        credentials: (any AWSCredentialsProvider)? = nil
    ) {
        client = AWSServiceClient(
            service: .rds, configuration: configuration, httpClient: httpClient, credentialsProvider: credentials)
    }

    public func describeDBInstances() async throws(AWSError) -> [RDSInstance] {
        return try await AWSPagination.allPages(service: "RDS") { marker throws(AWSError) in
            var request = QueryRequest(action: "DescribeDBInstances")
            request.set("MaxRecords", "100")
            request.set("Marker", marker)
            let result = try await client.query(request)
            let instances = (result.child("DBInstances")?.children("DBInstance") ?? []).map { xml in
                RDSInstance(
                    identifier: xml.text(of: "DBInstanceIdentifier") ?? "", arn: xml.text(of: "DBInstanceArn") ?? "",
                    instanceClass: xml.text(of: "DBInstanceClass") ?? "", engine: xml.text(of: "Engine") ?? "",
                    status: xml.text(of: "DBInstanceStatus") ?? "", isMultiAZ: xml.text(of: "MultiAZ") == "true",
                    allocatedStorageGiB: Int(xml.text(of: "AllocatedStorage") ?? "") ?? 0,
                    storageType: xml.text(of: "StorageType") ?? "")
            }
            return (instances, result.text(of: "Marker"))
        }.flatMap { $0 }
    }
}

/// A database instance.
public struct RDSInstance: Sendable, Hashable {
    public var identifier: String
    public var arn: String
    /// Such as `db.t3.micro`.
    public var instanceClass: String
    public var engine: String
    public var status: String
    public var isMultiAZ: Bool
    public var allocatedStorageGiB: Int
    /// `gp2`, `gp3`, `io1`, `standard`, …
    public var storageType: String

    public init(
        identifier: String, arn: String, instanceClass: String, engine: String, status: String, isMultiAZ: Bool,
        allocatedStorageGiB: Int, storageType: String
    ) {
        self.identifier = identifier
        self.arn = arn
        self.instanceClass = instanceClass
        self.engine = engine
        self.status = status
        self.isMultiAZ = isMultiAZ
        self.allocatedStorageGiB = allocatedStorageGiB
        self.storageType = storageType
    }
}
