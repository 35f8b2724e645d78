import Foundation
import KloudCore
import KloudTestSupport
import Testing

@Suite(.database) struct DecodingTests {
    private let client: PostgresClient

    init() throws {
        client = try TestDatabase.required().client(as: .api)
    }

    private func roundTrip<T: PostgresEncodable & PostgresDecodable>(_ value: T) throws -> T {
        try #require(client.query("select \(value) as value").first).decode(T.self, column: "value")
    }

    @Test func roundTripsScalars() throws {
        #expect(try roundTrip("héllo ✓") == "héllo ✓")
        #expect(try roundTrip("") == "")
        #expect(try roundTrip(Int.max) == Int.max)
        #expect(try roundTrip(Int64.min) == Int64.min)
        #expect(try roundTrip(Int32(-7)) == -7)
        #expect(try roundTrip(true) == true)
        #expect(try roundTrip(false) == false)
        let id = UUID()
        #expect(try roundTrip(id) == id)
        #expect(try roundTrip(2.5) == 2.5)
    }

    @Test func roundTripsDatesToTheMicrosecond() throws {
        let date = Date(timeIntervalSince1970: 1_767_225_600.123456)

        let decoded = try roundTrip(date)

        #expect(abs(decoded.timeIntervalSince(date)) < 0.000_001)
    }

    @Test func readsTimestampsWhateverTheSessionTimeZone() throws {
        let rows = try client.transaction { transaction in
            try transaction.execute("set local timezone = 'Asia/Kolkata'")
            return try transaction.query("select '2024-02-29 12:34:56.789012+00'::timestamptz")
        }

        let date = try #require(rows.first).decode(Date.self)

        #expect(abs(date.timeIntervalSince1970 - 1_709_210_096.789012) < 0.000_001)
    }

    @Test func roundTripsBytesAndJSON() throws {
        let bytes: [UInt8] = Array(0...255)
        #expect(try roundTrip(bytes) == bytes)
        #expect(try roundTrip(Data(bytes)) == Data(bytes))
        #expect(try roundTrip([UInt8]()) == [])

        struct Payload: Codable, Equatable { var name: String; var count: Int }
        let json = try PostgresJSON(encoding: Payload(name: "web", count: 3))
        #expect(try roundTrip(json).decode(Payload.self) == Payload(name: "web", count: 3))
    }

    @Test func roundTripsArrays() throws {
        #expect(
            try roundTrip(["read", "write", "a \"quoted\", {braced} value"]) == [
                "read", "write", "a \"quoted\", {braced} value",
            ])
        #expect(try roundTrip([String]()) == [])
        #expect(try roundTrip([1, -2, Int.max]) == [1, -2, Int.max])
        let ids = [UUID(), UUID()]
        #expect(try roundTrip(ids) == ids)
        #expect(try roundTrip([Money("1.5")!, Money("0.0001")!]) == [Money("1.5")!, Money("0.0001")!])
    }

    @Test(arguments: ["0", "0.0001", "1", "12.34", "-12.34", "99999999.9999", "10000", "100000000", "-0.5"])
    func roundTripsMoneyAsExactNumeric(text: String) throws {
        let money = try #require(Money(text))

        let row = try #require(client.query("select \(money) as amount, (\(money))::text as text").first)

        #expect(try row.decode(Money.self, column: "amount") == money)
        #expect(Money(try row.decode(String.self, column: "text")) == money)
    }

    @Test func readsNumericWrittenBySQL() throws {
        let row = try #require(
            client.query("select 1234.5::numeric(14,4), 0.1::numeric + 0.2::numeric, 100::numeric").first)

        let (a, b, c) = try row.decode((Money, Money, Money).self)

        #expect(a == Money("1234.5"))
        #expect(b == Money("0.3"))
        #expect(c == Money("100"))
    }

    @Test func refusesNumericThatWouldLosePrecision() throws {
        let row = try #require(client.query("select 1.00001::numeric as amount").first)

        let error = try #require(throws: PostgresError.self) { try row.decode(Money.self) }

        #expect(error.kind == .decodingFailed)
        #expect(error.decodingFailure == .outOfRange)
    }

    @Test func decodesNullAsNilAndRefusesItForNonOptionals() throws {
        let row = try #require(client.query("select null::text as nickname").first)

        #expect(try row.decode(String?.self) == nil)
        let error = try #require(throws: PostgresError.self) { try row.decode(String.self) }
        #expect(error.decodingFailure == .unexpectedNull)
        #expect(error.column == "nickname")
    }

    @Test func namesTheColumnOfATypeMismatch() throws {
        let row = try #require(client.query("select 'web' as name, 12.5::numeric as monthly_cost").first)

        let error = try #require(throws: PostgresError.self) { try row.decode((String, Int).self) }

        #expect(error.kind == .decodingFailed)
        #expect(error.column == "monthly_cost")
        #expect(error.columnType == .numeric)
        #expect(error.decodingFailure == .typeMismatch)
        #expect(error.description.contains("monthly_cost"))
    }

    @Test func refusesADifferentNumberOfColumns() throws {
        let row = try #require(client.query("select 1, 2").first)

        let error = try #require(throws: PostgresError.self) { try row.decode(Int.self) }

        #expect(error.decodingFailure == .columnCountMismatch)
    }

    @Test func decodesEveryRow() throws {
        let rows = try client.query("select n, 'row ' || n from generate_series(1, 3) as n")

        let decoded = try rows.decode((Int, String).self)

        #expect(decoded.map(\.0) == [1, 2, 3])
        #expect(decoded.map(\.1) == ["row 1", "row 2", "row 3"])
        #expect(rows.columnNames == ["n", "?column?"])
    }
}
