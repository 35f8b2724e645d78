/// Why the emulator could not do what it was asked.
public enum EmulatorError: Error, CustomStringConvertible, Equatable {
    case serverDidNotStart(String)
    case missingBinary(function: String, looked: [String])
    case unknownFunction(String)
    case shuttingDown
    case serviceSeedFailed(String, String)

    public var description: String {
        switch self {
        case .serverDidNotStart(let name): "the \(name) server did not start"
        case .missingBinary(let function, let looked):
            "no binary for function \(function) (looked for \(looked.joined(separator: ", "))); run swift build first"
        case .unknownFunction(let name): "no function named \(name)"
        case .shuttingDown: "the emulator is shutting down"
        case .serviceSeedFailed(let service, let detail): "preparing \(service) failed: \(detail)"
        }
    }
}
