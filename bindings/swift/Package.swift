// swift-tools-version:5.9
// The Swift binding of liblockrecover. No outside dependencies: it links the
// installed C library, found through pkg-config (`lockrecover`).
import PackageDescription

let package = Package(
    name: "LockRecover",
    products: [
        .library(name: "LockRecover", targets: ["LockRecover"]),
    ],
    targets: [
        .systemLibrary(
            name: "CLockRecover",
            path: "Sources/CLockRecover",
            pkgConfig: "lockrecover",
            providers: [.apt(["liblockrecover-dev"]), .brew(["lockrecover"])]
        ),
        .target(
            name: "LockRecover",
            dependencies: ["CLockRecover"],
            path: "Sources/LockRecover"
        ),
        .testTarget(
            name: "LockRecoverTests",
            dependencies: ["LockRecover"],
            path: "Tests/LockRecoverTests"
        ),
    ]
)
