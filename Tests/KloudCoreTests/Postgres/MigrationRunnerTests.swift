import Foundation
import KloudCore
import KloudTestSupport
import Testing

@Suite struct MigrationRunnerTests {
    private static let migrationFiles = try! Migration.load(fromDirectory: TestEnvironment.migrationsDirectory)
        .map(\.fileName)

    /// A new empty database, dropped when `body` returns.
    private func withEmptyDatabase(_ body: (TestDatabase) async throws -> Void) async throws {
        let database = try await TestDatabase.create(label: "migrations", contents: .empty)
        defer { try? database.drop() }
        try await body(database)
    }

    /// A folder of migration files, removed when `body` returns.
    private func withMigrationFolder(
        _ files: [String: String], _ body: (String) async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (name, sql) in files {
            try sql.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        }
        try await body(folder)
    }

    private func copyOfProjectMigrations(_ body: (String) async throws -> Void) async throws {
        var files: [String: String] = [:]
        for name in Self.migrationFiles {
            files[name] = try String(contentsOfFile: TestEnvironment.migrationsDirectory + "/" + name, encoding: .utf8)
        }
        try await withMigrationFolder(files, body)
    }

    // MARK: - The project's migrations

    @Test func appliesEveryFileToAFreshDatabaseAndNothingOnARerun() async throws {
        try await withEmptyDatabase { database in
            let runner = MigrationRunner(directory: TestEnvironment.migrationsDirectory)
            let owner = database.connectionString(for: .owner)

            let first = try runner.run(connectionString: owner)
            let schemaAfterFirst = try SchemaSnapshot.take(of: database)
            let second = try runner.run(connectionString: owner)

            #expect(first.applied == Self.migrationFiles)
            #expect(second.applied.isEmpty)
            #expect(second.alreadyApplied == Self.migrationFiles)
            #expect(try SchemaSnapshot.take(of: database) == schemaAfterFirst)
        }
    }

    @Test(.database) func givesAFreshDatabaseTheSameSchemaAsEveryOther() async throws {
        let template = try TestDatabase.required()
        try await withEmptyDatabase { database in
            try MigrationRunner(directory: TestEnvironment.migrationsDirectory)
                .run(connectionString: database.connectionString(for: .owner))

            let fresh = try SchemaSnapshot.take(of: database)
            let copied = try SchemaSnapshot.take(of: template)

            #expect(fresh == copied)
            #expect(fresh.lines.count > 300)
        }
    }

    @Test func appliesEachFileOnceWhenTwoRunnersStartAtOnce() async throws {
        try await withEmptyDatabase { database in
            let runner = MigrationRunner(directory: TestEnvironment.migrationsDirectory)
            let owner = database.connectionString(for: .owner)

            let reports = try await withThrowingTaskGroup(of: MigrationRunner.Report.self) { group in
                for _ in 0..<2 {
                    group.addTask { try await onOwnThread { try runner.run(connectionString: owner) } }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }

            let applied = reports.flatMap(\.applied)
            #expect(applied.sorted() == Self.migrationFiles)
            #expect(reports.allSatisfy { Set($0.applied + $0.alreadyApplied) == Set(Self.migrationFiles) })
            let recorded = try database.client(as: .owner).query("select count(*) from kloudhub.schema_migrations")
            #expect(try recorded.first?.decode(Int.self) == Self.migrationFiles.count)
        }
    }

    @Test func refusesAnAppliedFileThatChanged() async throws {
        try await copyOfProjectMigrations { folder in
            try await withEmptyDatabase { database in
                let runner = MigrationRunner(directory: folder)
                let owner = database.connectionString(for: .owner)
                try runner.run(connectionString: owner)
                let edited = Self.migrationFiles[1]
                let handle = try #require(FileHandle(forWritingAtPath: folder + "/" + edited))
                handle.seekToEndOfFile()
                handle.write(Data("\n-- an innocent-looking edit\n".utf8))
                try handle.close()

                let error = try #require(throws: MigrationError.self) { try runner.run(connectionString: owner) }

                #expect(error.kind == .changedMigration)
                #expect(error.migration == edited)
                #expect(error.description.contains(edited))
            }
        }
    }

    // MARK: - Rules of the runner

    @Test func rollsBackAFileThatFailsAndNamesIt() async throws {
        let files = [
            "0001_first.sql": "create table kloudhub.first_table (id int);",
            "0002_broken.sql": "create table kloudhub.second_table (id int);\nselect 1 / 0;",
        ]
        try await withMigrationFolder(files) { folder in
            try await withEmptyDatabase { database in
                let error = try #require(throws: MigrationError.self) {
                    try MigrationRunner(directory: folder).run(connectionString: database.connectionString(for: .owner))
                }

                #expect(error.kind == .migrationFailed)
                #expect(error.migration == "0002_broken.sql")
                let owner = database.client(as: .owner)
                let tables = try owner.query(
                    "select to_regclass('kloudhub.first_table') is not null, to_regclass('kloudhub.second_table') is not null"
                )
                let (first, second) = try #require(tables.first).decode((Bool, Bool).self)
                #expect(first && !second)
                let versions = try owner.query("select version from kloudhub.schema_migrations").decode(Int.self)
                #expect(versions == [1])
            }
        }
    }

