import Foundation
import KloudCore
import Testing

@Suite struct MoneyTests {
    @Test(arguments: [
        ("12", 120_000), ("12.5", 125_000), ("0.0116", 116), ("-3.50", -35_000), ("+1.0001", 10_001),
    ])
    func parsesPlainDecimals(text: String, units: Int64) {
        #expect(Money(text) == Money(units: units))
    }

    @Test(arguments: ["", ".5", "1.", "1.23456", "1e3", "12,50", "--1", "922337203685477.5808", "0x10"])
    func refusesAnythingElse(text: String) {
        #expect(Money(text) == nil)
    }

    @Test func printsAtLeastTwoDecimalPlaces() {
        #expect(Money(units: 120_000).description == "12.00")
        #expect(Money(units: 116).description == "0.0116")
        #expect(Money(units: -35_000).description == "-3.50")
        #expect(Money(units: 123_450).description == "12.345")
    }

    @Test func addsExactlyWhereDoublesDoNot() {
        let tenCents = Money("0.1")!

        #expect(tenCents + Money("0.2")! == Money("0.3")!)
        #expect(tenCents * 3 == Money("0.3")!)
    }

    @Test func encodesAsADecimalStringInJSON() throws {
        let data = try JSONEncoder().encode(["cost": Money("12.34")!])

        #expect(String(decoding: data, as: UTF8.self) == #"{"cost":"12.34"}"#)
        #expect(try JSONDecoder().decode([String: Money].self, from: data)["cost"] == Money("12.34"))
    }
}
