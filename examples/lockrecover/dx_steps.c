/*
 * lockrecover diagnose: the session's prompts (its questions, each step and
 * the timed parts of it, "does it work now", what a risky step needs) in the
 * catalog's person-facing words, the waits, and the ending.
 */
#include "dx.h"

#include <string.h>
#include <time.h>

static int next_action(dx *x, lkr_action *a)
{
    lkr_status st = lkr_session_next(x->s, a);
    return st == LKR_OK ? 0 : cli_error("diagnose", "session error", lkr_strerror(st));
}

static lkr_person_text ptext(uint32_t kind, uint32_t id)
{
    lkr_person_text t = LKR_PERSON_TEXT_INIT;
    if (lkr_person_text_get(kind, id, &t) != LKR_OK) {
        lkr_person_text none = LKR_PERSON_TEXT_INIT;
        none.title = "(no text)";
        return none;
    }
    return t;
}

static int report(dx *x, uint32_t step, uint32_t outcome)
{
    lkr_status st = lkr_session_report(x->s, step, outcome);
    return st == LKR_OK ? 0 : cli_error("diagnose", "the answer was refused", lkr_strerror(st));
}

static int update_involved(const dx *x)
{
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    uint32_t u = LKR_UPDATE_UNKNOWN;
    if (lkr_session_beliefs(x->s, &d) == LKR_OK) {
        u = (d.evidence >> LKR_EVIDENCE_UPDATE_REPORTED_OK) & 1u ? LKR_UPDATE_REPORTED_OK
          : (d.evidence >> LKR_EVIDENCE_UPDATE_REPORTED_FAILED) & 1u ? LKR_UPDATE_REPORTED_FAILED
          : u;
    }
    return u != LKR_UPDATE_UNKNOWN || (DX_V(x, CHANGES) & DX_CH_FIRMWARE) != 0;
}

/* "What this looks like" and the best guess, in words, when they change. */
static void show_guess(dx *x)
{
    lkr_session_info info = LKR_SESSION_INFO_INIT;
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    uint32_t shown, cause = 0;
    if (lkr_session_status(x->s, &info) != LKR_OK || lkr_session_beliefs(x->s, &d) != LKR_OK) return;
    if (d.cause_count > 0) cause = d.causes[0].cause;
    shown = info.symptom << 8 | cause;
    if (shown == DX_V(x, SHOWN) || info.symptom == LKR_SYMPTOM_UNKNOWN) return;
    DX_V(x, SHOWN) = shown;
    printf("\nWhat this looks like: %s.\n", ptext(LKR_TEXT_SYMPTOM, info.symptom).title);
    if (cause != 0) printf("Our best guess so far: %s.\n", ptext(LKR_TEXT_CAUSE, cause).title);
    if (x->verbose && cause != 0) {
        printf("  [verbose] symptom %u, top cause %s at %.0f %%\n", (unsigned)info.symptom,
               cli_cause_sid(cause), 100.0 * d.causes[0].p);
    }
}

/* ---- waits ---------------------------------------------------------------- */

static void sleep_ms(unsigned ms)
{
    struct timespec ts;
    ts.tv_sec = (time_t)(ms / 1000u);
    ts.tv_nsec = (long)(ms % 1000u) * 1000000L;
    nanosleep(&ts, NULL);
}

static int do_wait(dx *x, const lkr_action *a)
{
    uint64_t now = dx_now(x), until = a->wait_until_ms, left_s;
    const char *what = a->phase == LKR_PHASE_HOLD ? "keep it that way"
                                                  : "give the lock time to reconnect";
    lkr_status st;
    int rc;

    left_s = until > now ? (until - now + 999u) / 1000u : 0;
    printf("\nNow wait %llu:%02u (%s). The time is counted for you.\n",
           (unsigned long long)(left_s / 60u), (unsigned)(left_s % 60u), what);
    if (x->fast) {
        puts("(LOCKRECOVER_FAST: the clock jumps to the end of the wait.)");
        if (until > x->vclock) x->vclock = until;
    } else {
        uint64_t last_line = left_s + 60u;
        /* Often enough that a kill loses little of a hold, rarely enough
         * that a two-day wait does not wear the disk: 2 s to 60 s. */
        uint64_t every = left_s * 10u < 2000u ? 2000u : left_s * 10u > 60000u ? 60000u : left_s * 10u;
        while ((now = dx_now(x)) < until) {
            left_s = (until - now + 999u) / 1000u;
            if (x->tty_out) {
                printf("\r  %llu:%02u left ", (unsigned long long)(left_s / 60u),
                       (unsigned)(left_s % 60u));
            } else if (last_line >= left_s + 60u || left_s <= 10u) {
                last_line = left_s;
                printf("%llu:%02u left\n", (unsigned long long)(left_s / 60u),
                       (unsigned)(left_s % 60u));
            }
            fflush(stdout);
            /* The remaining time survives a kill or a reboot. */
            if (cli_monotonic_ms() - x->last_save_mono >= every && (rc = dx_save(x)) != 0) {
                return rc;
            }
            sleep_ms((unsigned)((until - now) % 1000u ? (until - now) % 1000u : 1000u));
        }
        puts(x->tty_out ? "\r  time is up.       " : "Time is up.");
    }
    st = lkr_session_tick(x->s);
    return st == LKR_OK || st == LKR_PENDING ? 0 : cli_error("diagnose", "tick failed", lkr_strerror(st));
}

