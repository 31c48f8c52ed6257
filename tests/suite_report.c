/*
 * The support report: lkr_session_report_json() and _text(). The
 * JSON is parsed by a small strict validator below (objects, arrays, strings
 * with escapes, numbers, true/false/null) at every action of a recovery, and
 * holds what a manufacturer asks for (catalog section 7); host strings with
 * quotes, backslashes and control characters come back intact; size queries
 * work like save; a planted PIN never appears in a log line, either report,
 * a saved blob or an error string; a PIN typed into a waiver reason is masked.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "host_script.h"
#include "fake_lock.h"

/* ---- a strict JSON validator with a flat node table ------------------------ */

#define J_MAX 4096
#define J_DEPTH 64

enum { J_OBJ = 1, J_ARR, J_STR, J_NUM, J_TRUE, J_FALSE, J_NULL };

typedef struct jnode {
    int type;
    int parent;
    const char *key; /* raw, without quotes (object members) */
    size_t key_len;
    const char *val; /* raw text of the value (strings without quotes) */
    size_t val_len;
} jnode;

typedef struct jdoc {
    const char *s;
    size_t pos, n;
    int count;
    const char *err;
    jnode nodes[J_MAX];
} jdoc;

static void j_ws(jdoc *d)
{
    while (d->pos < d->n && (d->s[d->pos] == ' ' || d->s[d->pos] == '\t' || d->s[d->pos] == '\n' ||
                             d->s[d->pos] == '\r'))
        d->pos++;
}

static int j_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A string at d->pos (on its opening quote); sets its raw span. */
static int j_string(jdoc *d, const char **start, size_t *len)
{
    if (d->pos >= d->n || d->s[d->pos] != '"') return 0;
    d->pos++;
    *start = d->s + d->pos;
    while (d->pos < d->n) {
        unsigned char c = (unsigned char)d->s[d->pos];
        if (c == '"') {
            *len = (size_t)(d->s + d->pos - *start);
            d->pos++;
            return 1;
        }
        if (c < 0x20) {
            d->err = "raw control character in a string";
            return 0;
        }
        if (c == '\\') {
            char e;
            if (d->pos + 1 >= d->n) return 0;
            e = d->s[d->pos + 1];
            if (e == 'u') {
                int k;
                if (d->pos + 5 >= d->n) return 0;
                for (k = 2; k < 6; k++)
                    if (!j_hex(d->s[d->pos + (size_t)k])) {
                        d->err = "bad \\u escape";
                        return 0;
                    }
                d->pos += 6;
                continue;
            }
            if (!strchr("\"\\/bfnrt", e) || e == '\0') {
                d->err = "bad escape";
                return 0;
            }
            d->pos += 2;
            continue;
        }
        d->pos++;
    }
    d->err = "unterminated string";
    return 0;
}

static int j_digits(jdoc *d)
{
    size_t p = d->pos;
    while (d->pos < d->n && d->s[d->pos] >= '0' && d->s[d->pos] <= '9') d->pos++;
    return d->pos > p;
}

static int j_number(jdoc *d)
{
    if (d->pos < d->n && d->s[d->pos] == '-') d->pos++;
    if (d->pos < d->n && d->s[d->pos] == '0') {
        d->pos++;
    } else if (!j_digits(d)) {
        return 0;
    }
    if (d->pos < d->n && d->s[d->pos] == '.') {
        d->pos++;
        if (!j_digits(d)) return 0;
    }
    if (d->pos < d->n && (d->s[d->pos] == 'e' || d->s[d->pos] == 'E')) {
        d->pos++;
        if (d->pos < d->n && (d->s[d->pos] == '+' || d->s[d->pos] == '-')) d->pos++;
        if (!j_digits(d)) return 0;
    }
    return 1;
}

