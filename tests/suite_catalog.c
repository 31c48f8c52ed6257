/*
 * Catalog integrity: ids, string ids, protocol scoping, waits against the
 * domain catalog's section 7, guards on every destructive step, and every row
 * of sections 3 to 7 present.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static lkr_step_info step(uint32_t id)
{
    lkr_step_info s = LKR_STEP_INFO_INIT;
    ck_assert_int_eq(lkr_step_get(id, &s), LKR_OK);
    return s;
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int popcount(uint32_t v)
{
    int n = 0;
    for (; v; v &= v - 1) n++;
    return n;
}

START_TEST(step_ids_dense_unique_and_round_trip)
{
    uint32_t i, j, id;
    ck_assert_uint_eq(lkr_step_count(), 63);
    for (i = 1; i <= lkr_step_count(); i++) {
        lkr_step_info s = step(i);
        ck_assert_uint_eq(s.id, i);
        ck_assert_ptr_nonnull(s.sid);
        ck_assert_int_eq(lkr_step_find(s.sid, &id), LKR_OK);
        ck_assert_uint_eq(id, i);
        ck_assert(strlen(s.title) > 5);
        ck_assert(strlen(s.instructions) > 20);
        ck_assert(strlen(s.sources) >= 2);
        for (j = 1; j < i; j++) {
            lkr_step_info t = step(j);
            ck_assert_str_ne(s.sid, t.sid);
        }
    }
}
END_TEST

START_TEST(other_tables_round_trip)
{
    uint32_t i, j, id;
    ck_assert_uint_eq(lkr_cause_count(), 25);
    for (i = 1; i <= lkr_cause_count(); i++) {
        lkr_cause_info c = LKR_CAUSE_INFO_INIT, d = LKR_CAUSE_INFO_INIT;
        ck_assert_int_eq(lkr_cause_get(i, &c), LKR_OK);
        ck_assert_int_eq(lkr_cause_find(c.sid, &id), LKR_OK);
        ck_assert_uint_eq(id, i);
        ck_assert(c.prior_permille > 0);
        ck_assert(c.protocols != 0 && (c.protocols & ~LKR_PROTOCOLS_ALL) == 0);
        ck_assert(strlen(c.description) > 20);
        for (j = 1; j < i; j++) {
            ck_assert_int_eq(lkr_cause_get(j, &d), LKR_OK);
            ck_assert_str_ne(c.sid, d.sid);
        }
    }
    ck_assert_uint_eq(lkr_symptom_count(), 8);
    for (i = 0; i < lkr_symptom_count(); i++) {
        lkr_symptom_info s = LKR_SYMPTOM_INFO_INIT;
        ck_assert_int_eq(lkr_symptom_get(i, &s), LKR_OK);
        ck_assert_int_eq(lkr_symptom_find(s.sid, &id), LKR_OK);
        ck_assert_uint_eq(id, i);
        ck_assert(s.entry_tier >= LKR_TIER_TRIAGE && s.entry_tier <= LKR_TIER_CODE);
        for (j = 0; j < s.cause_count; j++) {
            ck_assert(s.causes[j] >= 1 && s.causes[j] <= lkr_cause_count());
        }
        if (i != LKR_SYMPTOM_UNKNOWN) ck_assert(s.cause_count > 0);
    }
    ck_assert_uint_eq(lkr_tier_count(), 8);
    for (i = 1; i <= lkr_tier_count(); i++) {
        lkr_tier_info t = LKR_TIER_INFO_INIT;
        ck_assert_int_eq(lkr_tier_get(i, &t), LKR_OK);
        ck_assert_int_eq(lkr_tier_find(t.sid, &id), LKR_OK);
        ck_assert_uint_eq(id, i);
    }
    ck_assert_uint_eq(lkr_guard_count(), 10);
    for (i = 1; i <= lkr_guard_count(); i++) {
        lkr_guard_info g = LKR_GUARD_INFO_INIT;
        ck_assert_int_eq(lkr_guard_get(i, &g), LKR_OK);
        ck_assert_int_eq(lkr_guard_find(g.sid, &id), LKR_OK);
        ck_assert_uint_eq(id, i);
        ck_assert(strlen(g.instructions) > 20);
    }
    for (i = 1; i <= lkr_evidence_count(); i++) {
        ck_assert_ptr_nonnull(lkr_evidence_name(i));
        ck_assert_int_eq(lkr_evidence_find(lkr_evidence_name(i), &id), LKR_OK);
        ck_assert_uint_eq(id, i);
    }
    for (i = 1; i <= LKR_PROTOCOL_MAX; i++) {
        ck_assert_int_eq(lkr_protocol_find(lkr_protocol_name(i), &id), LKR_OK);
        ck_assert_uint_eq(id, i);
    }
    for (i = 1; i <= LKR_ECOSYSTEM_MAX; i++) {
        ck_assert_int_eq(lkr_ecosystem_find(lkr_ecosystem_name(i), &id), LKR_OK);
        ck_assert_uint_eq(id, i);
    }
    for (i = 0; i <= LKR_CHEMISTRY_MAX; i++) {
        ck_assert_int_eq(lkr_chemistry_find(lkr_chemistry_name(i), &id), LKR_OK);
        ck_assert_uint_eq(id, i);
    }
}
END_TEST

/* The string id names the tier or the protocol; protocol steps apply to their
 * own protocol only; ecosystem steps to their own ecosystem only. */