/* ---- which prompt ------------------------------------------------------------ */

static int confirmable(uint32_t g)
{
    return g == LKR_GUARD_ADMIN_CODE_RECORDED || g == LKR_GUARD_PHYSICAL_KEY ||
           g == LKR_GUARD_DOOR_OPEN || g == LKR_GUARD_PHONE_IN_RANGE ||
           g == LKR_GUARD_PREFLIGHT_OK || g == LKR_GUARD_CODES_NOTED;
}

#define CODE_COPY_GUARDS                                                                           \
    (LKR_GUARD_BIT(LKR_GUARD_CODES_BACKED_UP) | LKR_GUARD_BIT(LKR_GUARD_REPAIR_CODES_SAFE))

/* The guards a person can settle for a step blocked on unmet: this tool has
 * no code reader, so a step blocked on the code copy can go ahead on the
 * person's own list of every code and its slot (the person-noted evidence
 * level, docs/ENGINE.md). */
static uint32_t askable(uint32_t unmet)
{
    if (unmet & CODE_COPY_GUARDS) unmet = (unmet & ~CODE_COPY_GUARDS) | LKR_GUARD_BIT(LKR_GUARD_CODES_NOTED);
    return unmet;
}

/* The first guard of mask to ask the person about, after guard 'after'; 0 if
 * none, or if any unmet guard is one only the library can make hold. */
static uint32_t guard_to_ask(uint32_t unmet, uint32_t after)
{
    uint32_t g;
    unmet = askable(unmet);
    for (g = 1; g < 32; g++) {
        if ((unmet & LKR_GUARD_BIT(g)) && !confirmable(g)) return 0;
    }
    for (g = after + 1; g < 32; g++) {
        if (unmet & LKR_GUARD_BIT(g)) return g;
    }
    return 0;
}

static int finish(dx *x, const lkr_action *a);

int dx_next_session_prompt(dx *x, int *final)
{
    lkr_action a = LKR_ACTION_INIT;
    int rc;
    for (;;) {
        if ((rc = next_action(x, &a)) != 0) return rc;
        show_guess(x);
        if (lkr_action_is_final(&a)) {
            *final = 1;
            return finish(x, &a);
        }
        switch (a.kind) {
        case LKR_ACTION_ASK: dx_set_prompt(x, DX_P_ASK, a.question, 0); return 0;
        case LKR_ACTION_PERSON_STEP:
            dx_set_prompt(x, a.phase == LKR_PHASE_RESUME ? DX_P_RESUME : DX_P_STEP, a.step, 0);
            return 0;
        case LKR_ACTION_WAIT:
            if ((rc = dx_save(x)) != 0 || (rc = do_wait(x, &a)) != 0) return rc;
            continue;
        case LKR_ACTION_VERIFY:
            if (a.phase != LKR_PHASE_ASK_PERSON) {
                return cli_error("diagnose", "the session waits for a check this tool cannot do", NULL);
            }
            dx_set_prompt(x, DX_P_VERIFY, a.step, 0);
            return 0;
        case LKR_ACTION_BLOCKED: {
            uint32_t g = guard_to_ask(a.unmet_guards, 0);
            dx_set_prompt(x, g ? DX_P_GUARD : DX_P_BLOCKED, a.step, g);
            return 0;
        }
        default:
            return cli_error("diagnose", "the session waits for the host, which this tool is not", NULL);
        }
    }
}

int dx_prompt_fits(dx *x)
{
    lkr_action a = LKR_ACTION_INIT;
    uint32_t arg = DX_V(x, ARG);
    if (lkr_session_next(x->s, &a) != LKR_OK) return 0;
    switch (DX_V(x, PROMPT)) {
    case DX_P_ASK:
        return a.kind == LKR_ACTION_ASK && a.question == arg &&
               (DX_V(x, STAGE) == 0 || (DX_V(x, STAGE) == 1 && arg == LKR_QUESTION_UPDATE_STATE));
    case DX_P_STEP:
        return a.kind == LKR_ACTION_PERSON_STEP && a.phase != LKR_PHASE_RESUME && a.step == arg &&
               (DX_V(x, STAGE) == 0 || (DX_V(x, STAGE) == 1 && ptext(LKR_TEXT_STEP, arg).cannot));
    case DX_P_RESUME: return a.kind == LKR_ACTION_PERSON_STEP && a.phase == LKR_PHASE_RESUME && a.step == arg;
    case DX_P_VERIFY: return a.kind == LKR_ACTION_VERIFY && a.step == arg && DX_V(x, STAGE) <= 2;
    case DX_P_GUARD:
        return a.kind == LKR_ACTION_BLOCKED && a.step == arg && DX_V(x, STAGE) < 32 &&
               confirmable(DX_V(x, STAGE)) && (askable(a.unmet_guards) & LKR_GUARD_BIT(DX_V(x, STAGE)));
    case DX_P_BLOCKED: return a.kind == LKR_ACTION_BLOCKED && a.step == arg;
    default: return 0;
    }
}

