extension SecretBytes {
    /// Decodes standard base64 (with or without `=` padding) straight into wiped-on-release
    /// memory, so the plaintext never sits in an ordinary array; nil when the text is not base64.
    static func decodingBase64(_ text: UnsafeRawBufferPointer) -> SecretBytes? {
        var length = text.count
        while length > 0, text[length - 1] == UInt8(ascii: "=") { length -= 1 }
        guard text.count - length <= 2, length % 4 != 1 else { return nil }
        let capacity = length * 3 / 4
        var isValid = true
        let secret = SecretBytes(capacity: capacity) { output in
            var accumulator: UInt32 = 0
            var bits = 0
            var written = 0
            for index in 0..<length {
                guard let value = base64Value(text[index]) else {
                    isValid = false
                    return 0
                }
                accumulator = (accumulator << 6) | UInt32(value)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    output[written] = UInt8(truncatingIfNeeded: accumulator >> UInt32(bits))
                    written += 1
                }
            }
            accumulator = 0
            return written
        }
        return isValid ? secret : nil
    }

    private static func base64Value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
