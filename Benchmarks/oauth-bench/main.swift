// The token function measured end to end (`make bench`): the released `authorize` and `token`
// binaries behind the emulator, on an embedded cluster and the local AWS, deployed as
// `kloudhub-local up` deploys them.
// - Code exchange: each iteration consents (issues a code, not timed) and then times
//   `POST /oauth/token` with PKCE, as an MCP client makes it.
// - `GET /v1/account` with a signed-in person's session: cold (a new emulator each time, so
//   the request pays the instance's start, its reading of the database secret, its first
//   connection and the account's upsert) and warm (the same instance, again and again).
// Run: oauth-bench --bin .build/release [iterations]

import BenchSupport
import Foundation
import KloudCore
import KloudLocal

var binaryFolder = URL(fileURLWithPath: ".build/release")
var iterations = 500
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    if argument == "--bin", !arguments.isEmpty {
        binaryFolder = URL(fileURLWithPath: arguments.removeFirst())
    } else if let count = Int(argument) {
        iterations = count
    }
}

func milliseconds(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    return String(format: "%.2f", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
}

await Bench.run(label: "oauth") { services in
    let configuration = try await services.emulatorConfiguration(binaryFolder: binaryFolder)
    let (emulator, gateway) = try await startEmulator(configuration)
    let api = try await services.client(as: .api)
    let settings = try OAuthSettings(publicURL: gateway)
    let account = try AccountDirectory(database: api).upsert(
        clerkUserID: "user_bench", email: "bench@example.com", name: "Bench")
    let redirect = "https://claude.ai/api/mcp/auth_callback"
    let metadata = #"{"redirect_uris":["\#(redirect)"],"token_endpoint_auth_method":"none","client_name":"Bench"}"#
    let registration = try ClientRegistrationRequest(json: Array(metadata.utf8))
    let clientID = try ClientStore(database: api).register(
        registration, within: RegistrationBudget(sourceIP: "127.0.0.1"), now: Date()
    ).clientID
    let codes = OAuthTokenService(database: api, settings: settings)
    let verifier = SecretToken.randomText(bytes: 32)
    let http = HTTPClient()

    var samples: [Duration] = []
    let clock = ContinuousClock()
    for round in 0..<(iterations + 20) {
        let code = try codes.issueCode(
            for: AuthorizationGrant(
                accountID: account.id, clientID: clientID, redirectURI: redirect,
                codeChallenge: PKCE.challenge(for: verifier), scopes: [.read], resource: settings.mcpResource))
        let body = FormEncoding.encode([
            ("grant_type", "authorization_code"), ("code", code), ("client_id", clientID), ("redirect_uri", redirect),
            ("code_verifier", verifier), ("resource", settings.mcpResource),
        ])
        let start = clock.now
        let response = try await http.execute(
            HTTPRequest(
                method: "POST", url: gateway + "/oauth/token",
                headers: ["Content-Type": "application/x-www-form-urlencoded"], body: .bytes(Array(body.utf8))))
        let elapsed = clock.now - start
        precondition(response.status == 200, "exchange failed: \(String(decoding: response.body, as: UTF8.self))")
        if round >= 20 { samples.append(elapsed) }
    }
    samples.sort()
    print(
        "token endpoint, code exchange through the emulator: p50 \(milliseconds(samples[samples.count / 2])) ms, "
            + "p99 \(milliseconds(samples[samples.count * 99 / 100])) ms, max \(milliseconds(samples.last!)) ms "
            + "(\(iterations) exchanges after 20 warm-up)")
    await emulator.shutdown()

    try await measureAccount(configuration: configuration, iterations: iterations, http: http)
}

/// Cold and warm `GET /v1/account` with a development sign-in session, as the web app calls it.
func measureAccount(configuration: EmulatorConfiguration, iterations: Int, http: HTTPClient) async throws {
    let clock = ContinuousClock()
    func account(_ gateway: String, session: String) async throws -> Duration {
        let start = clock.now
        let response = try await http.execute(
            HTTPRequest(method: "GET", url: gateway + "/v1/account", headers: ["Cookie": "__session=\(session)"]))
        let elapsed = clock.now - start
        precondition(response.status == 200, "GET /v1/account: \(String(decoding: response.body, as: UTF8.self))")
        return elapsed
    }
    var cold: [Duration] = []
    for _ in 0..<15 {
        let (emulator, gateway) = try await startEmulator(configuration)
        let session = try await emulator.developmentSignIn!.sessionToken(name: "Bench", email: "bench@example.com")
        cold.append(try await account(gateway, session: session))
        await emulator.shutdown()
    }
    let (emulator, gateway) = try await startEmulator(configuration)
    let session = try await emulator.developmentSignIn!.sessionToken(name: "Bench", email: "bench@example.com")
    var warm: [Duration] = []
    for round in 0..<(iterations + 20) {
        let elapsed = try await account(gateway, session: session)
        if round >= 20 { warm.append(elapsed) }
    }
    await emulator.shutdown()
    cold.sort()
    warm.sort()
    print(
        "GET /v1/account with a session, cold: p50 \(milliseconds(cold[cold.count / 2])) ms, "
            + "max \(milliseconds(cold.last!)) ms (\(cold.count) new instances)")
    print(
        "GET /v1/account with a session, warm: p50 \(milliseconds(warm[warm.count / 2])) ms, "
            + "p99 \(milliseconds(warm[warm.count * 99 / 100])) ms (\(iterations) requests after 20 warm-up)")
}