/* ---- questions ------------------------------------------------------------- */

static int ask_number(dx *x, const lkr_person_text *q, int32_t *v)
{
    char line[32];
    uint64_t n = 0;
    int rc = dx_text(x, q->title, q->text, line, sizeof line);
    if (rc != 0) return rc;
    if (line[0] == '\0') {
        *v = LKR_NUM_UNKNOWN;
        return 0;
    }
    if (cli_parse_decimal(line, 1000000u, &n) != 0) {
        puts("Please type a whole number of minutes from 0 to 1000000 (digits only), or just "
             "press Enter.\n");
        return 1;
    }
    *v = (int32_t)n;
    return 0;
}

static int observe_version(dx *x, const char *version)
{
    lkr_observations obs;
    lkr_observations_init(&obs);
    if (strlen(version) >= sizeof obs.fw_now) return 1;
    memcpy(obs.fw_now, version, strlen(version) + 1);
    return lkr_session_observe(x->s, &obs) == LKR_OK ? 0 : 1;
}

static int ask_version(dx *x, const lkr_person_text *q)
{
    char line[LKR_VERSION_TEXT_MAX];
    int rc = dx_text(x, q->title, q->text, line, sizeof line);
    if (rc != 0) return rc;
    DX_V(x, AFTER) |= DX_ASKED_FW_NOW;
    if (line[0] == '\0') {
        lkr_status st = lkr_session_answer(x->s, LKR_QUESTION_FIRMWARE_VERSION, LKR_UNKNOWN);
        if (st != LKR_OK) return cli_error("diagnose", "the answer was refused", lkr_strerror(st));
    } else if (observe_version(x, line) != 0) {
        puts("That version was not accepted: type it exactly as the app shows it.\n");
        return 1;
    }
    dx_set_prompt(x, DX_P_NONE, 0, 0);
    return 0;
}

/* "Don't know" whether an update is involved: is one running right now? */
static int ask_update_followup(dx *x, int32_t *v)
{
    static const char *const labels[] = { "yes, it is still updating",
                                          "no, nothing is updating now", "don't know" };
    size_t k = 0;
    int rc = dx_choose(x, "Open the lock's app and look at the lock: is a software update "
                          "running right now (a progress bar, or \"updating\")?",
                       NULL, labels, 3, &k);
    if (rc != 0) return rc;
    *v = k == 0 ? LKR_UPDATE_IN_PROGRESS
       : k == 1 ? ((DX_V(x, CHANGES) & (DX_CH_FIRMWARE | DX_CH_UNKNOWN)) ? LKR_UPDATE_FINISHED
                                                                      : LKR_UPDATE_NONE)
       : LKR_UPDATE_UNKNOWN;
    return 0;
}

/* The session asks again, after the steps that keep the power on, whether
 * an update that was running has ended: in those words, since the person
 * already said it was running. "Don't know" leaves it running (the session
 * then hands over with the power untouched). */
static int ask_update_again(dx *x, int32_t *v)
{
    static const char *const labels[] = {
        "yes, it is still running (a progress bar, or \"updating\")",
        "it has ended, and the app says it worked",
        "it has ended, but the app says it failed",
        "it is no longer running, but I can't tell how it ended",
        "don't know",
    };
    static const int32_t values[] = { LKR_UPDATE_IN_PROGRESS, LKR_UPDATE_REPORTED_OK,
                                      LKR_UPDATE_REPORTED_FAILED, LKR_UPDATE_FINISHED,
                                      LKR_UPDATE_UNKNOWN };
    size_t k = 0;
    int rc = dx_choose(x, "Look at the lock's app again: is the update still running?",
                       "The batteries stayed in so far, as they must while an update runs.",
                       labels, 5, &k);
    if (rc == 0) *v = values[k];
    return rc;
}

/* The tool's own record of where the update stands, as the session keeps
 * it: "don't know" does not end an update that was running. */
static void note_update(dx *x, int32_t v)
{
    if (v == LKR_UPDATE_UNKNOWN && DX_V(x, UPDATE) == 1u + LKR_UPDATE_IN_PROGRESS) return;
    DX_V(x, UPDATE) = 1u + (uint32_t)v;
}

static int update_running(const dx *x)
{
    return DX_V(x, UPDATE) == 1u + LKR_UPDATE_IN_PROGRESS;
}

static int ask_choice(dx *x, const lkr_person_text *q, int32_t *v, size_t *picked)
{
    const char *labels[16];
    size_t n, k = 0;
    int rc;
    for (n = 0; n < q->choice_count && n < 16; n++) labels[n] = q->choices[n].label;
    if ((rc = dx_choose(x, q->title, q->text, labels, n, &k)) != 0) return rc;
    *v = q->choices[k].value;
    *picked = k;
    return 0;
}