static int j_value(jdoc *d, int parent, const char *key, size_t key_len, int depth)
{
    int me;
    jnode *nd;
    if (depth > J_DEPTH || d->count >= J_MAX) {
        d->err = "too deep or too many nodes";
        return 0;
    }
    j_ws(d);
    if (d->pos >= d->n) {
        d->err = "unexpected end";
        return 0;
    }
    me = d->count++;
    nd = &d->nodes[me];
    nd->parent = parent;
    nd->key = key;
    nd->key_len = key_len;
    nd->val = d->s + d->pos;
    switch (d->s[d->pos]) {
    case '{':
        nd->type = J_OBJ;
        d->pos++;
        j_ws(d);
        if (d->pos < d->n && d->s[d->pos] == '}') {
            d->pos++;
            break;
        }
        for (;;) {
            const char *k;
            size_t kl;
            j_ws(d);
            if (!j_string(d, &k, &kl)) {
                if (!d->err) d->err = "expected a key";
                return 0;
            }
            j_ws(d);
            if (d->pos >= d->n || d->s[d->pos] != ':') {
                d->err = "expected ':'";
                return 0;
            }
            d->pos++;
            if (!j_value(d, me, k, kl, depth + 1)) return 0;
            j_ws(d);
            if (d->pos < d->n && d->s[d->pos] == ',') {
                d->pos++;
                continue;
            }
            if (d->pos < d->n && d->s[d->pos] == '}') {
                d->pos++;
                break;
            }
            d->err = "expected ',' or '}'";
            return 0;
        }
        break;
    case '[':
        nd->type = J_ARR;
        d->pos++;
        j_ws(d);
        if (d->pos < d->n && d->s[d->pos] == ']') {
            d->pos++;
            break;
        }
        for (;;) {
            if (!j_value(d, me, NULL, 0, depth + 1)) return 0;
            j_ws(d);
            if (d->pos < d->n && d->s[d->pos] == ',') {
                d->pos++;
                continue;
            }
            if (d->pos < d->n && d->s[d->pos] == ']') {
                d->pos++;
                break;
            }
            d->err = "expected ',' or ']'";
            return 0;
        }
        break;
    case '"':
        nd->type = J_STR;
        if (!j_string(d, &nd->val, &nd->val_len)) {
            if (!d->err) d->err = "bad string";
            return 0;
        }
        return 1;
    case 't':
        nd->type = J_TRUE;
        if (d->n - d->pos < 4 || strncmp(d->s + d->pos, "true", 4) != 0) return 0;
        d->pos += 4;
        break;
    case 'f':
        nd->type = J_FALSE;
        if (d->n - d->pos < 5 || strncmp(d->s + d->pos, "false", 5) != 0) return 0;
        d->pos += 5;
        break;
    case 'n':
        nd->type = J_NULL;
        if (d->n - d->pos < 4 || strncmp(d->s + d->pos, "null", 4) != 0) return 0;
        d->pos += 4;
        break;
    default:
        nd->type = J_NUM;
        if (!j_number(d)) {
            d->err = "bad value";
            return 0;
        }
        break;
    }
    nd->val_len = (size_t)(d->s + d->pos - nd->val);
    return 1;
}

/* Parses @p text strictly: one value, nothing after it but whitespace. */
static void j_parse(jdoc *d, const char *text)
{
    memset(d, 0, sizeof(*d));
    d->s = text;
    d->n = strlen(text);
    if (!j_value(d, -1, NULL, 0, 0)) {
        ck_abort_msg("invalid JSON at byte %u: %s", (unsigned)d->pos,
                     d->err ? d->err : "syntax error");
    }
    j_ws(d);
    ck_assert_msg(d->pos == d->n, "trailing bytes after the JSON value at %u", (unsigned)d->pos);
    ck_assert_int_eq(d->nodes[0].type, J_OBJ);
}

/* Decodes a raw JSON string span into @p out (NUL-terminated). */
static void j_decode(const char *raw, size_t len, char *out, size_t cap)
{
    size_t i = 0, o = 0;
    while (i < len && o + 1 < cap) {
        char c = raw[i++];
        if (c != '\\') {
            out[o++] = c;
            continue;
        }
        c = raw[i++];
        switch (c) {
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u': {
            char hex[5];
            unsigned long v;
            memcpy(hex, raw + i, 4);
            hex[4] = '\0';
            v = strtoul(hex, NULL, 16);
            out[o++] = v < 0x80 ? (char)v : '?';
            i += 4;
            break;
        }
        default: out[o++] = c; break;
        }
    }
    out[o] = '\0';
}

