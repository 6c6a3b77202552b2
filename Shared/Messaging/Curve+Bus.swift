import ZeroMQ

/// The binding side's CURVE settings: its secret key. (Which client keys may connect is the ZAP
/// handler's business; see the security issue.)
public struct CurveServer: Sendable {
    public var secretKey: String
    public init(secretKey: String) { self.secretKey = secretKey }
    func apply(to socket: ZMQSocket) throws { try socket.makeCurveServer(secretKey: secretKey) }
}

/// The connecting side's CURVE settings: the server's public key and its own key pair.
/// A subscriber uses one per source, with the source's public key and its own keys.
public struct CurveClient: Sendable {
    public var serverPublicKey: String
    public var keys: CurveKeyPair
    public init(serverPublicKey: String, keys: CurveKeyPair) {
        self.serverPublicKey = serverPublicKey
        self.keys = keys
    }
    func apply(to socket: ZMQSocket) throws { try socket.makeCurveClient(serverPublicKey: serverPublicKey, keys: keys) }
}
