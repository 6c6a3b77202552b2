// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Pacer",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "pacer-deals", targets: ["DealsMain"]),
        .executable(name: "pacer-telephony", targets: ["TelephonyMain"]),
        .executable(name: "pacer-accounting", targets: ["AccountingMain"]),
        .executable(name: "pacer-kpi", targets: ["KPIMain"]),
        .executable(name: "pacer-notifications", targets: ["NotificationsMain"]),
        .executable(name: "pacer-bench", targets: ["PacerBench"]),
        .executable(name: "pacer-demo", targets: ["PacerDemo"]),
        .executable(name: "pacer-fuzz", targets: ["PacerFuzz"]),
        .executable(name: "pacer-bus", targets: ["BusTool"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
    ],
    targets: [
        // MARK: Shared
        .systemLibrary(name: "CZeroMQ", path: "Shared/CZeroMQ"),
        .systemLibrary(name: "CSQLiteConfig", path: "Shared/CSQLiteConfig"),
        .systemLibrary(name: "CJemalloc", path: "Shared/CJemalloc"),
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"], path: "Shared/ZeroMQ"),
        .target(name: "Contracts", path: "Shared/Contracts"),
        .target(
            name: "Storage",
            dependencies: [
                "Contracts", "CSQLiteConfig",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            path: "Shared/Storage"
        ),
        .target(
            name: "Messaging",
            dependencies: [
                "Contracts", "Storage", "ZeroMQ",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Shared/Messaging"
        ),
        .target(
            name: "ServiceKit",
            dependencies: [
                "Contracts", "Storage", "Messaging", "ZeroMQ", "CJemalloc",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Shared/ServiceKit"
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "Contracts", "Storage", "Messaging", "ZeroMQ",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/TestSupport"
        ),
        .target(
            name: "ServiceTestSupport",
            dependencies: [
                "Contracts", "Storage", "Messaging", "ServiceKit", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Shared/ServiceTestSupport"
        ),
        .executableTarget(
            name: "PacerFuzz",
            dependencies: ["Accounting", "Telephony", "Contracts", "Messaging", "ServiceKit"],
            path: "Shared/PacerFuzz"
        ),
        .executableTarget(
            name: "PacerDemo",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            path: "Shared/PacerDemo"
        ),
        .executableTarget(
            name: "PacerBench",
            dependencies: [
                "Contracts", "Storage", "Messaging", "ZeroMQ", "TestSupport", "Telephony", "Deals", "Accounting", "Notifications",
                "KPI", "ServiceKit", "ServiceTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Shared/PacerBench"
        ),

        .executableTarget(
            name: "BusTool",
            dependencies: [
                "Contracts", "Storage", "Messaging", "ZeroMQ", "TestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/BusTool"
        ),

        // MARK: Services
        .target(
            name: "Deals",
            dependencies: [
                "Contracts", "Storage", "Messaging", "ServiceKit",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Services/Deals",
            exclude: ["Main", "openapi.yaml"]
        ),
        .executableTarget(
            name: "DealsMain",
            dependencies: [
                "Deals", "ServiceKit", "Storage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Services/Deals/Main"
        ),

        .target(
            name: "Telephony",
            dependencies: [
                "Contracts", "Storage", "Messaging", "ServiceKit",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Services/Telephony",
            exclude: ["Main", "openapi.yaml"]
        ),
        .executableTarget(
            name: "TelephonyMain",
            dependencies: [
                "Telephony", "ServiceKit", "Storage", "Contracts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Services/Telephony/Main"
        ),

        .target(
            name: "Accounting",
            dependencies: [
                "Contracts", "Storage", "Messaging", "ServiceKit",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Services/Accounting",
            exclude: ["Main", "openapi.yaml"]
        ),
        .executableTarget(
            name: "AccountingMain",
            dependencies: [
                "Accounting", "ServiceKit", "Storage", "Contracts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Services/Accounting/Main"
        ),

        .target(
            name: "KPI",
            dependencies: [
                "Contracts", "Storage", "Messaging", "ServiceKit",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Services/KPI",
            exclude: ["Main", "openapi.yaml"]
        ),
        .executableTarget(
            name: "KPIMain",
            dependencies: [
                "KPI", "ServiceKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Services/KPI/Main"
        ),

        .target(
            name: "Notifications",
            dependencies: [
                "Contracts", "Storage", "Messaging", "ServiceKit",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Services/Notifications",
            exclude: ["Main", "openapi.yaml"]
        ),
        .executableTarget(
            name: "NotificationsMain",
            dependencies: [
                "Notifications", "ServiceKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Services/Notifications/Main"
        ),

        // MARK: Tests
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"], path: "Tests/ZeroMQTests"),
        .testTarget(
            name: "ContractsTests",
            dependencies: ["Contracts"],
            path: "Tests/ContractsTests",
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "MessagingTests",
            dependencies: [
                "Messaging", "Storage", "Contracts", "ZeroMQ", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Tests/MessagingTests"
        ),
        .testTarget(
            name: "DealsTests",
            dependencies: [
                "Deals", "ServiceKit", "Storage", "Messaging", "Contracts", "TestSupport", "ServiceTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Tests/DealsTests"
        ),
        .testTarget(
            name: "TelephonyTests",
            dependencies: [
                "Telephony", "Deals", "ServiceKit", "Storage", "Messaging", "Contracts", "TestSupport", "ServiceTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Tests/TelephonyTests"
        ),
        .testTarget(
            name: "AccountingTests",
            dependencies: [
                "Accounting", "Deals", "ServiceKit", "Storage", "Messaging", "Contracts", "TestSupport", "ServiceTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/AccountingTests",
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "KPITests",
            dependencies: [
                "KPI", "Deals", "Telephony", "Accounting", "ServiceKit", "Storage", "Messaging", "Contracts", "TestSupport", "ServiceTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Tests/KPITests"
        ),
        .testTarget(
            name: "NotificationsTests",
            dependencies: [
                "Notifications", "ServiceKit", "Storage", "Messaging", "Contracts", "TestSupport", "ServiceTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Tests/NotificationsTests",
            exclude: ["Support"]
        ),
        .testTarget(
            name: "ServiceKitTests",
            dependencies: [
                "ServiceKit", "TestSupport", "ZeroMQ", "Messaging", "CJemalloc",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Tests/ServiceKitTests"
        ),
    ]
)