static int j_child(const jdoc *d, int parent, const char *key)
{
    int i;
    size_t kl = strlen(key);
    for (i = parent + 1; i < d->count; i++)
        if (d->nodes[i].parent == parent && d->nodes[i].key_len == kl &&
            strncmp(d->nodes[i].key, key, kl) == 0)
            return i;
    return -1;
}

static int j_need(const jdoc *d, int parent, const char *key)
{
    int i = j_child(d, parent, key);
    ck_assert_msg(i >= 0, "JSON lacks \"%s\"", key);
    return i;
}

/* The @p k-th element of an array (or member of an object), or -1. */
static int j_elem(const jdoc *d, int parent, int k)
{
    int i, seen = 0;
    for (i = parent + 1; i < d->count; i++)
        if (d->nodes[i].parent == parent && seen++ == k) return i;
    return -1;
}

static int j_len(const jdoc *d, int parent)
{
    int i, n = 0;
    for (i = parent + 1; i < d->count; i++)
        if (d->nodes[i].parent == parent) n++;
    return n;
}

static void j_str(const jdoc *d, int i, char *out, size_t cap)
{
    ck_assert_int_eq(d->nodes[i].type, J_STR);
    j_decode(d->nodes[i].val, d->nodes[i].val_len, out, cap);
}

/* A number (or a boolean as 0/1). */
static double j_num(const jdoc *d, int i)
{
    char tmp[64];
    if (d->nodes[i].type == J_TRUE) return 1.0;
    if (d->nodes[i].type == J_FALSE) return 0.0;
    ck_assert_msg(d->nodes[i].type == J_NUM, "\"%.*s\" is not a number", (int)d->nodes[i].key_len,
                  d->nodes[i].key ? d->nodes[i].key : "");
    ck_assert_uint_lt(d->nodes[i].val_len, sizeof(tmp));
    memcpy(tmp, d->nodes[i].val, d->nodes[i].val_len);
    tmp[d->nodes[i].val_len] = '\0';
    return strtod(tmp, NULL);
}

START_TEST(validator_self_test)
{
    static jdoc d;
    char out[64];
    j_parse(&d, " {\"a\": [1, -2.5e3, true, false, null, {\"b\": \"x\\\"y\\\\z\\u0001\\n\"}], "
                "\"c\": {}} ");
    ck_assert_int_eq(j_len(&d, j_need(&d, 0, "a")), 6);
    j_str(&d, j_need(&d, j_elem(&d, j_need(&d, 0, "a"), 5), "b"), out, sizeof(out));
    ck_assert_str_eq(out, "x\"y\\z\001\n");
    ck_assert(j_num(&d, j_elem(&d, j_need(&d, 0, "a"), 1)) == -2500.0);
}
END_TEST

/* ---- reports ---------------------------------------------------------------- */

static char *report(const lkr_session *s, int json)
{
    size_t need = 0, got = 0;
    char *buf;
    lkr_status st = json ? lkr_session_report_json(s, NULL, 0, &need)
                         : lkr_session_report_text(s, NULL, 0, &need);
    ck_assert_int_eq(st, LKR_E_BUFFER);
    ck_assert_uint_gt(need, 1);
    buf = (char *)malloc(need + 8);
    memset(buf, 0x7E, need + 8);
    st = json ? lkr_session_report_json(s, buf, need, &got) : lkr_session_report_text(s, buf, need, &got);
    ck_assert_int_eq(st, LKR_OK);
    ck_assert_uint_eq(got, need);
    ck_assert_uint_eq(strlen(buf) + 1, need);
    ck_assert_uint_eq((unsigned char)buf[need], 0x7E);
    return buf;
}

static unsigned char *save(const lkr_session *s, size_t *n)
{
    size_t need = 0, got = 0;
    unsigned char *b;
    ck_assert_int_eq(lkr_session_save(s, NULL, 0, &need), LKR_E_BUFFER);
    b = (unsigned char *)malloc(need);
    ck_assert_int_eq(lkr_session_save(s, b, need, &got), LKR_OK);
    *n = need;
    return b;
}

