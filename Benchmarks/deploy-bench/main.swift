// What a deployment costs beyond Terraform itself (`make bench`): the released `deploy` binary
// behind the emulator, on the seeded local AWS and this machine's terraform and AWS provider.
// Ten plans of a one-queue Kloud, each timed from the row's creation (the POST) to `terraform
// init` starting, and from Terraform's last exit to the final status stored; p50 of each.
// Run: deploy-bench --bin .build/release [runs]

import BenchSupport
import Foundation
import KloudCore
import KloudLocal

var binaryFolder = URL(fileURLWithPath: ".build/release")
var runs = 10
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    if argument == "--bin", !arguments.isEmpty {
        binaryFolder = URL(fileURLWithPath: arguments.removeFirst())
    } else if let count = Int(argument) {
        runs = count
    }
}

func milliseconds(_ seconds: Double) -> String { String(format: "%.0f ms", seconds * 1000) }

await Bench.run(label: "deploy") { services in
    let aws = services.aws
    let configuration = try await services.emulatorConfiguration(binaryFolder: binaryFolder)
    let api = try await services.client(as: .api)
    let worker = try await services.client(as: .worker)
    let account = try AccountDirectory(database: api).upsert(
        clerkUserID: "user_deploy_bench", email: "bench@example.com", name: "Bench")
    let key = try APIKeyService(database: api).create(
        account: account.id, name: "bench", scopes: [.read, .write], expiresAt: nil
    ).key
    let customer = aws.seed.demoCustomer
    let cloudAccount = UUID()
    try worker.transaction(scopedTo: account.id) { transaction in
        try transaction.execute(
            """
            insert into kloudhub.cloud_accounts (id, account_id, aws_account_id, name, region, auth_kind, role_arn, external_id,
                                        status)
            values (\(cloudAccount), \(account.id), \(customer.accountID), 'bench', 'us-east-1', 'role',
                    \(customer.roleARN), \(customer.externalID), 'connected')
            """)
    }
    let (emulator, gateway) = try await startEmulator(configuration)
    let http = HTTPClient()
    func call(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        let response = try await http.execute(
            HTTPRequest(
                method: method, url: gateway + path,
                headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"],
                body: .bytes(body.map { Array(try JSONSerialization.data(withJSONObject: $0)) } ?? [])))
        guard (200..<300).contains(response.status) else {
            let text = String(decoding: response.body.prefix(500), as: UTF8.self)
            throw EmulatorError.serviceSeedFailed("bench", "\(method) \(path) answered \(response.status): \(text)")
        }
        return (try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:]
    }
    let kloud = try await call(
        "POST", "/v1/klouds",
        [
            "name": "bench",
            "files": [["path": "main.tf", "content": "resource \"aws_sqs_queue\" \"q\" {\n  name = \"bench\"\n}\n"]],
        ])
    let kloudID = kloud["id"] as? String ?? ""

    var toInit: [Double] = []
    var toStatus: [Double] = []
    var total: [Double] = []
    for _ in 0..<runs {
        let started = try await call(
            "POST", "/v1/klouds/\(kloudID)/deployments",
            ["cloud_account_id": cloudAccount.uuidString.lowercased(), "action": "plan"])
        guard let id = (started["id"] as? String).flatMap(UUID.init(uuidString:)) else {
            throw EmulatorError.serviceSeedFailed("bench", "deployment not started: \(started)")
        }
        var status = "queued"
        while status == "queued" || status == "running" {
            try await Task.sleep(for: .milliseconds(100))
            status = try await call("GET", "/v1/deployments/\(id.uuidString)")["status"] as? String ?? ""
        }
        guard status == "succeeded" else { throw EmulatorError.serviceSeedFailed("bench", "the plan \(status)") }
        let (initDelay, statusDelay, whole) = try worker.transaction(scopedTo: account.id) { transaction in
            try transaction.query(
                """
                select extract(epoch from (progress->>'terraform_started_at')::timestamptz - created_at)::float8,
                       extract(epoch from finished_at - (progress->>'terraform_ended_at')::timestamptz)::float8,
                       extract(epoch from finished_at - created_at)::float8
                from kloudhub.deployments where id = \(id)
                """
            ).first!.decode((Double, Double, Double).self)
        }
        toInit.append(initDelay)
        toStatus.append(statusDelay)
        total.append(whole)
    }
    let median = { (values: [Double]) in values.sorted()[values.count / 2] }
    print(
        "deploy overhead over \(runs) plans of a one-queue Kloud through the emulator: POST to terraform init p50 "
            + "\(milliseconds(median(toInit))) (max \(milliseconds(toInit.max()!))), terraform exit to status stored "
            + "p50 \(milliseconds(median(toStatus))) (max \(milliseconds(toStatus.max()!))); whole run p50 "
            + "\(milliseconds(median(total)))")
    await emulator.shutdown()
}
