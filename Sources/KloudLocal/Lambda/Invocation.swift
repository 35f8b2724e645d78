import Foundation

/// One event given to a function, as the Runtime API hands it to an instance.
public struct Invocation: Sendable {
    public var requestID: String
    public var payload: Data
    public var traceID: String
    public var clientContext: String?
    public var cognitoIdentity: String?

    public init(payload: Data, clientContext: String? = nil, cognitoIdentity: String? = nil) {
        self.requestID = UUID().uuidString.lowercased()
        self.payload = payload
        self.traceID = Self.newTraceID()
        self.clientContext = clientContext
        self.cognitoIdentity = cognitoIdentity
    }

    /// An X-Ray trace header: `Root=1-<epoch hex>-<96 random bits hex>;Parent=<64 bits>;Sampled=0`.
    private static func newTraceID() -> String {
        let epoch = String(Int(Date().timeIntervalSince1970), radix: 16)
        var generator = SystemRandomNumberGenerator()
        let root = hex(generator.next()) + hex(generator.next()).prefix(8)
        return "Root=1-\(epoch)-\(root);Parent=\(hex(generator.next()));Sampled=0"
    }

    /// `value` as 16 hex digits, zero-padded.
    private static func hex(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}

/// What an invocation produced, as the Invoke API reports it.
public enum InvocationResult: Sendable, Equatable {
    /// The function's response payload.
    case success(Data)
    /// A function or runtime error: the error document and its type (`X-Amz-Function-Error: Unhandled`).
    case failure(FunctionFailure)
}

/// An invocation that failed, with the JSON document Lambda returns for it.
public struct FunctionFailure: Error, Sendable, Equatable {
    public var errorType: String
    public var errorMessage: String
    /// The error document as the runtime posted it, or one Lambda made.
    public var document: Data

    /// A failure Lambda itself reports (timeout, crash, oversized response).
    init(errorType: String, errorMessage: String) {
        self.errorType = errorType
        self.errorMessage = errorMessage
        let object: [String: String] = ["errorType": errorType, "errorMessage": errorMessage]
        document = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }

    /// A failure a runtime posted: its body, if JSON, is the document.
    init(postedBody: Data, typeHeader: String?) {
        let parsed = (try? JSONSerialization.jsonObject(with: postedBody)) as? [String: Any]
        if let parsed {
            self.init(
                errorType: parsed["errorType"] as? String ?? typeHeader ?? "Unhandled",
                errorMessage: parsed["errorMessage"] as? String ?? "")
            document = postedBody
        } else {
            self.init(
                errorType: typeHeader ?? "Unhandled", errorMessage: String(decoding: postedBody, as: UTF8.self))
        }
    }
}
