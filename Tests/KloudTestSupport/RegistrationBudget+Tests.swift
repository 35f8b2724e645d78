import KloudCore

extension RegistrationBudget {
    /// The budget of a source no other test uses: a random /64 of the documentation prefix
    /// 2001:db8::/32, so tests that register clients never share a count.
    public static func ofUnusedSource() -> RegistrationBudget {
        let groups = (0..<2).map { _ in String(UInt16.random(in: 0...UInt16.max), radix: 16) }
        return RegistrationBudget(sourceIP: "2001:db8:\(groups[0]):\(groups[1])::1")
    }
}
