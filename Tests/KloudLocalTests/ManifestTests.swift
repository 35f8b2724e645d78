import Foundation
import Testing

@testable import KloudLocal

@Suite("Function manifests")
struct ManifestTests {
    /// Writes `json` as `functions/NAME/function.json` in a fresh folder and returns that folder.
    private func functionsFolder(_ manifests: [String: String]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("manifests-\(UUID().uuidString)")
        for (name, json) in manifests {
            let folder = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(json.utf8).write(to: folder.appendingPathComponent("function.json"))
        }
        return root
    }

    private func error(loading json: String, named name: String = "token") throws -> ManifestError {
        let folder = try functionsFolder([name: json])
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            _ = try ManifestLoader.loadAll(in: folder)
        } catch let error as ManifestError {
            return error
        }
        throw TestFailure("\(json) was accepted")
    }

    @Test func readsEveryField() throws {
        let manifests = try ManifestLoader.loadAll(in: TestPaths.fixtureFunctions)
        let probe = try #require(manifests.first { $0.name == "runtime-probe" })
        #expect(probe.routes.map(\.key) == ["ANY /probe/{action}", "GET /items/{id}", "ANY /files/{proxy+}"])
        #expect(probe.schedule?.description == "rate(1 minute)")
        #expect(probe.timeout == 6)
        #expect(probe.memory == 128)
        #expect(probe.reservedConcurrency == 3)
        #expect(probe.environment == ["PROBE_GREETING": "hello from the manifest"])
        #expect(probe.databaseRole == .api)
        #expect(probe.awsActions.isEmpty)
    }

    static let valid =
        #"{"routes":["POST /oauth/token"],"credentials":{"*":["oauthClient"]},"timeout":10,"memory":256,"databaseRole":"api","awsActions":["kms:Decrypt"],"configuration":["KLOUDHUB_PUBLIC_URL"]}"#

    @Test func acceptsAValidManifest() throws {
        let folder = try functionsFolder(["token": Self.valid])
        let manifest = try #require(try ManifestLoader.loadAll(in: folder).first)
        #expect(manifest.name == "token")
        #expect(manifest.databaseRole == .api)
        #expect(manifest.awsActions == ["kms:Decrypt"])
        #expect(manifest.configuration == [.publicURL])
        #expect(manifest.credentials == ["POST /oauth/token": [.oauthClient]])
    }

    @Test(
        arguments: [
            ("not json at all", nil),
            (#"["an","array"]"#, nil),
            (#"{"routes":[],"timeout":10,"memory":256,"timout":3}"#, "timout"),
            (#"{"routes":[],"memory":256}"#, "timeout"),
            (#"{"routes":[],"timeout":0,"memory":256}"#, "timeout"),
            (#"{"routes":[],"timeout":"30","memory":256}"#, "timeout"),
            (#"{"routes":[],"timeout":2.5,"memory":256}"#, "timeout"),
            (#"{"routes":[],"timeout":10,"memory":64}"#, "memory"),
            (#"{"routes":[],"timeout":10,"memory":true}"#, "memory"),
            (#"{"routes":"GET /x","timeout":10,"memory":256}"#, "routes"),
            (#"{"routes":["GET x"],"timeout":10,"memory":256}"#, "routes"),
            (#"{"routes":["get /x"],"timeout":10,"memory":256}"#, "routes"),
            (#"{"routes":["GET /{proxy+}/x"],"timeout":10,"memory":256}"#, "routes"),
            (#"{"routes":["GET /a//b"],"timeout":10,"memory":256}"#, "routes"),
            (#"{"routes":[],"schedule":"every 5 minutes","timeout":10,"memory":256}"#, "schedule"),
            (#"{"routes":[],"schedule":"rate(1 minutes)","timeout":10,"memory":256}"#, "schedule"),
            (#"{"routes":[],"timeout":10,"memory":256,"environment":{"AWS_REGION":"x"}}"#, "environment"),
            (#"{"routes":[],"timeout":10,"memory":256,"environment":{"PORT":8080}}"#, "environment"),
            (#"{"routes":[],"timeout":10,"memory":256,"databaseRole":"admin"}"#, "databaseRole"),
            (#"{"routes":[],"timeout":10,"memory":256,"awsActions":["s3GetObject"]}"#, "awsActions"),
            (#"{"routes":[],"timeout":10,"memory":256,"reservedConcurrency":0}"#, "reservedConcurrency"),
            (#"{"routes":["GET /x"],"timeout":10,"memory":256}"#, "credentials"),
            (#"{"routes":["GET /x"],"credentials":{"GET /y":["none"]},"timeout":10,"memory":256}"#, "credentials"),
            (#"{"routes":["GET /x"],"credentials":{"*":["cookie"]},"timeout":10,"memory":256}"#, "credentials"),
            (#"{"routes":["GET /x"],"credentials":{"*":[]},"timeout":10,"memory":256}"#, "credentials"),
            (#"{"routes":[],"timeout":10,"memory":256,"configuration":["DATABASE_URL"]}"#, "configuration"),
            (
                #"{"routes":[],"timeout":10,"memory":256,"configuration":["KLOUDHUB_PUBLIC_URL","KLOUDHUB_PUBLIC_URL"]}"#,
                "configuration"
            ),
        ] as [(String, String?)])
    func refusesMalformedManifestNamingFileAndField(json: String, field: String?) throws {
        let error = try error(loading: json)
        #expect(error.file.hasSuffix("token/function.json"))
        #expect(error.field == field, "\(error)")
        #expect(error.description.contains("token/function.json"))
    }

    @Test func refusesAnInvalidFunctionName() throws {
        let error = try error(loading: Self.valid, named: "Token_Function")
        #expect(error.description.contains("not a valid function name"))
    }

    @Test func refusesOneRouteDeclaredByTwoFunctions() throws {
        let folder = try functionsFolder(["token": Self.valid, "authorize": Self.valid])
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: ManifestError.self) { try ManifestLoader.loadAll(in: folder) }
    }

    @Test func emulatorRefusesToStartWithAMalformedManifest() throws {
        let folder = try functionsFolder(["token": #"{"routes":[],"timeout":"ten","memory":256}"#])
        defer { try? FileManager.default.removeItem(at: folder) }
        let configuration = EmulatorConfiguration(functionFolders: [folder], binaryFolder: TestPaths.binaries)
        #expect(throws: ManifestError.self) { try Emulator(configuration: configuration) }
    }
}

@Suite("Route selection")
struct RouteTests {
    private func table(_ routes: [String: [String]]) throws -> RouteTable {
        let manifests = try routes.map { name, keys in
            FunctionManifest(
                name: name, description: "", routes: try keys.map { try Route(parsing: $0) }, schedule: nil, timeout: 3,
                memory: 128, reservedConcurrency: nil, environment: [:], databaseRole: nil, awsActions: [], invokes: [],
                folder: URL(fileURLWithPath: "/tmp/\(name)"))
        }
        return RouteTable(manifests: manifests)
    }

    @Test func mostSpecificRouteWins() throws {
        let routes = try table([
            "literal": ["GET /v1/klouds/new"], "parameter": ["GET /v1/klouds/{id}"], "greedy": ["ANY /v1/{proxy+}"],
            "any": ["ANY /v1/scans/{id}"], "specific": ["POST /v1/scans/{id}"],
        ])
        #expect(routes.match(method: "GET", path: "/v1/klouds/new")?.function == "literal")
        #expect(routes.match(method: "GET", path: "/v1/klouds/k-1")?.function == "parameter")
        #expect(routes.match(method: "GET", path: "/v1/klouds/k-1/files")?.function == "greedy")
        #expect(routes.match(method: "POST", path: "/v1/scans/s-1")?.function == "specific")
        #expect(routes.match(method: "GET", path: "/v1/scans/s-1")?.function == "any")
        #expect(routes.match(method: "GET", path: "/v2/anything") == nil)
    }

    @Test func defaultRouteCatchesTheRest() throws {
        let routes = try table(["api": ["GET /health"], "fallback": ["$default"]])
        #expect(routes.match(method: "GET", path: "/health")?.function == "api")
        #expect(routes.match(method: "PUT", path: "/whatever/else")?.routeKey == "$default")
    }

    @Test func pathParametersAreDecoded() throws {
        let routes = try table(["api": ["GET /users/{email}"]])
        #expect(routes.match(method: "GET", path: "/users/a%40b.com")?.pathParameters == ["email": "a@b.com"])
        #expect(routes.match(method: "GET", path: "/users/") == nil, "an empty segment is no parameter")
    }
}

@Suite("Schedule expressions")
struct ScheduleTests {
    private func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test(arguments: [
        ("cron(0 12 * * ? *)", "2026-11-29T03:07:00Z", "2026-11-29T12:00:00Z"),
        ("cron(15 10 ? * MON-FRI *)", "2026-11-28T09:00:00Z", "2026-11-30T10:15:00Z"),
        ("cron(0 0 L * ? *)", "2026-02-10T00:00:00Z", "2026-02-28T00:00:00Z"),
        ("cron(*/15 * * * ? *)", "2026-11-29T03:07:30Z", "2026-11-29T03:15:00Z"),
        ("cron(0 8 1 JAN,JUL ? 2027)", "2026-11-29T03:07:00Z", "2027-01-01T08:00:00Z"),
        ("cron(0/20 9-10 * * ? *)", "2026-11-29T09:40:00Z", "2026-11-29T10:00:00Z"),
    ])
    func cronFiresAtTheNextMatchingMinute(expression: String, after: String, expected: String) throws {
        let schedule = try Schedule(parsing: expression)
        #expect(schedule.nextFiring(after: date(after), start: date(after)) == date(expected))
    }

    @Test func rateCountsFromTheStart() throws {
        let schedule = try Schedule(parsing: "rate(15 minutes)")
        let start = date("2026-11-29T03:00:00Z")
        #expect(schedule.nextFiring(after: start, start: start) == date("2026-11-29T03:15:00Z"))
        #expect(schedule.nextFiring(after: date("2026-11-29T03:20:00Z"), start: start) == date("2026-11-29T03:30:00Z"))
    }

    @Test(arguments: [
        "rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "rate(2 weeks)", "rate(x hours)",
        "cron(0 12 * * *)", "cron(0 12 * * MON *)", "cron(0 12 ? * ? *)", "cron(0 12 15W * ? *)",
        "cron(0 25 * * ? *)", "cron(0 12 ? * 6#3 *)", "at(2026-12-01T00:00:00)",
    ])
    func refusesInvalidExpressions(expression: String) {
        #expect(throws: ScheduleError.self) { try Schedule(parsing: expression) }
    }

    @Test func scheduledFunctionFiresFromTheManifest() async throws {
        let local = try await TestEmulator.start(scheduleSpeedup: 60)
        defer { Task { await local.stop() } }
        try await eventually { local.lines(containing: "START RequestId:").count >= 1 }
    }
}
