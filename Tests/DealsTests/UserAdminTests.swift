import Foundation
import Testing

/// The users and tokens HTTP API is ServiceKit's and the same on every service; pacer-deals hosts it here.
@Suite("Users and tokens over HTTP (every service)")
struct UserAdminTests {
    @Test("an admin adds a user, issues and registers tokens that work, and revokes them; nobody else may")
    func usersAndTokens() async throws {
        let deals = try await DealsHarness.start()
        defer { deals.dir.remove() }
        _ = try await deals.seed()
        let added = try await deals.call("PUT", "/admin/users/vera", json: ["name": "Вера", "role": "manager", "managerId": "m2"])
        #expect(added.status == 200)
        #expect(added.json["role"] as? String == "manager")
        let issued = try await deals.call("POST", "/admin/users/vera/tokens", json: ["label": "phone"])
        #expect(issued.status == 201)
        let token = try #require(issued.json["token"] as? String)
        #expect(token.hasPrefix("pct_"))
        #expect(try await deals.call("GET", "/deals", as: token).status == 200)

        // One person, one token: a token made elsewhere is registered, and then it works here.
        let shared = "pct_" + String(repeating: "ab", count: 32)
        #expect(try await deals.call("POST", "/admin/users/vera/tokens", json: ["token": shared]).status == 201)
        #expect(try await deals.call("POST", "/admin/users/vera/tokens", json: ["token": shared]).status == 201)
        #expect(try await deals.call("GET", "/deals", as: shared).status == 200)
        let stolen = try await deals.call("POST", "/admin/users/head/tokens", json: ["token": shared])
        #expect(stolen.status == 409)
        #expect(stolen.json["field"] as? String == "token")
        #expect(try await deals.call("POST", "/admin/users/vera/tokens", json: ["token": "short"]).json["field"] as? String == "token")
        #expect(try await deals.call("POST", "/admin/users/nobody/tokens", json: [:]).status == 404)
        #expect(try await deals.call("PUT", "/admin/users/x", json: ["name": "X", "role": "manager"]).json["field"] as? String == "managerId")
        #expect(try await deals.call("PUT", "/admin/users/x", json: ["name": "X", "role": "boss"]).json["field"] as? String == "role")

        #expect(try await deals.call("PUT", "/admin/users/vera", as: "head", json: ["name": "Вера", "role": "admin"]).status == 403)
        #expect(try await deals.call("POST", "/admin/users/vera/tokens", as: "anna", json: [:]).status == 403)
        #expect(try await deals.call("PUT", "/admin/users/admin", json: ["name": "A", "role": "manager", "managerId": "m1"]).status == 409)
        #expect(try await deals.call("DELETE", "/admin/users/admin/tokens").status == 409)

        let revoked = try await deals.call("DELETE", "/admin/users/vera/tokens")
        #expect(revoked.json["revoked"] as? String == "2")
        #expect(try await deals.call("GET", "/deals", as: token).status == 401)
        #expect(try await deals.call("GET", "/deals", as: shared).status == 401)
        await deals.stop()
    }
}
