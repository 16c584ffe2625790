import Hummingbird
import HummingbirdTesting
import Testing
import Web

/// Routes see the client's address through the context.
@Test func contextCarriesTheClientAddress() async throws {
    let router = Router(context: WebRequestContext.self)
    router.get("/ip") { _, context in context.clientIP }
    let app = Application(router: router)
    try await app.test(.live) { client in
        try await client.execute(uri: "/ip", method: .get) { response in
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "127.0.0.1")
        }
    }
}
