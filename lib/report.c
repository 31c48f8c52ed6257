/*
 * The support report (catalog section 7): what a manufacturer asks for, as
 * JSON and as text. It never holds a code: host text is escaped, made valid
 * UTF-8, and any vault PIN in it is masked; waiver reasons were masked when
 * they were recorded. docs/REPORT.md lists every field.
 */
#include <stdio.h>
#include <string.h>

#include "session_int.h"

/* ---- a bounded writer that also counts -------------------------------------- */

typedef struct out {
    char *buf;
    size_t cap;
    size_t n; /* bytes the whole report needs, NUL excluded */
} out;

static void emit(out *o, const char *s, size_t len)
{
    if (o->buf != NULL && o->n < o->cap) {
        size_t room = o->cap - o->n;
        memcpy(o->buf + o->n, s, len < room ? len : room);
    }
    o->n += len;
}

static void lit(out *o, const char *s)
{
    emit(o, s, strlen(s));
}

static void num(out *o, uint64_t v)
{
    char b[24];
    int n = snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
    emit(o, b, (size_t)n);
}

/* Seconds since the session began, to the millisecond (d: an offset in ms). */
static void secs(out *o, uint32_t d)
{
    char b[32];
    int n = snprintf(b, sizeof(b), "%lu.%03u", (unsigned long)(d / 1000u), (unsigned)(d % 1000u));
    emit(o, b, (size_t)n);
}

/* Length of the well-formed UTF-8 sequence at u (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *u)
{
    unsigned c = u[0];
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return (u[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return u[1] >= lo && u[1] <= hi && (u[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return u[1] >= lo && u[1] <= hi && (u[2] & 0xC0) == 0x80 && (u[3] & 0xC0) == 0x80 ? 4 : 0;
    }
    return 0;
}

/* Host text, made safe: valid UTF-8 (anything else becomes '?'), and a text
 * that holds a vault PIN is withheld whole: masking part of it would give the
 * PIN away to anyone who knows the rest. */
static void safe_copy(const lkr_session *s, char *dst, size_t cap, const char *src)
{
    static const char withheld[] = "[withheld: it contained an access code]";
    size_t i = 0, j = 0;
    const unsigned char *u = (const unsigned char *)src;
    if (s->vault != NULL && lkr__vault_contains_pin(s->vault, src)) {
        memcpy(dst, withheld, sizeof(withheld) < cap ? sizeof(withheld) : cap - 1);
        dst[sizeof(withheld) < cap ? sizeof(withheld) - 1 : cap - 1] = '\0';
        return;
    }
    while (u[i] != '\0' && j + 1 < cap) {
        size_t len = utf8_len(u + i);
        if (len == 0 || j + len >= cap) {
            dst[j++] = '?';
            i++;
            continue;
        }
        memcpy(dst + j, src + i, len);
        i += len;
        j += len;
    }
    dst[j] = '\0';
}

static void jstr(out *o, const lkr_session *s, const char *text)
{
    char safe[LKR_REASON_MAX + LKR_PROFILE_TEXT_MAX];
    size_t i;
    safe_copy(s, safe, sizeof(safe), text);
    lit(o, "\"");
    for (i = 0; safe[i] != '\0'; i++) {
        unsigned char c = (unsigned char)safe[i];
        if (c == '"' || c == '\\') {
            char e[2];
            e[0] = '\\';
            e[1] = (char)c;
            emit(o, e, 2);
        } else if (c < 0x20 || c == 0x7F) {
            char e[8];
            int n = snprintf(e, sizeof(e), "\\u%04x", c);
            emit(o, e, (size_t)n);
        } else {
            emit(o, safe + i, 1);
        }
    }
    lit(o, "\"");
}

/* A catalog string, or null when empty. */
static void jstr_or_null(out *o, const lkr_session *s, const char *text)
{
    if (text == NULL || text[0] == '\0') {
        lit(o, "null");
    } else {
        jstr(o, s, text);
    }
}

