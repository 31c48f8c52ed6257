/*
 * lockrecover diagnose: the opening questions. They place the symptom before
 * the first step (what changed, what the app shows, which apps, the batteries,
 * the keypad, the versions, the lock's name and any error code), every one with "don't
 * know" and "other", and they become the profile and observations the
 * session starts from, so the classifier weighs them as evidence. Each
 * answer is in the state file before the next question is shown, so a run
 * that ends here resumes here.
 */
#include "dx.h"

#include <string.h>

/* The order they are asked in. */
static const uint32_t order[] = {
    DX_P_PROTOCOL, DX_P_CHANGES, DX_P_UPDATE, DX_P_STALLED, DX_P_KEYPAD, DX_P_APP_SEEN, DX_P_APPS, DX_P_BRIDGE, DX_P_OTHER_WIFI,
    DX_P_HUB, DX_P_OTHER_PHONE,
    DX_P_BATTERY, DX_P_FW_BEFORE, DX_P_FW_TARGET, DX_P_MODEL, DX_P_SERIAL, DX_P_ERROR,
};
#define N_ORDER (sizeof(order) / sizeof(order[0]))

static int asked(const dx *x, uint32_t p)
{
    return (DX_V(x, OPENED) >> p) & 1u;
}

static int applies(const dx *x, uint32_t p)
{
    uint32_t proto = DX_V(x, PROTOCOL), ch = DX_V(x, CHANGES);
    switch (p) {
    case DX_P_PROTOCOL: return proto == LKR_PROTOCOL_NONE;
    case DX_P_BRIDGE:
    case DX_P_OTHER_WIFI: return proto == LKR_PROTOCOL_WIFI;
    case DX_P_HUB:
        return proto == LKR_PROTOCOL_ZWAVE || proto == LKR_PROTOCOL_ZIGBEE ||
               proto == LKR_PROTOCOL_MATTER;
    case DX_P_OTHER_PHONE: return proto == LKR_PROTOCOL_BLE;
    case DX_P_UPDATE: return (ch & (DX_CH_FIRMWARE | DX_CH_UNKNOWN)) != 0;
    case DX_P_STALLED: return DX_V(x, UPDATE) == 1u + LKR_UPDATE_IN_PROGRESS;
    case DX_P_FW_BEFORE:
    case DX_P_FW_TARGET: return (ch & DX_CH_FIRMWARE) != 0;
    default: return 1;
    }
}

int dx_opening_fits(const dx *x, uint32_t p)
{
    size_t k;
    for (k = 0; k < N_ORDER; k++) {
        if (order[k] == p) return x->s == NULL && !asked(x, p) && applies(x, p);
    }
    return 0;
}

uint32_t dx_next_opening(const dx *x)
{
    size_t k;
    for (k = 0; k < N_ORDER; k++) {
        if (!asked(x, order[k]) && applies(x, order[k])) return order[k];
    }
    return DX_P_NONE;
}

/* ---- the questions -------------------------------------------------------- */

static const char *const protocols[] = {
    "Wi-Fi: the app reaches it from anywhere, with no extra box (or through a small plug-in "
    "Wi-Fi bridge)",
    "Bluetooth only: the app works only when you stand near the lock",
    "Z-Wave, through a smart-home hub", "Zigbee, through a smart-home hub",
    "Matter or Thread (Apple Home, Google Home or another Matter app)", "don't know",
};

static const char *const changes[] = {
    "a new router or internet provider, or a new Wi-Fi name or password",
    "the lock's app was updated", "the phone was updated, or it is a new phone",
    "the lock itself got a software update", "new batteries went in",
    "the lock, the router or the hub was moved", "nothing changed", "something else",
    "don't know",
};

static const char *const keypad[] = {
    "it lights up, and a code opens the lock", "it lights up, but no code opens the lock",
    "it lights up, but one code does not work", "it stays dark and silent",
    "the lock has no keypad", "something else", "don't know",
};

