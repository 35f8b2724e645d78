import Testing

@testable import KloudCore

@Suite("Pagination")
struct AWSPaginationTests {
    @Test func followsTokensToTheLastPage() async throws {
        let pages = try await AWSPagination.allPages(service: "Test") { token throws(AWSError) in
            switch token {
            case nil: (1, "a")
            case "a": (2, "b")
            default: (3, nil)
            }
        }

        #expect(pages == [1, 2, 3])
    }

    @Test func treatsAnEmptyTokenAsTheEnd() async throws {
        let pages = try await AWSPagination.allPages(service: "Test") { _ throws(AWSError) in (1, "") }

        #expect(pages == [1])
    }

    @Test func stopsAtTheBound() async throws {
        let error = try await #require(throws: AWSError.self) {
            try await AWSPagination.allPages(service: "Test", maximumPages: 4) { token throws(AWSError) in
                (0, (token ?? "") + "x")
            }
        }

        #expect(error.code == .paginationLimitExceeded)
    }

    @Test func stopsOnARepeatedToken() async throws {
        let error = try await #require(throws: AWSError.self) {
            try await AWSPagination.allPages(service: "Test") { _ throws(AWSError) in (0, "same") }
        }

        #expect(error.code == .paginationLimitExceeded)
    }
}
