import Foundation
import KloudCore
import Testing

@Suite struct PostgresQueryTests {
    @Test func turnsInterpolatedValuesIntoNumberedParameters() {
        let id = UUID()
        let query: PostgresQuery = "select * from kloudhub.klouds where id = \(id) and name = \("web") limit \(5)"

        #expect(query.sql == "select * from kloudhub.klouds where id = $1 and name = $2 limit $3")
        #expect(query.bindings.types == [.uuid, .text, .int8])
    }

    @Test func neverPutsAValueInTheSQLText() {
        let hostile = "'; DROP TABLE accounts; --"
        let query: PostgresQuery = "select \(hostile)"

        #expect(query.sql == "select $1")
        #expect(!query.description.contains("DROP"))
    }

    @Test func sendsNilAsATypedNull() {
        let missing: String? = nil
        let query: PostgresQuery = "select \(missing)"

        #expect(query.sql == "select $1")
        #expect(query.bindings.types == [.text])
    }

    @Test func quotesIdentifiers() {
        let query: PostgresQuery = "create database \(identifier: "odd\"name")"

        #expect(query.sql == "create database \"odd\"\"name\"")
    }

    @Test func escapesLiteralsForUtilityStatements() {
        let query: PostgresQuery = "alter role x password \(literal: "it's a \\ secret")"

        #expect(query.sql == "alter role x password E'it''s a \\\\ secret'")
    }

    @Test func escapesAQuoteEvenWhenACombiningMarkFollowsIt() {
        let query: PostgresQuery = "select \(literal: "'\u{0301}")"

        #expect(query.sql == "select E'''\u{0301}'")
    }

    @Test func keepsUnsafeRawTextAsWritten() {
        let query = PostgresQuery(unsafeRaw: "select 1")

        #expect(query.sql == "select 1")
        #expect(query.bindings.count == 0)
    }
}