static const char *const apps[] = {
    "only the lock maker's own app", "Apple Home", "Google Home", "Amazon Alexa",
    "SmartThings", "Home Assistant", "Hubitat", "another app", "don't know",
};
/* apps[] index -> lkr_ecosystem (0: none) */
static const uint32_t app_eco[] = { 0, LKR_ECOSYSTEM_HOMEKIT, LKR_ECOSYSTEM_GOOGLE,
                                    LKR_ECOSYSTEM_ALEXA, LKR_ECOSYSTEM_SMARTTHINGS,
                                    LKR_ECOSYSTEM_HOMEASSISTANT, LKR_ECOSYSTEM_HUBITAT, 0, 0 };

static const char *const batteries[] = {
    "ordinary alkaline batteries", "rechargeable batteries (NiMH)", "lithium batteries",
    "a built-in rechargeable battery", "something else", "don't know",
};
static const uint32_t battery_chem[] = { LKR_CHEMISTRY_ALKALINE, LKR_CHEMISTRY_NIMH,
                                         LKR_CHEMISTRY_LITHIUM, LKR_CHEMISTRY_PACK,
                                         LKR_CHEMISTRY_UNKNOWN, LKR_CHEMISTRY_UNKNOWN };

static const char *const yes_no_dk[] = { "yes", "no", "don't know" };
static const uint32_t tri[] = { LKR_YES, LKR_NO, LKR_UNKNOWN };

static const char *const other_phone[] = {
    "yes, another phone or tablet finds it", "no, another phone cannot find it either",
    "I have not tried another phone", "don't know",
};

static int ask_protocol(dx *x)
{
    size_t k = 0;
    int rc = dx_choose(x, "How does the lock connect?",
                       "The lock's box or manual says Wi-Fi, Bluetooth, Z-Wave, Zigbee or Matter.",
                       protocols, 6, &k);
    if (rc != 0) return rc;
    if (k == 5) {
        puts("This tool needs to know, to choose only safe steps for your lock. Look on the "
             "lock's box, its manual or the maker's website for one of these words, then "
             "answer again.\n");
        return 1;
    }
    DX_V(x, PROTOCOL) = (uint32_t)k + 1;
    return 0;
}

static int ask_app_seen(dx *x)
{
    lkr_person_text q = LKR_PERSON_TEXT_INIT;
    const char *labels[16];
    size_t k = 0, n;
    int rc;
    if (lkr_person_text_get(LKR_TEXT_QUESTION, LKR_QUESTION_APP_STATUS, &q) != LKR_OK ||
        q.choice_count > 16) {
        return cli_error("diagnose", "the catalog has no text for a question", NULL);
    }
    for (n = 0; n < q.choice_count; n++) labels[n] = q.choices[n].label;
    if ((rc = dx_choose(x, q.title, q.text, labels, n, &k)) != 0) return rc;
    DX_V(x, APP_SEEN) = (uint32_t)k + 1;
    return 0;
}

/* Where the lock's own update stands; "don't know" gets a follow-up before
 * anything could take the power away from an update still running. */
static int ask_update(dx *x)
{
    static const char *const running[] = { "yes, it is still updating",
                                           "no, nothing is updating now", "don't know" };
    lkr_person_text q = LKR_PERSON_TEXT_INIT;
    const char *labels[16];
    size_t k = 0, n;
    int rc;
    if (DX_V(x, STAGE) == 1) {
        rc = dx_choose(x, "Open the lock's app and look at the lock: is a software update "
                          "running right now (a progress bar, or \"updating\")?",
                       NULL, running, 3, &k);
        if (rc == 0) {
            DX_V(x, UPDATE) = 1u + (k == 0 ? LKR_UPDATE_IN_PROGRESS
                                  : k == 1 ? LKR_UPDATE_FINISHED : LKR_UPDATE_UNKNOWN);
        }
        return rc;
    }
    if (lkr_person_text_get(LKR_TEXT_QUESTION, LKR_QUESTION_UPDATE_STATE, &q) != LKR_OK ||
        q.choice_count > 16) {
        return cli_error("diagnose", "the catalog has no text for a question", NULL);
    }
    for (n = 0; n < q.choice_count; n++) labels[n] = q.choices[n].label;
    if ((rc = dx_choose(x, q.title, q.text, labels, n, &k)) != 0) return rc;
    if (q.choices[k].value == LKR_UPDATE_UNKNOWN) {
        DX_V(x, STAGE) = 1;
        return 2; /* the follow-up, on the same prompt */
    }
    DX_V(x, UPDATE) = 1u + (uint32_t)q.choices[k].value;
    return 0;
}

