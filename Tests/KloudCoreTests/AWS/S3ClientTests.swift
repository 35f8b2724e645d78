import Foundation
import Testing

@testable import KloudCore

@Suite("S3 client against moto with signature checks")
struct S3ClientTests {
    private func makeBucket(_ moto: MotoServer.Endpoint) async throws -> (S3Client, String) {
        let s3 = S3Client(configuration: try moto.configuration(), httpClient: HTTPClient())
        let bucket = uniqueName("kloudhub")
        try await s3.createBucket(bucket)
        return (s3, bucket)
    }

    @Test(arguments: ["plain.txt", "dir/with spaces/ünïcödé + plus=eq&amp;.json", "a:b@c$d'(e)!*,;~"])
    func putsGetsHeadsAndDeletesAnObject(key: String) async throws {
        let moto = try await MotoServer.shared.endpoint()
        let (s3, bucket) = try await makeBucket(moto)
        let body = Array("{\"state\":1}".utf8)

        let put = try await s3.putObject(
            bucket: bucket, key: key, body: body, contentType: "application/json", metadata: ["owner": "acct-1"])
        let object = try await s3.getObject(bucket: bucket, key: key)
        let head = try await s3.headObject(bucket: bucket, key: key)
        try await s3.deleteObject(bucket: bucket, key: key)
        let afterDelete = try await #require(throws: AWSError.self) {
            try await s3.headObject(bucket: bucket, key: key)
        }

