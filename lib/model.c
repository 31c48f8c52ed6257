/* The lock model: initialisation, validation and the names of its enums. */
#include <stddef.h>
#include <string.h>

#include "internal.h"


void lkr_profile_init(lkr_profile *profile)
{
    if (profile == NULL) {
        return;
    }
    memset(profile, 0, sizeof(*profile));
    profile->struct_size = (uint32_t)sizeof(*profile);
}

void lkr_observations_init(lkr_observations *obs)
{
    if (obs == NULL) {
        return;
    }
    memset(obs, 0, sizeof(*obs));
    obs->struct_size = (uint32_t)sizeof(*obs);
    obs->update_progress_pct = LKR_NUM_UNKNOWN;
    obs->update_stalled_min = LKR_NUM_UNKNOWN;
    obs->battery_pct = LKR_NUM_UNKNOWN;
    obs->cell_mv = LKR_NUM_UNKNOWN;
}

static int tri_ok(uint8_t v)
{
    return v <= LKR_YES;
}

static int num_ok(int32_t v, int32_t max)
{
    return v == LKR_NUM_UNKNOWN || (v >= 0 && v <= max);
}

lkr_status lkr_profile_validate(const lkr_profile *caller)
{
    lkr_profile copy;
    const lkr_profile *p = &copy;
    lkr_status st;
    if (caller == NULL) {
        return LKR_E_INVAL;
    }
    /* Judged on a copy read up to the caller's struct_size (lkr__ingest). */
    lkr_profile_init(&copy);
    st = lkr__ingest(&copy, sizeof(copy), caller, LKR__PROFILE_MIN_SIZE);
    if (st != LKR_OK) {
        return st;
    }
    if (p->protocol < LKR_PROTOCOL_WIFI || p->protocol > LKR_PROTOCOL_MAX ||
        (p->ecosystems & ~LKR_ECOSYSTEMS_ALL) != 0 || p->battery_chemistry > LKR_CHEMISTRY_MAX ||
        p->battery_cells > 16 || p->warranty_months > 1200 || !tri_ok(p->has_bridge) ||
        !tri_ok(p->has_keypad) || !tri_ok(p->has_fingerprint) || !tri_ok(p->has_key_cylinder) ||
        !tri_ok(p->repair_erases_codes) || !tri_ok(p->pins_readable) ||
        !lkr__all_zero(p->reserved_, sizeof(p->reserved_))) {
        return LKR_E_INVAL;
    }
    /* Only a Wi-Fi lock talks through a Wi-Fi bridge. */
    if (p->has_bridge == LKR_YES && p->protocol != LKR_PROTOCOL_WIFI) {
        return LKR_E_INVAL;
    }
    if (!lkr__str_ok(p->manufacturer, sizeof(p->manufacturer)) ||
        !lkr__str_ok(p->model, sizeof(p->model)) || !lkr__str_ok(p->serial, sizeof(p->serial)) ||
        !lkr__str_ok(p->purchase_date, sizeof(p->purchase_date))) {
        return LKR_E_INVAL;
    }
    if (p->purchase_date[0] != '\0') {
        /* YYYY-MM-DD, digits where digits belong, month 01-12, day 01-31. */
        static const int days_in[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        const char *d = p->purchase_date;
        int i, year, month, day;
        if (strlen(d) != 10 || d[4] != '-' || d[7] != '-') {
            return LKR_E_INVAL;
        }
        for (i = 0; i < 10; i++) {
            if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9')) {
                return LKR_E_INVAL;
            }
        }
        year = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
        month = (d[5] - '0') * 10 + (d[6] - '0');
        day = (d[8] - '0') * 10 + (d[9] - '0');
        if (year < 1970 || year > 2199 || month < 1 || month > 12 || day < 1 ||
            day > days_in[month - 1]) {
            return LKR_E_INVAL;
        }
        if (month == 2 && day == 29 && !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))) {
            return LKR_E_INVAL;
        }
    }
    return LKR_OK;
}

lkr_status lkr_observations_validate(const lkr_observations *caller)
{
    lkr_observations copy;
    const lkr_observations *o = &copy;
    lkr_status st;
    if (caller == NULL) {
        return LKR_E_INVAL;
    }
    /* Judged on a copy read up to the caller's struct_size (lkr__ingest). */
    lkr_observations_init(&copy);
    st = lkr__ingest(&copy, sizeof(copy), caller, LKR__OBSERVATIONS_MIN_SIZE);
    if (st != LKR_OK) {
        return st;
    }
    if (!num_ok(o->update_progress_pct, 100) || !num_ok(o->update_stalled_min, 1000000) ||
        !num_ok(o->battery_pct, 100) || !num_ok(o->cell_mv, 5000)) {
        return LKR_E_INVAL;
    }
    if (!tri_ok(o->keypad_lights) || !tri_ok(o->keypad_accepts_codes) ||
        !tri_ok(o->local_control_works) || o->app_status > LKR_APP_STATUS_MAX ||
        o->update_state > LKR_UPDATE_STATE_MAX || !tri_ok(o->hub_online) ||
        !tri_ok(o->bridge_online) || !tri_ok(o->other_wifi_devices_work) ||
        !tri_ok(o->wifi_24ghz_on) || o->wifi_security > LKR_WIFI_SECURITY_MAX ||
        !tri_ok(o->network_changed) || !tri_ok(o->ip_changed) || !tri_ok(o->signal_weak) ||
        !tri_ok(o->phone_in_range) || !tri_ok(o->app_permissions_ok) ||
        !tri_ok(o->second_phone_connects) || !tri_ok(o->software_outdated) ||
        o->codes_state > LKR_CODE_STATE_MAX || !tri_ok(o->code_expired) ||
        !tri_ok(o->lockout_active) || !tri_ok(o->keypad_dirty) || !tri_ok(o->keypad_erratic) ||
        !tri_ok(o->works_door_open_only) || !tri_ok(o->wrong_position) ||
        !tri_ok(o->extreme_cold) || !tri_ok(o->router_online) ||
        !lkr__all_zero(o->reserved_, sizeof(o->reserved_))) {
        return LKR_E_INVAL;
    }
    /* A stall can only be measured while the update runs. */
    if (o->update_stalled_min != LKR_NUM_UNKNOWN && o->update_state != LKR_UPDATE_IN_PROGRESS) {
        return LKR_E_INVAL;
    }
    if (!lkr__str_ok(o->fw_before, sizeof(o->fw_before)) ||
        !lkr__str_ok(o->fw_target, sizeof(o->fw_target)) ||
        !lkr__str_ok(o->fw_now, sizeof(o->fw_now)) ||
        !lkr__str_ok(o->error_code, sizeof(o->error_code))) {
        return LKR_E_INVAL;
    }
    return LKR_OK;
}