static int answer_ask(dx *x)
{
    uint32_t q = DX_V(x, ARG);
    lkr_person_text t = ptext(LKR_TEXT_QUESTION, q);
    int32_t v = LKR_UNKNOWN;
    size_t k = 0;
    int rc;
    lkr_status st;

    if (q == LKR_QUESTION_FIRMWARE_VERSION) return ask_version(x, &t);
    if (q == LKR_QUESTION_UPDATE_STATE && DX_V(x, STAGE) == 0 && update_running(x)) {
        rc = ask_update_again(x, &v);
    } else if (q == LKR_QUESTION_UPDATE_STATE && DX_V(x, STAGE) == 1) {
        rc = ask_update_followup(x, &v);
    } else if (q == LKR_QUESTION_UPDATE_STALLED_MIN) {
        rc = ask_number(x, &t, &v);
    } else if (t.choice_count > 0) {
        rc = ask_choice(x, &t, &v, &k);
        if (rc == 0 && q == LKR_QUESTION_UPDATE_STATE && v == LKR_UPDATE_UNKNOWN) {
            DX_V(x, STAGE) = 1; /* a follow-up first, before anything cuts power */
            return 0;
        }
    } else {
        return cli_error("diagnose", "the session asked a question this tool does not know", NULL);
    }
    if (rc != 0) return rc;
    if ((st = lkr_session_answer(x->s, q, v)) != LKR_OK) {
        return cli_error("diagnose", "the answer was refused", lkr_strerror(st));
    }
    if (q == LKR_QUESTION_UPDATE_STATE) note_update(x, v);
    dx_set_prompt(x, DX_P_NONE, 0, 0);
    return 0;
}

/* ---- steps ----------------------------------------------------------------- */

static void show_step(const dx *x, uint32_t step, int resume)
{
    lkr_person_text t = ptext(LKR_TEXT_STEP, step);
    cli_sgr(stdout, CLI_CYAN);
    fputs(resume ? "Time is up. " : "Next step: ", stdout);
    cli_sgr_reset(stdout);
    dx_heading(resume ? (t.resume ? t.resume : "Undo what you did for this step now.") : t.title);
    if (!resume && t.text) printf("%s\n", t.text);
    if (x->verbose) printf("  [verbose] step %s\n", cli_step_sid(step));
}

static int timed(uint32_t step)
{
    lkr_step_info si = LKR_STEP_INFO_INIT;
    return lkr_step_get(step, &si) == LKR_OK && si.wait_s > 0;
}

/* Whether step erases every code for sure (a factory reset), rather than
 * perhaps (a re-pair on some models). */
static int erases_all_codes(uint32_t step)
{
    lkr_step_info si = LKR_STEP_INFO_INIT;
    return lkr_step_get(step, &si) == LKR_OK && (si.destroys & LKR_DESTROYS_CODES) != 0;
}

static void warn_codes(uint32_t step)
{
    cli_sgr(stdout, CLI_YELLOW);
    fputs(erases_all_codes(step)
              ? "Warning: a factory reset erases every code. Afterwards you type each one back "
                "in from your list, in its slot."
              : "Warning: this step may erase the lock's codes. Afterwards you try each code at "
                "the keypad and put back any that is gone, from your list.",
          stdout);
    cli_sgr_reset(stdout);
    fputc('\n', stdout);
}

/* The code copy, done by a person: this tool reads no codes, so the copy is
 * the person's written list (confirmed as such, before the step is
 * reported, so the step it was for may go ahead). */
static int noted_if_backup(dx *x, uint32_t step)
{
    lkr_status st;
    if (step != LKR_STEP_REPAIR_BACKUP_CODES) return 0;
    st = lkr_session_confirm(x->s, LKR_GUARD_CODES_NOTED, 1);
    return st == LKR_OK ? 0 : cli_error("diagnose", "the written list was refused", lkr_strerror(st));
}

/* Codes the person wrote down (no code reader here). */
static int codes_noted(const dx *x)
{
    lkr_session_info info = LKR_SESSION_INFO_INIT;
    return lkr_session_status(x->s, &info) == LKR_OK && !info.backup_verified &&
           (info.guards_held & LKR_GUARD_BIT(LKR_GUARD_CODES_NOTED)) != 0;
}

/* The answers to a step: what "done" means for the code steps. */
static const char *const *step_labels(const dx *x, uint32_t step)
{
    static const char *const plain[] = { "done", "I can't do this", "skip this step" };
    static const char *const backup[] = { "I wrote every code and its slot down",
                                          "I can't do this", "skip this step" };
    static const char *const check[] = { "every code opens the lock (I put back any that was gone)",
                                         "a code is gone and I can't put it back",
                                         "skip this step" };
    if (step == LKR_STEP_REPAIR_BACKUP_CODES) return backup;
    if ((step == LKR_STEP_REPAIR_VERIFY_CODES || step == LKR_STEP_RESET_RESTORE_AFTER_RESET) &&
        codes_noted(x)) {
        return check;
    }
    return plain;
}

