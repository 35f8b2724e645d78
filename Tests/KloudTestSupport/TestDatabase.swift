import Foundation
import KloudCore
import KloudLocal
import Testing

/// A database of its own for one test suite, on the process's ``TestPostgres``
/// cluster, so that suites run in parallel and leave nothing behind.
///
/// ```swift
/// @Suite(.database) struct KloudStoreTests {
///     @Test func listsKloudsByName() throws {
///         let database = try TestDatabase.required()
///         let client = database.client(as: .worker)
///         ...
///     }
/// }
/// ```
public struct TestDatabase: Sendable {
    /// What a new database holds.
    public enum Contents: Sendable {
        /// The migrated schema (a copy of the template).
        case migrated
        /// Nothing: for testing the migrations themselves.
        case empty
    }

    /// The database's name.
    public let name: String
    /// The cluster's setup: login users and their passwords.
    public let setup: PostgresClusterSetup

    /// The database of the current suite, set by the ``DatabaseTrait``.
    @TaskLocal public static var current: TestDatabase?

    /// The database of the current suite; throws if the suite lacks `.database`.
    public static func required() throws -> TestDatabase {
        guard let current else { throw TestDatabaseError.noDatabaseTrait }
        return current
    }

    /// Creates a database named after `label`, with a random suffix.
    public static func create(label: String, contents: Contents = .migrated) async throws -> TestDatabase {
        let setup = try await TestPostgres.shared.setup()
        let name = databaseName(for: label)
        switch contents {
        case .migrated: try setup.createDatabase(named: name, template: TestPostgres.templateName)
        case .empty: try setup.createDatabase(named: name, applyingMigrations: false)
        }
        return TestDatabase(name: name, setup: setup)
    }

    /// Drops the database.
    public func drop() throws {
        try setup.dropDatabase(named: name)
    }

    /// A connection string for a role's login user.
    public func connectionString(for role: DatabaseRole) -> String {
        setup.connectionString(for: role, database: name).conninfo
    }

    /// A client connecting as a role's login user.
    public func client(as role: DatabaseRole, statementTimeout: Duration? = .seconds(30)) -> PostgresClient {
        PostgresClient(
            configuration: .init(connectionString: connectionString(for: role), statementTimeout: statementTimeout))
    }

    /// A plain connection as a role's login user.
    public func connection(as role: DatabaseRole) throws -> PostgresConnection {
        try PostgresConnection.connect(to: connectionString(for: role))
    }

    private static func databaseName(for label: String) -> String {
        let cleaned = label.lowercased().unicodeScalars
            .map { CharacterSet.alphanumerics.contains($0) && $0.isASCII ? String($0) : "_" }
            .joined()
        let suffix = UUID().uuidString.prefix(8).lowercased()
        return "test_" + String(cleaned.prefix(40)) + "_" + suffix
    }
}

/// Why a test could not get its database.
public enum TestDatabaseError: Error, Sendable {
    /// The suite does not have the `.database` trait.
    case noDatabaseTrait
}

/// Gives a suite (or a test) a fresh migrated database for its duration,
/// as ``TestDatabase/current``, and drops it afterwards.
public struct DatabaseTrait: SuiteTrait, TestTrait, TestScoping {
    /// Applied once around a suite, not around each of its tests.
    public var isRecursive: Bool { false }

    /// Creates the database, runs the suite or test, drops the database.
    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let database = try await TestDatabase.create(label: test.name)
        do {
            try await TestDatabase.$current.withValue(database) { try await function() }
        } catch {
            try? database.drop()
            throw error
        }
        try database.drop()
    }
}

extension Trait where Self == DatabaseTrait {
    /// A fresh migrated database for the suite: ``TestDatabase/current``.
    public static var database: Self { DatabaseTrait() }
}
