import Foundation
import KloudCore
import LoopbackServers
import Testing

/// The per-address registration budget (issue 19, item 8) through the emulator's gateway, which
/// passes the peer address on as `requestContext.http.sourceIp` as API Gateway does: each client
/// here connects from a loopback address of its own.
@Suite struct RegistrationBudgetGatewayTests {
    static let registration =
        #"{"redirect_uris":["https://claude.ai/api/mcp/auth_callback"],"token_endpoint_auth_method":"none"}"#

    func register(from gateway: Gateway, at path: String = "/oauth/register") async throws -> HTTPResponse {
        try await gateway.send("POST", path, headers: ["Content-Type": "application/json"], body: Self.registration)
    }

    /// What one address's registrations came to: the statuses of the first 20, the 21st's
    /// answer, and whether all of them fell in one hour (the budget's window).
    func spendABudget(from gateway: Gateway) async throws -> (statuses: [Int], refused: HTTPResponse, isOneHour: Bool) {
        let start = RegistrationBudget.windowStart(containing: Date())
        var statuses: [Int] = []
        for _ in 0..<RegistrationBudget.registrationsPerWindow {
            statuses.append(try await register(from: gateway).status)
        }
        let refused = try await register(from: gateway)
        return (statuses, refused, RegistrationBudget.windowStart(containing: Date()) == start)
    }

    @Test func theTwentyFirstRegistrationFromOneAddressGets429WhileAnotherAddressRegisters() async throws {
        let stack = try await FunctionStack.shared.running()
        var crowded = Gateway(base: stack.gateway, sourceAddress: LoopbackSocket.randomSourceAddress())
        var spent = try await spendABudget(from: crowded)
        if !spent.isOneHour {
            // The hour turned while registering: once more, from a fresh address.
            crowded = Gateway(base: stack.gateway, sourceAddress: LoopbackSocket.randomSourceAddress())
            spent = try await spendABudget(from: crowded)
        }

        let badInput = try await crowded.json("POST", "/oauth/register", ["redirect_uris": ["http://app.example/cb"]])
        let elsewhere = try await register(
            from: Gateway(base: stack.gateway, sourceAddress: LoopbackSocket.randomSourceAddress()), at: "/register")

        #expect(spent.statuses == Array(repeating: 201, count: RegistrationBudget.registrationsPerWindow))
        #expect(spent.refused.status == 429)
        #expect(Int(spent.refused.headers["Retry-After"] ?? "").map { (1...3600).contains($0) } == true)
        #expect(spent.refused.headers["Content-Type"] == "application/json")
        let error = try spent.refused.object()
        #expect(error["error"] as? String == "too_many_registrations")
        #expect((error["error_description"] as? String)?.isEmpty == false)
        #expect(badInput.status == 400)
        #expect(try badInput.object()["error"] as? String == "invalid_redirect_uri")
        #expect(elsewhere.status == 201)
    }
}
