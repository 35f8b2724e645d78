import Foundation
import KloudLocal
import KloudTestSupport

/// An HTTPS server on 127.0.0.1 with a freshly made self-signed certificate (openssl and
/// Python's `ssl`), answering `tls ok` to every GET; it proves that the client verifies
/// peers, and that a configured authority is trusted.
final class SelfSignedHTTPSServer: @unchecked Sendable {
    let port: Int
    let certificatePath: String
    private let process: ChildProcess
    private let folder: URL

    init() throws {
        folder = try AWSTestPaths.temporaryFolder("tls")
        certificatePath = folder.appendingPathComponent("cert.pem").path
        let keyPath = folder.appendingPathComponent("key.pem").path
        try Self.run(
            "/usr/bin/env",
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyPath, "-out", certificatePath,
                "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            ])
        port = try LoopbackSocket.freePort()
        let script = """
            import http.server, ssl, sys
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(200); self.send_header('Content-Length', '6'); self.end_headers()
                    self.wfile.write(b'tls ok')
                def log_message(self, *a): pass
            s = http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), H)
            c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain(sys.argv[2], sys.argv[3])
            s.socket = c.wrap_socket(s.socket, server_side=True)
            s.serve_forever()
            """
        process = try ChildProcess.spawn(
            executable: "/usr/bin/env",
            arguments: [AWSTestPaths.python, "-c", script, String(port), certificatePath, keyPath],
            environment: ProcessInfo.processInfo.environment, output: { _ in })
        try waitUntilListening()
    }

    var url: String { "https://127.0.0.1:\(port)/" }

    /// Kills the server.
    func stop() {
        process.send(SIGKILL)
        try? FileManager.default.removeItem(at: folder)
    }

    private func waitUntilListening() throws {
        for _ in 0..<100 {
            if let descriptor = LoopbackSocket.connect(port: port) {
                close(descriptor)
                return
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw TestSupportError("the HTTPS test server did not start")
    }

    private static func run(_ executable: String, _ arguments: [String]) throws {
        guard try CommandRunner.runBlocking(URL(fileURLWithPath: executable), arguments).status == 0 else {
            throw TestSupportError("\(arguments[0]) failed")
        }
    }
}
