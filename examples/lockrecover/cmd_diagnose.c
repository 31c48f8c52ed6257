/*
 * lockrecover diagnose: walks a real lock back with the person in front of
 * it. Asks what they see, shows one step at a time, counts every wait down,
 * asks for guard confirmations, and saves the session after every answer so
 * that an interrupted run resumes where it stopped (--state FILE).
 *
 * Answers come from stdin, a terminal or a script (one answer per line). The
 * clock is CLOCK_MONOTONIC, or with LOCKRECOVER_FAST=1 a virtual clock that
 * jumps to the end of every wait.
 */
#include "cli.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char cli_help_diagnose[] =
    "Usage: lockrecover diagnose [--protocol P] [--state FILE]\n"
    "\n"
    "Walks a real lock back, one safe step at a time: asks what you see (numbered\n"
    "choices; Enter takes the default in brackets), shows each step's\n"
    "instructions, counts every wait down, asks you to confirm what a risky step\n"
    "needs (or to waive it with a reason), and ends recovered or with the report\n"
    "to send to the manufacturer.\n"
    "\n"
    "  --protocol P   wifi, ble, zwave, zigbee, matter (asked when not given)\n"
    "  --state FILE   save the session to FILE after every answer; when FILE\n"
    "                 exists, resume it instead of starting again\n"
    "\n"
    "Answers are read line by line from stdin, so a script can drive it. When\n"
    "stdin ends: exit 3, 'ran out of answers', the session saved.\n"
    "Environment: LOCKRECOVER_FAST=1 makes the clock virtual: every wait ends at\n"
    "once (for scripts and tests). NO_COLOR disables colour.\n"
    "Exit status: 0 recovered, 1 needs support (or aborted), 2 usage, 3 error or\n"
    "interrupted (the session is saved).\n";

/* What a helper returns besides 0. */
#define DX_EOF 100  /* stdin ended */
#define DX_STOP 101 /* the person chose to stop for now */

typedef struct dx {
    int tty_in, tty_out;
    int fast;          /* virtual clock */
    uint64_t vclock;   /* the virtual clock */
    uint64_t offset;   /* added to CLOCK_MONOTONIC (a state saved before a reboot) */
    const char *state; /* where to save, or NULL */
    lkr_session *s;
    uint32_t symptom_shown;
} dx;

static uint64_t dx_now(void *ctx)
{
    const dx *x = (const dx *)ctx;
    return x->fast ? x->vclock : cli_monotonic_ms() + x->offset;
}

/* ---- input --------------------------------------------------------------- */

/* One answer line, trimmed. 1, or 0 at the end of stdin. */
static int read_line(const dx *x, char *buf, size_t cap)
{
    size_t len, start = 0;
    fflush(stdout);
    if (fgets(buf, (int)cap, stdin) == NULL) return 0;
    len = strlen(buf);
    if (len > 0 && buf[len - 1] != '\n' && !feof(stdin)) {
        int c;
        while ((c = getchar()) != EOF && c != '\n') {
        }
    }
    while (len > 0 && isspace((unsigned char)buf[len - 1])) buf[--len] = '\0';
    while (isspace((unsigned char)buf[start])) start++;
    memmove(buf, buf + start, len - start + 1);
    if (!x->tty_in) printf("%s\n", buf); /* a transcript shows the answer */
    return 1;
}

/* A numbered choice. Returns 0 with *out the index, or DX_EOF. */
static int choose(const dx *x, const char *question, const char *const *labels, size_t n,
                  size_t def, size_t *out)
{
    char line[128];
    size_t k;
    for (;;) {
        char *end = NULL;
        long v;
        cli_sgr(stdout, CLI_BOLD);
        fputs(question, stdout);
        cli_sgr_reset(stdout);
        fputc('\n', stdout);
        for (k = 0; k < n; k++) printf("  %u) %s\n", (unsigned)(k + 1), labels[k]);
        printf("choose 1-%u [%u]> ", (unsigned)n, (unsigned)(def + 1));
        if (!read_line(x, line, sizeof line)) return DX_EOF;
        if (line[0] == '\0') {
            *out = def;
            return 0;
        }
        v = strtol(line, &end, 10);
        if (end != line && *end == '\0' && v >= 1 && (size_t)v <= n) {
            *out = (size_t)v - 1;
            return 0;
        }
        printf("Please answer with a number from 1 to %u.\n", (unsigned)n);
    }
}