START_TEST(string_ids_match_tier_protocol_and_ecosystem)
{
    static const char *const tier_prefix[] = {NULL, "triage.", "universal.", NULL, "ecosystem.",
                                              "repair.", "reset.", "support.", "code."};
    uint32_t i, p, e;
    for (i = 1; i <= lkr_step_count(); i++) {
        lkr_step_info s = step(i);
        ck_assert_msg(s.protocols != 0, "%s applies to no protocol", s.sid);
        ck_assert((s.protocols & ~LKR_PROTOCOLS_ALL) == 0);
        if (s.tier == LKR_TIER_PROTOCOL && i == LKR_STEP_BLE_SECOND_PHONE) {
            /* S0 names it on the Bluetooth path, but a phone's Bluetooth bug
             * (phone_ble_bug, every protocol) blocks any lock: offered on all. */
            ck_assert_uint_eq(s.protocols, LKR_PROTOCOLS_ALL);
        } else if (s.tier == LKR_TIER_PROTOCOL) {
            int matched = 0;
            ck_assert_msg(popcount(s.protocols) == 1, "%s spans protocols", s.sid);
            for (p = 1; p <= LKR_PROTOCOL_MAX; p++) {
                char prefix[16];
                strcpy(prefix, lkr_protocol_name(p));
                strcat(prefix, ".");
                if (starts_with(s.sid, prefix)) {
                    ck_assert_msg(s.protocols == LKR_PROTOCOL_BIT(p), "%s scoped wrongly", s.sid);
                    matched = 1;
                }
            }
            ck_assert_msg(matched, "%s has no protocol prefix", s.sid);
            ck_assert_uint_eq(s.ecosystems, 0);
        } else {
            ck_assert_msg(s.tier <= LKR_TIER_CODE && tier_prefix[s.tier] != NULL, "%s", s.sid);
            ck_assert_msg(starts_with(s.sid, tier_prefix[s.tier]), "%s not in its tier", s.sid);
            ck_assert_msg(s.protocols == LKR_PROTOCOLS_ALL, "%s should fit every protocol", s.sid);
        }
        if (s.tier == LKR_TIER_ECOSYSTEM) {
            ck_assert_int_eq(popcount(s.ecosystems), 1);
            for (e = 1; e <= LKR_ECOSYSTEM_MAX; e++) {
                if (s.ecosystems == LKR_ECOSYSTEM_BIT(e)) {
                    char prefix[32] = "ecosystem.";
                    strcat(prefix, lkr_ecosystem_name(e));
                    strcat(prefix, ".");
                    ck_assert_msg(starts_with(s.sid, prefix), "%s", s.sid);
                }
            }
        } else {
            ck_assert_uint_eq(s.ecosystems, 0);
        }
    }
}
END_TEST

static lkr_profile lock(uint32_t protocol, uint32_t ecosystems, uint8_t bridge, uint8_t keypad)
{
    lkr_profile p;
    lkr_profile_init(&p);
    p.protocol = protocol;
    p.ecosystems = ecosystems;
    p.has_bridge = bridge;
    p.has_keypad = keypad;
    return p;
}