/* A lock with hostile text in every host string. */
static lkr_profile hostile_profile(uint32_t protocol)
{
    lkr_profile p = hs_profile(protocol, LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_HOMEKIT) |
                                             LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_ALEXA),
                               LKR_NO);
    snprintf(p.manufacturer, sizeof(p.manufacturer), "%s", "Ac\"me\\Locks </script>");
    snprintf(p.model, sizeof(p.model), "%s", "Line1\nLine2\tTab\001\037end");
    snprintf(p.serial, sizeof(p.serial), "%s", "SN/\"42\"\\");
    snprintf(p.purchase_date, sizeof(p.purchase_date), "%s", "2023-01-02");
    return p;
}

static lkr_observations hostile_obs(void)
{
    lkr_observations o = hs_obs();
    o.keypad_lights = LKR_YES;
    o.app_status = LKR_APP_OFFLINE;
    o.update_state = LKR_UPDATE_REPORTED_OK;
    o.phone_in_range = LKR_YES;
    o.battery_pct = 64;
    snprintf(o.fw_before, sizeof(o.fw_before), "%s", "1.0\"b");
    snprintf(o.fw_target, sizeof(o.fw_target), "%s", "2.0\\t");
    snprintf(o.error_code, sizeof(o.error_code), "%s", "E\"7\n");
    return o;
}

static void expect_str(const jdoc *d, int parent, const char *key, const char *want)
{
    char got[256];
    j_str(d, j_need(d, parent, key), got, sizeof(got));
    ck_assert_msg(strcmp(got, want) == 0, "\"%s\": got \"%s\"", key, got);
}

/* Checks every required key of a JSON report against the session. */
static void check_json(const char *text, const lkr_session *s, const lkr_vault *v)
{
    static jdoc d;
    lkr_session_info info = hs_status(s);
    int lock, fw, steps, waivers, codes, i;
    uint32_t k;

    j_parse(&d, text);
    (void)j_need(&d, 0, "library");
    lock = j_need(&d, 0, "lock");
    ck_assert_int_eq(d.nodes[lock].type, J_OBJ);
    (void)j_need(&d, lock, "manufacturer");
    (void)j_need(&d, lock, "model");
    (void)j_need(&d, lock, "serial");
    (void)j_need(&d, lock, "purchase_date");
    (void)j_need(&d, lock, "protocol");
    (void)j_need(&d, lock, "ecosystems");
    (void)j_need(&d, lock, "battery");
    fw = j_need(&d, 0, "firmware");
    (void)j_need(&d, fw, "before");
    (void)j_need(&d, fw, "target");
    (void)j_need(&d, fw, "now");
    (void)j_need(&d, 0, "error_codes");
    (void)j_need(&d, 0, "symptom");
    (void)j_need(&d, 0, "state");
    (void)j_need(&d, 0, "support_reasons");
    (void)j_need(&d, 0, "guards_blocked");
    ck_assert(j_num(&d, j_need(&d, 0, "person_minutes")) == (double)info.person_minutes);
    steps = j_need(&d, 0, "steps");
    ck_assert_int_eq(d.nodes[steps].type, J_ARR);
    ck_assert_int_eq(j_len(&d, steps), (int)info.history_count);
    for (k = 0; k < info.history_count; k++) {
        lkr_history_entry e = hs_history(s, k);
        int st = j_elem(&d, steps, (int)k), id;
        ck_assert_int_eq(d.nodes[st].type, J_OBJ);
        id = j_need(&d, st, "id");
        if (d.nodes[id].type == J_STR) {
            char sid[96];
            j_str(&d, id, sid, sizeof(sid));
            ck_assert_str_eq(sid, hs_step(e.step).sid);
        } else {
            ck_assert(j_num(&d, id) == (double)e.step);
        }
        (void)j_need(&d, st, "tier");
        (void)j_need(&d, st, "outcome");
        (void)j_need(&d, st, "started_s");
        (void)j_need(&d, st, "ended_s");
    }
    waivers = j_need(&d, 0, "waivers");
    ck_assert_int_eq(d.nodes[waivers].type, J_ARR);
    ck_assert_int_eq(j_len(&d, waivers), (int)info.waiver_count);
    for (i = 0; i < (int)info.waiver_count; i++) {
        lkr_waiver w = LKR_WAIVER_INIT;
        int wn = j_elem(&d, waivers, i);
        ck_assert_int_eq(lkr_session_waiver(s, (uint32_t)i, &w), LKR_OK);
        (void)j_need(&d, wn, "kind");
        (void)j_need(&d, wn, "id");
        expect_str(&d, wn, "reason", w.reason);
    }
    codes = j_need(&d, 0, "codes");
    ck_assert_int_eq(d.nodes[codes].type, J_OBJ);
    (void)j_need(&d, codes, "vault");
    ck_assert(j_num(&d, j_need(&d, codes, "verified")) == (double)info.backup_verified);
    ck_assert(j_num(&d, j_need(&d, codes, "missing")) == (double)info.codes_missing);
    if (v != NULL) {
        lkr_vault_info vi = fl_vault_status(v);
        ck_assert(j_num(&d, j_need(&d, codes, "count")) == (double)vi.count);
    } else {
        (void)j_need(&d, codes, "count");
    }
}