static void jtri(out *o, uint8_t v)
{
    lit(o, v == LKR_YES ? "true" : v == LKR_NO ? "false" : "null");
}

/* ---- names -------------------------------------------------------------------- */

static const char *state_name(uint32_t st)
{
    static const char *const names[] = {"", "triage", "awaiting_person", "awaiting_transport", "waiting",
                                        "verifying", "blocked", "recovered", "needs_support", "aborted"};
    return st < sizeof(names) / sizeof(names[0]) ? names[st] : "unknown";
}

static const char *outcome_name(uint32_t o)
{
    static const char *const names[] = {"open", "fixed", "not_fixed", "done", "skipped",
                                        "cannot_do", "failed", "waived", "refuted", "handed_over"};
    return o < sizeof(names) / sizeof(names[0]) ? names[o] : "unknown";
}

static const char *update_name(uint32_t u)
{
    static const char *const names[] = {"unknown", "none", "in_progress", "reported_ok",
                                        "reported_failed", "finished"};
    return u < sizeof(names) / sizeof(names[0]) ? names[u] : "unknown";
}

static const char *const support_names[] = {"ladder_exhausted", "dead_keypad", "same_error_code",
                                            "several_phones", "after_update", "reset_refused",
                                            "codes_missing", "codes_unverified"};
#define SUPPORT_NAMES (sizeof(support_names) / sizeof(support_names[0]))

static uint32_t public_state_of(const lkr_session *s)
{
    lkr_session_info info;
    memset(&info, 0, sizeof(info));
    info.struct_size = (uint32_t)sizeof(info);
    return lkr_session_status(s, &info) == LKR_OK ? info.state : 0;
}

/* ---- JSON ---------------------------------------------------------------------- */

/* The lock, its battery, firmware and error codes: {"library":...,"error_codes":{...} */
static void json_lock(out *o, const lkr_session *s)
{
    const lkr_profile *p = &s->profile;
    const lkr_observations *ob = &s->obs;
    uint32_t k, first;

    lit(o, "{\"library\":");
    jstr(o, s, lkr_version_string());
    lit(o, ",\"report_version\":1,\"lock\":{\"manufacturer\":");
    jstr_or_null(o, s, p->manufacturer);
    lit(o, ",\"model\":");
    jstr_or_null(o, s, p->model);
    lit(o, ",\"serial\":");
    jstr_or_null(o, s, p->serial);
    lit(o, ",\"purchase_date\":");
    jstr_or_null(o, s, p->purchase_date);
    lit(o, ",\"warranty_months\":");
    if (p->warranty_months) num(o, p->warranty_months); else lit(o, "null");
    lit(o, ",\"protocol\":");
    jstr(o, s, lkr_protocol_name(p->protocol));
    lit(o, ",\"has_bridge\":");
    jtri(o, p->has_bridge);
    lit(o, ",\"ecosystems\":[");
    for (k = 1, first = 1; k <= LKR_ECOSYSTEM_MAX; k++) {
        if (p->ecosystems & LKR_ECOSYSTEM_BIT(k)) {
            if (!first) lit(o, ",");
            jstr(o, s, lkr_ecosystem_name(k));
            first = 0;
        }
    }
    lit(o, "],\"battery\":{\"chemistry\":");
    jstr(o, s, lkr_chemistry_name(p->battery_chemistry));
    lit(o, ",\"cells\":");
    if (p->battery_cells) num(o, p->battery_cells); else lit(o, "null");
    lit(o, ",\"level_pct\":");
    if (ob->battery_pct >= 0) num(o, (uint64_t)ob->battery_pct); else lit(o, "null");
    lit(o, ",\"cell_mv\":");
    if (ob->cell_mv >= 0) num(o, (uint64_t)ob->cell_mv); else lit(o, "null");
    lit(o, "}},\"firmware\":{\"before\":");
    jstr_or_null(o, s, ob->fw_before);
    lit(o, ",\"target\":");
    jstr_or_null(o, s, ob->fw_target);
    lit(o, ",\"now\":");
    jstr_or_null(o, s, ob->fw_now);
    lit(o, ",\"update\":");
    jstr(o, s, update_name(ob->update_state));
    lit(o, ",\"update_applied\":");
    lit(o, (s->triage & LKR_TRIAGE_UPDATE_APPLIED) ? "true" : "false");
    lit(o, ",\"update_not_applied\":");
    lit(o, ((s->triage & LKR_TRIAGE_UPDATE_NOT_APPLIED) || (s->detail & LKR_DETAIL_UPDATE_NOT_APPLIED))
               ? "true" : "false");
    lit(o, "},\"error_codes\":{\"initial\":");
    jstr_or_null(o, s, s->initial_error);
    lit(o, ",\"now\":");
    jstr_or_null(o, s, ob->error_code);
}