/* lkr_step_applies never offers another protocol's step. */
START_TEST(no_protocol_step_applies_to_another_protocol)
{
    uint32_t i, p;
    for (i = 1; i <= lkr_step_count(); i++) {
        lkr_step_info s = step(i);
        for (p = 1; p <= LKR_PROTOCOL_MAX; p++) {
            int applies = -1;
            lkr_profile pr = lock(p, LKR_ECOSYSTEMS_ALL, p == LKR_PROTOCOL_WIFI ? LKR_YES : LKR_NO,
                                  LKR_YES);
            lkr_observations o;
            lkr_observations_init(&o);
            o.update_state = LKR_UPDATE_FINISHED;
            ck_assert_int_eq(lkr_step_applies(i, &pr, &o, &applies), LKR_OK);
            ck_assert_int_eq(applies, (s.protocols & LKR_PROTOCOL_BIT(p)) != 0);
        }
    }
}
END_TEST

START_TEST(applies_respects_ecosystems_bridge_keypad_and_update)
{
    int a = -1;
    lkr_profile p = lock(LKR_PROTOCOL_WIFI, LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_HOMEKIT), LKR_NO, LKR_NO);
    lkr_observations o;
    lkr_observations_init(&o);
    ck_assert_int_eq(lkr_step_applies(LKR_STEP_ALEXA_TOGGLE_SKILL, &p, NULL, &a), LKR_OK);
    ck_assert_int_eq(a, 0);
    p.ecosystems = LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_ALEXA);
    ck_assert_int_eq(lkr_step_applies(LKR_STEP_ALEXA_TOGGLE_SKILL, &p, NULL, &a), LKR_OK);
    ck_assert_int_eq(a, 1);
    ck_assert_int_eq(lkr_step_applies(LKR_STEP_WIFI_POWER_CYCLE_BRIDGE, &p, NULL, &a), LKR_OK);
    ck_assert_int_eq(a, 0);
    p.has_bridge = LKR_UNKNOWN;
    ck_assert_int_eq(lkr_step_applies(LKR_STEP_WIFI_POWER_CYCLE_BRIDGE, &p, NULL, &a), LKR_OK);
    ck_assert_int_eq(a, 1);
    ck_assert_int_eq(lkr_step_applies(LKR_STEP_ZWAVE_EXCLUDE_REINCLUDE, &p, NULL, &a), LKR_OK);
    ck_assert_int_eq(a, 0);
    /* No keypad: no keypad step; the locksmith still applies. */
    ck_assert_int_eq(lkr_step_applies(LKR_STEP_CODE_REENTER_CAREFULLY, &p, NULL, &a), LKR_OK);
    ck_assert_int_eq(a, 0);
    ck_assert_int_eq(lkr_step_applies(LKR_STEP_SUPPORT_LOCKSMITH, &p, NULL, &a), LKR_OK);
    ck_assert_int_eq(a, 1);
    p.has_keypad = LKR_UNKNOWN;
    ck_assert_int_eq(lkr_step_applies(LKR_STEP_CODE_REENTER_CAREFULLY, &p, NULL, &a), LKR_OK);
    ck_assert_int_eq(a, 1);
    /* The 48-hour wait only after an update. */
    ck_assert_int_eq(lkr_step_applies(LKR_STEP_REPAIR_WAIT_FOR_RECONNECT, &p, NULL, &a), LKR_OK);
    ck_assert_int_eq(a, 0);
    o.update_state = LKR_UPDATE_NONE;
    ck_assert_int_eq(lkr_step_applies(LKR_STEP_REPAIR_WAIT_FOR_RECONNECT, &p, &o, &a), LKR_OK);
    ck_assert_int_eq(a, 0);
    o.update_state = LKR_UPDATE_REPORTED_OK;
    ck_assert_int_eq(lkr_step_applies(LKR_STEP_REPAIR_WAIT_FOR_RECONNECT, &p, &o, &a), LKR_OK);
    ck_assert_int_eq(a, 1);
}
END_TEST

/* Catalog section 7, one line each: the waits the engine must honour. */
typedef struct expected_wait {
    const char *sid;
    uint32_t wait_s, wait_max_s, settle_s;
} expected_wait;

