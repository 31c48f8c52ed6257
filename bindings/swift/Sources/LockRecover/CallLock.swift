#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The lock of one C object (a session, a vault, a simulated lock): the
/// library is neither thread-safe per object nor re-entrant. A call from
/// another thread waits; a call from the thread already inside (a transport
/// callback calling into the object whose call runs it) throws
/// ``LockRecoverError/reentered(_:)`` instead of entering the library twice.
///
/// A recursive mutex, so the owning thread gets in and sees `depth > 0`;
/// `depth` is only touched with the mutex held.
final class CallLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var depth = 0
    let what: String

    init(_ what: String) {
        self.what = what
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        var attr = pthread_mutexattr_t()
        pthread_mutexattr_init(&attr)
        pthread_mutexattr_settype(&attr, Int32(PTHREAD_MUTEX_RECURSIVE))
        pthread_mutex_init(mutex, &attr)
        pthread_mutexattr_destroy(&attr)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs @p body holding the lock; throws on re-entry from the owning thread.
    func enter<R>(_ body: () throws -> R) throws -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if depth > 0 {
            throw LockRecoverError.reentered("the \(what) is in a call: a transport callback must not call into it")
        }
        depth += 1
        defer { depth -= 1 }
        return try body()
    }

    /// Runs @p body holding the lock, re-entry allowed (reading plain state).
    func read<R>(_ body: () -> R) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }
}