static const char *const tri_labels[] = { "yes", "no", "don't know" };
static const int tri_values[] = { LKR_YES, LKR_NO, LKR_UNKNOWN };

/* A yes / no / don't know question. */
static int ask_tri(const dx *x, const char *question, size_t def, int *out)
{
    size_t k = 0;
    int rc = choose(x, question, tri_labels, 3, def, &k);
    if (rc == 0) *out = tri_values[k];
    return rc;
}

/* ---- state --------------------------------------------------------------- */

static int save_state(const dx *x)
{
    unsigned char buf[LKR_SESSION_BLOB_MAX];
    size_t need = 0, plen;
    char *tmp;
    FILE *f;
    int ok;
    lkr_status st;

    if (x->state == NULL) return 0;
    if ((st = lkr_session_save(x->s, buf, sizeof buf, &need)) != LKR_OK) {
        return cli_error("diagnose", "cannot save the session", lkr_strerror(st));
    }
    plen = strlen(x->state);
    if ((tmp = malloc(plen + 5)) == NULL) return cli_error("diagnose", "out of memory", NULL);
    memcpy(tmp, x->state, plen);
    memcpy(tmp + plen, ".tmp", 5);
    f = fopen(tmp, "wb");
    ok = f != NULL && fwrite(buf, 1, need, f) == need && fflush(f) == 0 && fsync(fileno(f)) == 0;
    if (f != NULL && fclose(f) != 0) ok = 0;
    if (ok && rename(tmp, x->state) != 0) ok = 0;
    if (!ok) remove(tmp);
    free(tmp);
    return ok ? 0 : cli_error("diagnose", "cannot write the state file", x->state);
}

/* The latest host-clock time the session recorded (history, waivers). */
static uint64_t session_latest_ms(const lkr_session *s)
{
    lkr_session_info info = LKR_SESSION_INFO_INIT;
    uint64_t latest = 0;
    uint32_t i;
    if (lkr_session_status(s, &info) != LKR_OK) return 0;
    for (i = 0; i < info.history_count; i++) {
        lkr_history_entry h = LKR_HISTORY_ENTRY_INIT;
        if (lkr_session_history(s, i, &h) != LKR_OK) break;
        if (h.started_ms > latest) latest = h.started_ms;
        if (h.ended_ms > latest) latest = h.ended_ms;
    }
    for (i = 0; i < info.waiver_count; i++) {
        lkr_waiver w = LKR_WAIVER_INIT;
        if (lkr_session_waiver(s, i, &w) == LKR_OK && w.at_ms > latest) latest = w.at_ms;
    }
    return latest;
}

/* ---- the profile, for a new session -------------------------------------- */

static int ask_profile(const dx *x, lkr_profile *p)
{
    static const char *const protocols[] = {
        "Wi-Fi (directly or through a bridge)", "Bluetooth only", "Z-Wave, through a hub",
        "Zigbee, through a hub", "Matter over Thread",
    };
    char line[128];
    size_t k = 0;
    uint32_t e;
    int rc, v;

    if (p->protocol == LKR_PROTOCOL_NONE) {
        if ((rc = choose(x, "How does the lock connect?", protocols, 5, 0, &k)) != 0) return rc;
        p->protocol = (uint32_t)k + 1;
    }
    for (;;) {
        char *tok, *save = NULL;
        uint32_t mask = 0;
        int bad = 0;
        cli_sgr(stdout, CLI_BOLD);
        fputs("Which apps or hubs is the lock linked to?", stdout);
        cli_sgr_reset(stdout);
        fputc('\n', stdout);
        for (e = 1; e <= LKR_ECOSYSTEM_MAX; e++) printf("  %u) %s\n", (unsigned)e, lkr_ecosystem_name(e));
        fputs("numbers separated by spaces, Enter for none []> ", stdout);
        if (!read_line(x, line, sizeof line)) return DX_EOF;
        for (tok = strtok_r(line, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save)) {
            char *end = NULL;
            long n = strtol(tok, &end, 10);
            if (end == tok || *end != '\0' || n < 1 || n > LKR_ECOSYSTEM_MAX) bad = 1;
            else mask |= LKR_ECOSYSTEM_BIT((uint32_t)n);
        }
        if (!bad) {
            p->ecosystems = mask;
            break;
        }
        printf("Please answer with numbers from 1 to %u.\n", (unsigned)LKR_ECOSYSTEM_MAX);
    }
    if (p->protocol == LKR_PROTOCOL_WIFI) {
        if ((rc = ask_tri(x, "Does it reach Wi-Fi through a bridge (a plug-in hub such as August Connect)?",
                          2, &v)) != 0) {
            return rc;
        }
        p->has_bridge = (uint8_t)v;
    }
    return 0;
}

