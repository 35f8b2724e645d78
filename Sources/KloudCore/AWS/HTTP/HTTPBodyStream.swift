/// A request body delivered in pieces, for uploads too large to hold in memory.
///
/// The client calls ``read(into:)`` from the thread that runs the transfer, one call at a
/// time, until it returns 0 or the announced length has been read. A source that can start
/// over (``rewind()`` returns true) lets the client retry the request.
public protocol HTTPBodySource: Sendable {
    /// Fills the start of `buffer` with the next bytes and returns how many; 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Moves back to the first byte; false when the source cannot.
    func rewind() -> Bool
}

/// A response body received in pieces, for downloads too large to hold in memory.
///
/// The client calls ``write(_:)`` from the thread that runs the transfer, one call at a time,
/// in order, with chunks of at most a few dozen kilobytes; the bytes are valid only during the
/// call. Only a successful (2xx) response's body reaches the sink: an error body is kept by
/// the client for its error.
public protocol HTTPBodySink: Sendable {
    /// Takes the next chunk; throwing stops the transfer.
    func write(_ chunk: UnsafeRawBufferPointer) throws
}