static int ask_stalled(dx *x)
{
    lkr_person_text q = LKR_PERSON_TEXT_INIT;
    char line[16];
    uint64_t n = 0;
    int rc;
    if (lkr_person_text_get(LKR_TEXT_QUESTION, LKR_QUESTION_UPDATE_STALLED_MIN, &q) != LKR_OK) {
        return cli_error("diagnose", "the catalog has no text for a question", NULL);
    }
    if ((rc = dx_text(x, q.title, q.text, line, sizeof line)) != 0) return rc;
    if (line[0] == '\0') return 0;
    if (cli_parse_decimal(line, 1000000u, &n) != 0) {
        puts("Please type a whole number of minutes from 0 to 1000000 (digits only), or just "
             "press Enter.\n");
        return 1;
    }
    DX_V(x, STALLED) = (uint32_t)n + 1u;
    return 0;
}

static int ask_tri(dx *x, const char *question, const char *hint, uint32_t *out)
{
    size_t k = 0;
    int rc = dx_choose(x, question, hint, yes_no_dk, 3, &k);
    if (rc == 0) *out = tri[k];
    return rc;
}

static int ask_text(dx *x, const char *q, const char *hint, int field, size_t cap)
{
    return dx_text(x, q, hint, x->st.text[field], cap);
}

/* One answer to the pending opening question. */
static int answer_one(dx *x, uint32_t p)
{
    size_t k = 0;
    int rc;
    switch (p) {
    case DX_P_PROTOCOL: return ask_protocol(x);
    case DX_P_CHANGES:
        return dx_choose_many(x, "What changed shortly before the lock stopped working?",
                              changes, 9, &DX_V(x, CHANGES));
    case DX_P_UPDATE: return ask_update(x);
    case DX_P_STALLED: return ask_stalled(x);
    case DX_P_KEYPAD:
        rc = dx_choose(x, "At the door, press a button on the lock's keypad and try a code. "
                          "What happens?", NULL, keypad, 7, &k);
        if (rc == 0) DX_V(x, KEYPAD) = (uint32_t)k + 1;
        return rc;
    case DX_P_APP_SEEN: return ask_app_seen(x);
    case DX_P_APPS:
        return dx_choose_many(x, "Which apps do you use to control the lock?", apps, 9,
                              &DX_V(x, APPS));
    case DX_P_BRIDGE:
        return ask_tri(x, "Is there a small plug-in box (a Wi-Fi bridge, such as August "
                          "Connect) between the lock and your Wi-Fi?", NULL, &DX_V(x, BRIDGE));
    case DX_P_OTHER_WIFI:
        return ask_tri(x, "Do your other devices on the Wi-Fi (phone, TV, computer) work?", NULL,
                       &DX_V(x, OTHER_WIFI));
    case DX_P_HUB:
        return ask_tri(x, DX_V(x, PROTOCOL) == LKR_PROTOCOL_MATTER
                              ? "Do your home hubs (HomePod, Apple TV, Nest hub...) work: do "
                                "other devices in your home app respond?"
                              : "Is your smart-home hub working: does its app show it online, "
                                "and do your other devices respond?",
                       NULL, &DX_V(x, HUB));
    case DX_P_OTHER_PHONE:
        rc = dx_choose(x, "Does the lock's app on another phone or tablet find the lock?", NULL,
                       other_phone, 4, &k);
        if (rc == 0) DX_V(x, OTHER_PHONE) = k == 0 ? LKR_YES : k == 1 ? LKR_NO : LKR_UNKNOWN;
        return rc;
    case DX_P_BATTERY:
        rc = dx_choose(x, "What batteries are in the lock?", NULL, batteries, 6, &k);
        if (rc == 0) DX_V(x, BATTERY) = (uint32_t)k + 1;
        return rc;
    case DX_P_FW_BEFORE:
        return ask_text(x, "Which software version did the lock have before the update?",
                        "The app's update screen or its history may show it.", CLI_ST_FW_BEFORE,
                        LKR_VERSION_TEXT_MAX);
    case DX_P_FW_TARGET:
        return ask_text(x, "Which version was the update installing?", NULL, CLI_ST_FW_TARGET,
                        LKR_VERSION_TEXT_MAX);
    case DX_P_MODEL:
        return ask_text(x, "Which lock is it (maker and model, for example \"Yale Assure "
                           "Lock 2\")?", NULL, CLI_ST_MODEL, LKR_PROFILE_TEXT_MAX);
    case DX_P_SERIAL:
        return ask_text(x, "What is its serial number?",
                        "It is on a sticker inside the battery cover, or in the app's settings.",
                        CLI_ST_SERIAL, LKR_PROFILE_TEXT_MAX);
    default:
        return ask_text(x, "Does the app show an error code or number? Type it exactly.", NULL,
                        CLI_ST_ERROR, LKR_VERSION_TEXT_MAX);
    }
}

