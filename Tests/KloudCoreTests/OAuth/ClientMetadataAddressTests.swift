import Testing

@testable import KloudCore

@Suite("Client ID Metadata Documents: address classifier")
struct ClientMetadataAddressTests {
    @Test(arguments: [
        "8.8.8.8", "1.1.1.1", "93.184.215.14", "11.0.0.1", "100.63.255.255", "100.128.0.0", "172.15.255.255",
        "172.32.0.0", "192.167.255.255", "192.169.0.1", "198.17.255.255", "198.20.0.0", "223.255.255.255",
        "2606:4700::1111", "2a00:1450:4001:80b::200e", "2001:4860:4860::8888", "64:ff9b::808:808",
        "::ffff:8.8.8.8",
    ])
    func allowsAPublicAddress(text: String) throws {
        let address = try #require(IPAddress(text))

        #expect(address.isPubliclyRoutable)
    }

    @Test(arguments: [
        "0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "100.64.0.1", "100.127.255.255", "127.0.0.1",
        "127.255.255.254", "169.254.169.254", "169.254.0.1", "172.16.0.1", "172.31.255.255", "192.0.0.8",
        "192.0.2.1", "192.88.99.1", "192.168.1.1", "198.18.0.1", "198.19.255.255", "198.51.100.7", "203.0.113.9",
        "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "::", "::1", "::ffff:127.0.0.1",
        "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:0.0.0.0", "::127.0.0.1", "64:ff9b::a00:1",
        "64:ff9b:1::1", "100::1", "fe80::1", "febf::1", "fec0::1", "fc00::1", "fd00:ec2::254", "ff02::1",
        "2001::1", "2001:db8::1", "2002:7f00:1::1", "3fff::1", "5f00::1",
    ])
    func refusesANonPublicAddress(text: String) throws {
        let address = try #require(IPAddress(text))

        #expect(!address.isPubliclyRoutable)
    }

    @Test func parsesOnlyNumericAddresses() {
        #expect(IPAddress("example.com") == nil)
        #expect(IPAddress("127.1") == nil)
        #expect(IPAddress("0x7f.0.0.1") == nil)
        #expect(IPAddress("010.0.0.1") == nil)
        #expect(IPAddress("fe80::1%eth0") == nil)
        #expect(IPAddress("[::1]")?.description == "::1")
        #expect(IPAddress("::FFFF:127.0.0.1")?.description == "::ffff:127.0.0.1")
        #expect(IPAddress("192.0.2.1")?.bytes == [192, 0, 2, 1])
    }

    @Test func recognizesLoopback() {
        #expect(IPAddress("127.0.0.2")?.isLoopback == true)
        #expect(IPAddress("::1")?.isLoopback == true)
        #expect(IPAddress("::ffff:127.0.0.1")?.isLoopback == true)
        #expect(IPAddress("10.0.0.1")?.isLoopback == false)
        #expect(IPAddress("::2")?.isLoopback == false)
    }
}
