import Foundation
import KloudCore
import KloudTestSupport
import Testing

/// Values that look like SQL are data: they go in and come out unchanged,
/// and nothing they say is run.
@Suite(.database) struct SQLLookalikeValueTests {
    static let values = [
        "'; DROP TABLE accounts; --",
        "Robert'); DROP TABLE klouds;--",
        "it's \"quoted\" `three` ways",
        #"back\slash \\ and \' escaped quote"#,
        "$1 $2 ::uuid E'\\x00' $$dollar$$",
        "1; select pg_sleep(10)",
        "emoji 🚀☁️👩🏽‍💻 and accents é ñ ü 中文",
        "new\nline\ttab\r\u{7f}",
        "'\u{0301} combining quote",
    ]

    @Test(arguments: values)
    func roundTripsATextValueThroughATable(value: String) throws {
        let database = try TestDatabase.required()
        let accountID = try AccountFixture.insert(into: database, label: "lookalike").accountID
        let client = database.client(as: .worker)

        let stored = try client.transaction(scopedTo: accountID) { transaction in
            let id = UUID()
            try transaction.execute(
                """
                insert into kloudhub.klouds (id, account_id, name, description, variables)
                values (\(id), \(accountID), \(value), \(value), \(try PostgresJSON(encoding: ["note": value])))
                """)
            return try #require(
                transaction.query("select name, description, variables from kloudhub.klouds where id = \(id)").first
            ).decode((String, String, PostgresJSON).self)
        }

        #expect(stored.0 == value)
        #expect(stored.1 == value)
        #expect(try stored.2.decode([String: String].self) == ["note": value])
        #expect(try tableExists("accounts", database: database))
        #expect(try tableExists("klouds", database: database))
    }

    @Test func roundTripsArraysOfLookalikes() throws {
        let client = try TestDatabase.required().client(as: .api)

        let row = try #require(client.query("select \(Self.values) as scopes").first)

        #expect(try row.decode([String].self) == Self.values)
    }

    @Test func roundTripsEveryByteValueAsBytea() throws {
        let client = try TestDatabase.required().client(as: .api)
        let bytes: [UInt8] = Array(0...255) + Array("'; DROP TABLE accounts; --".utf8)

        let row = try #require(client.query("select \(bytes), octet_length(\(bytes))").first)
        let (decoded, length) = try row.decode(([UInt8], Int).self)

        #expect(decoded == bytes)
        #expect(length == bytes.count)
    }

    @Test func findsNothingWithALookalikeInAWhereClause() throws {
        let database = try TestDatabase.required()
        let accountID = try AccountFixture.insert(into: database, label: "where").accountID

        let count = try database.client(as: .worker).transaction(scopedTo: accountID) { transaction in
            try #require(transaction.query("select count(*) from kloudhub.klouds where name = \("' or '1'='1")").first)
                .decode(Int.self)
        }

        #expect(count == 0)
    }

    private func tableExists(_ name: String, database: TestDatabase) throws -> Bool {
        let row = try database.client(as: .owner).query("select to_regclass(\("kloudhub." + name)) is not null")
        return try #require(row.first).decode(Bool.self)
    }
}