int dx_answer_opening(dx *x)
{
    uint32_t p = DX_V(x, PROMPT);
    int rc = answer_one(x, p);
    if (rc == 2) return 0; /* answered, and a follow-up of the same question is next */
    if (rc != 0) return rc;
    DX_V(x, OPENED) |= 1u << p;
    dx_set_prompt(x, DX_P_NONE, 0, 0);
    return 0;
}

/* ---- the session they start ------------------------------------------------ */

/* A tri-state from the state file (anything else is "unknown"). */
static uint8_t tri_of(uint32_t v)
{
    return v == LKR_YES || v == LKR_NO ? (uint8_t)v : (uint8_t)LKR_UNKNOWN;
}

void dx_build_profile(const dx *x, lkr_profile *p)
{
    uint32_t k;
    lkr_profile_init(p);
    p->protocol = DX_V(x, PROTOCOL) <= LKR_PROTOCOL_MAX ? DX_V(x, PROTOCOL) : LKR_PROTOCOL_NONE;
    for (k = 0; k < sizeof(app_eco) / sizeof(app_eco[0]); k++) {
        if ((DX_V(x, APPS) >> k) & 1u && app_eco[k] != 0) {
            p->ecosystems |= LKR_ECOSYSTEM_BIT(app_eco[k]);
        }
    }
    if (DX_V(x, BATTERY) >= 1 && DX_V(x, BATTERY) <= 6) {
        p->battery_chemistry = battery_chem[DX_V(x, BATTERY) - 1];
    }
    if (DX_V(x, KEYPAD) == 5) p->has_keypad = LKR_NO;
    else if (DX_V(x, KEYPAD) >= 1 && DX_V(x, KEYPAD) <= 4) p->has_keypad = LKR_YES;
    if (p->protocol == LKR_PROTOCOL_WIFI) p->has_bridge = tri_of(DX_V(x, BRIDGE));
    memcpy(p->model, x->st.text[CLI_ST_MODEL], LKR_PROFILE_TEXT_MAX - 1);
    memcpy(p->serial, x->st.text[CLI_ST_SERIAL], LKR_PROFILE_TEXT_MAX - 1);
}