/* ---- actions ------------------------------------------------------------- */

static void show_symptom(dx *x)
{
    lkr_session_info info = LKR_SESSION_INFO_INIT;
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    lkr_symptom_info sym = LKR_SYMPTOM_INFO_INIT;
    lkr_cause_info c = LKR_CAUSE_INFO_INIT;

    if (lkr_session_status(x->s, &info) != LKR_OK || info.symptom == x->symptom_shown ||
        info.symptom == LKR_SYMPTOM_UNKNOWN || lkr_symptom_get(info.symptom, &sym) != LKR_OK) {
        return;
    }
    x->symptom_shown = info.symptom;
    printf("\nWhat this looks like: %s.\n", sym.title);
    if (lkr_session_beliefs(x->s, &d) == LKR_OK && d.cause_count > 0 &&
        lkr_cause_get(d.causes[0].cause, &c) == LKR_OK) {
        printf("Most likely: %s (%.0f %%).\n", c.title, 100.0 * d.causes[0].p);
    }
}

static int ask_question(dx *x, const lkr_action *a)
{
    static const char *const update[] = {
        "no update was involved", "the update is still running", "the app said it succeeded",
        "the app said it failed, or never said", "it ended, I don't know how", "don't know",
    };
    static const int update_v[] = { LKR_UPDATE_NONE, LKR_UPDATE_IN_PROGRESS, LKR_UPDATE_REPORTED_OK,
                                    LKR_UPDATE_REPORTED_FAILED, LKR_UPDATE_FINISHED, LKR_UPDATE_UNKNOWN };
    static const char *const app[] = {
        "online / connected", "\"Offline\"", "\"No Response\"", "\"Unavailable\"", "don't know",
    };
    static const int app_v[] = { LKR_APP_ONLINE, LKR_APP_OFFLINE, LKR_APP_NO_RESPONSE,
                                 LKR_APP_UNAVAILABLE, LKR_APP_UNKNOWN };
    static const char *const codes[] = {
        "every code works", "one code is rejected, others work", "every code is rejected",
        "don't know, or not tried",
    };
    static const int codes_v[] = { LKR_CODES_ALL_WORK, LKR_CODES_ONE_REJECTED, LKR_CODES_ALL_REJECTED,
                                   LKR_CODES_UNKNOWN };
    const char *q = a->text ? a->text : "Question";
    char line[LKR_VERSION_TEXT_MAX + 32];
    size_t k = 0;
    int rc = 0, v = LKR_UNKNOWN;
    lkr_status st;

    fputc('\n', stdout);
    switch (a->question) {
    case LKR_QUESTION_UPDATE_STATE:
        if ((rc = choose(x, q, update, 6, 5, &k)) == 0) v = update_v[k];
        break;
    case LKR_QUESTION_APP_STATUS:
        if ((rc = choose(x, q, app, 5, 4, &k)) == 0) v = app_v[k];
        break;
    case LKR_QUESTION_CODES_STATE:
        if ((rc = choose(x, q, codes, 4, 3, &k)) == 0) v = codes_v[k];
        break;
    case LKR_QUESTION_KEYPAD_LIGHTS:
    case LKR_QUESTION_LOCAL_CONTROL:
        rc = ask_tri(x, q, 2, &v);
        break;
    case LKR_QUESTION_UPDATE_STALLED_MIN:
        for (;;) {
            char *end = NULL;
            long n;
            cli_sgr(stdout, CLI_BOLD);
            fputs(q, stdout);
            cli_sgr_reset(stdout);
            fputs("\nminutes, Enter if you don't know []> ", stdout);
            if (!read_line(x, line, sizeof line)) return DX_EOF;
            if (line[0] == '\0') {
                v = LKR_NUM_UNKNOWN;
                break;
            }
            n = strtol(line, &end, 10);
            if (end != line && *end == '\0' && n >= 0 && n <= 1000000) {
                v = (int)n;
                break;
            }
            puts("Please answer with a number of minutes (0-1000000), or Enter.");
        }
        break;
    case LKR_QUESTION_FIRMWARE_VERSION:
        for (;;) {
            lkr_observations obs;
            cli_sgr(stdout, CLI_BOLD);
            fputs(q, stdout);
            cli_sgr_reset(stdout);
            fputs("\nversion, Enter if you don't know []> ", stdout);
            if (!read_line(x, line, sizeof line)) return DX_EOF;
            if (line[0] == '\0') break;
            lkr_observations_init(&obs);
            if (strlen(line) < sizeof obs.fw_now) {
                memcpy(obs.fw_now, line, strlen(line) + 1);
                if ((st = lkr_session_observe(x->s, &obs)) == LKR_OK) return 0;
            }
            puts("That version was not accepted; type it as the app shows it (at most 31 characters).");
        }
        break;
    default:
        return cli_error("diagnose", "the session asked a question this tool does not know", NULL);
    }
    if (rc != 0) return rc;
    if ((st = lkr_session_answer(x->s, a->question, v)) != LKR_OK) {
        return cli_error("diagnose", "the answer was refused", lkr_strerror(st));
    }
    return 0;
}

