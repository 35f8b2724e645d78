import Foundation
import KloudCore
import KloudLocal
import KloudTestSupport
import Synchronization
import Testing

@testable import scan

/// A realistic estate seeded into moto (signature checking on) in the customer account that
/// KloudHub reaches by AssumeRole with an external id; the scan must find exactly what the
/// seed script computes on its own: every resource, cost and finding to the unit.
@Suite(.database, .serialized) struct EstateScanTests {
    static let regions = ["us-east-1", "eu-west-1"]
    /// moto stamps everything "now"; the scan judges 100 days later, so stopped instances are
    /// long stopped and snapshots old (the rules' boundaries are unit-tested).
    static let asOf = Date().addingTimeInterval(100 * 86_400).rounded

    let database: TestDatabase
    let estate: SeededEstate.Estate

    init() async throws {
        database = try TestDatabase.required()
        estate = try await SeededEstate.shared.estate(regions: Self.regions, asOf: Self.asOf)
    }

    /// An account with the demo customer connected by role, and a queued scan of `regions`.
    func connectedAccount(regions: [String]) throws -> (account: UUID, cloudAccount: UUID, scan: UUID) {
        let account = try AccountDirectory(database: database.client(as: .api)).upsert(
            clerkUserID: "user_\(UUID().uuidString)", email: "estate@example.com", name: "Estate"
        ).id
        let cloudAccount = UUID()
        let scan = UUID()
        try database.client(as: .worker).transaction(scopedTo: account) { transaction in
            try transaction.execute(
                """
                insert into kloudhub.cloud_accounts (id, account_id, aws_account_id, name, region, auth_kind, role_arn,
                                            external_id, status)
                values (\(cloudAccount), \(account), \(estate.aws.seed.demoCustomer.accountID), 'customer', 'us-east-1',
                        'role', \(estate.aws.seed.demoCustomer.roleARN), \(estate.aws.seed.demoCustomer.externalID),
                        'connected')
                """)
            try transaction.execute(
                """
                insert into kloudhub.scans (id, account_id, cloud_account_id, regions)
                values (\(scan), \(account), \(cloudAccount), \(regions))
                """)
        }
        return (account, cloudAccount, scan)
    }

    /// A runner judging as of `asOf`, reaching AWS as `configure` leaves the configuration.
    func runner(configure: (inout AWSConfiguration) throws -> Void = { _ in }) throws -> ScanRunner {
        let worker = database.client(as: .worker)
        var connections = estate.connections(database: worker)
        try configure(&connections.configuration)
        var runner = ScanRunner(store: ScanStore(database: worker), connections: connections)
        runner.now = { Self.asOf }
        return runner
    }

    /// The scan's warnings: unit and error code.
    func warnings(of scan: UUID, account: UUID) throws -> [(unit: String, code: String)] {
        try database.client(as: .worker).transaction(scopedTo: account) { transaction in
            try transaction.query(
                "select w ->> 'unit', w ->> 'code' from kloudhub.scans, jsonb_array_elements(warnings) w where id = \(scan)"
            ).map { try $0.decode((String, String).self) }
        }
    }

    /// What the scan stored: resources and findings as the seed script writes them.
    func stored(_ scan: UUID, account: UUID) throws -> (resources: [String], findings: [String]) {
        try database.client(as: .api).transaction(scopedTo: account) { transaction in
            let resources = try transaction.query(
                """
                select arn, resource_type, region, name,
                       case when unpriced_reason is null then monthly_cost::text else 'null' end
                from kloudhub.resources where scan_id = \(scan) order by arn
                """
            ).map { row in
                let (arn, type, region, name, cost) = try row.decode((String, String, String, String, String).self)
                return "\(arn) \(type) \(region) \(name) \(cost)"
            }
            let findings = try transaction.query(
                """
                select r.arn, f.kind, f.monthly_saving::text
                from kloudhub.waste_findings f join kloudhub.resources r on r.id = f.resource_id
                where f.scan_id = \(scan) order by r.arn, f.kind
                """
            ).map { row in
                let (arn, rule, saving) = try row.decode((String, String, String).self)
                return "\(arn) \(rule) \(saving)"
            }
            return (resources.sorted(), findings.sorted())
        }
    }

