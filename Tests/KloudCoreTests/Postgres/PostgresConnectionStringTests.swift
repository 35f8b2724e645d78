import KloudCore
import Testing

@Suite struct PostgresConnectionStringTests {
    @Test func parsesAURLAndReplacesParameters() throws {
        let string = try PostgresConnectionString("postgresql://admin:s3cret@db.example:6543/postgres?sslmode=require")
            .setting(["user": "kloudhub_api_dev", "dbname": "kloudhub"])

        #expect(string["host"] == "db.example")
        #expect(string["port"] == "6543")
        #expect(string["user"] == "kloudhub_api_dev")
        #expect(string["dbname"] == "kloudhub")
        #expect(string["sslmode"] == "require")
    }

    @Test func quotesValuesSoTheyParseBack() throws {
        let original = PostgresConnectionString(parameters: ["password": "it's \\ odd", "user": "a b"])

        let reparsed = try PostgresConnectionString(original.conninfo)

        #expect(reparsed == original)
    }

    @Test func hidesThePasswordInItsDescription() throws {
        let string = try PostgresConnectionString("postgresql://admin:s3cret@localhost/postgres")

        #expect(!string.description.contains("s3cret"))
        #expect(string.conninfo.contains("s3cret"))
    }

    @Test func refusesAMalformedString() {
        #expect(throws: PostgresError.self) { try PostgresConnectionString("host='unterminated") }
    }
}