static void show_step(const lkr_action *a)
{
    fputc('\n', stdout);
    cli_sgr(stdout, CLI_CYAN);
    printf("[%s] ", cli_tier_sid(a->tier));
    cli_sgr_reset(stdout);
    cli_sgr(stdout, CLI_BOLD);
    fputs(a->title ? a->title : cli_step_sid(a->step), stdout);
    cli_sgr_reset(stdout);
    printf(a->phase == LKR_PHASE_RESUME ? "  (%s, finish it)\n" : "  (%s)\n", cli_step_sid(a->step));
    if (a->text) printf("%s\n", a->text);
}

static int person_step(const dx *x, const lkr_action *a)
{
    static const char keys[] = "dfnsc";
    static const uint32_t outcomes[] = { LKR_OUTCOME_DONE, LKR_OUTCOME_FIXED, LKR_OUTCOME_NOT_FIXED,
                                         LKR_OUTCOME_SKIPPED, LKR_OUTCOME_CANNOT_DO };
    char line[64];
    const char *hit;
    lkr_status st;

    show_step(a);
    for (;;) {
        fputs("done? [d]one / [f]ixed / [n]ot fixed / [s]kip / [c]an't [d]> ", stdout);
        if (!read_line(x, line, sizeof line)) return DX_EOF;
        if (line[0] == '\0') line[0] = 'd', line[1] = '\0';
        hit = strchr(keys, tolower((unsigned char)line[0]));
        if (hit != NULL && line[0] != '\0') break;
        puts("Please answer d, f, n, s or c.");
    }
    st = lkr_session_report(x->s, a->step, outcomes[hit - keys]);
    return st == LKR_OK ? 0 : cli_error("diagnose", "the report was refused", lkr_strerror(st));
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts;
    ts.tv_sec = (time_t)(ms / 1000u);
    ts.tv_nsec = (long)(ms % 1000u) * 1000000L;
    nanosleep(&ts, NULL);
}

