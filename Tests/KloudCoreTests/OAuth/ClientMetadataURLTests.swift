import Testing

@testable import KloudCore

@Suite("Client ID Metadata Documents: client id URLs")
struct ClientMetadataURLTests {
    @Test(arguments: [
        "https://example.com", "https://example.com/", "https://example.com?client=1", "https://example.com/a#b",
        "https://example.com/a#", "https://user:password@example.com/a", "https://user@example.com/a",
        "https://example.com/a/../b", "https://example.com/./a", "https://example.com/a/..",
        "https://example.com/a/%2E%2e/b", "http://example.com/a", "ftp://example.com/a", "HTTPS://example.com/a",
        "https:///a", "https://exa mple.com/a", "https://example.com/a\\b", "https://ex%41mple.com/a",
        "https://example..com/a", "https://127.1/a", "https://0x7f.0.0.1/a", "https://2130706433/a",
        "https://127.000.0.1/a", "https://[::1/a", "https://[example.com]/a", "https://example.com:0/a",
        "https://example.com:99999/a", "https://example.com:/a", "https://bücher.example/a",
        "https://example.com/" + String(repeating: "a", count: 2048),
    ])
    func refusesAnInvalidClientIDURL(clientID: String) async throws {
        let fetcher = ClientMetadataDocumentFetcher(httpClient: HTTPClient(), policy: .internet)

        let error = await #expect(throws: ClientMetadataError.self) { try await fetcher.document(for: clientID) }

        #expect(error?.code == "invalid_client_id")
    }

    @Test(arguments: [
        ("https://example.com/client.json", "example.com", 443),
        ("https://example.com:8443/oauth/client?v=2", "example.com", 8443),
        ("https://[2001:db8::1]/a", "[2001:db8::1]", 443),
        ("https://93.184.215.14/a", "93.184.215.14", 443),
        ("https://my_host.example/a/b.json", "my_host.example", 443),
    ])
    func acceptsAValidClientIDURL(clientID: String, host: String, port: Int) throws {
        let url = try ClientIDURL(clientID)

        #expect(url.text == clientID)
        #expect(url.host == host)
        #expect(url.port == port)
    }
}
