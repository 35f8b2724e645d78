/// Why a request to the Runtime API could not be completed.
enum TransportError: Error, CustomStringConvertible {
    case invalidAddress(String)
    case connectionClosed
    case malformedResponse(String)
    case system(call: String, errno: Int32)
    case interrupted

    /// A stable snake_case name for logs.
    var code: String {
        switch self {
        case .invalidAddress: "invalid_address"
        case .connectionClosed: "connection_closed"
        case .malformedResponse: "malformed_response"
        case .system: "system_error"
        case .interrupted: "interrupted"
        }
    }

    var description: String {
        switch self {
        case .invalidAddress(let address): "invalid Runtime API address '\(address)'"
        case .connectionClosed: "the Runtime API closed the connection"
        case .malformedResponse(let reason): "malformed Runtime API response: \(reason)"
        case .system(let call, let errno): "\(call) failed with errno \(errno)"
        case .interrupted: "interrupted by a shutdown signal"
        }
    }
}