static const expected_wait section7[] = {
    {"universal.battery_pull", 30, 30, 0},            /* battery pull 30 s */
    {"universal.toggle_phone_bluetooth", 10, 10, 0},  /* Bluetooth toggle 10 s */
    {"wifi.power_cycle_bridge", 30, 30, 120},         /* bridge unplug 30 s, then 2 min */
    {"wifi.power_cycle_router", 30, 30, 120},         /* router 30 s (S2), 2 min back */
    {"zwave.restart_hub", 30, 30, 120},               /* hub unplug 30 s, then 2 min */
    {"zigbee.restart_hub", 30, 30, 120},              /* hub, by analogy */
    {"matter.power_off_5min", 300, 300, 600},         /* Matter off 5 min, then 10 min */
    {"matter.restart_home_hubs", 30, 30, 120},        /* hubs 30 s, then 2 min */
    {"ecosystem.homekit.restart_hubs", 30, 30, 120},  /* home hubs 30 s, then 2 min */
    {"ecosystem.alexa.toggle_skill", 30, 30, 0},      /* Alexa skill off 30 s */
    {"reset.factory_reset", 5, 30, 0},                /* reset button hold 5-30 s */
    {"code.power_cycle", 10, 30, 0},                  /* power cycle 10-30 s */
    {"repair.wait_for_reconnect", 0, 0, 48 * 3600},   /* some updates reconnect within 48 h */
};

START_TEST(waits_equal_section_7)
{
    uint32_t i, k, id;
    for (k = 0; k < sizeof(section7) / sizeof(section7[0]); k++) {
        lkr_step_info s;
        ck_assert_int_eq(lkr_step_find(section7[k].sid, &id), LKR_OK);
        s = step(id);
        ck_assert_msg(s.wait_s == section7[k].wait_s && s.wait_max_s == section7[k].wait_max_s &&
                          s.settle_s == section7[k].settle_s,
                      "%s: %u-%u s + %u s", s.sid, s.wait_s, s.wait_max_s, s.settle_s);
    }
    /* No other step has a wait the catalog does not name. */
    for (i = 1; i <= lkr_step_count(); i++) {
        lkr_step_info s = step(i);
        int listed = 0;
        for (k = 0; k < sizeof(section7) / sizeof(section7[0]); k++) {
            listed |= strcmp(section7[k].sid, s.sid) == 0;
        }
        if (!listed) {
            ck_assert_msg(s.wait_s == 0 && s.settle_s == 0, "%s has an unlisted wait", s.sid);
        }
        ck_assert(s.wait_max_s >= s.wait_s);
    }
    ck_assert_uint_eq(LKR_STALL_THRESHOLD_S, 600); /* stall threshold 10 min */
}
END_TEST

START_TEST(destructive_steps_carry_their_guards)
{
    const uint32_t reset_guards =
        LKR_GUARD_BIT(LKR_GUARD_ADMIN_CODE_RECORDED) | LKR_GUARD_BIT(LKR_GUARD_CODES_BACKED_UP) |
        LKR_GUARD_BIT(LKR_GUARD_PHYSICAL_KEY) | LKR_GUARD_BIT(LKR_GUARD_DOOR_OPEN) |
        LKR_GUARD_BIT(LKR_GUARD_EARLIER_TIERS_DONE);
    uint32_t i;
    int resets = 0;
    for (i = 1; i <= lkr_step_count(); i++) {
        lkr_step_info s = step(i);
        if (s.destroys & LKR_DESTROYS_CODES) {
            ck_assert_msg((s.guards & reset_guards) == reset_guards, "%s unguarded", s.sid);
            ck_assert_uint_eq(s.tier, LKR_TIER_RESET);
            resets++;
        }
        if (s.destroys & LKR_MAY_DESTROY_CODES)
            ck_assert(s.guards & LKR_GUARD_BIT(LKR_GUARD_REPAIR_CODES_SAFE));
        if (s.destroys & LKR_DESTROYS_ONE_CODE)
            ck_assert(s.guards & LKR_GUARD_BIT(LKR_GUARD_CODES_BACKED_UP));
        if (s.flags & LKR_STEP_F_CUTS_POWER)
            ck_assert_msg(s.guards & LKR_GUARD_BIT(LKR_GUARD_NO_ACTIVE_TRANSFER), "%s", s.sid);
        /* The universal tier never erases codes (S0). */
        if (s.tier == LKR_TIER_UNIVERSAL || s.tier == LKR_TIER_TRIAGE)
            ck_assert_uint_eq(s.destroys, 0);
        ck_assert((s.guards & ~0x3FEu) == 0);
    }
    ck_assert_int_eq(resets, 1);
}
END_TEST