static int answer_cannot(dx *x, uint32_t step)
{
    static const char *const labels[] = { "done that way", "that is not possible now either" };
    lkr_person_text t = ptext(LKR_TEXT_STEP, step);
    size_t k = 0;
    int rc = dx_choose(x, "Another way to get it done:", t.cannot, labels, 2, &k);
    if (rc != 0) return rc;
    dx_set_prompt(x, DX_P_NONE, 0, 0);
    if (k == 1) DX_V(x, CANNOT) += 1;
    if (k == 0 && (rc = noted_if_backup(x, step)) != 0) return rc;
    return report(x, step, k == 0 ? LKR_OUTCOME_DONE : LKR_OUTCOME_CANNOT_DO);
}

static int answer_step(dx *x)
{
    uint32_t step = DX_V(x, ARG);
    const char *const *labels = step_labels(x, step);
    lkr_person_text t = ptext(LKR_TEXT_STEP, step);
    size_t k = 0;
    int rc;

    if (DX_V(x, STAGE) == 1) return answer_cannot(x, step);
    show_step(x, step, 0);
    if (erases_all_codes(step) && codes_noted(x)) warn_codes(step);
    rc = dx_choose(x, timed(step) ? "Tell me when you have done it (the time starts then):"
                                  : "When you have done it:",
                   NULL, labels, 3, &k);
    if (rc != 0) return rc;
    if (k == 1 && t.cannot != NULL) {
        DX_V(x, STAGE) = 1;
        return 0;
    }
    dx_set_prompt(x, DX_P_NONE, 0, 0);
    if (k == 0 && (rc = noted_if_backup(x, step)) != 0) return rc;
    return report(x, step, k == 0 ? LKR_OUTCOME_DONE : k == 1 ? LKR_OUTCOME_CANNOT_DO
                                                             : LKR_OUTCOME_SKIPPED);
}

static int answer_resume(dx *x)
{
    static const char *const labels[] = { "done", "I can't do this" };
    uint32_t step = DX_V(x, ARG);
    size_t k = 0;
    int rc;
    show_step(x, step, 1);
    if ((rc = dx_choose(x, "When you have done it:", NULL, labels, 2, &k)) != 0) return rc;
    dx_set_prompt(x, DX_P_NONE, 0, 0);
    return report(x, step, k == 0 ? LKR_OUTCOME_DONE : LKR_OUTCOME_CANNOT_DO);
}

/* After an update that came back: the version it runs now, then the codes. */
static int answer_after_update(dx *x, uint32_t step)
{
    static const char *const codes[] = { "yes, my codes open the lock", "no code works",
                                         "one code does not work", "the lock has no keypad, "
                                         "or I did not try" };
    static const uint32_t codes_v[] = { LKR_CODES_ALL_WORK, LKR_CODES_ALL_REJECTED,
                                        LKR_CODES_ONE_REJECTED, LKR_CODES_UNKNOWN };
    size_t k = 0;
    int rc, fits;
    if (DX_V(x, STAGE) == 1) {
        lkr_person_text q = ptext(LKR_TEXT_QUESTION, LKR_QUESTION_FIRMWARE_VERSION);
        char *v = x->st.text[CLI_ST_FW_AFTER];
        if ((rc = dx_text(x, q.title, "After an update, the version tells whether it went "
                                      "in. Press Enter if you can't find it.", v,
                          LKR_VERSION_TEXT_MAX)) != 0) {
            return rc;
        }
        if (v[0] != '\0' && observe_version(x, v) != 0) {
            v[0] = '\0';
            puts("That version was not accepted: type it exactly as the app shows it.\n");
            return 1;
        }
        DX_V(x, AFTER) |= DX_AFTER_VERSION;
        DX_V(x, STAGE) = 2;
        return 0;
    }
    rc = dx_choose(x, "Now try one of your codes at the keypad: does it open the lock?",
                   "An update can erase codes; this checks they are still there.", codes, 4, &k);
    if (rc != 0) return rc;
    DX_V(x, AFTER) |= DX_AFTER_CODES;
    DX_V(x, CODES_AFTER) = codes_v[k];
    dx_set_prompt(x, DX_P_NONE, 0, 0);
    if (codes_v[k] != LKR_CODES_UNKNOWN) {
        lkr_observations obs;
        lkr_observations_init(&obs);
        obs.codes_state = (uint8_t)codes_v[k];
        if (lkr_session_observe(x->s, &obs) != LKR_OK) return cli_error("diagnose", "the codes' state was refused", NULL);
    }
    /* The check still stands (the codes did not send the session another
     * way): the lock works, and says so only with its codes there. */
    dx_set_prompt(x, DX_P_VERIFY, step, 0);
    fits = dx_prompt_fits(x);
    dx_set_prompt(x, DX_P_NONE, 0, 0);
    if (!fits) return 0;
    return report(x, step, codes_v[k] == LKR_CODES_ALL_WORK || codes_v[k] == LKR_CODES_UNKNOWN
                               ? LKR_OUTCOME_FIXED : LKR_OUTCOME_NOT_FIXED);
}