lkr_status lkr__consistent(const lkr_profile *p, const lkr_observations *o)
{
    /* A lock without a keypad has no keypad facts. */
    if (p->has_keypad == LKR_NO &&
        (o->keypad_lights != LKR_UNKNOWN || o->keypad_accepts_codes != LKR_UNKNOWN ||
         o->codes_state != LKR_CODES_UNKNOWN || o->code_expired != LKR_UNKNOWN ||
         o->lockout_active != LKR_UNKNOWN || o->keypad_dirty != LKR_UNKNOWN ||
         o->keypad_erratic != LKR_UNKNOWN)) {
        return LKR_E_INVAL;
    }
    return LKR_OK;
}

/* ---- names -------------------------------------------------------------- */

static const char *const protocol_names[LKR_PROTOCOL_MAX + 1] = {
    NULL, "wifi", "ble", "zwave", "zigbee", "matter"};
static const char *const ecosystem_names[LKR_ECOSYSTEM_MAX + 1] = {
    NULL, "homekit", "google", "alexa", "smartthings", "homeassistant", "hubitat"};
static const char *const chemistry_names[LKR_CHEMISTRY_MAX + 1] = {
    "unknown", "alkaline", "nimh", "lithium", "pack"};

static lkr_status find_name(const char *const *names, uint32_t count, const char *name,
                            uint32_t *out)
{
    uint32_t i;
    if (name == NULL || out == NULL) {
        return LKR_E_INVAL;
    }
    for (i = 0; i < count; i++) {
        if (names[i] != NULL && strcmp(names[i], name) == 0) {
            *out = i;
            return LKR_OK;
        }
    }
    return LKR_E_NOTFOUND;
}

const char *lkr_protocol_name(uint32_t protocol)
{
    return protocol <= LKR_PROTOCOL_MAX ? protocol_names[protocol] : NULL;
}

lkr_status lkr_protocol_find(const char *name, uint32_t *protocol)
{
    return find_name(protocol_names, LKR_PROTOCOL_MAX + 1, name, protocol);
}

const char *lkr_ecosystem_name(uint32_t ecosystem)
{
    return ecosystem <= LKR_ECOSYSTEM_MAX ? ecosystem_names[ecosystem] : NULL;
}

lkr_status lkr_ecosystem_find(const char *name, uint32_t *ecosystem)
{
    return find_name(ecosystem_names, LKR_ECOSYSTEM_MAX + 1, name, ecosystem);
}

const char *lkr_chemistry_name(uint32_t chemistry)
{
    return chemistry <= LKR_CHEMISTRY_MAX ? chemistry_names[chemistry] : NULL;
}

lkr_status lkr_chemistry_find(const char *name, uint32_t *chemistry)
{
    return find_name(chemistry_names, LKR_CHEMISTRY_MAX + 1, name, chemistry);
}

/* ---- firmware versions: compared here only ---------------------------------------- */

static int same_version(const char *a, const char *b)
{
    return a[0] != '\0' && b[0] != '\0' && strcmp(a, b) == 0;
}

int lkr__fw_at_target(const lkr_observations *o)
{
    return same_version(o->fw_now, o->fw_target);
}

int lkr__fw_unchanged(const lkr_observations *o)
{
    return same_version(o->fw_now, o->fw_before) &&
           (o->fw_target[0] == '\0' || strcmp(o->fw_target, o->fw_before) != 0);
}

/* ---- ranking causes ------------------------------------------------------------------ */

void lkr__rank_causes(const double p[LKR__CAUSE_COUNT + 1], lkr_diagnosis *d)
{
    uint32_t c, n = 0;
    /* Insertion sort: most probable first, ties by id (deterministic). */
    for (c = 1; c <= LKR__CAUSE_COUNT && n < LKR_DIAGNOSIS_MAX_CAUSES; c++) {
        uint32_t k;
        if (p[c] <= 0.0) {
            continue;
        }
        k = n++;
        while (k > 0 && d->causes[k - 1].p < p[c]) {
            d->causes[k] = d->causes[k - 1];
            k--;
        }
        d->causes[k].cause = c;
        d->causes[k].p = p[c];
    }
    d->cause_count = n;
}