    @Test func findsEveryResourceCostAndFindingOfTheEstate() async throws {
        let (account, _, scan) = try connectedAccount(regions: Self.regions)
        let outcome = try await runner().run(
            scanID: scan, account: account, deadline: .now.advanced(by: .seconds(600)), logger: .init(label: "test")
        ) { Issue.record("a scan with time left must not continue in another invocation") }
        #expect(outcome == .succeeded)

        let (resources, findings) = try stored(scan, account: account)
        #expect(estate.expected.resources.count > 80 && estate.expected.findings.count > 50)
        #expect(Set(estate.expected.findings.map { $0.split(separator: " ")[1] }).count == 11)
        #expect(resources == estate.expected.resources)
        #expect(findings == estate.expected.findings)
        let totals = try database.client(as: .api).transaction(scopedTo: account) { transaction in
            try transaction.query(
                """
                select s.status, s.total_monthly_cost::text, s.total_monthly_saving::text, s.resource_count,
                       jsonb_array_length(s.warnings), c.latest_scan_id
                from kloudhub.scans s join kloudhub.cloud_accounts c on c.id = s.cloud_account_id where s.id = \(scan)
                """
            ).first!.decode((String, String, String, Int, Int, UUID?).self)
        }
        #expect(totals.0 == "succeeded")
        #expect(totals.1 == estate.expected.totalCost)
        #expect(totals.2 == estate.expected.totalSaving)
        #expect(totals.3 == estate.expected.resources.count)
        #expect(totals.4 == 0)
        #expect(totals.5 == scan)

        let again = try await runner().run(
            scanID: scan, account: account, deadline: .now.advanced(by: .seconds(600)), logger: .init(label: "test")
        ) {}
        #expect(again == .alreadyFinished)
        #expect(try stored(scan, account: account).resources.count == estate.expected.resources.count)
    }

    /// A deadline reached mid-scan: the run stops starting units, asks for a continuation, and
    /// the continuation finishes with the same results and no duplicates.
    @Test func continuesAfterTheDeadlineWithoutDuplicates() async throws {
        let (account, _, scan) = try connectedAccount(regions: Self.regions)
        var stopping = try runner()
        stopping.unitConcurrency = 1
        stopping.deadlineMargin = .seconds(20)
        // Each look at the clock finds 30 s more gone: two units start, the third would end too
        // close to the deadline.
        let start = ContinuousClock.now
        let looks = Mutex(0)
        stopping.clock = {
            start.advanced(
                by: .seconds(
                    30
                        * looks.withLock {
                            $0 += 1; return $0 - 1
                        }))
        }
        let continued = Continuations()
        let first = try await stopping.run(
            scanID: scan, account: account, deadline: start.advanced(by: .seconds(70)), logger: .init(label: "test")
        ) { await continued.add() }
        #expect(first == .continued)
        #expect(await continued.count == 1)
        let partial = try stored(scan, account: account).resources.count
        #expect(partial > 0 && partial < estate.expected.resources.count)
        let done = try database.client(as: .worker).transaction(scopedTo: account) { transaction in
            try transaction.query(
                "select jsonb_array_length(progress -> 'done') from kloudhub.scans where id = \(scan)"
            ).first!
            .decode(Int.self)
        }
        #expect(done == 2)

        let second = try await runner().run(
            scanID: scan, account: account, deadline: .now.advanced(by: .seconds(600)), logger: .init(label: "test")
        ) {}
        #expect(second == .succeeded)
        let (resources, findings) = try stored(scan, account: account)
        #expect(resources == estate.expected.resources)
        #expect(findings == estate.expected.findings)
    }

    /// A service that keeps throttling becomes a warning for its units, after the retries;
    /// every other unit completes and the scan succeeds.
    @Test func aThrottledServiceBecomesAWarningAndTheRestCompletes() async throws {
        let throttling = try LoopbackHTTPServer { _ in
            .xml(
                400,
                "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
                    + "</Error><RequestId>1</RequestId></ErrorResponse>")
        }
        let (account, _, scan) = try connectedAccount(regions: Self.regions)
        let throttled = try runner { configuration in
            configuration.serviceEndpointURLs["RDS"] = try AWSEndpoint(url: throttling.url)
            configuration.retryStrategy.sleep = { _ in }
        }
        let outcome = try await throttled.run(
            scanID: scan, account: account, deadline: .now.advanced(by: .seconds(600)), logger: .init(label: "test")
        ) {}
        #expect(outcome == .succeeded)
        let warnings = try warnings(of: scan, account: account)
        #expect(warnings.map(\.0).sorted() == ["eu-west-1/rds", "us-east-1/rds"])
        #expect(warnings.allSatisfy { $0.1 == "Throttling" })
        let (resources, _) = try stored(scan, account: account)
        #expect(resources == estate.expected.resources.filter { !$0.contains(" rds:db ") })
    }