/* The symptom and the most likely causes: ...,"symptom":...,"causes":[...] */
static void json_causes(out *o, const lkr_session *s)
{
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    uint32_t i;

    lit(o, "},\"symptom\":");
    jstr(o, s, lkr__symptoms[s->symptom].sid);
    lit(o, ",\"causes\":[");
    if (lkr_session_beliefs(s, &d) == LKR_OK) {
        for (i = 0; i < d.cause_count && i < 5; i++) {
            /* Four decimals without printf's %f: its decimal point follows the locale. */
            char b[32];
            uint32_t q = (uint32_t)(d.causes[i].p * 10000.0 + 0.5);
            int n = snprintf(b, sizeof(b), "%u.%04u", (unsigned)(q / 10000u), (unsigned)(q % 10000u));
            if (i) lit(o, ",");
            lit(o, "{\"id\":");
            jstr(o, s, lkr__causes[d.causes[i].cause].sid);
            lit(o, ",\"p\":");
            emit(o, b, (size_t)n);
            lit(o, "}");
        }
    }
}

/* Where the session stands: ...],"state":...,"support_reasons":[... */
static void json_outcome(out *o, const lkr_session *s)
{
    uint32_t k, first, state = public_state_of(s);

    lit(o, "],\"state\":");
    jstr(o, s, state_name(state));
    lit(o, ",\"ladder\":");
    lit(o, s->ladder == LKR_LADDER_CODE ? "\"code\"" : s->ladder == LKR_LADDER_CONNECTION ? "\"connection\"" : "null");
    lit(o, ",\"handover\":");
    if (state == LKR_STATE_NEEDS_SUPPORT && s->terminal_step) jstr(o, s, lkr__steps[s->terminal_step].sid);
    else lit(o, "null");
    lit(o, ",\"support_reasons\":[");
    for (k = 0, first = 1; k < SUPPORT_NAMES; k++) {
        if (s->support_reasons & (1u << k)) {
            if (!first) lit(o, ",");
            jstr(o, s, support_names[k]);
            first = 0;
        }
    }
}

/* The steps and the waivers, in order: ...],"steps":[...],"waivers":[... */
static void json_history(out *o, const lkr_session *s)
{
    uint32_t i;

    lit(o, "],\"steps\":[");
    for (i = 0; i < s->hist_count; i++) {
        const lkr__hist *h = &s->hist[i];
        if (i) lit(o, ",");
        lit(o, "{\"id\":");
        jstr(o, s, lkr__steps[h->step].sid);
        lit(o, ",\"tier\":");
        jstr(o, s, lkr__tiers[lkr__steps[h->step].tier].sid);
        lit(o, ",\"outcome\":");
        jstr(o, s, outcome_name(h->outcome));
        lit(o, h->by_host ? ",\"by\":\"host\"" : ",\"by\":\"person\"");
        lit(o, ",\"started_s\":");
        secs(o, h->started_off);
        lit(o, ",\"ended_s\":");
        if (h->outcome != LKR_OUTCOME_NONE) secs(o, h->ended_off); else lit(o, "null");
        lit(o, "}");
    }
    lit(o, "],\"waivers\":[");
    for (i = 0; i < s->waiver_count; i++) {
        const lkr__waiver *w = &s->waivers[i];
        if (i) lit(o, ",");
        lit(o, w->kind == LKR_WAIVE_TIER ? "{\"kind\":\"tier\",\"id\":" : "{\"kind\":\"step\",\"id\":");
        jstr(o, s, w->kind == LKR_WAIVE_TIER ? lkr__tiers[w->id].sid : lkr__steps[w->id].sid);
        lit(o, ",\"reason\":");
        jstr(o, s, w->reason);
        lit(o, ",\"at_s\":");
        secs(o, w->at_off);
        lit(o, "}");
    }
}