/* Independently of the steps' own flags: every step that cuts or swaps the
 * lock's power, re-pairs its radio, or starts an update carries the guard. */
START_TEST(named_risky_steps_are_guarded)
{
    static const struct {
        uint32_t step, guard;
    } expect[] = {
        {LKR_STEP_UNIVERSAL_FRESH_ALKALINE, LKR_GUARD_NO_ACTIVE_TRANSFER},
        {LKR_STEP_UNIVERSAL_BATTERY_PULL, LKR_GUARD_NO_ACTIVE_TRANSFER},
        {LKR_STEP_ZWAVE_CHECK_BATTERY, LKR_GUARD_NO_ACTIVE_TRANSFER},
        {LKR_STEP_MATTER_POWER_OFF_5MIN, LKR_GUARD_NO_ACTIVE_TRANSFER},
        {LKR_STEP_CODE_CHECK_BATTERIES, LKR_GUARD_NO_ACTIVE_TRANSFER},
        {LKR_STEP_CODE_POWER_CYCLE, LKR_GUARD_NO_ACTIVE_TRANSFER},
        {LKR_STEP_CODE_COLD_WEATHER, LKR_GUARD_NO_ACTIVE_TRANSFER},
        {LKR_STEP_UNIVERSAL_UPDATE_SOFTWARE, LKR_GUARD_PREFLIGHT_OK},
        {LKR_STEP_UNIVERSAL_UPDATE_SOFTWARE, LKR_GUARD_NO_ACTIVE_TRANSFER},
        {LKR_STEP_CODE_UPDATE_SOFTWARE, LKR_GUARD_PREFLIGHT_OK},
        {LKR_STEP_ZWAVE_EXCLUDE_REINCLUDE, LKR_GUARD_REPAIR_CODES_SAFE},
        {LKR_STEP_ZIGBEE_REPAIR_VIA_HUB, LKR_GUARD_REPAIR_CODES_SAFE},
        {LKR_STEP_MATTER_READD_QR, LKR_GUARD_REPAIR_CODES_SAFE},
        {LKR_STEP_SMARTTHINGS_READD, LKR_GUARD_REPAIR_CODES_SAFE},
        {LKR_STEP_HOMEASSISTANT_READD, LKR_GUARD_REPAIR_CODES_SAFE},
        {LKR_STEP_HUBITAT_READD, LKR_GUARD_REPAIR_CODES_SAFE},
        {LKR_STEP_REPAIR_REMOVE_AND_READD, LKR_GUARD_REPAIR_CODES_SAFE},
        {LKR_STEP_CODE_READD_CODE, LKR_GUARD_CODES_BACKED_UP},
        {LKR_STEP_RESET_FACTORY_RESET, LKR_GUARD_ADMIN_CODE_RECORDED},
        {LKR_STEP_RESET_FACTORY_RESET, LKR_GUARD_CODES_BACKED_UP},
        {LKR_STEP_RESET_FACTORY_RESET, LKR_GUARD_PHYSICAL_KEY},
        {LKR_STEP_RESET_FACTORY_RESET, LKR_GUARD_DOOR_OPEN},
        {LKR_STEP_RESET_FACTORY_RESET, LKR_GUARD_EARLIER_TIERS_DONE},
    };
    size_t k;
    for (k = 0; k < sizeof(expect) / sizeof(expect[0]); k++) {
        lkr_step_info s = step(expect[k].step);
        ck_assert_msg(s.guards & LKR_GUARD_BIT(expect[k].guard), "%s lacks guard %u", s.sid,
                      expect[k].guard);
    }
    /* S0: removing and re-adding a HomeKit accessory keeps the codes. */
    ck_assert_uint_eq(step(LKR_STEP_HOMEKIT_READD).destroys & LKR_MAY_DESTROY_CODES, 0);
}
END_TEST