/* The hostile strings come back intact. */
static void check_strings(const char *text, const lkr_profile *p, const lkr_observations *o)
{
    static jdoc d;
    int lock, fw;
    j_parse(&d, text);
    lock = j_need(&d, 0, "lock");
    expect_str(&d, lock, "manufacturer", p->manufacturer);
    expect_str(&d, lock, "model", p->model);
    expect_str(&d, lock, "serial", p->serial);
    expect_str(&d, lock, "purchase_date", p->purchase_date);
    fw = j_need(&d, 0, "firmware");
    expect_str(&d, fw, "before", o->fw_before);
    expect_str(&d, fw, "target", o->fw_target);
    /* The error code, decoded, somewhere under "error_codes". */
    {
        int ec = j_need(&d, 0, "error_codes"), i, found = 0;
        for (i = ec; i < d.count; i++) {
            int up = i;
            char got[128];
            while (up > ec) up = d.nodes[up].parent;
            if (up != ec || d.nodes[i].type != J_STR) continue;
            j_str(&d, i, got, sizeof(got));
            if (strcmp(got, o->error_code) == 0) found = 1;
        }
        ck_assert_msg(found, "error_codes lacks the error code");
    }
}

static void no_pin_anywhere(fl_rig *r, const lkr_session *s)
{
    char *j = report(s, 1), *t = report(s, 0);
    size_t n;
    unsigned char *blob = save(s, &n);
    ck_assert_msg(!fl_has_pin(&r->lock, j, strlen(j)), "a PIN in the JSON report");
    ck_assert_msg(!fl_has_pin(&r->lock, t, strlen(t)), "a PIN in the text report");
    ck_assert_msg(!fl_has_pin(&r->lock, blob, n), "a PIN in the saved blob");
    ck_assert_uint_eq(r->lock.n_pin_leaks, 0);
    free(j);
    free(t);
    free(blob);
}

/* Reports at every action of a recovery that ends in support after a reset
 * whose restore lost a code: valid, complete, and never a PIN. */
