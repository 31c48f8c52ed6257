// swift-tools-version:5.9
// libsmartlock-recover as a Swift package: add this repository by URL (or by
// path) and SwiftPM builds the C library from lib/ and include/ itself, so an
// iOS, macOS or Linux app needs nothing installed. The C target compiles every
// lib/*.c (SwiftPM takes the whole folder): its directory,
// bindings/swift/CLockRecover, holds only the links lib -> ../../../lib and
// include -> ../../../include, so SwiftPM looks at those two folders and not
// at the whole checkout (build trees included). The Swift binding lives in
// bindings/swift.
import PackageDescription

let package = Package(
    name: "LockRecover",
    products: [
        .library(name: "LockRecover", targets: ["LockRecover"]),
    ],
    targets: [
        // The C library, built from source. The public headers are include/
        // (SwiftPM makes them a Clang module named CLockRecover); lib/ holds
        // the private ones.
        .target(
            name: "CLockRecover",
            path: "bindings/swift/CLockRecover",
            // The linker version script is for the shared library CMake builds;
            // lib/hooks holds the test and benchmark seams, never in a host's library.
            exclude: ["lib/lockrecover.map", "lib/hooks"],
            sources: ["lib"],
            publicHeadersPath: "include",
            cSettings: [
                .headerSearchPath("lib"),
                .define("LKR_BUILDING_LIBRARY"),
            ]
        ),
        .target(
            name: "LockRecover",
            dependencies: ["CLockRecover"],
            path: "bindings/swift/Sources/LockRecover"
        ),
        .testTarget(
            name: "LockRecoverTests",
            dependencies: ["LockRecover"],
            path: "bindings/swift/Tests/LockRecoverTests"
        ),
    ],
    cLanguageStandard: .c99
)