START_TEST(fixes_followups_and_costs_are_sane)
{
    uint32_t i, k;
    for (i = 1; i <= lkr_step_count(); i++) {
        lkr_step_info s = step(i);
        ck_assert(s.cost_min >= 1);
        ck_assert(s.tier >= LKR_TIER_TRIAGE && s.tier <= LKR_TIER_CODE);
        for (k = 0; k < s.fix_count; k++) {
            lkr_cause_info c = LKR_CAUSE_INFO_INIT;
            ck_assert_int_eq(lkr_cause_get(s.fixes[k].cause, &c), LKR_OK);
            ck_assert(s.fixes[k].permille >= 1 && s.fixes[k].permille <= 1000);
        }
        if (!(s.flags & (LKR_STEP_F_PREPARATION | LKR_STEP_F_FOLLOWUP_ONLY)))
            ck_assert_msg(s.fix_count > 0, "%s fixes nothing", s.sid);
        if (s.followup != 0) {
            lkr_step_info f = step(s.followup);
            ck_assert_msg((f.flags & LKR_STEP_F_FOLLOWUP_ONLY) || f.tier == s.tier, "%s", s.sid);
        }
    }
}
END_TEST

/* Every cause can be fixed (or handed over) on every protocol it can happen on. */
START_TEST(every_cause_has_a_remedy_on_each_protocol)
{
    uint32_t c, p, i, k;
    for (c = 1; c <= lkr_cause_count(); c++) {
        lkr_cause_info ci = LKR_CAUSE_INFO_INIT;
        ck_assert_int_eq(lkr_cause_get(c, &ci), LKR_OK);
        for (p = 1; p <= LKR_PROTOCOL_MAX; p++) {
            int found = 0;
            if (!(ci.protocols & LKR_PROTOCOL_BIT(p))) continue;
            for (i = 1; i <= lkr_step_count() && !found; i++) {
                lkr_step_info s = step(i);
                if (!(s.protocols & LKR_PROTOCOL_BIT(p)) || s.tier == LKR_TIER_RESET) continue;
                for (k = 0; k < s.fix_count; k++) found |= s.fixes[k].cause == c;
            }
            ck_assert_msg(found, "%s has no remedy on %s", ci.sid, lkr_protocol_name(p));
        }
    }
}
END_TEST