START_TEST(json_valid_and_complete_at_every_action)
{
    static fl_rig r;
    lkr_profile p = hostile_profile(_i ? LKR_PROTOCOL_MATTER : LKR_PROTOCOL_ZWAVE);
    lkr_observations o = hostile_obs();
    lkr_session *s;
    lkr_vault *v;
    lkr_action a;
    unsigned i;
    uint32_t k;
    char *j;

    fl_rig_init(&r, LKR_CAUSE_HARDWARE_FAILURE, _i ? HS_F_ALL : HS_F_PERSON, 1);
    r.fix_on_reset = 1;
    if (_i) {
        r.lock.pins_readable = 0;
        p.pins_readable = LKR_NO;
    }
    fl_fill(&r.lock, 9);
    r.lock.drop_on_restore = 1;
    r.lock.drop_slot = r.lock.codes[2].slot;
    s = fl_rig_new(&r, &p, &o);
    v = fl_rig_vault(&r);
    if (_i)
        for (k = 0; k < r.lock.count; k++) ck_assert_int_eq(lkr_vault_record(v, &r.lock.codes[k]), LKR_OK);
    ck_assert_int_eq(lkr_session_attach_vault(s, v), LKR_OK);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_STEP, LKR_STEP_UNIVERSAL_UPDATE_SOFTWARE,
                                       "PIN 73910006 \"quoted\" \\ back"),
                     LKR_OK);
    /* The fresh session's report. */
    j = report(s, 1);
    check_json(j, s, v);
    check_strings(j, &p, &o);
    free(j);
    for (i = 0; i < 3000; i++) {
        a = fl_rig_next(s);
        j = report(s, 1);
        check_json(j, s, v);
        ck_assert(!fl_has_pin(&r.lock, j, strlen(j)));
        free(j);
        if (!fl_rig_respond(&r, s, &a)) break;
    }
    ck_assert_uint_eq(a.kind, LKR_ACTION_NEEDS_SUPPORT);
    ck_assert(a.detail & LKR_SUPPORT_CODES_MISSING);
    j = report(s, 1);
    check_json(j, s, v);
    check_strings(j, &p, &o);
    {
        static jdoc d;
        int codes;
        j_parse(&d, j);
        codes = j_need(&d, 0, "codes");
        ck_assert(j_num(&d, j_need(&d, codes, "missing")) == 1.0);
        ck_assert(j_num(&d, j_need(&d, codes, "count")) == 9.0);
        ck_assert_int_gt(j_len(&d, j_need(&d, 0, "steps")), 5);
        /* The support reasons name the missing codes. */
        ck_assert_msg(strstr(j, "codes_missing") != NULL || strstr(j, "CODES_MISSING") != NULL ||
                          d.nodes[j_need(&d, 0, "support_reasons")].type == J_NUM,
                      "support_reasons does not name the missing codes");
        if (d.nodes[j_need(&d, 0, "support_reasons")].type == J_NUM)
            ck_assert((uint32_t)j_num(&d, j_need(&d, 0, "support_reasons")) &
                      LKR_SUPPORT_CODES_MISSING);
    }
    free(j);
    no_pin_anywhere(&r, s);
    lkr_session_free(s);
    lkr_vault_free(v);
    fl_alloc_check_clean(&r.al);
}
END_TEST

START_TEST(text_report_names_the_lock_and_every_step)
{
    static fl_rig r;
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_GOOGLE), LKR_YES);
    lkr_observations o = hostile_obs();
    lkr_session *s;
    lkr_vault *v;
    lkr_action a;
    lkr_session_info info;
    uint32_t k;
    char *t;

    snprintf(p.purchase_date, sizeof(p.purchase_date), "%s", "2022-11-30");
    snprintf(p.serial, sizeof(p.serial), "%s", "SERIAL-XYZ-9");
    fl_rig_init(&r, LKR_CAUSE_HARDWARE_FAILURE, HS_F_PERSON, 1);
    fl_fill(&r.lock, 5);
    s = fl_rig_new(&r, &p, &o);
    v = fl_rig_vault(&r);
    ck_assert_int_eq(lkr_session_attach_vault(s, v), LKR_OK);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_ECOSYSTEM, "no hub here"), LKR_OK);
    a = fl_rig_drive(&r, s, 3000);
    ck_assert_uint_eq(a.kind, LKR_ACTION_NEEDS_SUPPORT);
    t = report(s, 0);
    ck_assert(strstr(t, "TestLock") != NULL);
    ck_assert(strstr(t, "Model T") != NULL);
    ck_assert(strstr(t, "SERIAL-XYZ-9") != NULL);
    ck_assert(strstr(t, "2022-11-30") != NULL);
    ck_assert(strstr(t, "no hub here") != NULL);
    info = hs_status(s);
    for (k = 0; k < info.history_count; k++) {
        lkr_step_info si = hs_step(hs_history(s, k).step);
        ck_assert_msg(strstr(t, si.sid) != NULL || strstr(t, si.title) != NULL,
                      "the text report lacks %s", si.sid);
    }
    ck_assert(!fl_has_pin(&r.lock, t, strlen(t)));
    free(t);
    t = report(s, 1);
    check_json(t, s, v);
    free(t);
    lkr_session_free(s);
    lkr_vault_free(v);
    fl_alloc_check_clean(&r.al);
}
END_TEST

