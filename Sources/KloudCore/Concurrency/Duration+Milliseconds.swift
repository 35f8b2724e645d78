extension Duration {
    /// The duration in whole milliseconds, any fraction dropped (toward zero); not clamped, so
    /// each caller bounds it as its API needs (libcurl's and `poll`'s 32-bit timeouts,
    /// PostgreSQL's `statement_timeout`).
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