        #expect(put.eTag != nil)
        #expect(object.body == body)
        #expect(object.metadata.contentType == "application/json")
        #expect(object.metadata.eTag == put.eTag)
        #expect(head.contentLength == Int64(body.count))
        #expect(head.userMetadata["owner"] == "acct-1")
        #expect(head.lastModified != nil)
        #expect(afterDelete.serviceCode == "NotFound")
        #expect(afterDelete.statusCode == 404)
    }

    @Test func aMissingObjectIsNoSuchKey() async throws {
        let moto = try await MotoServer.shared.endpoint()
        let (s3, bucket) = try await makeBucket(moto)

        let error = try await #require(throws: AWSError.self) { try await s3.getObject(bucket: bucket, key: "missing") }

        #expect(error.serviceCode == "NoSuchKey")
        #expect(error.statusCode == 404)
        #expect(error.service == "S3")
    }

    @Test func deletesManyObjectsAtOnce() async throws {
        let moto = try await MotoServer.shared.endpoint()
        let (s3, bucket) = try await makeBucket(moto)
        let keys = ["logs/1.txt", "logs/2 two.txt", "logs/<3>&.txt"]
        for key in keys { try await s3.putObject(bucket: bucket, key: key, body: [1]) }

        let result = try await s3.deleteObjects(bucket: bucket, keys: keys)
        let remaining = try await s3.listAllObjects(bucket: bucket)

        #expect(Set(result.deleted) == Set(keys))
        #expect(result.failures.isEmpty)
        #expect(remaining.isEmpty)
    }

    @Test func listsEveryObjectAcrossPages() async throws {
        let moto = try await MotoServer.shared.endpoint()
        let (s3, bucket) = try await makeBucket(moto)
        let keys = (0..<7).map { "scan/resource \($0).json" } + ["other/x"]
        for key in keys { try await s3.putObject(bucket: bucket, key: key, body: Array(key.utf8)) }

        let firstPage = try await s3.listObjectsV2(bucket: bucket, prefix: "scan/", maxKeys: 3)
        let all = try await s3.listAllObjects(bucket: bucket, prefix: "scan/", pageSize: 3)
        let folders = try await s3.listObjectsV2(bucket: bucket, delimiter: "/")

        #expect(firstPage.objects.count == 3)
        #expect(firstPage.nextContinuationToken != nil)
        #expect(all.map(\.key) == keys.filter { $0.hasPrefix("scan/") }.sorted())
        #expect(all.allSatisfy { $0.size == Int64($0.key.utf8.count) })
        #expect(folders.commonPrefixes == ["other/", "scan/"])
    }

    @Test func paginationStopsAtItsBound() async throws {
        let moto = try await MotoServer.shared.endpoint()
        let (s3, bucket) = try await makeBucket(moto)
        for index in 0..<5 { try await s3.putObject(bucket: bucket, key: "k\(index)", body: [1]) }

        let error = try await #require(throws: AWSError.self) {
            try await s3.listAllObjects(bucket: bucket, pageSize: 1, maximumPages: 3)
        }

        #expect(error.code == .paginationLimitExceeded)
    }

    @Test func everyCallWithAWrongSecretIsRefused() async throws {
        let moto = try await MotoServer.shared.endpoint()
        let (good, bucket) = try await makeBucket(moto)
        try await good.putObject(bucket: bucket, key: "k", body: [1])
        let s3 = S3Client(configuration: try moto.wronglySignedConfiguration(), httpClient: HTTPClient())

        var errors: [AWSError] = []
        do { try await s3.createBucket(uniqueName("never")) } catch { errors.append(error) }
        do { try await s3.putObject(bucket: bucket, key: "k", body: [2]) } catch { errors.append(error) }
        do {
            let source = PatternBodySource(length: 1000)
            try await s3.putObject(bucket: bucket, key: "k", source: source, length: source.length)
        } catch { errors.append(error) }
        do { _ = try await s3.getObject(bucket: bucket, key: "k") } catch { errors.append(error) }
        do { _ = try await s3.getObject(bucket: bucket, key: "k", streamingTo: CollectingSink()) } catch {
            errors.append(error)
        }
        do { _ = try await s3.headObject(bucket: bucket, key: "k") } catch { errors.append(error) }
        do { try await s3.deleteObject(bucket: bucket, key: "k") } catch { errors.append(error) }
        do { _ = try await s3.deleteObjects(bucket: bucket, keys: ["k"]) } catch { errors.append(error) }
        do { _ = try await s3.listObjectsV2(bucket: bucket) } catch { errors.append(error) }

        #expect(errors.count == 9)
        for error in errors {
            #expect(error.code == .serviceError)
            #expect(error.statusCode == 403)
            // A HEAD answer has no body, so S3 (and the SDKs) can only say Forbidden.
            #expect(
                ["SignatureDoesNotMatch", "Forbidden"].contains(error.serviceCode ?? ""), "\(String(reflecting: error))"
            )
        }
        #expect(try await good.getObject(bucket: bucket, key: "k").body == [1])
    }

    @Test func streamsATwentyMegabyteObjectUpAndDown() async throws {
        let moto = try await MotoServer.shared.endpoint()
        let (s3, bucket) = try await makeBucket(moto)
        let length: Int64 = 20 << 20
        let source = PatternBodySource(length: length)
        let sink = DigestingSink()

        try await s3.putObject(
            bucket: bucket, key: "state/terraform.tfstate", source: source, length: length,
            contentType: "application/octet-stream")
        let metadata = try await s3.getObject(bucket: bucket, key: "state/terraform.tfstate", streamingTo: sink)

        #expect(metadata.contentLength == length)
        #expect(sink.byteCount == length)
        #expect(sink.digest == PatternBodySource.sha256(length: length))
        #expect(source.largestChunk <= 1 << 20)
        #expect(sink.largestChunk <= 1 << 20)
    }

    @Test func streamsAnObjectToAFileAndBack() async throws {
        let moto = try await MotoServer.shared.endpoint()
        let (s3, bucket) = try await makeBucket(moto)
        let folder = try AWSTestPaths.temporaryFolder("s3-file")
        defer { try? FileManager.default.removeItem(at: folder) }
        let upload = folder.appendingPathComponent("up.log").path
        let download = folder.appendingPathComponent("down.log").path
        let content = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try content.write(to: URL(fileURLWithPath: upload))

        let source = try FileBodySource(path: upload)
        try await s3.putObject(bucket: bucket, key: "logs/deploy.log", source: source, length: source.length)
        let sink = try FileBodySink(path: download)
        _ = try await s3.getObject(bucket: bucket, key: "logs/deploy.log", streamingTo: sink)

        #expect(sink.byteCount == Int64(content.count))
        #expect(try Data(contentsOf: URL(fileURLWithPath: download)) == content)
    }
}
