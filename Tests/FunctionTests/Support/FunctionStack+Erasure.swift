import Foundation
import KloudCore
import KloudLocal
import KloudTestSupport

extension FunctionStack.Running {
    /// The gateway as a client.
    var client: Gateway { Gateway(base: gateway) }

    /// KloudHub's buckets; only ``FunctionStack/withLocalAWS`` has them.
    func buckets() throws -> AccountStorage {
        guard let storage else { throw FunctionTestFailure("this stack has no local AWS") }
        return storage
    }

    /// A person's Clerk session token; their account is made on first use.
    func session(for person: String = UUID().uuidString) throws -> String {
        var claims = sessions.claims(lifetime: 600)
        claims["sub"] = "user_\(person)"
        claims["email"] = "\(person.lowercased())@example.com"
        claims["name"] = "Person \(person.prefix(4))"
        return try sessions.token(claims: claims)
    }

    /// Invokes a function synchronously with a JSON event; its response or its failure.
    func invoke(_ function: String, _ event: [String: Any]) async throws -> InvocationResult {
        try await emulator.invoke(function, Invocation(payload: try JSONSerialization.data(withJSONObject: event)))
    }

    /// Waits until `condition` holds, for at most `seconds`.
    func eventually(_ seconds: Double = 30, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return try await condition()
    }
}