START_TEST(bad_input_and_size_queries)
{
    static fl_rig r;
    lkr_profile p = hostile_profile(LKR_PROTOCOL_BLE);
    lkr_observations o = hostile_obs();
    lkr_session *s;
    size_t need = 0, got = 0;
    char small[4], *buf;
    int json;

    fl_rig_init(&r, 0, HS_F_PERSON, 0);
    s = fl_rig_new(&r, &p, &o);
    for (json = 0; json < 2; json++) {
        lkr_status (*fn)(const lkr_session *, char *, size_t, size_t *) =
            json ? lkr_session_report_json : lkr_session_report_text;
        ck_assert_int_eq(fn(NULL, NULL, 0, &need), LKR_E_INVAL);
        ck_assert_int_eq(fn(s, NULL, 0, NULL), LKR_E_INVAL);
        ck_assert_int_eq(fn(s, NULL, 0, &need), LKR_E_BUFFER);
        {
            /* NULL with a length: a size query (or refused as inconsistent). */
            lkr_status q = fn(s, NULL, 50, &got);
            ck_assert(q == LKR_E_BUFFER || q == LKR_E_INVAL);
            if (q == LKR_E_BUFFER) ck_assert_uint_eq(got, need);
        }
        memset(small, 'q', sizeof(small));
        ck_assert_int_eq(fn(s, small, sizeof(small), &got), LKR_E_BUFFER);
        ck_assert_uint_eq(got, need);
        buf = (char *)malloc(need + 1);
        memset(buf, 'q', need + 1);
        ck_assert_int_eq(fn(s, buf, need - 1, &got), LKR_E_BUFFER);
        ck_assert_int_eq(buf[need - 1], 'q');
        ck_assert_int_eq(fn(s, buf, need, &got), LKR_OK);
        ck_assert_uint_eq(got, need);
        ck_assert_int_eq(buf[need - 1], '\0');
        ck_assert_int_eq(buf[need], 'q');
        if (json) {
            check_json(buf, s, NULL);
            check_strings(buf, &p, &o);
        }
        free(buf);
    }
    lkr_session_free(s);
    fl_alloc_check_clean(&r.al);
}
END_TEST

/* Runs of four or more digits in a waiver reason are stored as '#'. */
typedef struct mask_row {
    const char *in, *out;
} mask_row;

static const mask_row masks[] = {
    {"code 1234 here", "code #### here"},
    {"123 is fine", "123 is fine"},
    {"a12345678b", "a########b"},
    {"12-34-56", "12-34-56"},
    {"9999", "####"},
    {"pin 123456789012 and 55", "pin ############ and 55"},
    {"two 1111 and 22222", "two #### and #####"},
};

START_TEST(waiver_reasons_mask_digit_runs)
{
    const mask_row *row = &masks[_i];
    static fl_rig r;
    lkr_profile p = hs_profile(LKR_PROTOCOL_ZIGBEE, 0, LKR_NO);
    lkr_observations o = hostile_obs();
    lkr_session *s;
    lkr_waiver w = LKR_WAIVER_INIT;
    char *j, *t;
    size_t n;
    unsigned char *blob;

    fl_rig_init(&r, 0, HS_F_PERSON, 0);
    s = fl_rig_new(&r, &p, &o);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_ECOSYSTEM, row->in), LKR_OK);
    ck_assert_int_eq(lkr_session_waiver(s, 0, &w), LKR_OK);
    ck_assert_str_eq(w.reason, row->out);
    j = report(s, 1);
    t = report(s, 0);
    blob = save(s, &n);
    if (strcmp(row->in, row->out) != 0) {
        /* The digits, as typed, are nowhere. */
        const char *d = row->in;
        char run[16];
        size_t len;
        while (*d && !(*d >= '0' && *d <= '9' && strspn(d, "0123456789") >= 4)) d++;
        len = strspn(d, "0123456789");
        ck_assert_uint_ge(len, 4);
        memcpy(run, d, len);
        run[len] = '\0';
        ck_assert(!fl_mem_has(j, strlen(j), run));
        ck_assert(!fl_mem_has(t, strlen(t), run));
        ck_assert(!fl_mem_has(blob, n, run));
    }
    check_json(j, s, NULL);
    free(j);
    free(t);
    free(blob);
    lkr_session_free(s);
    fl_alloc_check_clean(&r.al);
}
END_TEST