    /// A region that refuses every call, as one denied by a service control policy does, becomes
    /// a warning for each of its units; the other region and S3 complete and the scan succeeds.
    @Test func aRegionThatRefusesEveryCallBecomesWarningsAndTheRestCompletes() async throws {
        let failing = "eu-west-1"
        let proxy = try AWSForwardingProxy(forwardingTo: estate.aws.endpoint) { request, scope in
            guard let scope, scope.region == failing else { return nil }
            return Self.denial(of: request, service: scope.service)
        }
        defer { proxy.stop() }
        let (account, _, scan) = try connectedAccount(regions: Self.regions)
        let denied = try runner { $0.endpointURL = try AWSEndpoint(url: proxy.url) }
        let outcome = try await denied.run(
            scanID: scan, account: account, deadline: .now.advanced(by: .seconds(600)), logger: .init(label: "test")
        ) {}
        #expect(outcome == .succeeded)

        let warnings = try warnings(of: scan, account: account)
        let failingUnits = ScanUnit.all(regions: [failing]).filter { $0.region == failing }.map(\.description)
        #expect(warnings.map(\.0).sorted() == failingUnits.sorted())
        #expect(
            warnings.allSatisfy { ["UnauthorizedOperation", "AccessDenied", "AccessDeniedException"].contains($0.1) })
        let kept = estate.expected.resources.filter { line in
            let fields = line.split(separator: " ")
            return fields[2] != failing || fields[1].hasPrefix("s3:")
        }
        #expect(kept.count < estate.expected.resources.count && kept.contains { $0.contains(" s3:bucket global ") })
        let keptARNs = Set(kept.map { String($0.split(separator: " ")[0]) })
        let (resources, findings) = try stored(scan, account: account)
        #expect(resources == kept)
        #expect(findings == estate.expected.findings.filter { keptARNs.contains(String($0.split(separator: " ")[0])) })
        let regionsCalled = Set(
            proxy.requests.compactMap {
                AWSForwardingProxy.SigningScope(authorization: $0.headers["authorization"])?.region
            })
        #expect(regionsCalled == Set(Self.regions))
    }

    /// How AWS refuses a call an organization's policy denies, in the service's own error shape.
    static func denial(of request: LoopbackHTTPServer.Request, service: String) -> LoopbackHTTPServer.Reply {
        let message = "explicit deny in a service control policy for this region"
        if request.headers["x-amz-target"] != nil {
            return .json(403, #"{"__type":"AccessDeniedException","message":"\#(message)"}"#)
        }
        switch service {
        case "ec2":
            return .xml(
                403,
                "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>\(message)</Message></Error>"
                    + "</Errors><RequestID>denied</RequestID></Response>")
        case "lambda":
            return .response(
                status: 403,
                headers: [("Content-Type", "application/json"), ("x-amzn-ErrorType", "AccessDeniedException")],
                body: Array(#"{"Type":"User","Message":"\#(message)"}"#.utf8))
        default:
            return .xml(
                403,
                "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>\(message)</Message>"
                    + "</Error><RequestId>denied</RequestId></ErrorResponse>")
        }
    }

    /// Disconnecting stops a scan: the next unit is not started and the scan ends cancelled.
    @Test func aDisconnectedAccountIsNotScanned() async throws {
        let (account, cloudAccount, scan) = try connectedAccount(regions: Self.regions)
        try database.client(as: .worker).transaction(scopedTo: account) { transaction in
            try transaction.execute(
                """
                update kloudhub.cloud_accounts set status = 'disconnected', disconnected_at = now() where id = \(cloudAccount)
                """)
        }
        let outcome = try await runner().run(
            scanID: scan, account: account, deadline: .now.advanced(by: .seconds(600)), logger: .init(label: "test")
        ) {}
        #expect(outcome == .cancelled)
        #expect(try stored(scan, account: account).resources.isEmpty)
    }
}

/// Counts continuation requests.
actor Continuations {
    private(set) var count = 0
    func add() { count += 1 }
}

extension Date {
    /// Whole seconds, as the seed script prints them.
    var rounded: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}
