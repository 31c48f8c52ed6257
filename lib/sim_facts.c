/*
 * The simulator's causes as a person sees them: what each fault makes true
 * in the observations, as a table (one row of facts per cause: a field, how
 * it is set, and for which protocols). simulator.c applies it.
 */
#include <stddef.h>
#include <string.h>

#include "internal.h"

/* The firmware versions the simulated lock reports (simulator.c uses the same). */
#define FW_BEFORE LKR__SIM_FW_BEFORE
#define FW_TARGET LKR__SIM_FW_TARGET

/* What each cause makes true, as a table: one row of facts per cause, each
 * fact a field of lkr_observations, how it is set, and for which protocols. */
enum { K_END = 0, K_U8, K_U8_IF_UNKNOWN, K_I32, K_I32_IF_UNKNOWN, K_STR };
enum { W_ALL = 0, W_NOT_BLE, W_WIFI, W_NOT_WIFI };

typedef struct sim_fact {
    uint16_t at;   /* offsetof(lkr_observations, field) */
    uint8_t kind;  /* K_*: a byte, a number, "only when still unknown", a string */
    uint8_t when;  /* W_*: the protocols the fact holds for */
    int32_t value; /* the value; for K_STR the field's capacity */
    const char *text;
} sim_fact;

#define CAUSE_FACTS_MAX 6
#define AT(f) ((uint16_t)offsetof(lkr_observations, f))
#define U8(f, v) {AT(f), K_U8, W_ALL, (v), NULL}
#define U8_WHEN(f, v, w) {AT(f), K_U8, (w), (v), NULL}
#define U8_IF_UNKNOWN(f, v) {AT(f), K_U8_IF_UNKNOWN, W_ALL, (v), NULL}
#define I32(f, v) {AT(f), K_I32, W_ALL, (v), NULL}
#define I32_IF_UNKNOWN(f, v) {AT(f), K_I32_IF_UNKNOWN, W_ALL, (v), NULL}
#define STR(f, t) {AT(f), K_STR, W_ALL, (int32_t)sizeof(((lkr_observations *)0)->f), (t)}
#define LIT U8(keypad_lights, LKR_YES)
#define DARK U8(keypad_lights, LKR_NO)
#define OFFLINE U8(app_status, LKR_APP_OFFLINE)
#define UPDATE(v) U8(update_state, LKR_UPDATE_##v)
#define FW(v) STR(fw_now, FW_##v)

