import KloudCore

/// On-demand prices by region, the version the scan prices resources with (DESIGN.md's
/// "versioned price table in the project").
///
/// Source: the AWS Price List (on-demand, Linux, shared tenancy, no commitment) and the public
/// pricing pages of EC2, EBS, VPC (NAT gateway, public IPv4), Elastic Load Balancing, RDS
/// (single-AZ, storage per GB-month) and CloudWatch Logs, read 2026-11. Usage-based parts
/// (data processed, LCUs, I/O, requests) are not priced. A region or type missing here is
/// reported as unpriced, never as free.
struct PriceTable: Sendable {
    /// The prices of one region.
    struct Region: Sendable {
        var instanceHourly: [String: Money]
        var databaseHourly: [String: Money]
        /// EBS volume type → per GB-month.
        var volumeGBMonth: [String: Money]
        var snapshotGBMonth: Money
        var publicIPv4Hourly: Money
        var natGatewayHourly: Money
        /// `application` / `network` → per hour.
        var loadBalancerHourly: [String: Money]
        /// RDS storage type → per GB-month.
        var databaseStorageGBMonth: [String: Money]
        var logStorageGBMonth: Money
    }

    static let version = "2026-11"
    static let hoursPerMonth = 730

    var regions: [String: Region]

    func region(_ name: String) -> Region? { regions[name] }

    static let standard: PriceTable = {
        let usEast = Region(
            instanceHourly: prices([
                "t3.micro": "0.0104", "t3.small": "0.0208", "t3.medium": "0.0416", "t3.large": "0.0832",
                "m5.large": "0.096", "m5.xlarge": "0.192", "c5.large": "0.085", "c5.xlarge": "0.17",
                "r5.large": "0.126", "t2.micro": "0.0116", "t2.medium": "0.0464", "m4.large": "0.10",
                "c4.large": "0.10", "r4.large": "0.133",
            ]),
            databaseHourly: prices([
                "db.t3.micro": "0.017", "db.t3.small": "0.034", "db.t3.medium": "0.068", "db.m5.large": "0.171",
            ]),
            volumeGBMonth: prices([
                "gp2": "0.10", "gp3": "0.08", "io1": "0.125", "io2": "0.125", "st1": "0.045", "sc1": "0.015",
                "standard": "0.05",
            ]),
            snapshotGBMonth: Money("0.05")!, publicIPv4Hourly: Money("0.005")!, natGatewayHourly: Money("0.045")!,
            loadBalancerHourly: prices(["application": "0.0225", "network": "0.0225"]),
            databaseStorageGBMonth: prices(["gp2": "0.115", "gp3": "0.115"]), logStorageGBMonth: Money("0.03")!)
        let euWest = Region(
            instanceHourly: prices([
                "t3.micro": "0.0114", "t3.small": "0.0228", "t3.medium": "0.0456", "t3.large": "0.0912",
                "m5.large": "0.107", "m5.xlarge": "0.214", "c5.large": "0.096", "c5.xlarge": "0.192",
                "r5.large": "0.141", "t2.micro": "0.0126", "t2.medium": "0.05", "m4.large": "0.111",
                "c4.large": "0.113", "r4.large": "0.148",
            ]),
            databaseHourly: prices([
                "db.t3.micro": "0.018", "db.t3.small": "0.036", "db.t3.medium": "0.072", "db.m5.large": "0.19",
            ]),
            volumeGBMonth: prices([
                "gp2": "0.11", "gp3": "0.088", "io1": "0.138", "io2": "0.138", "st1": "0.05", "sc1": "0.0168",
                "standard": "0.055",
            ]),
            snapshotGBMonth: Money("0.05")!, publicIPv4Hourly: Money("0.005")!, natGatewayHourly: Money("0.048")!,
            loadBalancerHourly: prices(["application": "0.0252", "network": "0.0252"]),
            databaseStorageGBMonth: prices(["gp2": "0.127", "gp3": "0.127"]), logStorageGBMonth: Money("0.0315")!)
        let sydney = Region(
            instanceHourly: prices([
                "t3.micro": "0.0132", "t3.small": "0.0264", "t3.medium": "0.0528", "t3.large": "0.1056",
                "m5.large": "0.12", "m5.xlarge": "0.24", "c5.large": "0.111", "c5.xlarge": "0.222",
                "r5.large": "0.151", "t2.micro": "0.0146", "t2.medium": "0.0584", "m4.large": "0.125",
                "c4.large": "0.13", "r4.large": "0.16",
            ]),
            databaseHourly: prices([
                "db.t3.micro": "0.026", "db.t3.small": "0.052", "db.t3.medium": "0.104", "db.m5.large": "0.236",
            ]),
            volumeGBMonth: prices([
                "gp2": "0.12", "gp3": "0.096", "io1": "0.138", "io2": "0.138", "st1": "0.054", "sc1": "0.018",
                "standard": "0.08",
            ]),
            snapshotGBMonth: Money("0.055")!, publicIPv4Hourly: Money("0.005")!, natGatewayHourly: Money("0.059")!,
            loadBalancerHourly: prices(["application": "0.0252", "network": "0.0252"]),
            databaseStorageGBMonth: prices(["gp2": "0.138", "gp3": "0.138"]), logStorageGBMonth: Money("0.033")!)
        return PriceTable(regions: [
            "us-east-1": usEast, "us-west-2": usEast, "eu-west-1": euWest, "ap-southeast-2": sydney,
        ])
    }()

    private static func prices(_ table: [String: String]) -> [String: Money] {
        table.mapValues { Money($0)! }
    }
}
