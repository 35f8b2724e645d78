import Foundation
import KloudCore
import LambdaRuntime

/// Reads and validates function manifests.
public enum ManifestLoader {
    /// The fields a manifest may have; any other is refused, so that a typo is not silently ignored.
    static let knownFields: Set<String> = [
        "description", "routes", "schedule", "timeout", "memory", "reservedConcurrency", "environment",
        "databaseRole", "awsActions", "invokes", "ephemeralStorage", "configuration", "credentials",
    ]

    /// Every manifest in `folder` (one per subfolder holding a `function.json`), sorted by name.
    public static func loadAll(in folder: URL) throws -> [FunctionManifest] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        var manifests: [FunctionManifest] = []
        for name in names {
            let file = folder.appendingPathComponent(name).appendingPathComponent("function.json")
            if FileManager.default.fileExists(atPath: file.path) { manifests.append(try load(file)) }
        }
        let routeOwners = Dictionary(
            grouping: manifests.flatMap { manifest in manifest.routes.map { ($0.key, manifest) } }, by: \.0)
        for (key, owners) in routeOwners where owners.count > 1 {
            throw ManifestError(
                file: owners[1].1.folder.appendingPathComponent("function.json").path, field: "routes",
                reason: "route '\(key)' is also declared by \(owners[0].1.name)")
        }
        return manifests
    }

    /// The manifest in `file`; its name is its folder's name.
    public static func load(_ file: URL) throws -> FunctionManifest {
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw ManifestError(file: file.path, field: nil, reason: "cannot be read")
        }
        return try parse(data, file: file)
    }

    /// Validates manifest JSON read from `file`.
    public static func parse(_ data: Data, file: URL) throws -> FunctionManifest {
        let path = file.path
        let folder = file.deletingLastPathComponent()
        let name = folder.lastPathComponent
        func fail(_ field: String?, _ reason: String) -> ManifestError {
            ManifestError(file: path, field: field, reason: reason)
        }
        guard case .object(let object) = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            throw fail(nil, "is not a JSON object")
        }
        guard name.range(of: "^[a-z][a-z0-9-]{0,62}$", options: .regularExpression) != nil else {
            throw fail(nil, "folder name '\(name)' is not a valid function name (lowercase letters, digits, dashes)")
        }
        if let unknown = object.keys.filter({ !knownFields.contains($0) }).sorted().first {
            throw fail(unknown, "unknown field")
        }
        let fields = ManifestFields(object: object, fail: fail)
        let routes = try fields.strings("routes").map { text in
            do { return try Route(parsing: text) } catch { throw fail("routes", "\(error)") }
        }
        let schedule = try fields.optionalString("schedule").map { text in
            do { return try Schedule(parsing: text) } catch { throw fail("schedule", "\(error)") }
        }
        let timeout = try fields.integer("timeout", in: 1...900)
        let memory = try fields.integer("memory", in: 128...10240)
        let reserved = try fields.optionalInteger("reservedConcurrency", in: 1...1000)
        let environment = try fields.stringMap("environment")
        for key in environment.keys where key.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) == nil
        {
            throw fail("environment", "'\(key)' is not a valid variable name")
        }
        for key in environment.keys where key.hasPrefix("AWS_LAMBDA_") || key == "AWS_REGION" {
            throw fail("environment", "'\(key)' is reserved by Lambda")
        }
        let role = try fields.optionalString("databaseRole").map { text in
            guard let role = DatabaseRole(rawValue: text), role != .owner else {
                throw fail("databaseRole", "must be one of api, worker, maintenance or null")
            }
            return role
        }
        let settings = try fields.strings("configuration").map { name in
            guard let setting = Setting(rawValue: name) else {
                throw fail("configuration", "'\(name)' is not a KloudHub setting (KloudCore's Setting)")
            }
            return setting
        }
        if let repeated = settings.first(where: { setting in settings.filter { $0 == setting }.count > 1 }) {
            throw fail("configuration", "'\(repeated.rawValue)' is listed twice")
        }
        let credentials = try Self.credentials(fields, routes: routes, fail: fail)
        let actions = try fields.strings("awsActions")
        for action in actions where action.range(of: "^[a-z0-9-]+:[A-Za-z0-9*]+$", options: .regularExpression) == nil {
            throw fail("awsActions", "'\(action)' is not an IAM action such as s3:GetObject")
        }
        return FunctionManifest(
            name: name, description: try fields.optionalString("description") ?? "", routes: routes,
            schedule: schedule, timeout: timeout, memory: memory, reservedConcurrency: reserved,
            environment: environment, databaseRole: role, awsActions: actions,
            configuration: settings, credentials: credentials, invokes: try fields.strings("invokes"), folder: folder,
            ephemeralStorage: try fields.optionalInteger("ephemeralStorage", in: 512...10240))
    }
}