static const sim_fact cause_rows[LKR__CAUSE_COUNT + 1][CAUSE_FACTS_MAX + 1] = {
    [LKR_CAUSE_BLE_DROP_MID_TRANSFER] = {LIT, OFFLINE, UPDATE(REPORTED_FAILED), FW(TARGET)},
    [LKR_CAUSE_OTA_VOLTAGE_COLLAPSE] = {DARK, UPDATE(REPORTED_FAILED), I32_IF_UNKNOWN(battery_pct, 30),
                                        FW(BEFORE)},
    [LKR_CAUSE_WIFI_STACK_CRASH] = {LIT, OFFLINE, UPDATE(REPORTED_OK), U8(other_wifi_devices_work, LKR_YES),
                                    FW(TARGET)},
    [LKR_CAUSE_HUB_SESSION_MISMATCH] = {LIT, U8(keypad_accepts_codes, LKR_YES), OFFLINE,
                                        U8_WHEN(hub_online, LKR_YES, W_NOT_BLE), UPDATE(REPORTED_OK),
                                        FW(TARGET)},
    [LKR_CAUSE_APP_STALE_STATE] = {LIT, U8(app_status, LKR_APP_NO_RESPONSE), U8(local_control_works, LKR_YES),
                                   UPDATE(REPORTED_OK), FW(TARGET)},
    [LKR_CAUSE_TRANSFER_STALL] = {UPDATE(IN_PROGRESS), I32(update_progress_pct, 63),
                                  I32(update_stalled_min, 25), FW(BEFORE)},
    [LKR_CAUSE_BATTERIES_DEPLETED] = {DARK, U8_IF_UNKNOWN(update_state, LKR_UPDATE_NONE),
                                      I32_IF_UNKNOWN(battery_pct, 5)},
    [LKR_CAUSE_ZWAVE_DEEP_SLEEP] = {LIT, OFFLINE, U8(hub_online, LKR_YES), UPDATE(REPORTED_OK),
                                    I32_IF_UNKNOWN(battery_pct, 40)},
    [LKR_CAUSE_THREAD_MESH_LOST] = {LIT, OFFLINE, UPDATE(REPORTED_OK), FW(TARGET)},
    /* a second phone connects: known only once tried */
    [LKR_CAUSE_PHONE_BLE_BUG] = {LIT, OFFLINE, UPDATE(REPORTED_FAILED), U8(second_phone_connects, LKR_YES)},
    [LKR_CAUSE_WIFI_BAND_SECURITY] = {LIT, OFFLINE, U8(wifi_security, LKR_WIFI_SECURITY_MIXED)},
    [LKR_CAUSE_NEW_IP_ADDRESS] = {LIT, OFFLINE, UPDATE(REPORTED_OK), U8(ip_changed, LKR_YES), FW(TARGET)},
    [LKR_CAUSE_WEAK_SIGNAL] = {LIT, OFFLINE, U8(signal_weak, LKR_YES)},
    [LKR_CAUSE_NETWORK_CHANGED] = {LIT, OFFLINE, U8(network_changed, LKR_YES)},
    [LKR_CAUSE_HUB_OFFLINE] = {LIT, OFFLINE, U8_WHEN(router_online, LKR_NO, W_WIFI),
                               U8_WHEN(hub_online, LKR_NO, W_NOT_WIFI)},
    [LKR_CAUSE_MISSING_PERMISSIONS] = {LIT, OFFLINE, U8(app_permissions_ok, LKR_NO)},
    [LKR_CAUSE_OUTDATED_SOFTWARE] = {LIT, OFFLINE, U8(software_outdated, LKR_YES)},
    [LKR_CAUSE_NEEDS_CALIBRATION] = {LIT, U8(wrong_position, LKR_YES)},
    [LKR_CAUSE_KEYPAD_LOCKOUT] = {LIT, U8(codes_state, LKR_CODES_ALL_REJECTED), U8(lockout_active, LKR_YES)},
    [LKR_CAUSE_CODE_EXPIRED] = {LIT, U8(codes_state, LKR_CODES_ONE_REJECTED), U8(code_expired, LKR_YES)},
    [LKR_CAUSE_WRONG_CODE] = {LIT, U8(codes_state, LKR_CODES_ONE_REJECTED)},
    [LKR_CAUSE_KEYPAD_DAMAGE] = {LIT, U8(codes_state, LKR_CODES_ALL_REJECTED), U8(keypad_dirty, LKR_YES)},
    [LKR_CAUSE_DOOR_MISALIGNMENT] = {LIT, U8(codes_state, LKR_CODES_ALL_REJECTED),
                                     U8(works_door_open_only, LKR_YES)},
    [LKR_CAUSE_EXTREME_COLD] = {LIT, U8(codes_state, LKR_CODES_ALL_REJECTED), U8(extreme_cold, LKR_YES)},
    [LKR_CAUSE_HARDWARE_FAILURE] = {DARK, UPDATE(REPORTED_FAILED), I32_IF_UNKNOWN(battery_pct, 100),
                                    STR(error_code, "-1"), FW(BEFORE)},
};
#undef AT
#undef U8
#undef U8_WHEN
#undef U8_IF_UNKNOWN
#undef I32
#undef I32_IF_UNKNOWN
#undef STR
#undef LIT
#undef DARK
#undef OFFLINE
#undef UPDATE
#undef FW

static int fact_holds(uint32_t protocol, uint32_t when)
{
    switch (when) {
    case W_NOT_BLE:
        return protocol != LKR_PROTOCOL_BLE;
    case W_WIFI:
        return protocol == LKR_PROTOCOL_WIFI;
    case W_NOT_WIFI:
        return protocol != LKR_PROTOCOL_WIFI;
    default:
        return 1;
    }
}

static void apply_fact(const sim_fact *f, lkr_observations *o)
{
    unsigned char *field = (unsigned char *)o + f->at;
    int32_t now;
    switch (f->kind) {
    case K_U8_IF_UNKNOWN:
        if (*field != 0) break; /* LKR_UNKNOWN and the enums' unknown are 0 */
        /* fall through */
    case K_U8:
        *field = (uint8_t)f->value;
        break;
    case K_I32_IF_UNKNOWN:
        memcpy(&now, field, sizeof(now));
        if (now != LKR_NUM_UNKNOWN) break;
        /* fall through */
    case K_I32:
        memcpy(field, &f->value, sizeof(f->value));
        break;
    case K_STR:
        lkr__set_str((char *)field, (size_t)f->value, f->text);
        break;
    default:
        break;
    }
}

/* Writes what cause c makes true into o (full facts). */
void lkr__sim_cause_facts(uint32_t protocol, uint32_t c, lkr_observations *o)
{
    const sim_fact *f;
    if (c > LKR__CAUSE_COUNT) {
        return;
    }
    for (f = cause_rows[c]; f->kind != K_END; f++) {
        if (fact_holds(protocol, f->when)) {
            apply_fact(f, o);
        }
    }
}