static int do_wait(dx *x, const lkr_action *a)
{
    uint64_t now = dx_now(x), until = a->wait_until_ms;
    uint64_t left_s = until > now ? (until - now + 999u) / 1000u : 0;
    const char *what = a->phase == LKR_PHASE_HOLD ? "keep it that way" : "let the lock settle";
    uint64_t last_minute = left_s / 60u + 1u;
    lkr_status st;

    if (a->phase == LKR_PHASE_HOLD && a->text) printf("%s\n", a->text);
    if (x->fast) {
        printf("Waiting %llu:%02u (%s): LOCKRECOVER_FAST, the clock jumps ahead.\n",
               (unsigned long long)(left_s / 60u), (unsigned)(left_s % 60u), what);
        if (until > x->vclock) x->vclock = until;
    } else {
        while ((now = dx_now(x)) < until) {
            left_s = (until - now + 999u) / 1000u;
            if (x->tty_out) {
                printf("\r  waiting %llu:%02u  (%s) ", (unsigned long long)(left_s / 60u),
                       (unsigned)(left_s % 60u), what);
                fflush(stdout);
            } else if (left_s / 60u + 1u != last_minute || left_s % 60u == 0) {
                if (left_s / 60u + 1u != last_minute) {
                    last_minute = left_s / 60u + 1u;
                    printf("waiting: %llu min %02u s left (%s)\n", (unsigned long long)(left_s / 60u),
                           (unsigned)(left_s % 60u), what);
                    fflush(stdout);
                }
            }
            sleep_ms((unsigned)((until - now) % 1000u ? (until - now) % 1000u : 1000u));
        }
        if (x->tty_out) fputs("\r  waiting 0:00  done.                         \n", stdout);
        else puts("waiting: done.");
    }
    st = lkr_session_tick(x->s);
    return st == LKR_OK || st == LKR_PENDING ? 0 : cli_error("diagnose", "tick failed", lkr_strerror(st));
}

static int verify(const dx *x, const lkr_action *a)
{
    static const char *const yn[] = { "yes, it works", "no, not yet" };
    size_t k = 1;
    int rc;
    lkr_status st;

    if (a->phase != LKR_PHASE_ASK_PERSON) {
        return cli_error("diagnose", "the session waits for a probe this tool does not have", NULL);
    }
    fputc('\n', stdout);
    if ((rc = choose(x, a->text ? a->text : "Does the lock work now?", yn, 2, 1, &k)) != 0) return rc;
    st = lkr_session_report(x->s, a->step, k == 0 ? LKR_OUTCOME_FIXED : LKR_OUTCOME_NOT_FIXED);
    return st == LKR_OK ? 0 : cli_error("diagnose", "the answer was refused", lkr_strerror(st));
}

static int is_confirmable(uint32_t g)
{
    return g == LKR_GUARD_ADMIN_CODE_RECORDED || g == LKR_GUARD_PHYSICAL_KEY ||
           g == LKR_GUARD_DOOR_OPEN || g == LKR_GUARD_PHONE_IN_RANGE || g == LKR_GUARD_PREFLIGHT_OK;
}

static int blocked(const dx *x, const lkr_action *a)
{
    static const char *const what[] = { "waive this step: it will not be done",
                                        "stop here for now (the session is saved)" };
    char line[LKR_REASON_MAX + 64], question[256];
    uint32_t g, unmet = a->unmet_guards;
    size_t k = 0;
    int rc, v;
    lkr_status st;

    show_step(a);
    cli_sgr(stdout, CLI_YELLOW);
    fputs("Before this step, these must hold:\n", stdout);
    cli_sgr_reset(stdout);
    for (g = 1; g < 32; g++) {
        lkr_guard_info gi = LKR_GUARD_INFO_INIT;
        if (!(unmet & LKR_GUARD_BIT(g)) || lkr_guard_get(g, &gi) != LKR_OK) continue;
        printf("  - %s (%s)\n    %s\n", gi.title, gi.sid, gi.instructions ? gi.instructions : "");
    }
    for (g = 1; g < 32; g++) {
        lkr_guard_info gi = LKR_GUARD_INFO_INIT;
        if (!(unmet & LKR_GUARD_BIT(g)) || !is_confirmable(g) || lkr_guard_get(g, &gi) != LKR_OK) {
            continue;
        }
        snprintf(question, sizeof question, "Does this hold now: %s", gi.title);
        if ((rc = ask_tri(x, question, 1, &v)) != 0) return rc;
        if (v != LKR_YES) continue;
        st = lkr_session_confirm(x->s, g, 1);
        if (st == LKR_OK) unmet &= ~LKR_GUARD_BIT(g);
        else printf("Not accepted: %s.\n", lkr_strerror(st));
    }
    if (unmet == 0) return 0;
    if ((rc = choose(x, "It cannot go ahead yet. What now?", what, 2, 0, &k)) != 0) return rc;
    if (k == 1) return DX_STOP;
    for (;;) {
        size_t i, len;
        int ok = 1;
        fputs("Why (a short reason, never an access code) [guards could not be met]> ", stdout);
        if (!read_line(x, line, sizeof line)) return DX_EOF;
        if (line[0] == '\0') snprintf(line, sizeof line, "guards could not be met");
        len = strlen(line);
        if (len >= LKR_REASON_MAX) line[len = LKR_REASON_MAX - 1] = '\0';
        for (i = 0; i < len; i++) ok &= isprint((unsigned char)line[i]) != 0;
        if (ok) break;
        puts("Please use printable characters only.");
    }
    st = lkr_session_waive(x->s, LKR_WAIVE_STEP, a->step, line);
    return st == LKR_OK ? 0 : cli_error("diagnose", "the waiver was refused", lkr_strerror(st));
}

