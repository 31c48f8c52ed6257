import Testing
import CLockRecover
import LockRecover

/// A lock whose code writes are dropped (the write "succeeds", nothing changes).
final class DroppingCodeLock: FakeLock, CodeReadingTransport, CodeWritingTransport {
    override func writeCode(_ code: Code) throws {}
}

struct RandomFailed: Error, Equatable {}

/// What 1.1 added: person-facing text, the vault's random source, one-slot
/// restore, `LKR_E_REENTRANT`, the codes_noted guard.
@Suite struct Version11Tests {
    func entries() throws -> [PersonText] {
        var out: [PersonText] = []
        for id in 1...UInt32(CatalogCounts.current.steps) { out.append(try Step(rawValue: id).personText) }
        for g in Guard.allCases { out.append(try g.personText) }
        for c in Cause.allCases { out.append(try c.personText) }
        for q in Question.allCases { out.append(try q.personText) }
        for t in Tier.allCases { out.append(try t.personText) }
        for s in Symptom.allCases { out.append(try s.personText) }
        return out
    }

    @Test func everyEntryHasPersonText() throws {
        let all = try entries()
        #expect(all.count == CatalogCounts.current.steps + Guard.allCases.count + Cause.allCases.count
                + Question.allCases.count + Tier.allCases.count + Symptom.allCases.count)
        for t in all {
            #expect(!t.title.isEmpty, "\(t.kind) \(t.id)")
            #expect(try PersonText(kind: t.kind, id: t.id) == t)
            for field in [t.title, t.text, t.resume, t.cannot, t.watch, t.remains].compactMap({ $0 }) {
                #expect(!field.contains("_") && !field.contains("%"), "\(field)")
            }
            if t.kind != .question { #expect(t.choices.isEmpty) }
        }
        for g in Guard.allCases { #expect(try g.personText.title.hasSuffix("?")) }
        #expect(try Tier.repair.personText.kind == .tier)
        #expect(try Symptom.unknown.personText.id == 0)
    }

    @Test func questionsOfferTheirAnswers() throws {
        let withChoices = try Question.allCases.map { try $0.personText }.filter { !$0.choices.isEmpty }
        #expect(!withChoices.isEmpty)
        for t in withChoices {
            #expect(t.choices.allSatisfy { !$0.label.isEmpty })
            #expect(Set(t.choices.map(\.label)).count == t.choices.count)
        }
    }

    @Test func personTextErrors() throws {
        #expect(throws: LockRecoverError.outOfRange) { try PersonText(kind: .step, id: 10_000) }
        #expect(throws: LockRecoverError.outOfRange) { try PersonText(kind: .guard, id: 0) }
    }

    @Test func codesNotedGuard() throws {
        #expect(Guard.codesNoted.rawValue == LKR_GUARD_CODES_NOTED.rawValue)
        #expect(Guard.codesNoted.sid == "codes_noted")
        #expect(try Guard(sid: "codes_noted") == .codesNoted)
        #expect(Guard.allCases.count == CatalogCounts.current.guards)
    }

    @Test func aVaultKeyedByTheHostsSource() throws {
        let lock = FakeCodeLock()
        var asked: [Int] = []
        let a = try Vault { buf in
            asked.append(buf.count)
            for i in buf.indices { buf[i] = UInt8(i) }
        }
        let b = try Vault { buf in for i in buf.indices { buf[i] = UInt8(i) } }
        let c = try Vault { buf in for i in buf.indices { buf[i] = UInt8(i + 7) } }
        let d = try Vault()
        for v in [a, b, c, d] { try v.backup(using: lock) }
        #expect(asked == [32])
        #expect(try a.status().digest == b.status().digest)
        #expect(try a.status().digest != c.status().digest)
        #expect(try a.status().digest != d.status().digest)
        #expect(try a.status().verified && a.status().count == 3)
        #expect(throws: RandomFailed()) { _ = try Vault { _ in throw RandomFailed() } }
        #expect(throws: LockRecoverError.transport) { _ = try Vault { buf in buf = [1, 2, 3] } }
    }

    @Test func restoreSlotPutsOneCodeBack() throws {
        let lock = FakeCodeLock()
        let v = try Vault()
        #expect(throws: LockRecoverError.state) { _ = try v.restoreSlot(1, using: lock) }
        try v.backup(using: lock)
        lock.stored.removeAll { $0.slot == 1 }
        lock.stored[1].pin = "11111"
        #expect(try v.restoreSlot(1, using: lock))
        #expect(lock.stored.first { $0.slot == 1 }?.pin == "2468")
        #expect(lock.stored.first { $0.slot == 2 }?.pin == "11111", "only the slot asked for is written")
        #expect(throws: LockRecoverError.notFound) { _ = try v.restoreSlot(7, using: lock) }

        let dropping = DroppingCodeLock()
        let w = try Vault()
        try w.backup(using: dropping)
        dropping.stored.removeAll { $0.slot == 0 }
        #expect(try w.restoreSlot(0, using: dropping) == false)
    }

    @Test func theReportSaysWhatTheCodesStoodOn() throws {
        let s = try Session(profile: zwaveProfile(), observations: zwaveSeen(), transport: FakeLock())
        let codes = try s.reportJSON().codes
        #expect(!codes.vault && !codes.verified && !codes.hostRecords)
        #expect(codes.evidence == .none && codes.onLock == nil && codes.unknown == nil)

        let lock = FakeCodeLock()
        let t = try Session(profile: zwaveProfile(), observations: zwaveSeen(), transport: lock)
        let v = try Vault()
        try t.attach(vault: v)
        try v.record(Code(slot: 1, kind: .user, name: "alice", pin: "2468"))
        let held = try t.reportJSON().codes
        #expect(held.vault && held.count == 1)
        #expect([Report.CodesEvidence.hostRecords, .none].contains(held.evidence))
    }

    @Test func theReentrantStatusIsAReentrancyError() throws {
        let e = try #require(LockRecoverError(status: LKR_E_REENTRANT))
        #expect(e == .reentrant && e.status == -15 && e.name == "LKR_E_REENTRANT")
        #expect(e.isReentrancy && LockRecoverError.reentered("session").isReentrancy)
        #expect(!LockRecoverError.state.isReentrancy)
        #expect(e.description == String(cString: lkr_strerror(-15)))
    }
}
