import Foundation
import Testing
import ZeroMQ

@Suite("libzmq wrapper")
struct ZeroMQTests {
    @Test("PUB/SUB over tcp on a port chosen by the OS, read back from the socket")
    func pubSub() throws {
        let context = try ZMQContext()
        defer { context.close() }
        let pub = try ZMQSocket(context: context, type: .pub)
        try pub.bind("tcp://127.0.0.1:*")
        let endpoint = pub.lastEndpoint
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
        let sub = try ZMQSocket(context: context, type: .sub)
        try sub.subscribe("a/")
        try sub.connect(endpoint)
        defer { sub.close(); pub.close() }
        // The slow-joiner problem: keep publishing until the subscription has reached PUB.
        var received: [[UInt8]]?
        for _ in 0..<200 where received == nil {
            try pub.send([Array("b/skip".utf8), [1]])
            try pub.send([Array("a/x".utf8), Array("hello".utf8), []])
            var poller = ZMQPoller()
            poller.add(.socket(sub))
            if try !poller.poll(timeoutMilliseconds: 20).isEmpty { received = try sub.receive() }
        }
        #expect(received == [Array("a/x".utf8), Array("hello".utf8), []])
    }

    @Test("DEALER/ROUTER round trip carries the identity frame")
    func dealerRouter() throws {
        let context = try ZMQContext()
        defer { context.close() }
        let router = try ZMQSocket(context: context, type: .router)
        try router.bind("tcp://127.0.0.1:*")
        let dealer = try ZMQSocket(context: context, type: .dealer)
        try dealer.connect(router.lastEndpoint)
        defer { dealer.close(); router.close() }
        try dealer.send([Array("STATUS".utf8)], dontWait: false)
        let request = try #require(try router.receive(dontWait: false))
        #expect(request.count == 2)
        #expect(request[1] == Array("STATUS".utf8))
        try router.send([request[0], Array("OK".utf8)], dontWait: false)
        #expect(try dealer.receive(dontWait: false) == [Array("OK".utf8)])
        #expect(try dealer.receive(dontWait: true) == nil)
    }

    @Test("socket options are set and read back")
    func options() throws {
        let context = try ZMQContext()
        defer { context.close() }
        let pub = try ZMQSocket(context: context, type: .pub)
        defer { pub.close() }
        pub.sendHighWaterMark = 250_000
        #expect(pub.sendHighWaterMark == 250_000)
    }

    @Test("CURVE key pairs are Z85 text whose public half derives from the secret")
    func curveKeys() throws {
        let pair = try CurveKeyPair.generate()
        #expect(pair.publicKey.count == 40)
        #expect(pair.secretKey.count == 40)
        #expect(try CurveKeyPair.publicKey(forSecret: pair.secretKey) == pair.publicKey)
        #expect(Z85.decode(pair.publicKey)?.count == 32)
    }

    @Test("Z85 matches the RFC 32 test vector")
    func z85() {
        let bytes: [UInt8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
        #expect(Z85.encode(bytes) == "HelloWorld")
        #expect(Z85.decode("HelloWorld") == bytes)
        #expect(Z85.encode([1, 2, 3]) == nil)
    }

    @Test("CURVE-encrypted PUB/SUB delivers to a client that knows the server key")
    func curvePubSub() throws {
        let context = try ZMQContext()
        defer { context.close() }
        let server = try CurveKeyPair.generate()
        let client = try CurveKeyPair.generate()
        let pub = try ZMQSocket(context: context, type: .pub)
        try pub.makeCurveServer(secretKey: server.secretKey)
        try pub.bind("tcp://127.0.0.1:*")
        let sub = try ZMQSocket(context: context, type: .sub)
        try sub.makeCurveClient(serverPublicKey: server.publicKey, keys: client)
        try sub.subscribe("")
        try sub.connect(pub.lastEndpoint)
        defer { sub.close(); pub.close() }
        var received: [[UInt8]]?
        for _ in 0..<200 where received == nil {
            try pub.send([Array("secret".utf8)])
            var poller = ZMQPoller()
            poller.add(.socket(sub))
            if try !poller.poll(timeoutMilliseconds: 20).isEmpty { received = try sub.receive() }
        }
        #expect(received == [Array("secret".utf8)])
    }
}