static int answer_verify(dx *x)
{
    static const char *const labels[] = { "yes, it works now", "no, not yet" };
    uint32_t step = DX_V(x, ARG);
    size_t k = 0;
    int rc;
    if (DX_V(x, STAGE) >= 1) return answer_after_update(x, step);
    rc = dx_choose(x, "Check the lock now: does the app reach it, and does it lock and unlock?",
                   NULL, labels, 2, &k);
    if (rc != 0) return rc;
    if (k == 0 && update_involved(x) && !(DX_V(x, AFTER) & DX_AFTER_CODES)) {
        DX_V(x, STAGE) = 1;
        return 0;
    }
    dx_set_prompt(x, DX_P_NONE, 0, 0);
    return report(x, step, k == 0 ? LKR_OUTCOME_FIXED : LKR_OUTCOME_NOT_FIXED);
}

/* ---- what a risky step needs ----------------------------------------------- */

/* The pre-update checklist of catalog section 6: each item shown on its own,
 * the person picks every one that is true, and the library's checklist
 * decides. */
static const char *const checklist[] = {
    "there are new alkaline (or lithium) batteries in the lock, put in today",
    "the app shows the lock's battery at half or more",
    "I have the lock's key with me, outside the door",
    "automatic routines that lock or unlock it are paused in my home apps",
    "my phone will stay next to the lock until the update is done",
    "my phone is an iPhone, or an Android phone set to keep its screen on",
    "none of these, or I don't know",
};
#define N_CHECKLIST (sizeof(checklist) / sizeof(checklist[0]))

static int answer_checklist(dx *x)
{
    lkr_preflight_input in = LKR_PREFLIGHT_INPUT_INIT;
    lkr_profile profile;
    uint32_t yes = 0, unmet = 0, k;
    int rc = dx_choose_many(x, "Which of these are true? (type every number that is)", checklist,
                            N_CHECKLIST, &yes);
    if (rc != 0) return rc;
#define ITEM(i) (uint8_t)(((yes >> (i)) & 1u) ? LKR_YES : LKR_NO)
    dx_build_profile(x, &profile);
    if (yes & 1u) profile.battery_chemistry = LKR_CHEMISTRY_ALKALINE;
    in.cells_fresh = ITEM(0);
    in.battery_pct = (yes >> 1) & 1u ? 50 : 0;
    in.key_on_person = ITEM(2);
    in.automations_paused = ITEM(3);
    in.phone_stays_in_range = ITEM(4);
    in.android = LKR_YES;
    in.screen_kept_awake = ITEM(5);
#undef ITEM
    if (profile.protocol != LKR_PROTOCOL_NONE && lkr_preflight(&profile, &in, &unmet) == LKR_OK &&
        lkr_session_confirm(x->s, LKR_GUARD_PREFLIGHT_OK, 1) == LKR_OK) {
        puts("Good: everything is ready for the update.");
        return 0;
    }
    puts("Not ready for a safe update yet. Still needed:");
    for (k = 0; k + 1 < N_CHECKLIST; k++) {
        if (!((yes >> k) & 1u)) printf("  - %s\n", checklist[k]);
    }
    return 0;
}

/* "I wrote every code and its slot down": the person-noted evidence level,
 * the only one this tool can offer (it reads no codes). */
static int answer_codes_noted(dx *x, uint32_t step)
{
    static const char *const labels[] = { "yes, I wrote every code and its slot down",
                                          "no, not yet", "don't know" };
    lkr_person_text t = ptext(LKR_TEXT_GUARD, LKR_GUARD_CODES_NOTED);
    size_t k = 0;
    int rc;
    warn_codes(step);
    if ((rc = dx_choose(x, t.title, t.text, labels, 3, &k)) != 0) return rc;
    if (k == 0 && lkr_session_confirm(x->s, LKR_GUARD_CODES_NOTED, 1) != LKR_OK) {
        puts("That cannot be confirmed for this lock.");
    }
    return 0;
}

static int answer_guard(dx *x)
{
    uint32_t step = DX_V(x, ARG), g = DX_V(x, STAGE);
    lkr_person_text t = ptext(LKR_TEXT_GUARD, g);
    lkr_action a = LKR_ACTION_INIT;
    static const char *const labels[] = { "yes", "no", "don't know" };
    size_t k = 0;
    int rc;

    printf("Before the next step (%s), a safety check.\n", ptext(LKR_TEXT_STEP, step).title);
    if (g == LKR_GUARD_PREFLIGHT_OK) {
        printf("%s\n", t.text);
        rc = answer_checklist(x);
    } else if (g == LKR_GUARD_CODES_NOTED) {
        rc = answer_codes_noted(x, step);
    } else if ((rc = dx_choose(x, t.title, t.text, labels, 3, &k)) == 0 && k == 0 &&
               lkr_session_confirm(x->s, g, 1) != LKR_OK) {
        puts("That cannot be confirmed for this lock.");
    }
    if (rc != 0) return rc;
    if ((rc = next_action(x, &a)) != 0) return rc;
    if (a.kind == LKR_ACTION_BLOCKED && a.step == step) {
        uint32_t next = guard_to_ask(a.unmet_guards, g);
        dx_set_prompt(x, next ? DX_P_GUARD : DX_P_BLOCKED, step, next);
    } else {
        dx_set_prompt(x, DX_P_NONE, 0, 0);
    }
    return 0;
}