static void print_reasons(uint32_t detail)
{
    static const struct { uint32_t bit; const char *text; } reasons[] = {
        { LKR_SUPPORT_LADDER_EXHAUSTED, "every tier was done or waived and it is still not back" },
        { LKR_SUPPORT_DEAD_KEYPAD, "the keypad stays dark after fresh batteries and a battery pull" },
        { LKR_SUPPORT_SAME_ERROR_CODE, "the same error code survived every step" },
        { LKR_SUPPORT_SEVERAL_PHONES, "it fails from more than one phone" },
        { LKR_SUPPORT_AFTER_UPDATE, "it worked before the update and nothing helped" },
        { LKR_SUPPORT_RESET_REFUSED, "the factory reset was not done" },
        { LKR_SUPPORT_CODES_MISSING, "the lock is back but some codes could not be restored" },
    };
    size_t k;
    for (k = 0; k < sizeof(reasons) / sizeof(reasons[0]); k++) {
        if (detail & reasons[k].bit) printf("  - %s\n", reasons[k].text);
    }
}

static int finish(dx *x, const lkr_action *a)
{
    fputc('\n', stdout);
    if (a->kind == LKR_ACTION_RECOVERED) {
        cli_sgr(stdout, CLI_GREEN);
        fputs("Recovered: the lock is back.", stdout);
        cli_sgr_reset(stdout);
        fputc('\n', stdout);
        if (a->detail & LKR_DETAIL_UPDATE_NOT_APPLIED) {
            puts("Note: it still reports its old firmware: the update itself failed. "
                 "Retry it only after the pre-update checklist.");
        }
        return CLI_EXIT_OK;
    }
    cli_sgr(stdout, CLI_RED);
    fputs(a->kind == LKR_ACTION_NEEDS_SUPPORT ? "It needs support." : "The recovery was aborted.", stdout);
    cli_sgr_reset(stdout);
    fputc('\n', stdout);
    if (a->kind == LKR_ACTION_NEEDS_SUPPORT) {
        if (a->title) printf("Next: %s\n", a->title);
        if (a->text) printf("%s\n", a->text);
        print_reasons(a->detail);
        puts("\nThe report to send (no access code is in it):\n");
        if (cli_print_report("diagnose", x->s, 0) != 0) return CLI_EXIT_ERROR;
    }
    return CLI_EXIT_SUPPORT;
}

/* Drives the session until a final action, stdin's end, or a stop. */
static int drive(dx *x)
{
    lkr_action a = LKR_ACTION_INIT;
    int rc;
    lkr_status st;

    for (;;) {
        if ((rc = save_state(x)) != 0) return rc;
        if ((st = lkr_session_next(x->s, &a)) != LKR_OK) {
            return cli_error("diagnose", "session error", lkr_strerror(st));
        }
        show_symptom(x);
        if (lkr_action_is_final(&a)) return finish(x, &a);
        switch (a.kind) {
        case LKR_ACTION_ASK: rc = ask_question(x, &a); break;
        case LKR_ACTION_PERSON_STEP: rc = person_step(x, &a); break;
        case LKR_ACTION_WAIT: rc = do_wait(x, &a); break;
        case LKR_ACTION_VERIFY: rc = verify(x, &a); break;
        case LKR_ACTION_BLOCKED: rc = blocked(x, &a); break;
        default: rc = cli_error("diagnose", "the session waits for the host, which this tool is not", NULL);
        }
        if (rc != 0) return rc;
    }
}

