extension Sequence<UInt8> {
    /// Lowercase hexadecimal, two digits a byte.
    var hexDigits: String {
        map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
