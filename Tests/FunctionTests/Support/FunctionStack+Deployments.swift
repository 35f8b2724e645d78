import Foundation
import KloudCore
import KloudLocal
import KloudTestSupport

extension FunctionStack {
    /// A person with an API key, calling the REST API through the gateway.
    struct Person: Sendable {
        let account: UUID
        let key: String
        let gateway: Gateway

        func send(_ method: String, _ path: String, _ object: Any? = nil) async throws -> HTTPResponse {
            guard let object else {
                return try await gateway.send(method, path, headers: ["Authorization": "Bearer \(key)"])
            }
            return try await gateway.json(method, path, object, headers: ["Authorization": "Bearer \(key)"])
        }

        func send(_ method: String, _ path: String, raw body: String) async throws -> HTTPResponse {
            try await gateway.send(
                method, path, headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"],
                body: body)
        }
    }

    /// A second emulator running only `function`, its manifest's timeout replaced by `timeout`
    /// seconds, on the same database and local AWS unless `configure` changes them; stopped by
    /// `body`'s end.
    static func withShortTimeout<Result>(
        _ function: String, timeout: Int, on stack: Running,
        configure: (inout EmulatorConfiguration) async throws -> Void = { _ in },
        _ body: (Gateway) async throws -> Result
    ) async throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("short-\(UUID().uuidString)")
        let copy = folder.appendingPathComponent(function)
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = URL(fileURLWithPath: TestEnvironment.packageRoot + "/functions/\(function)/function.json")
        var manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: original)) as? [String: Any] ?? [:]
        manifest["timeout"] = timeout
        try JSONSerialization.data(withJSONObject: manifest).write(to: copy.appendingPathComponent("function.json"))
        var configuration = stack.configuration
        configuration.functionFolders = [folder]
        try await configure(&configuration)
        let emulator = try Emulator(configuration: configuration)
        var gateway = try await emulator.start().gateway.absoluteString
        while gateway.hasSuffix("/") { gateway.removeLast() }
        do {
            let result = try await body(Gateway(base: gateway))
            await emulator.shutdown()
            return result
        } catch {
            await emulator.shutdown()
            throw error
        }
    }

    /// What the customer account holds, as boto3 lists it.
    struct CustomerInventory: Decodable {
        var buckets: [String]
        var queues: [String]
        var roles: [String]
    }
}

extension FunctionStack.Running {
    /// A new account (with an email address, for notifications) and an API key with `scopes`.
    func person(scopes: Set<Scope> = [.read, .write]) throws -> FunctionStack.Person {
        let api = database.client(as: .api)
        let account = try AccountDirectory(database: api).upsert(
            clerkUserID: "user_\(UUID().uuidString)", email: "deployer@example.com", name: "Deployer")
        let key = try APIKeyService(database: api).create(
            account: account.id, name: "deploy", scopes: scopes, expiresAt: nil
        ).key
        return FunctionStack.Person(account: account.id, key: key, gateway: client)
    }

    private func localAWS() throws -> LocalAWS {
        guard let aws else { throw FunctionTestFailure("this stack has no local AWS") }
        return aws
    }

    /// The local AWS's demo customer account, connected by role to `account`.
    func connectCustomer(to account: UUID) throws -> UUID {
        let customer = try localAWS().seed.demoCustomer
        let id = UUID()
        try database.client(as: .worker).transaction(scopedTo: account) { transaction in
            _ = try transaction.execute(
                """
                insert into kloudhub.cloud_accounts (id, account_id, aws_account_id, name, region, auth_kind, role_arn,
                                            external_id, status)
                values (\(id), \(account), \(customer.accountID), 'customer', 'us-east-1', 'role',
                        \(customer.roleARN), \(customer.externalID), 'connected')
                """)
        }
        return id
    }

    func customerInventory() throws -> FunctionStack.CustomerInventory {
        let customer = try localAWS().seed.demoCustomer
        return try JSONDecoder().decode(
            FunctionStack.CustomerInventory.self,
            from: try boto3([customer.roleARN, customer.externalID, "inventory"]))
    }

    /// How many emails KloudHub's account has sent through the local SES.
    func sentEmails() throws -> Int {
        try JSONDecoder().decode(Int.self, from: try boto3(["-", "-", "sent-emails"]))
    }

    /// The keys under the account's state prefix in KloudHub's state bucket.
    func stateObjects(of account: UUID) async throws -> [String] {
        let storage = try buckets()
        return try await storage.s3.listAllObjects(
            bucket: storage.buckets["state"]!, prefix: AccountStorage.prefix(for: account) + "state/"
        ).map(\.key)
    }

    private func boto3(_ arguments: [String]) throws -> Data {
        let aws = try localAWS()
        let process = Process()
        process.executableURL = URL(
            fileURLWithPath: ProcessInfo.processInfo.environment["KLOUDHUB_PYTHON"]
                ?? TestEnvironment.packageRoot + "/.venv/bin/python")
        process.arguments =
            [
                TestEnvironment.packageRoot + "/Tests/FunctionTests/Python/customer_account.py",
                aws.endpoint.absoluteString,
            ]
            + arguments
        process.environment = [
            "AWS_ACCESS_KEY_ID": aws.seed.accessKeyID, "AWS_SECRET_ACCESS_KEY": aws.seed.secretAccessKey,
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw FunctionTestFailure("customer_account.py failed") }
        return data
    }
}