/* After a resume: never let the clock run behind what the session saw (a
 * state saved before a reboot), and restart a wait whose deadline lies
 * further ahead than the wait is long. */
static void align_clock(dx *x)
{
    lkr_action a = LKR_ACTION_INIT;
    uint64_t latest = session_latest_ms(x->s), now = dx_now(x);
    if (x->fast) {
        if (latest > x->vclock) x->vclock = latest;
        return;
    }
    if (latest > now) x->offset += latest - now;
    now = dx_now(x);
    if (lkr_session_next(x->s, &a) == LKR_OK && a.kind == LKR_ACTION_WAIT &&
        a.wait_until_ms > now + (uint64_t)a.wait_s * 1000u + 1000u) {
        x->offset += a.wait_until_ms - (uint64_t)a.wait_s * 1000u - now;
    }
}

int cmd_diagnose(int argc, char **argv)
{
    static const cli_opt opts[] = { { "protocol", 1 }, { "state", 1 } };
    const char *cmd = "diagnose", *val, *fast = getenv("LOCKRECOVER_FAST");
    lkr_profile profile;
    lkr_transport t;
    lkr_session_config sc;
    cli_parser p;
    dx x;
    int k, rc, missing = 0;
    lkr_status st;

    memset(&x, 0, sizeof x);
    lkr_profile_init(&profile);
    cli_parser_init(&p, argc, argv, opts, sizeof(opts) / sizeof(opts[0]));
    while ((k = cli_next(&p, &val)) != CLI_OPT_END) {
        if (k == CLI_OPT_HELP) {
            fputs(cli_help_diagnose, stdout);
            return CLI_EXIT_OK;
        }
        if (k == CLI_OPT_ERROR) return CLI_EXIT_USAGE;
        if (k == 0 && (rc = cli_parse_protocol(cmd, val, &profile.protocol)) != 0) return rc;
        if (k == 1) x.state = val;
    }
    x.tty_in = isatty(STDIN_FILENO);
    x.tty_out = isatty(STDOUT_FILENO);
    x.fast = fast != NULL && strcmp(fast, "1") == 0;

    lkr_transport_init(&t);
    t.ctx = &x;
    t.now_ms = dx_now;

    if (x.state != NULL) {
        if ((rc = cli_load_state(cmd, x.state, &t, &x.s, &missing)) != 0) return rc;
    }
    if (x.s != NULL) {
        lkr_session_info info = LKR_SESSION_INFO_INIT;
        align_clock(&x);
        printf("Resuming the recovery saved in %s.\n", x.state);
        if (lkr_session_status(x.s, &info) == LKR_OK) x.symptom_shown = info.symptom;
    } else {
        lkr_session_config_init(&sc);
        printf("lockrecover %s: let's get the lock back, one safe step at a time.\n",
               lkr_version_string());
        if (x.state) printf("Progress is saved in %s; rerun the same command to resume.\n", x.state);
        rc = ask_profile(&x, &profile);
        if (rc == DX_EOF) {
            fputs("lockrecover diagnose: ran out of answers (stdin ended) before the session "
                  "started\n", stderr);
            return CLI_EXIT_ERROR;
        }
        if (rc != 0) return rc;
        sc.profile = &profile;
        if ((st = lkr_session_new(&sc, &t, &x.s)) != LKR_OK) {
            return cli_error(cmd, "cannot start the session", lkr_strerror(st));
        }
    }
    rc = drive(&x);
    if (rc == DX_EOF || rc == DX_STOP) {
        fputs(rc == DX_EOF ? "lockrecover diagnose: ran out of answers (stdin ended)"
                           : "lockrecover diagnose: stopped", stderr);
        if (x.state) fprintf(stderr, "; the session is saved in %s: rerun with --state %s to resume\n",
                             x.state, x.state);
        else fputs("; without --state nothing was saved\n", stderr);
        rc = CLI_EXIT_ERROR;
    }
    lkr_session_free(x.s);
    return rc;
}