    @Test func refusesAFileOlderThanOneAlreadyApplied() async throws {
        try await withMigrationFolder(["0001_one.sql": "select 1;", "0003_three.sql": "select 3;"]) { folder in
            try await withEmptyDatabase { database in
                let owner = database.connectionString(for: .owner)
                try MigrationRunner(directory: folder).run(connectionString: owner)
                try "select 2;".write(toFile: folder + "/0002_two.sql", atomically: true, encoding: .utf8)

                let error = try #require(throws: MigrationError.self) {
                    try MigrationRunner(directory: folder).run(connectionString: owner)
                }

                #expect(error.kind == .outOfOrder)
                #expect(error.migration == "0002_two.sql")
            }
        }
    }

    @Test func refusesWhenAnAppliedFileIsMissing() async throws {
        try await withMigrationFolder(["0001_one.sql": "select 1;", "0002_two.sql": "select 2;"]) { folder in
            try await withEmptyDatabase { database in
                let owner = database.connectionString(for: .owner)
                try MigrationRunner(directory: folder).run(connectionString: owner)
                try FileManager.default.removeItem(atPath: folder + "/0002_two.sql")

                let error = try #require(throws: MigrationError.self) {
                    try MigrationRunner(directory: folder).run(connectionString: owner)
                }

                #expect(error.kind == .appliedMigrationMissing)
                #expect(error.migration == "0002_two.sql")
            }
        }
    }

    @Test func refusesTwoFilesWithOneVersion() async throws {
        try await withMigrationFolder(["0001_one.sql": "", "0001_again.sql": ""]) { folder in
            let error = try #require(throws: MigrationError.self) { try Migration.load(fromDirectory: folder) }

            #expect(error.kind == .duplicateVersion)
        }
    }

    @Test(
        arguments: [
            ("0001_roles_and_schema.sql", 1), ("0012_more.sql", 12), ("init.sql", nil), ("0001-init.sql", nil),
            ("0001_Init.sql", nil), ("0001_.sql", nil), ("0000_zero.sql", nil), ("0001_a b.sql", nil),
        ] as [(String, Int?)])
    func readsTheVersionFromTheFileName(name: String, version: Int?) {
        #expect((try? Migration(fileName: name, contents: []))?.version == version)
    }

    @Test func refusesAMissingFolder() {
        let error = #expect(throws: MigrationError.self) {
            try Migration.load(fromDirectory: "/nonexistent/migrations")
        }
        #expect(error?.kind == .unreadableDirectory)
    }
}

/// Runs blocking work on a thread of its own, off the cooperative pool.
func onOwnThread<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try work() })
        }
    }
}

/// Everything the migrations define, as sorted lines, to compare two databases.
struct SchemaSnapshot: Equatable {
    let lines: [String]

    static func take(of database: TestDatabase) throws -> SchemaSnapshot {
        let rows = try database.client(as: .owner).query(
            """
            select 'column ' || table_name || '.' || column_name || ' ' || data_type || ' '
                   || is_nullable || ' ' || coalesce(column_default, '')
            from information_schema.columns where table_schema = 'kloudhub'
            union all
            select 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
            from pg_constraint where connamespace = 'kloudhub'::regnamespace
            union all
            select 'index ' || indexdef from pg_indexes where schemaname = 'kloudhub'
            union all
            select 'policy ' || tablename || ' ' || policyname || ' ' || cmd || ' ' || roles::text || ' '
                   || coalesce(qual, '') || ' ' || coalesce(with_check, '')
            from pg_policies where schemaname = 'kloudhub'
            union all
            select 'table ' || relname || ' ' || relkind::text || ' ' || relrowsecurity::text || ' ' || relforcerowsecurity::text
                   || ' ' || coalesce(relacl::text, '')
            from pg_class where relnamespace = 'kloudhub'::regnamespace
            union all
            select 'grant ' || table_name || '.' || column_name || ' ' || grantee || ' ' || privilege_type
            from information_schema.column_privileges where table_schema = 'kloudhub'
            union all
            select 'function ' || p.oid::regprocedure::text || ' ' || pg_get_userbyid(p.proowner) || ' '
                   || p.prosecdef::text || ' ' || coalesce(p.proacl::text, '') || ' ' || md5(pg_get_functiondef(p.oid))
            from pg_proc p where p.pronamespace = 'kloudhub'::regnamespace
            """)
        return SchemaSnapshot(lines: try rows.decode(String.self).sorted())
    }
}
