import CLockRecover

/// What a ``PersonText`` describes (`lkr_text_kind`).
public enum TextKind: UInt32, CaseIterable, Sendable {
    case step = 1, `guard` = 2, cause = 3, question = 4, tier = 5, symptom = 6
}

/// One answer a person may pick for a question (`lkr_person_choice`).
public struct PersonChoice: Equatable, Hashable, Sendable {
    /// What the person reads.
    public let label: String
    /// The value to answer with.
    public let value: Int32
}

/// The person-facing text of one catalog entry (`lkr_person_text_get`,
/// since 1.1): plain words for a wizard's screen, no string id and no
/// internal term. The catalog titles stay the technical English for logs and
/// support. Fields the kind does not use are `nil` (`choices` empty).
public struct PersonText: Equatable, Hashable, Sendable {
    /// What it describes.
    public let kind: TextKind
    /// The entry's id within its kind.
    public let id: UInt32
    /// Step: what to do, one line. Guard: a yes/no question to the person.
    /// Cause: a plain name. Question: the question. Tier: the stage's plain
    /// name. Symptom: what it looks like.
    public let title: String
    /// Step: how to do it (a timed step: its first part). Guard: how to make
    /// it hold. Cause, tier: one sentence. Question: a hint.
    public let text: String?
    /// Step with a timed part: what to do when the time is up.
    public let resume: String?
    /// Step: the next best route for a person who cannot do it. Guard: why
    /// the step is left out when it cannot hold.
    public let cannot: String?
    /// Step or cause: what to keep an eye on once the lock is back.
    public let watch: String?
    /// Step: what is still wrong when this step brought the lock back.
    public let remains: String?
    /// Question: its answers, in display order.
    public let choices: [PersonChoice]

    /// The text of entry @p id of @p kind. Throws
    /// ``LockRecoverError/outOfRange`` for an unknown id,
    /// ``LockRecoverError/unsupported`` in a library built without text.
    public init(kind: TextKind, id: UInt32) throws {
        var t = sized(lkr_person_text.init) { $0.struct_size = $1 }
        try check(lkr_person_text_get(kind.rawValue, id, &t))
        self.kind = TextKind(rawValue: t.kind) ?? kind
        self.id = t.id
        title = string(t.title) ?? ""
        text = string(t.text)
        resume = string(t.resume)
        cannot = string(t.cannot)
        watch = string(t.watch)
        remains = string(t.remains)
        let count = Int(t.choice_count)
        choices = t.choices.map { c in
            (0..<count).map { PersonChoice(label: string(c[$0].label) ?? "", value: c[$0].value) }
        } ?? []
    }
}

public extension Step {
    /// The person-facing text of this step.
    var personText: PersonText { get throws { try PersonText(kind: .step, id: rawValue) } }
}

public extension Guard {
    /// The person-facing text of this guard (a yes/no question).
    var personText: PersonText { get throws { try PersonText(kind: .guard, id: rawValue) } }
}

public extension Cause {
    /// The person-facing text of this cause.
    var personText: PersonText { get throws { try PersonText(kind: .cause, id: rawValue) } }
}

public extension Question {
    /// The person-facing text of this question, with its answers.
    var personText: PersonText { get throws { try PersonText(kind: .question, id: rawValue) } }
}

public extension Tier {
    /// The person-facing text of this stage.
    var personText: PersonText { get throws { try PersonText(kind: .tier, id: rawValue) } }
}

public extension Symptom {
    /// The person-facing text of this symptom.
    var personText: PersonText { get throws { try PersonText(kind: .symptom, id: rawValue) } }
}
