import FoundationEssentials

/// An EC2 instance as DescribeInstances shows it.
public struct EC2Instance: Sendable, Hashable {
    public var id: String
    public var type: String
    /// `pending`, `running`, `stopping`, `stopped`, `shutting-down` or `terminated`.
    public var state: String
    /// Why the state last changed, e.g. `User initiated (2026-11-20 10:00:00 GMT)`.
    public var stateTransitionReason: String
    public var launchTime: Date?
    public var tags: [String: String]
    /// The EBS volumes attached through its block device mappings.
    public var volumeIDs: [String]

    public init(
        id: String, type: String, state: String, stateTransitionReason: String = "", launchTime: Date? = nil,
        tags: [String: String] = [:], volumeIDs: [String] = []
    ) {
        self.id = id
        self.type = type
        self.state = state
        self.stateTransitionReason = stateTransitionReason
        self.launchTime = launchTime
        self.tags = tags
        self.volumeIDs = volumeIDs
    }

    init(xml: XMLElement) {
        self.init(
            id: xml.text(of: "instanceId") ?? "", type: xml.text(of: "instanceType") ?? "",
            state: xml.element(at: ["instanceState", "name"])?.text ?? "",
            stateTransitionReason: xml.text(of: "reason") ?? "", launchTime: EC2XML.date(xml.text(of: "launchTime")),
            tags: EC2XML.tags(of: xml),
            volumeIDs: EC2XML.items(of: xml, "blockDeviceMapping").compactMap {
                $0.element(at: ["ebs", "volumeId"])?.text
            })
    }
}

/// An EBS volume.
public struct EC2Volume: Sendable, Hashable {
    public var id: String
    /// `gp2`, `gp3`, `io1`, `io2`, `st1`, `sc1` or `standard`.
    public var type: String
    public var sizeGiB: Int
    /// `available` (attached to nothing), `in-use`, …
    public var state: String
    public var attachedInstanceIDs: [String]
    public var createTime: Date?
    public var tags: [String: String]

    public init(
        id: String, type: String, sizeGiB: Int, state: String, attachedInstanceIDs: [String] = [],
        createTime: Date? = nil, tags: [String: String] = [:]
    ) {
        self.id = id
        self.type = type
        self.sizeGiB = sizeGiB
        self.state = state
        self.attachedInstanceIDs = attachedInstanceIDs
        self.createTime = createTime
        self.tags = tags
    }

    init(xml: XMLElement) {
        self.init(
            id: xml.text(of: "volumeId") ?? "", type: xml.text(of: "volumeType") ?? "",
            sizeGiB: Int(xml.text(of: "size") ?? "") ?? 0, state: xml.text(of: "status") ?? "",
            attachedInstanceIDs: EC2XML.items(of: xml, "attachmentSet").compactMap { $0.text(of: "instanceId") },
            createTime: EC2XML.date(xml.text(of: "createTime")), tags: EC2XML.tags(of: xml))
    }
}

/// An EBS snapshot the account owns.
public struct EC2Snapshot: Sendable, Hashable {
    public var id: String
    /// The volume it was taken from; the volume may no longer exist.
    public var volumeID: String
    public var volumeSizeGiB: Int
    public var startTime: Date?
    /// The 12-digit account that owns it.
    public var ownerID: String
    public var tags: [String: String]

    public init(
        id: String, volumeID: String, volumeSizeGiB: Int, startTime: Date?, ownerID: String = "",
        tags: [String: String] = [:]
    ) {
        self.id = id
        self.ownerID = ownerID
        self.volumeID = volumeID
        self.volumeSizeGiB = volumeSizeGiB
        self.startTime = startTime
        self.tags = tags
    }

    init(xml: XMLElement) {
        self.init(
            id: xml.text(of: "snapshotId") ?? "", volumeID: xml.text(of: "volumeId") ?? "",
            volumeSizeGiB: Int(xml.text(of: "volumeSize") ?? "") ?? 0,
            startTime: EC2XML.date(xml.text(of: "startTime")), ownerID: xml.text(of: "ownerId") ?? "",
            tags: EC2XML.tags(of: xml))
    }
}

/// An Elastic IP address.
public struct EC2Address: Sendable, Hashable {
    public var allocationID: String
    public var publicIP: String
    /// Set while the address is associated with an instance or network interface.
    public var associationID: String?
    public var instanceID: String?
    public var tags: [String: String]

    public init(
        allocationID: String, publicIP: String, associationID: String? = nil, instanceID: String? = nil,
        tags: [String: String] = [:]
    ) {
        self.allocationID = allocationID
        self.publicIP = publicIP
        self.associationID = associationID
        self.instanceID = instanceID
        self.tags = tags
    }

    init(xml: XMLElement) {
        self.init(
            allocationID: xml.text(of: "allocationId") ?? "", publicIP: xml.text(of: "publicIp") ?? "",
            associationID: xml.text(of: "associationId").flatMap { $0.isEmpty ? nil : $0 },
            instanceID: xml.text(of: "instanceId").flatMap { $0.isEmpty ? nil : $0 }, tags: EC2XML.tags(of: xml))
    }
}

/// A NAT gateway.
public struct EC2NatGateway: Sendable, Hashable {
    public var id: String
    /// `pending`, `available`, `deleting`, `deleted` or `failed`.
    public var state: String
    public var vpcID: String
    public var tags: [String: String]

    public init(id: String, state: String, vpcID: String = "", tags: [String: String] = [:]) {
        self.id = id
        self.state = state
        self.vpcID = vpcID
        self.tags = tags
    }

    init(xml: XMLElement) {
        self.init(
            id: xml.text(of: "natGatewayId") ?? "", state: xml.text(of: "state") ?? "",
            vpcID: xml.text(of: "vpcId") ?? "", tags: EC2XML.tags(of: xml))
    }
}