extension ManifestLoader {
    /// What each route takes, from `credentials`: route keys (or `*`, every route not named) to
    /// lists of ``CredentialKind``. Every route must be covered: a new route says what it takes.
    static func credentials(
        _ fields: ManifestFields, routes: [Route], fail: (String?, String) -> ManifestError
    ) throws -> [String: Set<CredentialKind>] {
        let declared = try fields.stringListMap("credentials")
        var byRoute: [String: Set<CredentialKind>] = [:]
        for (key, names) in declared {
            guard key == "*" || routes.contains(where: { $0.key == key }) else {
                throw fail("credentials", "'\(key)' is not one of the routes")
            }
            let kinds = try names.map { name in
                guard let kind = CredentialKind(rawValue: name) else {
                    throw fail(
                        "credentials",
                        "'\(name)' is not one of \(CredentialKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return kind
            }
            guard !kinds.isEmpty else { throw fail("credentials", "'\(key)' lists nothing; use [\"none\"]") }
            byRoute[key] = Set(kinds)
        }
        for route in routes {
            guard let kinds = byRoute[route.key] ?? byRoute["*"] else {
                throw fail("credentials", "route '\(route.key)' does not say what it takes")
            }
            byRoute[route.key] = kinds
        }
        byRoute["*"] = nil
        return byRoute
    }
}

/// Typed access to a manifest's JSON object, with errors that name the field.
struct ManifestFields {
    let object: [String: JSONValue]
    let fail: (String?, String) -> ManifestError

    init(object: [String: JSONValue], fail: @escaping (String?, String) -> ManifestError) {
        self.object = object
        self.fail = fail
    }

    private func value(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    func strings(_ key: String) throws -> [String] {
        guard let value = value(key) else { return [] }
        guard case .array(let items) = value else { throw fail(key, "must be an array of strings") }
        return try items.map { item in
            guard let text = item.stringValue else { throw fail(key, "must be an array of strings") }
            return text
        }
    }

    func optionalString(_ key: String) throws -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.stringValue else { throw fail(key, "must be a string") }
        return text
    }

    func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int {
        guard let value = try optionalInteger(key, in: range) else { throw fail(key, "is required") }
        return value
    }

    func optionalInteger(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = value(key) else { return nil }
        guard let number = value.intValue else { throw fail(key, "must be a whole number") }
        guard range.contains(number) else {
            throw fail(key, "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return number
    }

    func stringListMap(_ key: String) throws -> [String: [String]] {
        guard let value = value(key) else { return [:] }
        guard case .object(let members) = value else { throw fail(key, "must be an object of string lists") }
        return try members.mapValues { entry in
            guard case .array(let items) = entry else { throw fail(key, "values must be lists of strings") }
            return try items.map { item in
                guard let text = item.stringValue else { throw fail(key, "values must be lists of strings") }
                return text
            }
        }
    }

    func stringMap(_ key: String) throws -> [String: String] {
        guard let value = value(key) else { return [:] }
        guard case .object(let members) = value else { throw fail(key, "must be an object of strings") }
        return try members.mapValues { entry in
            guard let text = entry.stringValue else { throw fail(key, "values must be strings") }
            return text
        }
    }
}