/* What the lock itself listed at its last read, and how many of those codes
 * nobody here holds a PIN for: ...,"on_lock":N,"unknown":M (null: never read). */
static void json_lock_codes(out *o, const lkr_session *s)
{
    uint32_t on_lock = 0, unknown = 0;
    int read = s->vault != NULL && lkr__vault_lock_facts(s->vault, &on_lock, &unknown);
    lit(o, ",\"on_lock\":");
    if (read) num(o, on_lock); else lit(o, "null");
    lit(o, ",\"unknown\":");
    if (read) num(o, unknown); else lit(o, "null");
}

/* Which evidence level the codes stood on (docs/VAULT.md): verified by the
 * vault > the host's records > noted by the person; "none" when neither. */
static const char *evidence_level(const lkr_session *s)
{
    return lkr__backup_verified(s) ? "\"verified\""
           : lkr__backup_bound(s)  ? "\"host_records\""
           : lkr__codes_noted(s)   ? "\"person_noted\""
                                   : "\"none\"";
}

/* What the person answered to a question worth asking that was put: the
 * fact it set (unknown for "don't know"). */
static uint8_t question_answer(const lkr_session *s, const lkr__vquestion *q)
{
    return ((const uint8_t *)&s->obs)[lkr__vq_fact_at(q, s->profile.protocol)];
}

/* The guards that blocked, the codes (a count, never a code), the questions
 * worth asking put and the time spent: ...],"guards_blocked":[...],
 * "codes":{...},"questions":[...],"person_minutes":N} */
static void json_codes(out *o, const lkr_session *s)
{
    uint32_t k, first;

    lit(o, "],\"guards_blocked\":[");
    for (k = 1, first = 1; k <= LKR__GUARD_COUNT; k++) {
        if (s->guards_blocked & LKR_GUARD_BIT(k)) {
            if (!first) lit(o, ",");
            jstr(o, s, lkr__guards[k].sid);
            first = 0;
        }
    }
    lit(o, "],\"codes\":{\"vault\":");
    lit(o, s->vault != NULL ? "true" : "false");
    lit(o, ",\"count\":");
    num(o, lkr__vault_count(s->vault));
    lit(o, ",\"verified\":");
    lit(o, lkr__backup_verified(s) ? "true" : "false");
    lit(o, ",\"host_records\":");
    lit(o, lkr__backup_bound(s) && !lkr__backup_verified(s) ? "true" : "false");
    lit(o, ",\"evidence\":");
    lit(o, evidence_level(s));
    lit(o, ",\"missing\":");
    num(o, s->codes_missing);
    json_lock_codes(o, s);
    lit(o, "},\"questions\":[");
    for (k = 0, first = 1; k < LKR__VQ_COUNT; k++) {
        const lkr__vquestion *q = &lkr__vquestions[k];
        if (!(s->asked & (1u << q->question))) continue;
        if (!first) lit(o, ",");
        lit(o, "{\"id\":");
        jstr(o, s, q->sid);
        lit(o, ",\"answer\":");
        jtri(o, question_answer(s, q));
        lit(o, "}");
        first = 0;
    }
    lit(o, "],\"person_minutes\":");
    num(o, s->person_minutes);
    lit(o, "}");
}