/* Catalog section 5 (and 3, 4, 6): every named row is in the catalog. */
START_TEST(every_section_row_is_present)
{
    static const char *const steps[] = {
        /* 1. triage */ "triage.force_close_reopen", "triage.check_firmware",
        /* 2. universal */ "universal.fresh_alkaline", "universal.battery_pull",
        "universal.check_firmware", "universal.toggle_phone_bluetooth",
        /* 3. Wi-Fi */ "wifi.check_band_security", "wifi.power_cycle_bridge",
        "wifi.dhcp_reservation", "wifi.rerun_wifi_setup", "wifi.power_cycle_router",
        "wifi.improve_range",
        /* BLE */ "ble.force_close_app", "ble.clear_cache_reinstall", "ble.rebond",
        "ble.second_phone", "ble.move_closer", "ble.grant_permissions",
        /* Z-Wave */ "zwave.check_battery", "zwave.restart_hub", "zwave.exclude_reinclude",
        /* Matter */ "matter.power_off_5min", "matter.restart_home_hubs", "matter.readd_qr",
        /* Zigbee */ "zigbee.check_hub", "zigbee.restart_hub", "zigbee.repair_via_hub",
        /* 4. ecosystems */ "ecosystem.homekit.bluetooth_on", "ecosystem.homekit.restart_hubs",
        "ecosystem.homekit.readd", "ecosystem.google.relink", "ecosystem.google.readd",
        "ecosystem.alexa.toggle_skill", "ecosystem.alexa.discover",
        "ecosystem.smartthings.refresh", "ecosystem.smartthings.readd",
        "ecosystem.homeassistant.reload", "ecosystem.homeassistant.readd",
        "ecosystem.hubitat.refresh", "ecosystem.hubitat.readd",
        /* 5. re-pair */ "repair.backup_codes", "repair.remove_and_readd", "repair.verify_codes",
        /* 6. reset */ "reset.factory_reset", "reset.restore_after_reset",
        /* 7. support */ "support.contact_manufacturer",
        /* code path */ "code.reenter_carefully", "code.clean_keypad", "code.check_batteries",
        "code.check_lockout", "code.check_alignment", "code.power_cycle",
        "code.check_connectivity", "code.update_software", "code.recalibrate",
        "code.check_permissions", "code.readd_code", "support.locksmith"};
    static const char *const causes[] = {
        "ble_drop_mid_transfer", "ota_voltage_collapse", "wifi_stack_crash",
        "hub_session_mismatch", "app_stale_state", "transfer_stall", "batteries_depleted",
        "zwave_deep_sleep", "thread_mesh_lost", "phone_ble_bug", "wifi_band_security",
        "new_ip_address", "weak_signal", "network_changed", "hub_offline",
        "missing_permissions", "outdated_software", "needs_calibration", "keypad_lockout",
        "code_expired", "wrong_code", "keypad_damage", "door_misalignment", "extreme_cold",
        "hardware_failure"};
    static const char *const symptoms[] = {
        "completely_silent", "local_ok_app_offline", "app_no_response", "update_stalled",
        "one_code_rejected", "all_codes_rejected", "offline_no_update"};
    static const char *const guards[] = {
        "admin_code_recorded", "codes_backed_up", "physical_key", "door_open",
        "earlier_tiers_done", "phone_in_range", "no_active_transfer", "repair_codes_safe",
        /* section 6: the pre-update checklist as a guard on every update */ "preflight_ok"};
    size_t k;
    uint32_t id;
    for (k = 0; k < sizeof(steps) / sizeof(steps[0]); k++)
        ck_assert_msg(lkr_step_find(steps[k], &id) == LKR_OK, "missing step %s", steps[k]);
    for (k = 0; k < sizeof(causes) / sizeof(causes[0]); k++)
        ck_assert_msg(lkr_cause_find(causes[k], &id) == LKR_OK, "missing cause %s", causes[k]);
    for (k = 0; k < sizeof(symptoms) / sizeof(symptoms[0]); k++)
        ck_assert_msg(lkr_symptom_find(symptoms[k], &id) == LKR_OK, "missing %s", symptoms[k]);
    for (k = 0; k < sizeof(guards) / sizeof(guards[0]); k++)
        ck_assert_msg(lkr_guard_find(guards[k], &id) == LKR_OK, "missing guard %s", guards[k]);
}
END_TEST

/* Section 3's "where to go" column: the entry tiers. */
START_TEST(symptom_table_entry_tiers)
{
    static const uint32_t expected[][2] = {
        {LKR_SYMPTOM_COMPLETELY_SILENT, LKR_TIER_UNIVERSAL},
        {LKR_SYMPTOM_LOCAL_OK_APP_OFFLINE, LKR_TIER_PROTOCOL},
        {LKR_SYMPTOM_APP_NO_RESPONSE, LKR_TIER_ECOSYSTEM},
        {LKR_SYMPTOM_UPDATE_STALLED, LKR_TIER_TRIAGE},
        {LKR_SYMPTOM_ONE_CODE_REJECTED, LKR_TIER_CODE},
        {LKR_SYMPTOM_ALL_CODES_REJECTED, LKR_TIER_CODE},
        {LKR_SYMPTOM_OFFLINE_NO_UPDATE, LKR_TIER_UNIVERSAL}};
    size_t k;
    for (k = 0; k < sizeof(expected) / sizeof(expected[0]); k++) {
        lkr_symptom_info s = LKR_SYMPTOM_INFO_INIT;
        ck_assert_int_eq(lkr_symptom_get(expected[k][0], &s), LKR_OK);
        ck_assert_uint_eq(s.entry_tier, expected[k][1]);
    }
}
END_TEST