/* What the answers say, as facts the classifier weighs. */
static void build_observations(const dx *x, lkr_observations *o)
{
    uint32_t ch = DX_V(x, CHANGES), seen = DX_V(x, APP_SEEN);
    lkr_person_text q = LKR_PERSON_TEXT_INIT;
    int definite = ch != 0 && !(ch & (DX_CH_UNKNOWN | DX_CH_OTHER));

    lkr_observations_init(o);
    if (ch & DX_CH_NETWORK) o->network_changed = LKR_YES;
    if (ch & DX_CH_MOVED) o->signal_weak = LKR_YES;
    /* The person named what changed and the lock's own update is not among
     * it: no firmware update was involved (only the app or the phone). */
    if (definite && !(ch & DX_CH_FIRMWARE)) o->update_state = LKR_UPDATE_NONE;
    if (DX_V(x, UPDATE) >= 1 && DX_V(x, UPDATE) <= 1u + LKR_UPDATE_STATE_MAX) {
        o->update_state = (uint8_t)(DX_V(x, UPDATE) - 1);
    }
    if (o->update_state == LKR_UPDATE_IN_PROGRESS && DX_V(x, STALLED) >= 1 &&
        DX_V(x, STALLED) <= 1000001u) {
        o->update_stalled_min = (int32_t)(DX_V(x, STALLED) - 1);
    }
    if (seen >= 1 && lkr_person_text_get(LKR_TEXT_QUESTION, LKR_QUESTION_APP_STATUS, &q) == LKR_OK &&
        seen <= q.choice_count) {
        o->app_status = (uint8_t)q.choices[seen - 1].value;
        /* "It cannot find the lock": the phone near the lock fails too. */
        if (seen == 5) o->local_control_works = LKR_NO;
    }
    switch (DX_V(x, KEYPAD)) {
    case 1:
        o->keypad_lights = LKR_YES;
        o->keypad_accepts_codes = LKR_YES;
        o->codes_state = LKR_CODES_ALL_WORK;
        break;
    case 2:
        o->keypad_lights = LKR_YES;
        o->codes_state = LKR_CODES_ALL_REJECTED;
        break;
    case 3:
        o->keypad_lights = LKR_YES;
        o->codes_state = LKR_CODES_ONE_REJECTED;
        break;
    case 4: o->keypad_lights = LKR_NO; break;
    default: break;
    }
    o->hub_online = tri_of(DX_V(x, HUB));
    o->other_wifi_devices_work = tri_of(DX_V(x, OTHER_WIFI));
    if (DX_V(x, PROTOCOL) == LKR_PROTOCOL_BLE) {
        o->second_phone_connects = tri_of(DX_V(x, OTHER_PHONE));
    }
    memcpy(o->fw_before, x->st.text[CLI_ST_FW_BEFORE], LKR_VERSION_TEXT_MAX - 1);
    memcpy(o->fw_target, x->st.text[CLI_ST_FW_TARGET], LKR_VERSION_TEXT_MAX - 1);
    memcpy(o->error_code, x->st.text[CLI_ST_ERROR], LKR_VERSION_TEXT_MAX - 1);
}

int dx_start_session(dx *x, const lkr_transport *t)
{
    lkr_session_config sc;
    lkr_profile profile;
    lkr_observations obs;
    lkr_status st;

    dx_build_profile(x, &profile);
    build_observations(x, &obs);
    lkr_session_config_init(&sc);
    sc.profile = &profile;
    sc.observations = &obs;
    st = lkr_session_new(&sc, t, &x->s);
    if (st != LKR_OK) {
        /* Answers the library finds inconsistent: start from the lock alone
         * rather than refuse a person who answered as best they could. */
        sc.observations = NULL;
        st = lkr_session_new(&sc, t, &x->s);
    }
    if (st != LKR_OK) return cli_error("diagnose", "cannot start the session", lkr_strerror(st));
    puts("\nThank you. Now one step at a time.");
    return 0;
}