static void json(out *o, const lkr_session *s)
{
    json_lock(o, s);
    json_causes(o, s);
    json_outcome(o, s);
    json_history(o, s);
    json_codes(o, s);
}

/* ---- text ---------------------------------------------------------------------- */

static void line(out *o, const lkr_session *s, const char *label, const char *value)
{
    char safe[LKR_REASON_MAX + LKR_PROFILE_TEXT_MAX];
    lit(o, label);
    if (value == NULL || value[0] == '\0') {
        lit(o, "unknown\n");
        return;
    }
    safe_copy(s, safe, sizeof(safe), value);
    {
        /* One fact per line: no control character may start a forged one. */
        size_t k;
        for (k = 0; safe[k] != '\0'; k++) {
            if ((unsigned char)safe[k] < 0x20 || safe[k] == 0x7F) safe[k] = ' ';
        }
    }
    lit(o, safe);
    lit(o, "\n");
}

/* The access codes: counts and states, never a code. */
/* A guard the person confirmed did not block the step in the end: it is
 * listed as confirmed, not as blocking. */
static void text_guards(out *o, const lkr_session *s)
{
    uint32_t k;
    if (s->guards_blocked & ~s->confirmed) {
        lit(o, "\nGuards that blocked a step:\n");
        for (k = 1; k <= LKR__GUARD_COUNT; k++) {
            if ((s->guards_blocked & ~s->confirmed) & LKR_GUARD_BIT(k)) line(o, s, "  ", lkr__guards[k].title);
        }
    }
    if (s->confirmed & LKR__GUARDS_CONFIRMABLE) {
        lit(o, "\nGuards the person confirmed:\n");
        for (k = 1; k <= LKR__GUARD_COUNT; k++) {
            if (s->confirmed & LKR__GUARDS_CONFIRMABLE & LKR_GUARD_BIT(k)) line(o, s, "  ", lkr__guards[k].title);
        }
    }
}

static void text_codes(out *o, const lkr_session *s)
{
    char b[160];
    uint32_t on_lock = 0, unknown = 0;
    (void)snprintf(b, sizeof(b), "\nAccess codes: %u in the vault, backup %s, %u missing\n",
                   (unsigned)lkr__vault_count(s->vault),
                   lkr__backup_verified(s) ? "verified by the vault"
                   : lkr__backup_bound(s)  ? "the host's records (not read from the lock)"
                   : lkr__codes_noted(s)   ? "noted by the person (not read from the lock)"
                                           : "not verified",
                   (unsigned)s->codes_missing);
    lit(o, b);
    if (s->vault != NULL && lkr__vault_lock_facts(s->vault, &on_lock, &unknown) && unknown > 0) {
        (void)snprintf(b, sizeof(b), "The lock holds %u codes; %u of them are in no record here: "
                       "nobody here knows their PINs\n", (unsigned)on_lock, (unsigned)unknown);
        lit(o, b);
    }
}