/* The factory reset's instructions carry S0's guards; NiMH warning is in the text. */
START_TEST(texts_carry_the_safety_words)
{
    lkr_step_info s = step(LKR_STEP_RESET_FACTORY_RESET);
    ck_assert_ptr_nonnull(strstr(s.instructions, "door open"));
    ck_assert_ptr_nonnull(strstr(s.instructions, "5 to 30 seconds"));
    s = step(LKR_STEP_UNIVERSAL_FRESH_ALKALINE);
    ck_assert_ptr_nonnull(strstr(s.instructions, "NiMH"));
    s = step(LKR_STEP_TRIAGE_FORCE_CLOSE_REOPEN);
    ck_assert_ptr_nonnull(strstr(s.instructions, "Do NOT remove"));
    s = step(LKR_STEP_UNIVERSAL_TOGGLE_PHONE_BLUETOOTH);
    ck_assert_ptr_nonnull(strstr(s.instructions, "Control Center"));
}
END_TEST

/* The history's size is justified: every step enters it at most once, and no
 * lock fits more non-terminal steps than LKR_HISTORY_MAX - 1 (the last entry
 * is kept for the hand-over). The most any profile can fit: every ecosystem,
 * a bridge, a keypad, an update. */
START_TEST(history_holds_every_step_a_lock_can_take)
{
    uint32_t p, i;
    for (p = 1; p <= LKR_PROTOCOL_MAX; p++) {
        lkr_profile pr = lock(p, LKR_ECOSYSTEMS_ALL, p == LKR_PROTOCOL_WIFI ? LKR_YES : LKR_NO, LKR_YES);
        lkr_observations o;
        uint32_t fitting = 0;
        lkr_observations_init(&o);
        o.update_state = LKR_UPDATE_FINISHED;
        for (i = 1; i <= lkr_step_count(); i++) {
            int applies = 0;
            ck_assert_int_eq(lkr_step_applies(i, &pr, &o, &applies), LKR_OK);
            if (applies && !(step(i).flags & LKR_STEP_F_TERMINAL)) fitting++;
        }
        ck_assert_msg(fitting <= LKR_HISTORY_MAX - 1, "%s fits %u steps", lkr_protocol_name(p), fitting);
    }
}
END_TEST

/* The classifier binary-searches the likelihood table by evidence; every
 * step sits in its own tier's list, exactly once. */
START_TEST(internal_tables_are_ordered_and_complete)
{
    size_t r;
    uint32_t id, t, k, seen[LKR__STEP_COUNT + 1];
    for (r = 1; r < lkr__likelihood_count; r++) {
        ck_assert_uint_le(lkr__likelihoods[r - 1].evidence, lkr__likelihoods[r].evidence);
    }
    memset(seen, 0, sizeof(seen));
    for (t = 1; t <= LKR__TIER_COUNT; t++) {
        for (k = 0; lkr__tier_steps[t][k] != 0; k++) {
            id = lkr__tier_steps[t][k];
            ck_assert(id >= 1 && id <= LKR__STEP_COUNT);
            ck_assert_uint_eq(lkr__steps[id].tier, t);
            seen[id]++;
        }
    }
    for (id = 1; id <= LKR__STEP_COUNT; id++) {
        ck_assert_msg(seen[id] == 1, "step %u listed %u times", id, seen[id]);
    }
}
END_TEST

static Suite *catalog_suite(void)
{
    Suite *s = suite_create("catalog");
    TCase *tc = tcase_create("integrity");
    tcase_add_test(tc, step_ids_dense_unique_and_round_trip);
    tcase_add_test(tc, other_tables_round_trip);
    tcase_add_test(tc, string_ids_match_tier_protocol_and_ecosystem);
    tcase_add_test(tc, no_protocol_step_applies_to_another_protocol);
    tcase_add_test(tc, applies_respects_ecosystems_bridge_keypad_and_update);
    tcase_add_test(tc, waits_equal_section_7);
    tcase_add_test(tc, destructive_steps_carry_their_guards);
    tcase_add_test(tc, named_risky_steps_are_guarded);
    tcase_add_test(tc, fixes_followups_and_costs_are_sane);
    tcase_add_test(tc, every_cause_has_a_remedy_on_each_protocol);
    tcase_add_test(tc, every_section_row_is_present);
    tcase_add_test(tc, symptom_table_entry_tiers);
    tcase_add_test(tc, texts_carry_the_safety_words);
    tcase_add_test(tc, history_holds_every_step_a_lock_can_take);
    tcase_add_test(tc, internal_tables_are_ordered_and_complete);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(catalog_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
