import Foundation
import CZeroMQ

/// CURVE key pairs in Z85 text (40 characters each), as libzmq's `zmq_curve_keypair` makes them.
public struct CurveKeyPair: Sendable, Equatable {
    public let publicKey: String
    public let secretKey: String

    public init(publicKey: String, secretKey: String) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// A fresh key pair. Throws when libzmq was built without libsodium/tweetnacl (ENOTSUP).
    public static func generate() throws -> CurveKeyPair {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicKey, &secretKey) == 0 else {
            throw ZMQError(operation: "zmq_curve_keypair")
        }
        return CurveKeyPair(
            publicKey: String(decoding: publicKey.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self),
            secretKey: String(decoding: secretKey.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        )
    }

    /// The public key that belongs to a Z85 secret key.
    public static func publicKey(forSecret secret: String) throws -> String {
        var publicKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&publicKey, secret) == 0 else { throw ZMQError(operation: "zmq_curve_public") }
        return String(decoding: publicKey.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Z85 (ZeroMQ RFC 32) encoding, through libzmq.
public enum Z85 {
    /// Encodes bytes whose count is a multiple of 4.
    public static func encode(_ bytes: [UInt8]) -> String? {
        guard bytes.count % 4 == 0 else { return nil }
        var out = [CChar](repeating: 0, count: bytes.count * 5 / 4 + 1)
        guard zmq_z85_encode(&out, bytes, bytes.count) != nil else { return nil }
        return String(decoding: out.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Decodes text whose length is a multiple of 5.
    public static func decode(_ text: String) -> [UInt8]? {
        guard text.utf8.count % 5 == 0 else { return nil }
        var out = [UInt8](repeating: 0, count: text.utf8.count * 4 / 5)
        guard zmq_z85_decode(&out, text) != nil else { return nil }
        return out
    }
}

extension ZMQSocket {
    /// Makes this socket a CURVE server (binding side) with its secret key.
    public func makeCurveServer(secretKey: String) throws {
        try setOption(ZMQ_CURVE_SERVER, 1)
        try setOption(ZMQ_CURVE_SECRETKEY, secretKey)
    }

    /// Makes this socket a CURVE client of a server whose public key is known.
    public func makeCurveClient(serverPublicKey: String, keys: CurveKeyPair) throws {
        try setOption(ZMQ_CURVE_SERVERKEY, serverPublicKey)
        try setOption(ZMQ_CURVE_PUBLICKEY, keys.publicKey)
        try setOption(ZMQ_CURVE_SECRETKEY, keys.secretKey)
    }
}