static void text(out *o, const lkr_session *s)
{
    const lkr_profile *p = &s->profile;
    const lkr_observations *ob = &s->obs;
    uint32_t i, k, state = public_state_of(s);
    char b[128];

    lit(o, "Smart lock support report (liblockrecover ");
    lit(o, lkr_version_string());
    lit(o, ")\n\n");
    line(o, s, "Manufacturer:     ", p->manufacturer);
    line(o, s, "Model:            ", p->model);
    line(o, s, "Serial number:    ", p->serial);
    line(o, s, "Purchase date:    ", p->purchase_date);
    line(o, s, "Protocol:         ", lkr_protocol_name(p->protocol));
    lit(o, "Ecosystems:       ");
    for (k = 1, i = 0; k <= LKR_ECOSYSTEM_MAX; k++) {
        if (p->ecosystems & LKR_ECOSYSTEM_BIT(k)) {
            if (i++) lit(o, ", ");
            lit(o, lkr_ecosystem_name(k));
        }
    }
    lit(o, i ? "\n" : "none\n");
    line(o, s, "Batteries:        ", lkr_chemistry_name(p->battery_chemistry));
    if (ob->battery_pct >= 0) {
        (void)snprintf(b, sizeof(b), "Battery level:    %d %%\n", (int)ob->battery_pct);
        lit(o, b);
    }
    line(o, s, "Firmware before:  ", ob->fw_before);
    line(o, s, "Firmware target:  ", ob->fw_target);
    line(o, s, "Firmware now:     ", ob->fw_now);
    line(o, s, "Update:           ", update_name(ob->update_state));
    line(o, s, "Error code first: ", s->initial_error);
    line(o, s, "Error code now:   ", ob->error_code);
    line(o, s, "Symptom:          ", lkr__symptoms[s->symptom].title);
    line(o, s, "Outcome:          ", state_name(state));
    if (state == LKR_STATE_NEEDS_SUPPORT && s->terminal_step) {
        line(o, s, "Hand-over:        ", lkr__steps[s->terminal_step].title);
    }
    for (k = 0; k < SUPPORT_NAMES; k++) {
        if (s->support_reasons & (1u << k)) line(o, s, "Reason:           ", support_names[k]);
    }
    lit(o, "\nSteps, in order:\n");
    for (i = 0; i < s->hist_count; i++) {
        const lkr__hist *h = &s->hist[i];
        (void)snprintf(b, sizeof(b), "%3u. [+%lus] ", (unsigned)(i + 1), (unsigned long)(h->started_off / 1000u));
        lit(o, b);
        lit(o, lkr__steps[h->step].title);
        lit(o, " (");
        lit(o, lkr__steps[h->step].sid);
        lit(o, "): ");
        lit(o, outcome_name(h->outcome));
        lit(o, h->by_host ? ", by the host\n" : "\n");
    }
    if (s->waiver_count) {
        lit(o, "\nWaived:\n");
        for (i = 0; i < s->waiver_count; i++) {
            const lkr__waiver *w = &s->waivers[i];
            lit(o, "  ");
            lit(o, w->kind == LKR_WAIVE_TIER ? lkr__tiers[w->id].sid : lkr__steps[w->id].sid);
            line(o, s, ": ", w->reason);
        }
    }
    text_guards(o, s);
    text_codes(o, s);
    for (i = 0; i < LKR__VQ_COUNT; i++) {
        const lkr__vquestion *q = &lkr__vquestions[i];
        uint8_t v;
        if (!(s->asked & (1u << q->question))) continue;
        v = question_answer(s, q);
        lit(o, "Asked: ");
        lit(o, lkr__question_text(q->question));
        lit(o, v == LKR_YES ? " Yes.\n" : v == LKR_NO ? " No.\n" : " Not known.\n");
    }
    (void)snprintf(b, sizeof(b), "Person-minutes spent: %u\n", (unsigned)s->person_minutes);
    lit(o, b);
}

/* ---- public ------------------------------------------------------------------------ */

static lkr_status render(const lkr_session *s, char *buf, size_t len, size_t *needed,
                         void (*fn)(out *, const lkr_session *))
{
    out o;
    if (s == NULL || s->magic != LKR__SESSION_MAGIC || needed == NULL || (buf == NULL && len != 0)) {
        return LKR_E_INVAL;
    }
    o.buf = buf;
    o.cap = buf != NULL ? len : 0;
    o.n = 0;
    fn(&o, s);
    *needed = o.n + 1;
    if (buf == NULL || len < *needed) {
        if (buf != NULL && len > 0) {
            buf[0] = '\0'; /* never leave a half report looking whole */
        }
        return LKR_E_BUFFER;
    }
    buf[o.n] = '\0';
    return LKR_OK;
}

lkr_status lkr_session_report_json(const lkr_session *s, char *buf, size_t len, size_t *needed)
{
    return render(s, buf, len, needed, json);
}

lkr_status lkr_session_report_text(const lkr_session *s, char *buf, size_t len, size_t *needed)
{
    return render(s, buf, len, needed, text);
}