/* The issue's test: a planted PIN (in the lock, the vault, a waiver) never
 * appears in a log line, a report, a blob or an error string, on any path. */
START_TEST(planted_pin_never_appears)
{
    static fl_rig r;
    static const uint32_t protocols[] = {LKR_PROTOCOL_WIFI, LKR_PROTOCOL_BLE, LKR_PROTOCOL_ZWAVE,
                                         LKR_PROTOCOL_ZIGBEE, LKR_PROTOCOL_MATTER};
    uint32_t protocol = protocols[_i / 2];
    lkr_profile p = hs_profile(protocol, LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_SMARTTHINGS), LKR_NO);
    lkr_observations o = hostile_obs();
    lkr_session *s;
    lkr_vault *v;
    lkr_action a;
    lkr_status st;
    unsigned i;
    uint32_t k;

    fl_rig_init(&r, LKR_CAUSE_HARDWARE_FAILURE, (_i % 2) ? HS_F_ALL : HS_F_PERSON, 1);
    r.fix_on_reset = 1;
    if (protocol == LKR_PROTOCOL_MATTER) {
        r.lock.pins_readable = 0;
        p.pins_readable = LKR_NO;
    }
    fl_fill(&r.lock, 12);
    r.lock.drop_on_restore = (_i % 2) == 0;
    r.lock.drop_slot = r.lock.codes[0].slot;
    s = fl_rig_new(&r, &p, &o);
    v = fl_rig_vault(&r);
    if (protocol == LKR_PROTOCOL_MATTER)
        for (k = 0; k < r.lock.count; k++) ck_assert_int_eq(lkr_vault_record(v, &r.lock.codes[k]), LKR_OK);
    ck_assert_int_eq(lkr_session_attach_vault(s, v), LKR_OK);
    {
        char reason[LKR_REASON_MAX];
        snprintf(reason, sizeof(reason), "the code is %s", r.lock.codes[3].pin);
        ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_STEP, LKR_STEP_UNIVERSAL_UPDATE_SOFTWARE,
                                           reason),
                         LKR_OK);
    }
    for (i = 0; i < 3000; i++) {
        a = fl_rig_next(s);
        if (i % 7 == 0) no_pin_anywhere(&r, s);
        if (!fl_rig_respond(&r, s, &a)) break;
    }
    ck_assert(lkr_action_is_final(&a));
    no_pin_anywhere(&r, s);
    ck_assert_uint_gt(r.n_rig_log, 0);
    /* The hs log kept its lines too: none holds a PIN. */
    for (k = 0; k < r.h.n_log && k < HS_LOG_LINES; k++)
        ck_assert(!fl_has_pin(&r.lock, r.h.log[k], strlen(r.h.log[k])));
    for (st = -64; st <= 8; st++) {
        const char *e = lkr_strerror(st), *nm = lkr_status_name(st);
        ck_assert(!fl_has_pin(&r.lock, e, strlen(e)));
        ck_assert(!fl_has_pin(&r.lock, nm, strlen(nm)));
    }
    lkr_session_free(s);
    lkr_vault_free(v);
    fl_alloc_check_clean(&r.al);
}
END_TEST

static Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *json = tcase_create("json");
    TCase *text = tcase_create("text");
    TCase *secrets = tcase_create("secrets");

    tcase_add_test(json, validator_self_test);
    tcase_add_loop_test(json, json_valid_and_complete_at_every_action, 0, 2);
    tcase_add_test(json, bad_input_and_size_queries);
    suite_add_tcase(s, json);

    tcase_add_test(text, text_report_names_the_lock_and_every_step);
    suite_add_tcase(s, text);

    tcase_add_loop_test(secrets, waiver_reasons_mask_digit_runs, 0,
                        (int)(sizeof(masks) / sizeof(masks[0])));
    tcase_add_loop_test(secrets, planted_pin_never_appears, 0, 10);
    suite_add_tcase(s, secrets);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(report_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