static int answer_blocked(dx *x)
{
    const char *labels[] = { "leave this step out and go on",
                             "stop for now (your progress is saved)",
                             "ask me again: I have it ready now" };
    static const char *const reasons[] = { "the person could not make it safe here",
                                           "the person chose to leave it out" };
    uint32_t step = DX_V(x, ARG), g, n = 2;
    lkr_action a = LKR_ACTION_INIT;
    size_t k = 0;
    int rc;
    lkr_status st;

    if (x->state_path == NULL) labels[1] = "stop here (without --state nothing is saved)";
    if ((rc = next_action(x, &a)) != 0) return rc;
    printf("The next step (%s) cannot be done safely right now:\n", ptext(LKR_TEXT_STEP, step).title);
    for (g = 1; g < 32; g++) {
        const char *why = ptext(LKR_TEXT_GUARD, g).cannot;
        if (a.unmet_guards & LKR_GUARD_BIT(g)) printf("  - %s\n", why ? why : "a safety condition is not met");
    }
    if (guard_to_ask(a.unmet_guards, 0) != 0) n = 3;
    if ((rc = dx_choose(x, "What would you like to do?", NULL, labels, n, &k)) != 0) return rc;
    if (k == 1) return DX_STOP;
    if (k == 2) {
        dx_set_prompt(x, DX_P_GUARD, step, guard_to_ask(a.unmet_guards, 0));
        return 0;
    }
    st = lkr_session_waive(x->s, LKR_WAIVE_STEP, step, reasons[n == 3]);
    dx_set_prompt(x, DX_P_NONE, 0, 0);
    return st == LKR_OK ? 0 : cli_error("diagnose", "leaving the step out was refused", lkr_strerror(st));
}

int dx_answer_session(dx *x)
{
    switch (DX_V(x, PROMPT)) {
    case DX_P_ASK: return answer_ask(x);
    case DX_P_STEP: return answer_step(x);
    case DX_P_RESUME: return answer_resume(x);
    case DX_P_VERIFY: return answer_verify(x);
    case DX_P_GUARD: return answer_guard(x);
    case DX_P_BLOCKED: return answer_blocked(x);
    default: return cli_error("diagnose", "the saved prompt is unknown", NULL);
    }
}

/* ---- the ending ------------------------------------------------------------ */

/* The step that brought the lock back: the last one recorded as fixed. */
static uint32_t fixing_step(const lkr_session *s, const lkr_session_info *info)
{
    uint32_t i = info->history_count;
    while (i-- > 0) {
        lkr_history_entry h = LKR_HISTORY_ENTRY_INIT;
        if (lkr_session_history(s, i, &h) == LKR_OK && h.outcome == LKR_OUTCOME_FIXED) return h.step;
    }
    return 0;
}

/* The person tried every noted code at the keypad (after a step that may
 * have erased them). */
static int codes_tried(const lkr_session *s, const lkr_session_info *info)
{
    uint32_t i;
    for (i = 0; i < info->history_count; i++) {
        lkr_history_entry h = LKR_HISTORY_ENTRY_INIT;
        if (lkr_session_history(s, i, &h) == LKR_OK &&
            (h.step == LKR_STEP_REPAIR_VERIFY_CODES || h.step == LKR_STEP_RESET_RESTORE_AFTER_RESET) &&
            (h.outcome == LKR_OUTCOME_DONE || h.outcome == LKR_OUTCOME_FIXED)) {
            return 1;
        }
    }
    return 0;
}

static void how_to_report(const dx *x)
{
    if (x->state_path) {
        printf("The full report (for the lock maker, or your records; no code is in it):\n"
               "  lockrecover report --state %s\n", x->state_path);
    } else {
        puts("Run with --state FILE next time to keep a report you can print again.");
    }
}

static void ending_recovered(const dx *x, const lkr_session_info *info, const lkr_action *a)
{
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    uint32_t step = fixing_step(x->s, info);
    lkr_person_text st = ptext(LKR_TEXT_STEP, step), ct = LKR_PERSON_TEXT_INIT;
    const char *watch;

    if (lkr_session_beliefs(x->s, &d) == LKR_OK && d.cause_count > 0) {
        ct = ptext(LKR_TEXT_CAUSE, d.causes[0].cause);
    }
    cli_sgr(stdout, CLI_GREEN);
    fputs("Good news: your lock works again.", stdout);
    cli_sgr_reset(stdout);
    fputc('\n', stdout);
    if (step != 0) printf("What did it: %s.\n", st.title);
    if (ct.title != NULL) printf("The likely reason: %s.\n", ct.title);
    if (st.remains != NULL) printf("Still to do: %s\n", st.remains);
    if (a->detail & LKR_DETAIL_UPDATE_NOT_APPLIED) {
        puts("Still to do: the lock still runs its old software, so the update did not go in. "
             "Try it again only with new alkaline batteries and the phone next to the lock.");
    }
    watch = st.watch != NULL ? st.watch : ct.watch;
    if (watch != NULL) printf("Keep an eye on: %s\n", watch);
    if (ct.watch != NULL && watch != ct.watch) printf("Also: %s\n", ct.watch);
    if (x->st.text[CLI_ST_FW_AFTER][0] != '\0') {
        printf("Software version now: %s.\n", x->st.text[CLI_ST_FW_AFTER]);
    }
    if (codes_noted(x)) {
        puts(codes_tried(x->s, info)
                 ? "Your codes: written down by you, and each tried at the keypad after the step "
                   "that could erase them (nothing here read them from the lock). Keep your list "
                   "somewhere safe."
                 : "Your codes: written down by you; nothing that could erase them was done.");
    }
    if (DX_V(x, AFTER) & DX_AFTER_CODES && DX_V(x, CODES_AFTER) == LKR_CODES_ALL_WORK) {
        puts("Your codes: still there.");
    } else if (update_involved(x)) {
        puts("Your codes: not checked. Try each one at the keypad soon.");
    }
    printf("Your time: about %u minutes.\n", (unsigned)info->person_minutes);
}

static void print_reasons(uint32_t detail)
{
    static const struct { uint32_t bit; const char *text; } reasons[] = {
        { LKR_SUPPORT_LADDER_EXHAUSTED, "every safe step was tried, and the lock is still not back" },
        { LKR_SUPPORT_DEAD_KEYPAD, "the keypad stays dark even with new batteries" },
        { LKR_SUPPORT_SAME_ERROR_CODE, "the same error code stayed through every step" },
        { LKR_SUPPORT_SEVERAL_PHONES, "it fails from more than one phone" },
        { LKR_SUPPORT_AFTER_UPDATE, "it worked before the update and nothing helped" },
        { LKR_SUPPORT_RESET_REFUSED, "the factory reset, the last resort, was not done: it would "
                                     "erase your codes, and they could not be copied first" },
        { LKR_SUPPORT_CODES_MISSING, "the lock is back, but some codes could not be put back" },
        { LKR_SUPPORT_CODES_UNVERIFIED, "codes may have been erased and could not be checked" },
    };
    size_t k;
    for (k = 0; k < sizeof(reasons) / sizeof(reasons[0]); k++) {
        if (detail & reasons[k].bit) printf("  - %s\n", reasons[k].text);
    }
}

static int finish(dx *x, const lkr_action *a)
{
    lkr_session_info info = LKR_SESSION_INFO_INIT;
    if (lkr_session_status(x->s, &info) != LKR_OK) info.person_minutes = 0;
    dx_set_prompt(x, DX_P_NONE, 0, 0);
    fputc('\n', stdout);
    if (a->kind == LKR_ACTION_RECOVERED) {
        ending_recovered(x, &info, a);
        how_to_report(x);
        return CLI_EXIT_OK;
    }
    cli_sgr(stdout, CLI_RED);
    fputs(a->kind == LKR_ACTION_NEEDS_SUPPORT ? "Your lock is not back yet: it needs the lock "
                                                "maker's help." : "The recovery was stopped.", stdout);
    cli_sgr_reset(stdout);
    fputc('\n', stdout);
    if (a->kind != LKR_ACTION_NEEDS_SUPPORT) return CLI_EXIT_SUPPORT;
    puts("What is still wrong:");
    print_reasons(a->detail);
    if ((a->detail & LKR_SUPPORT_CODES_UNVERIFIED) && codes_noted(x)) {
        puts("  - a step that could erase codes came after your last code check: try each code "
             "from your written list at the keypad now, and put back any that is gone");
    }
    if (update_running(x)) {
        puts("  - the update may still be running: leave the batteries in and the lock alone "
             "until it ends, or until the lock maker's support says otherwise");
    }
    printf("What to do: %s. %s\n", ptext(LKR_TEXT_STEP, a->step).title,
           ptext(LKR_TEXT_STEP, a->step).text);
    printf("Your time so far: about %u minutes.\n", (unsigned)info.person_minutes);
    how_to_report(x);
    /* Saved, the report waits for 'lockrecover report' (it speaks the
     * lock maker's technical language); unsaved, it is shown now or lost. */
    if (x->state_path != NULL && !x->verbose) return CLI_EXIT_SUPPORT;
    puts("\nThe report to send to the lock maker (no access code is in it):\n");
    return cli_print_report("diagnose", x->s, 0, &x->st) != 0 ? CLI_EXIT_ERROR : CLI_EXIT_SUPPORT;
}
