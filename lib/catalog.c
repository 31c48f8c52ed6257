/*
 * The recovery catalog: every tier, symptom, root cause, guard and step of the
 * domain document (shared/domain/catalog.md), as constant data.
 *
 * Read it like the document: section 3 (symptoms), section 4 (causes with
 * their prior weights), section 5 (the ladder, tier by tier, step by step),
 * section 7 (every wait, in seconds, on the step it belongs to), and the
 * classifier's evidence table. S0..S3 name the seed documents:
 *   S0 post-firmware-update recovery, S1 general "not working",
 *   S2 "Lock Offline", S3 "code stops working".
 * Where the seeds are silent (Zigbee, Home Assistant, Hubitat) a row says
 * "by analogy" and extends the nearest documented path.
 *
 * Numbers:
 *   prior       relative weight of a cause before any evidence, thousandths;
 *   fixes       P(this step fixes the fault | that cause is the fault), 0..1000;
 *   cost        expected person-minutes, the denominator of P(fix)/cost;
 *   wait/settle seconds on the host's clock (catalog section 7).
 * Numeric ids are the array indexes and never change (see catalog.h).
 */
#include "internal.h"

/* Protocol masks. */
#define P_WIFI LKR_PROTOCOL_BIT(LKR_PROTOCOL_WIFI)
#define P_BLE LKR_PROTOCOL_BIT(LKR_PROTOCOL_BLE)
#define P_ZWAVE LKR_PROTOCOL_BIT(LKR_PROTOCOL_ZWAVE)
#define P_ZIGBEE LKR_PROTOCOL_BIT(LKR_PROTOCOL_ZIGBEE)
#define P_MATTER LKR_PROTOCOL_BIT(LKR_PROTOCOL_MATTER)
#define P_ALL LKR_PROTOCOLS_ALL
#define P_HUBBED (P_WIFI | P_ZWAVE | P_ZIGBEE | P_MATTER)

/* Ecosystem masks. */
#define E_HOMEKIT LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_HOMEKIT)
#define E_GOOGLE LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_GOOGLE)
#define E_ALEXA LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_ALEXA)
#define E_SMARTTHINGS LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_SMARTTHINGS)
#define E_HOMEASSISTANT LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_HOMEASSISTANT)
#define E_HUBITAT LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_HUBITAT)

/* Guard masks. */
#define G(g) LKR_GUARD_BIT(LKR_GUARD_##g)
#define G_FACTORY_RESET \
    (G(ADMIN_CODE_RECORDED) | G(CODES_BACKED_UP) | G(PHYSICAL_KEY) | G(DOOR_OPEN) | \
     G(EARLIER_TIERS_DONE) | G(NO_ACTIVE_TRANSFER))

/* Flags. */
#define AUTO LKR_STEP_F_AUTOMATABLE
#define DIAG LKR_STEP_F_DIAGNOSTIC
#define BRIDGE LKR_STEP_F_NEEDS_BRIDGE
#define AFTER_UPDATE LKR_STEP_F_NEEDS_UPDATE
#define CUTS_POWER LKR_STEP_F_CUTS_POWER
#define TERMINAL LKR_STEP_F_TERMINAL
#define FOLLOWUP LKR_STEP_F_FOLLOWUP_ONLY
#define KEYPAD LKR_STEP_F_NEEDS_KEYPAD
#define PREP LKR_STEP_F_PREPARATION

#define C(x) LKR_CAUSE_##x
/* English text (titles, instructions, descriptions): "" in LKR_NO_TEXT builds.
 * ports/wrap_text.py wraps new rows and checks that none is missed. */
#define T(s) LKR__TEXT(s)
#define FIXES(a) .fix_count = (uint8_t)(sizeof(a) / sizeof((a)[0])), .fixes = (a)
#define NO_FIXES .fix_count = 0, .fixes = NULL

/* ======================================================================
 * Tiers (catalog section 5): the ladder, in order. The code path (S3) is a
 * ladder of its own that joins the factory reset and support tiers.
 * ====================================================================== */
const lkr__named lkr__tiers[LKR__TIER_COUNT + 1] = {
    [LKR_TIER_TRIAGE] = {"triage", T("Triage"),
        T("Before anything else: an update still transferring is not pulled apart, and the "
        "firmware version is read.")},
    [LKR_TIER_UNIVERSAL] = {"universal", T("Universal first steps"),
        T("Steps for every lock, whatever its protocol. None of them erases access codes.")},
    [LKR_TIER_PROTOCOL] = {"protocol", T("Protocol path"),
        T("The lock's own protocol path only: Wi-Fi, Bluetooth, Z-Wave, Zigbee or Matter over "
        "Thread. Another protocol's steps are never applied.")},
    [LKR_TIER_ECOSYSTEM] = {"ecosystem", T("Ecosystem reconnection"),
        T("Reconnect the lock in each ecosystem it is linked to: HomeKit, Google Home, Alexa, "
        "SmartThings, Home Assistant, Hubitat.")},
    [LKR_TIER_REPAIR] = {"repair", T("Re-pair without a factory reset"),
        T("Remove the lock from the apps and add it back. Codes live in the lock and survive "
        "on most models; they are backed up first all the same.")},
    [LKR_TIER_RESET] = {"reset", T("Factory reset"),
        T("The documented last resort. It erases every access code and pairing, so it is "
        "refused until every guard holds.")},
    [LKR_TIER_SUPPORT] = {"support", T("Manufacturer support"),
        T("Hand the case to the manufacturer (or a locksmith) with a complete report.")},
    [LKR_TIER_CODE] = {"code", T("Access-code path"),
        T("When a code stops working: checks from the simplest to the single-code re-add, "
        "before the factory reset.")},
};

/* ======================================================================
 * Guards (catalog sections 5 and 6): what must hold before a step runs.
 * ====================================================================== */
const lkr__named lkr__guards[LKR__GUARD_COUNT + 1] = {
    [LKR_GUARD_ADMIN_CODE_RECORDED] = {"admin_code_recorded",
        T("The programming (admin) code is recorded"),
        T("Find the programming or admin code (original documentation, the back of the lock, "
        "or the app's settings) and record it. Without it you may be locked out of the "
        "lock's programming after a reset.")},
    [LKR_GUARD_CODES_BACKED_UP] = {"codes_backed_up",
        T("Every access code is backed up and the backup is verified"),
        T("Back up every stored access code: where the lock reads PINs back they are read "
        "twice and compared; where it cannot (Matter), every slot it lists must match a PIN "
        "the app recorded as it set it. Only a verified backup, the host's own records for a "
        "lock that cannot be read at all, or, where nothing can read the codes, every code "
        "and its slot written down and codes_noted confirmed (a lower evidence level, named "
        "in the report), satisfies this guard.")},
    [LKR_GUARD_PHYSICAL_KEY] = {"physical_key",
        T("A physical key is at hand"),
        T("Confirm you hold a working physical key for this lock, outside the door.")},
    [LKR_GUARD_DOOR_OPEN] = {"door_open",
        T("The door is open and unlocked"),
        T("Open the door and leave it unlocked, so nothing that goes wrong can lock you out.")},
    [LKR_GUARD_EARLIER_TIERS_DONE] = {"earlier_tiers_done",
        T("Every earlier tier is done or waived"),
        T("Work through every earlier tier first, or waive it explicitly with a reason.")},
    [LKR_GUARD_PHONE_IN_RANGE] = {"phone_in_range",
        T("The phone is within Bluetooth range"),
        T("Stay within 10-30 ft (3-9 m) of the lock with the phone awake for the whole step.")},
    [LKR_GUARD_NO_ACTIVE_TRANSFER] = {"no_active_transfer",
        T("No firmware transfer is still running"),
        T("While an update may still be transferring, do not remove power: force-close and "
        "reopen the app, then read the firmware version first.")},
    [LKR_GUARD_REPAIR_CODES_SAFE] = {"repair_codes_safe",
        T("Re-pairing cannot lose codes"),
        T("This model may erase codes when it is re-paired, or that is not known: back up "
        "every access code first (where nothing can read the codes, write every code and "
        "its slot down and confirm codes_noted).")},
    [LKR_GUARD_CODES_NOTED] = {"codes_noted",
        T("Every access code and its slot is written down (noted by the person)"),
        T("Write down every stored access code with its slot number, as the app shows them. This "
        "is weaker than a verified backup: nothing reads the codes from the lock, so it is "
        "accepted only when no code reader is attached, and after the step each code is tested "
        "at the keypad and re-entered from the notes if it is missing. The report says the "
        "codes were noted by the person.")},
    [LKR_GUARD_PREFLIGHT_OK] = {"preflight_ok",
        T("The pre-update checklist holds"),
        T("Before any firmware update: fresh alkaline cells and at least 50 % battery, a "
        "physical key on you, lock automations paused, the phone staying within Bluetooth "
        "range and, on Android, kept awake. Afterwards read the firmware version first.")},
};

/* ======================================================================
 * Root causes (catalog section 4) with their prior weights.
 * S0's five first, then the rest of S0, then S1-S3.
 * ====================================================================== */
const lkr__cause_def lkr__causes[LKR__CAUSE_COUNT + 1] = {
    [C(BLE_DROP_MID_TRANSFER)] = {"ble_drop_mid_transfer", T("Bluetooth dropped mid-transfer"),
        T("The phone-to-lock Bluetooth link broke during the update. The firmware may have "
        "installed, but the app never got the confirmation and shows a stale error."),
        "S0", P_ALL, 90},
    [C(OTA_VOLTAGE_COLLAPSE)] = {"ota_voltage_collapse", T("Battery voltage collapsed during the install"),
        T("The install is power-hungry; weak batteries dipped and the processor reset or "
        "dropped into a low-power state mid-update."),
        "S0", P_ALL, 90},
    [C(WIFI_STACK_CRASH)] = {"wifi_stack_crash", T("Wi-Fi stack crashed"),
        T("The lock's network stack crashed during or right after the flash and cannot "
        "rejoin the router or bridge."),
        "S0", P_WIFI, 70},
    [C(HUB_SESSION_MISMATCH)] = {"hub_session_mismatch", T("Hub or bridge session mismatch"),
        T("After the update the lock presents a new device signature; the hub still holds "
        "the old session (or a ghost node) and the two no longer talk."),
        "S0", P_ALL, 100},
    [C(APP_STALE_STATE)] = {"app_stale_state", T("App shows a stale cached state"),
        T("The phone app or home hub cached the lock's old status; the lock may work while "
        "the app shows Offline or No Response."),
        "S0", P_ALL, 100},
    [C(TRANSFER_STALL)] = {"transfer_stall", T("Firmware transfer stalled"),
        T("The update is still transferring and stuck: a different problem from a lock that "
        "went silent after an update. Pulling the batteries now can corrupt the install."),
        "S0", P_ALL, 30},
    [C(BATTERIES_DEPLETED)] = {"batteries_depleted", T("Batteries depleted"),
        T("The batteries are too weak to run the lock or its radio."),
        "S0,S1,S2,S3", P_ALL, 90},
    [C(ZWAVE_DEEP_SLEEP)] = {"zwave_deep_sleep", T("Z-Wave deep sleep on low battery"),
        T("Some Z-Wave locks enter deep sleep below about 50 % battery and ignore Z-Wave "
        "commands although the hardware is fine."),
        "S0", P_ZWAVE, 40},
    [C(THREAD_MESH_LOST)] = {"thread_mesh_lost", T("Thread mesh position lost"),
        T("A Matter-over-Thread lock lost its place in the Thread mesh after the update and "
        "needs time to re-join."),
        "S0", P_MATTER, 40},
    [C(PHONE_BLE_BUG)] = {"phone_ble_bug", T("Phone Bluetooth stack bug"),
        T("A device-specific Bluetooth bug on this phone blocks the connection; another phone "
        "connects fine."),
        "S0", P_ALL, 30},
    [C(WIFI_BAND_SECURITY)] = {"wifi_band_security", T("Unsupported Wi-Fi band or security"),
        T("Most locks join only 2.4 GHz networks secured with WPA2-PSK; 5 GHz only, WPA3 or "
        "mixed WPA2/WPA3 modes make them fail."),
        "S0", P_WIFI, 20},
    [C(NEW_IP_ADDRESS)] = {"new_ip_address", T("Lock got a new IP address"),
        T("After its reboot the lock got a different IP address that the app or bridge "
        "cannot reach."),
        "S0", P_WIFI, 25},
    [C(WEAK_SIGNAL)] = {"weak_signal", T("Weak signal, interference or obstruction"),
        T("Distance, walls, metal or other electronics weaken the radio link at the door."),
        "S1,S2,S3", P_WIFI | P_BLE, 40},
    [C(NETWORK_CHANGED)] = {"network_changed", T("Network changed"),
        T("The Wi-Fi name or password changed, or a new router replaced the old one."),
        "S2", P_WIFI, 25},
    [C(HUB_OFFLINE)] = {"hub_offline", T("Hub, bridge or router offline"),
        T("The hub, bridge or router the lock depends on is itself offline."),
        "S2", P_HUBBED, 30},
    [C(MISSING_PERMISSIONS)] = {"missing_permissions", T("App permissions missing"),
        T("The app lacks Bluetooth, location or Wi-Fi permission and cannot find the lock."),
        "S2", P_BLE, 20},
    [C(OUTDATED_SOFTWARE)] = {"outdated_software", T("Outdated firmware or app"),
        T("The lock's firmware or the phone app is out of date and no longer compatible."),
        "S1,S2", P_ALL, 30},
    [C(NEEDS_CALIBRATION)] = {"needs_calibration", T("Needs calibration"),
        T("The lock moves but has lost track of its locked and unlocked positions, or its "
        "keypad or sensors need to re-learn."),
        "S2,S3", P_ALL, 15},
    [C(KEYPAD_LOCKOUT)] = {"keypad_lockout", T("Keypad lockout or Vacation Mode"),
        T("Too many wrong codes triggered a temporary lockout, or Vacation Mode disables "
        "the keypad."),
        "S3", P_ALL, 20},
    [C(CODE_EXPIRED)] = {"code_expired", T("Code expired, deleted or off-schedule"),
        T("The code expired, was deleted, lost its permissions, or is outside its schedule."),
        "S3", P_ALL, 30},
    [C(WRONG_CODE)] = {"wrong_code", T("Wrong code entered"),
        T("A digit, the length, or the user was wrong."),
        "S3", P_ALL, 40},
    [C(KEYPAD_DAMAGE)] = {"keypad_damage", T("Keypad dirt or damage"),
        T("Dirt, moisture or wear makes buttons stick or fail."),
        "S3", P_ALL, 15},
    [C(DOOR_MISALIGNMENT)] = {"door_misalignment", T("Door misalignment"),
        T("The bolt binds on the strike plate: it works with the door open, not closed."),
        "S1,S3", P_ALL, 20},
    [C(EXTREME_COLD)] = {"extreme_cold", T("Extreme cold"),
        T("Cold slows the mechanism and saps the batteries; keypads respond slowly or not at "
        "all."),
        "S3", P_ALL, 10},
    [C(HARDWARE_FAILURE)] = {"hardware_failure", T("Hardware failure"),
        T("A hardware fault, possibly caused by the update: the manufacturer's to fix."),
        "S0,S2,S3", P_ALL, 20},
};

/* ======================================================================
 * Symptom classes (catalog section 3): S0's table extended by S2 and S3.
 * ====================================================================== */
static const uint32_t sym_silent[] = {C(OTA_VOLTAGE_COLLAPSE), C(BATTERIES_DEPLETED)};
static const uint32_t sym_local_ok[] = {C(WIFI_STACK_CRASH), C(BLE_DROP_MID_TRANSFER),
                                        C(HUB_SESSION_MISMATCH), C(THREAD_MESH_LOST),
                                        C(ZWAVE_DEEP_SLEEP)};
static const uint32_t sym_no_response[] = {C(APP_STALE_STATE), C(HUB_SESSION_MISMATCH)};
static const uint32_t sym_stalled[] = {C(TRANSFER_STALL)};
static const uint32_t sym_one_code[] = {C(CODE_EXPIRED), C(WRONG_CODE)};
static const uint32_t sym_all_codes[] = {C(BATTERIES_DEPLETED), C(KEYPAD_LOCKOUT),
                                         C(KEYPAD_DAMAGE), C(DOOR_MISALIGNMENT)};
static const uint32_t sym_offline[] = {C(BATTERIES_DEPLETED), C(WEAK_SIGNAL),
                                       C(NETWORK_CHANGED), C(MISSING_PERMISSIONS),
                                       C(OUTDATED_SOFTWARE), C(HUB_OFFLINE)};
#define CAUSES(a) (uint8_t)(sizeof(a) / sizeof((a)[0])), (a)

const lkr__symptom_def lkr__symptoms[LKR__SYMPTOM_COUNT] = {
    [LKR_SYMPTOM_UNKNOWN] = {"unknown", T("Not enough is known to place the symptom"),
        T("Start with the universal first steps and answer the questions as they come."),
        "-", LKR_TIER_UNIVERSAL, 0, NULL},
    [LKR_SYMPTOM_COMPLETELY_SILENT] = {"completely_silent",
        T("Completely silent: the keypad does not light up, no response to button presses"),
        T("Universal first steps, then the protocol path."),
        "S0", LKR_TIER_UNIVERSAL, CAUSES(sym_silent)},
    [LKR_SYMPTOM_LOCAL_OK_APP_OFFLINE] = {"local_ok_app_offline",
        T("The keypad works and accepts codes, but the app shows the lock offline or unavailable"),
        T("The protocol path for this lock's connection: the hardware is fine, the connection "
        "is broken."),
        "S0", LKR_TIER_PROTOCOL, CAUSES(sym_local_ok)},
    [LKR_SYMPTOM_APP_NO_RESPONSE] = {"app_no_response",
        T("The app shows No Response or Unavailable, but the lock may still work locally"),
        T("Ecosystem reconnection."),
        "S0", LKR_TIER_ECOSYSTEM, CAUSES(sym_no_response)},
    [LKR_SYMPTOM_UPDATE_STALLED] = {"update_stalled",
        T("The update progress has not moved for more than 10 minutes"),
        T("Do not pull the batteries. Force-close the app, reopen it and check whether the "
        "firmware version updated; if it did, go on with the universal first steps."),
        "S0", LKR_TIER_TRIAGE, CAUSES(sym_stalled)},
    [LKR_SYMPTOM_ONE_CODE_REJECTED] = {"one_code_rejected",
        T("One access code is rejected while the others work"),
        T("Check that code's permissions, expiry and schedule; re-enter it carefully; then "
        "delete and re-add that single code."),
        "S3", LKR_TIER_CODE, CAUSES(sym_one_code)},
    [LKR_SYMPTOM_ALL_CODES_REJECTED] = {"all_codes_rejected",
        T("Every access code is rejected, or the keypad is erratic"),
        T("The access-code path's first checks: batteries, lockout mode, keypad, alignment."),
        "S3", LKR_TIER_CODE, CAUSES(sym_all_codes)},
    [LKR_SYMPTOM_OFFLINE_NO_UPDATE] = {"offline_no_update",
        T("The lock is offline and no update was involved"),
        T("S2's sequence: batteries, connectivity, network changes, permissions, software "
        "updates, the hub."),
        "S2", LKR_TIER_UNIVERSAL, CAUSES(sym_offline)},
};

/* ======================================================================
 * Steps (catalog section 5), tier by tier, with the waits of section 7.
 * ====================================================================== */

/* -- 1. Triage (S0) ----------------------------------------------------- */
static const lkr_step_fix fx_force_close_reopen[] = {{C(TRANSFER_STALL), 500}, {C(APP_STALE_STATE), 500}};
static const lkr_step_fix fx_triage_firmware[] = {{C(TRANSFER_STALL), 300}, {C(APP_STALE_STATE), 200}};

/* -- 2. Universal first steps (S0; S2 adds the phone restart and updates) - */
static const lkr_step_fix fx_fresh_alkaline[] = {
    {C(BATTERIES_DEPLETED), 950}, {C(OTA_VOLTAGE_COLLAPSE), 500}, {C(ZWAVE_DEEP_SLEEP), 900},
    {C(EXTREME_COLD), 300}};
static const lkr_step_fix fx_battery_pull[] = {
    {C(OTA_VOLTAGE_COLLAPSE), 800}, {C(WIFI_STACK_CRASH), 700}, {C(BLE_DROP_MID_TRANSFER), 500},
    {C(THREAD_MESH_LOST), 300}, {C(ZWAVE_DEEP_SLEEP), 200}, {C(HUB_SESSION_MISMATCH), 100},
    {C(NEW_IP_ADDRESS), 200},
    /* Once triage is done, a pull reboots a stuck lock onto its old firmware (S0). */
    {C(TRANSFER_STALL), 700}};
static const lkr_step_fix fx_universal_firmware[] = {{C(BLE_DROP_MID_TRANSFER), 300}, {C(APP_STALE_STATE), 200}};
static const lkr_step_fix fx_toggle_bt[] = {
    {C(PHONE_BLE_BUG), 300}, {C(BLE_DROP_MID_TRANSFER), 400}, {C(APP_STALE_STATE), 300}};
static const lkr_step_fix fx_restart_phone[] = {
    {C(PHONE_BLE_BUG), 400}, {C(APP_STALE_STATE), 500}, {C(BLE_DROP_MID_TRANSFER), 300}};
static const lkr_step_fix fx_update_software[] = {{C(OUTDATED_SOFTWARE), 900}, {C(APP_STALE_STATE), 300}};
static const lkr_step_fix fx_recalibrate_position[] = {{C(NEEDS_CALIBRATION), 900}};

/* -- 3. Protocol paths -------------------------------------------------- */
/* Wi-Fi (S0; S2 adds the router, range and network changes) */
static const lkr_step_fix fx_band_security[] = {{C(WIFI_BAND_SECURITY), 900}};
static const lkr_step_fix fx_bridge_cycle[] = {
    {C(HUB_OFFLINE), 850}, {C(HUB_SESSION_MISMATCH), 500}, {C(WIFI_STACK_CRASH), 300}};
static const lkr_step_fix fx_router_cycle[] = {
    {C(HUB_OFFLINE), 800}, {C(WIFI_STACK_CRASH), 300}, {C(NEW_IP_ADDRESS), 300}};
static const lkr_step_fix fx_dhcp[] = {{C(NEW_IP_ADDRESS), 900}};
static const lkr_step_fix fx_wifi_setup[] = {
    {C(NETWORK_CHANGED), 950}, {C(WIFI_STACK_CRASH), 700}, {C(NEW_IP_ADDRESS), 500},
    {C(WIFI_BAND_SECURITY), 300}, {C(HUB_SESSION_MISMATCH), 300}};
static const lkr_step_fix fx_wifi_range[] = {{C(WEAK_SIGNAL), 800}};
/* Bluetooth only (S0; S2 adds range and permissions) */
static const lkr_step_fix fx_ble_force_close[] = {{C(APP_STALE_STATE), 700}, {C(BLE_DROP_MID_TRANSFER), 300}};
static const lkr_step_fix fx_ble_reinstall[] = {
    {C(APP_STALE_STATE), 850}, {C(BLE_DROP_MID_TRANSFER), 300}, {C(OUTDATED_SOFTWARE), 600}};
static const lkr_step_fix fx_ble_rebond[] = {
    {C(BLE_DROP_MID_TRANSFER), 750}, {C(PHONE_BLE_BUG), 300}, {C(APP_STALE_STATE), 300}};
static const lkr_step_fix fx_second_phone[] = {{C(PHONE_BLE_BUG), 900}};
static const lkr_step_fix fx_ble_closer[] = {{C(WEAK_SIGNAL), 850}};
static const lkr_step_fix fx_permissions[] = {{C(MISSING_PERMISSIONS), 950}};
/* Z-Wave (S0) */
static const lkr_step_fix fx_zwave_battery[] = {{C(ZWAVE_DEEP_SLEEP), 950}, {C(BATTERIES_DEPLETED), 950}};
static const lkr_step_fix fx_zwave_hub[] = {{C(HUB_OFFLINE), 850}, {C(HUB_SESSION_MISMATCH), 400}};
static const lkr_step_fix fx_zwave_exclude[] = {{C(HUB_SESSION_MISMATCH), 900}, {C(APP_STALE_STATE), 500}};
/* Zigbee (by analogy with Z-Wave; S2 only says a hub is required) */
static const lkr_step_fix fx_zigbee_check[] = {{C(HUB_OFFLINE), 700}};
static const lkr_step_fix fx_zigbee_hub[] = {{C(HUB_OFFLINE), 850}, {C(HUB_SESSION_MISMATCH), 400}};
static const lkr_step_fix fx_zigbee_repair[] = {{C(HUB_SESSION_MISMATCH), 900}, {C(APP_STALE_STATE), 500}};
/* Matter over Thread (S0, after Apple's guidance) */
static const lkr_step_fix fx_matter_power[] = {
    {C(THREAD_MESH_LOST), 850}, {C(OTA_VOLTAGE_COLLAPSE), 700}, {C(HUB_SESSION_MISMATCH), 200}};
static const lkr_step_fix fx_matter_hubs[] = {
    {C(HUB_OFFLINE), 850}, {C(HUB_SESSION_MISMATCH), 400}, {C(THREAD_MESH_LOST), 400}};
static const lkr_step_fix fx_matter_readd[] = {
    {C(HUB_SESSION_MISMATCH), 900}, {C(THREAD_MESH_LOST), 700}, {C(APP_STALE_STATE), 600}};

/* -- 4. Ecosystem reconnection (S0; Home Assistant and Hubitat by analogy) */
static const lkr_step_fix fx_eco_light[] = {{C(APP_STALE_STATE), 700}, {C(HUB_SESSION_MISMATCH), 400}};
static const lkr_step_fix fx_eco_hubs[] = {
    {C(APP_STALE_STATE), 500}, {C(HUB_SESSION_MISMATCH), 500}, {C(HUB_OFFLINE), 700}};
static const lkr_step_fix fx_eco_bluetooth[] = {{C(APP_STALE_STATE), 300}};
static const lkr_step_fix fx_eco_readd[] = {{C(APP_STALE_STATE), 900}, {C(HUB_SESSION_MISMATCH), 900}};

/* -- 5. Re-pair without a factory reset (S0, S2) ------------------------ */
static const lkr_step_fix fx_repair[] = {
    {C(HUB_SESSION_MISMATCH), 900}, {C(APP_STALE_STATE), 950}, {C(BLE_DROP_MID_TRANSFER), 800},
    {C(WIFI_STACK_CRASH), 600}, {C(THREAD_MESH_LOST), 700}, {C(NETWORK_CHANGED), 700},
    {C(NEW_IP_ADDRESS), 600}, {C(PHONE_BLE_BUG), 200}};
static const lkr_step_fix fx_wait_reconnect[] = {
    {C(THREAD_MESH_LOST), 300}, {C(APP_STALE_STATE), 200}, {C(HUB_SESSION_MISMATCH), 150},
    {C(WIFI_STACK_CRASH), 150}};

/* -- 6. Factory reset (S0, S1, S2, S3) ---------------------------------- */
static const lkr_step_fix fx_factory_reset[] = {
    {C(BLE_DROP_MID_TRANSFER), 900}, {C(OTA_VOLTAGE_COLLAPSE), 800}, {C(WIFI_STACK_CRASH), 900},
    {C(HUB_SESSION_MISMATCH), 900}, {C(APP_STALE_STATE), 900}, {C(THREAD_MESH_LOST), 900},
    {C(NEW_IP_ADDRESS), 800}, {C(NETWORK_CHANGED), 900}, {C(KEYPAD_LOCKOUT), 900},
    {C(CODE_EXPIRED), 500}, {C(NEEDS_CALIBRATION), 800}, {C(OUTDATED_SOFTWARE), 300},
    {C(TRANSFER_STALL), 900}};

/* -- 7. Support (S0, S1, S3) -------------------------------------------- */
static const lkr_step_fix fx_manufacturer[] = {{C(HARDWARE_FAILURE), 1000}};
static const lkr_step_fix fx_locksmith[] = {{C(DOOR_MISALIGNMENT), 1000}, {C(KEYPAD_DAMAGE), 1000}};

/* -- Access-code path (S3) ---------------------------------------------- */
static const lkr_step_fix fx_reenter[] = {{C(WRONG_CODE), 900}};
static const lkr_step_fix fx_clean_keypad[] = {{C(KEYPAD_DAMAGE), 500}};
static const lkr_step_fix fx_code_batteries[] = {
    {C(BATTERIES_DEPLETED), 950}, {C(EXTREME_COLD), 300}, {C(OTA_VOLTAGE_COLLAPSE), 300}};
static const lkr_step_fix fx_lockout[] = {{C(KEYPAD_LOCKOUT), 950}};
static const lkr_step_fix fx_alignment[] = {{C(DOOR_MISALIGNMENT), 850}};
static const lkr_step_fix fx_code_power_cycle[] = {
    {C(KEYPAD_LOCKOUT), 300}, {C(NEEDS_CALIBRATION), 200}, {C(WIFI_STACK_CRASH), 300},
    {C(APP_STALE_STATE), 200}};
static const lkr_step_fix fx_code_connectivity[] = {
    {C(WEAK_SIGNAL), 600}, {C(HUB_OFFLINE), 700}, {C(NETWORK_CHANGED), 500},
    {C(WIFI_STACK_CRASH), 300}};
static const lkr_step_fix fx_code_update[] = {{C(OUTDATED_SOFTWARE), 900}};
static const lkr_step_fix fx_code_recalibrate[] = {{C(NEEDS_CALIBRATION), 700}, {C(KEYPAD_DAMAGE), 300}};
static const lkr_step_fix fx_code_permissions[] = {{C(CODE_EXPIRED), 900}};
static const lkr_step_fix fx_readd_code[] = {{C(CODE_EXPIRED), 800}, {C(WRONG_CODE), 300}};
static const lkr_step_fix fx_cold[] = {{C(EXTREME_COLD), 700}};

#define STEP(id_) [LKR_STEP_##id_]

const lkr__step_def lkr__steps[LKR__STEP_COUNT + 1] = {
    /* 1. Triage */
    STEP(TRIAGE_FORCE_CLOSE_REOPEN) = {
        .sid = "triage.force_close_reopen",
        .title = T("Do not pull the batteries: force-close the app and reopen it"),
        .instructions = T("The update has not moved for more than 10 minutes. Do NOT remove the "
            "batteries. Force-close the lock's app (iOS: swipe it away in the app switcher; "
            "Android: close it from the recent apps view), then reopen it."),
        .sources = "S0", .tier = LKR_TIER_TRIAGE, .protocols = P_ALL,
        .cost_min = 2, .followup = LKR_STEP_TRIAGE_CHECK_FIRMWARE, FIXES(fx_force_close_reopen)},
    STEP(TRIAGE_CHECK_FIRMWARE) = {
        .sid = "triage.check_firmware",
        .title = T("Check whether the firmware version updated"),
        .instructions = T("In the app, open the lock's settings and read the firmware (software) "
            "version. If it matches the version being installed, the update finished: go on "
            "with the universal first steps."),
        .sources = "S0", .tier = LKR_TIER_TRIAGE, .protocols = P_ALL, .flags = AUTO | DIAG,
        .cost_min = 1, FIXES(fx_triage_firmware)},

    /* 2. Universal first steps: every lock; none erase codes */
    STEP(UNIVERSAL_FRESH_ALKALINE) = {
        .sid = "universal.fresh_alkaline",
        .title = T("Replace the batteries with fresh alkaline cells"),
        .instructions = T("Fit fresh alkaline AA or AAA cells. Do not use rechargeable NiMH cells "
            "during or right after a firmware update: they give about 1.2 V per cell against "
            "1.5 V for alkalines, 20 % less, enough to upset the processor."),
        .sources = "S0,S1,S2", .tier = LKR_TIER_UNIVERSAL, .protocols = P_ALL,
        .flags = CUTS_POWER, .guards = G(NO_ACTIVE_TRANSFER), .cost_min = 5,
        FIXES(fx_fresh_alkaline)},
    STEP(UNIVERSAL_BATTERY_PULL) = {
        .sid = "universal.battery_pull",
        .title = T("30-second battery pull"),
        .instructions = T("Remove all the batteries and keep them out for a full 30 seconds: the "
            "time is counted for you, and you are told when to put them back. This clears the "
            "lock's memory and restarts its radio stack; it does not touch stored codes. It is "
            "the single most effective first step."),
        .sources = "S0,S1,S2", .tier = LKR_TIER_UNIVERSAL, .protocols = P_ALL,
        .flags = CUTS_POWER, .guards = G(NO_ACTIVE_TRANSFER), .wait_s = 30, .wait_max_s = 30,
        .cost_min = 2, FIXES(fx_battery_pull)},
    STEP(UNIVERSAL_CHECK_FIRMWARE) = {
        .sid = "universal.check_firmware",
        .title = T("Check the firmware version"),
        .instructions = T("Open the lock's settings in the manufacturer app and read the firmware "
            "version. If it matches the update you were installing, the update succeeded and "
            "this is a connection problem, not a failed update."),
        .sources = "S0", .tier = LKR_TIER_UNIVERSAL, .protocols = P_ALL, .flags = AUTO | DIAG,
        .cost_min = 1, FIXES(fx_universal_firmware)},
    STEP(UNIVERSAL_TOGGLE_PHONE_BLUETOOTH) = {
        .sid = "universal.toggle_phone_bluetooth",
        .title = T("Turn the phone's Bluetooth off for 10 seconds, then on"),
        .instructions = T("In the phone's Settings, turn Bluetooth off; after 10 seconds (counted "
            "for you) you are told to turn it back on. On iOS use Settings > Bluetooth: the "
            "Control Center toggle does not fully reset the stack."),
        .sources = "S0", .tier = LKR_TIER_UNIVERSAL, .protocols = P_ALL,
        .wait_s = 10, .wait_max_s = 10, .cost_min = 1, FIXES(fx_toggle_bt)},
    STEP(UNIVERSAL_RESTART_PHONE) = {
        .sid = "universal.restart_phone",
        .title = T("Restart the phone"),
        .instructions = T("Restart the smartphone to refresh its network connections and the "
            "app's processes, then open the app again."),
        .sources = "S2", .tier = LKR_TIER_UNIVERSAL, .protocols = P_ALL,
        .cost_min = 3, FIXES(fx_restart_phone)},
    STEP(UNIVERSAL_UPDATE_SOFTWARE) = {
        .sid = "universal.update_software",
        .title = T("Update the app and install pending firmware"),
        .instructions = T("Install the latest version of the lock's app from the app store, then "
            "check the lock's settings for pending firmware and install it (with fresh "
            "batteries, the phone in range and awake)."),
        .sources = "S1,S2", .tier = LKR_TIER_UNIVERSAL, .protocols = P_ALL,
        .guards = G(NO_ACTIVE_TRANSFER) | G(PREFLIGHT_OK), .cost_min = 10,
        FIXES(fx_update_software)},
    STEP(UNIVERSAL_RECALIBRATE) = {
        .sid = "universal.recalibrate",
        .title = T("Recalibrate the lock's bolt positions"),
        .instructions = T("If the lock moves but reports the wrong state, run the calibration "
            "from the app's settings or the manual so it re-learns its locked and unlocked "
            "positions."),
        .sources = "S2", .tier = LKR_TIER_UNIVERSAL, .protocols = P_ALL,
        .cost_min = 5, FIXES(fx_recalibrate_position)},

    /* 3. Protocol path: Wi-Fi */
    STEP(WIFI_CHECK_BAND_SECURITY) = {
        .sid = "wifi.check_band_security",
        .title = T("Confirm 2.4 GHz Wi-Fi with WPA2-PSK security"),
        .instructions = T("In the router's app or admin page, check that the 2.4 GHz band is "
            "broadcasting (most locks cannot use 5 GHz) and that security is WPA2-PSK: WPA3 "
            "or mixed WPA2/WPA3 modes make many locks fail."),
        .sources = "S0", .tier = LKR_TIER_PROTOCOL, .protocols = P_WIFI, .flags = DIAG,
        .cost_min = 10, FIXES(fx_band_security)},
    STEP(WIFI_POWER_CYCLE_BRIDGE) = {
        .sid = "wifi.power_cycle_bridge",
        .title = T("Power-cycle the Wi-Fi bridge"),
        .instructions = T("Unplug the bridge (August Connect, Schlage Wi-Fi bridge...), wait 30 "
            "seconds, plug it back in, then wait 2 minutes for it to reconnect before "
            "checking the app."),
        .sources = "S0", .tier = LKR_TIER_PROTOCOL, .protocols = P_WIFI, .flags = BRIDGE,
        .wait_s = 30, .wait_max_s = 30, .settle_s = 120, .cost_min = 4, FIXES(fx_bridge_cycle)},
    STEP(WIFI_POWER_CYCLE_ROUTER) = {
        .sid = "wifi.power_cycle_router",
        .title = T("Power-cycle the router"),
        .instructions = T("Unplug the router and modem for 30 seconds, plug them back in, and "
            "wait 2 minutes for the network to come back."),
        .sources = "S2", .tier = LKR_TIER_PROTOCOL, .protocols = P_WIFI,
        .wait_s = 30, .wait_max_s = 30, .settle_s = 120, .cost_min = 5, FIXES(fx_router_cycle)},
    STEP(WIFI_DHCP_RESERVATION) = {
        .sid = "wifi.dhcp_reservation",
        .title = T("Reserve a fixed IP address for the lock"),
        .instructions = T("In the router's settings, add a DHCP reservation that gives the lock's "
            "MAC address a fixed local IP, so a reboot cannot move it to an address the app "
            "or bridge does not reach."),
        .sources = "S0", .tier = LKR_TIER_PROTOCOL, .protocols = P_WIFI,
        .cost_min = 15, FIXES(fx_dhcp)},
    STEP(WIFI_RERUN_SETUP) = {
        .sid = "wifi.rerun_wifi_setup",
        .title = T("Run the lock's Wi-Fi setup again"),
        .instructions = T("In the manufacturer app's Wi-Fi settings, run the Wi-Fi setup again "
            "(with the new network name and password if they changed). The lock stays in "
            "your account."),
        .sources = "S0,S2", .tier = LKR_TIER_PROTOCOL, .protocols = P_WIFI,
        .cost_min = 10, FIXES(fx_wifi_setup)},
    STEP(WIFI_IMPROVE_RANGE) = {
        .sid = "wifi.improve_range",
        .title = T("Improve Wi-Fi coverage at the door"),
        .instructions = T("Bring the router closer, add a Wi-Fi extender or mesh node near the "
            "door, and keep large metal objects and electronics out of the path."),
        .sources = "S1,S2", .tier = LKR_TIER_PROTOCOL, .protocols = P_WIFI,
        .cost_min = 30, FIXES(fx_wifi_range)},

    /* 3. Protocol path: Bluetooth only (the second phone on every protocol: a
     * phone's Bluetooth bug blocks any lock set up or updated from it, S0) */
    STEP(BLE_FORCE_CLOSE_APP) = {
        .sid = "ble.force_close_app",
        .title = T("Force-close the manufacturer app and reopen it"),
        .instructions = T("iOS: swipe the app up in the app switcher. Android: close it from the "
            "recent apps view. Reopen it and see whether the lock shows online."),
        .sources = "S0", .tier = LKR_TIER_PROTOCOL, .protocols = P_BLE,
        .cost_min = 1, FIXES(fx_ble_force_close)},
    STEP(BLE_CLEAR_CACHE_REINSTALL) = {
        .sid = "ble.clear_cache_reinstall",
        .title = T("Clear the app's cache, or reinstall the app"),
        .instructions = T("Android: Settings > Apps > (the lock app) > Storage > Clear Cache. "
            "iOS: delete the app and reinstall it. The account and the lock's configuration "
            "are kept on the server."),
        .sources = "S0", .tier = LKR_TIER_PROTOCOL, .protocols = P_BLE,
        .cost_min = 8, FIXES(fx_ble_reinstall)},
    STEP(BLE_REBOND) = {
        .sid = "ble.rebond",
        .title = T("Forget and re-pair the Bluetooth bond only"),
        .instructions = T("In the app's Bluetooth settings for the lock, choose forget or unpair, "
            "then pair again. This resets only the Bluetooth pairing, not the lock's place in "
            "your account."),
        .sources = "S0", .tier = LKR_TIER_PROTOCOL, .protocols = P_BLE,
        .guards = G(PHONE_IN_RANGE), .destroys = LKR_DESTROYS_PAIRINGS,
        .cost_min = 5, FIXES(fx_ble_rebond)},
    STEP(BLE_SECOND_PHONE) = {
        .sid = "ble.second_phone",
        .title = T("Try a second phone"),
        .instructions = T("Sign in to your account in the app on another phone and connect to the "
            "lock. If it connects, the first phone's Bluetooth is at fault, not the lock; "
            "check the firmware version from the second phone."),
        .sources = "S0", .tier = LKR_TIER_PROTOCOL, .protocols = P_ALL, .flags = DIAG,
        .cost_min = 10, FIXES(fx_second_phone)},
    STEP(BLE_MOVE_CLOSER) = {
        .sid = "ble.move_closer",
        .title = T("Stay within Bluetooth range"),
        .instructions = T("Stand within 10-30 ft (3-9 m) of the lock, with nothing thick or "
            "metal in between, and try again."),
        .sources = "S2", .tier = LKR_TIER_PROTOCOL, .protocols = P_BLE,
        .cost_min = 1, FIXES(fx_ble_closer)},
    STEP(BLE_GRANT_PERMISSIONS) = {
        .sid = "ble.grant_permissions",
        .title = T("Grant the app Bluetooth and location permissions"),
        .instructions = T("In the phone's settings, give the lock's app the Bluetooth, location "
            "and Wi-Fi permissions it asks for; without them it cannot find the lock."),
        .sources = "S2", .tier = LKR_TIER_PROTOCOL, .protocols = P_BLE,
        .cost_min = 2, FIXES(fx_permissions)},

    /* 3. Protocol path: Z-Wave (firmware comes over Bluetooth or the app, not the hub) */
    STEP(ZWAVE_CHECK_BATTERY) = {
        .sid = "zwave.check_battery",
        .title = T("Check the battery level first"),
        .instructions = T("Some Z-Wave locks go into deep sleep below about 50 % battery and "
            "ignore the hub. If the level is under 50 % or unknown, fit fresh alkaline cells "
            "before anything else."),
        .sources = "S0", .tier = LKR_TIER_PROTOCOL, .protocols = P_ZWAVE,
        .flags = DIAG | CUTS_POWER, .guards = G(NO_ACTIVE_TRANSFER), .cost_min = 5,
        FIXES(fx_zwave_battery)},
    STEP(ZWAVE_RESTART_HUB) = {
        .sid = "zwave.restart_hub",
        .title = T("Restart the Z-Wave hub"),
        .instructions = T("Unplug the Z-Wave hub or controller (SmartThings, Home Assistant's "
            "Z-Wave stick host, Hubitat...), wait 30 seconds, plug it back in, and give it 2 "
            "minutes before checking the lock."),
        .sources = "S0", .tier = LKR_TIER_PROTOCOL, .protocols = P_ZWAVE, .flags = AUTO,
        .wait_s = 30, .wait_max_s = 30, .settle_s = 120, .cost_min = 4, FIXES(fx_zwave_hub)},
    STEP(ZWAVE_EXCLUDE_REINCLUDE) = {
        .sid = "zwave.exclude_reinclude",
        .title = T("Exclude the lock from the Z-Wave network and include it again"),
        .instructions = T("Before you start: on some models excluding the lock erases its user "
            "codes, so they are backed up (or written down) first and checked afterwards; and "
            "have the lock's S2 PIN (the 5-digit DSK PIN on its label, box or manual) ready for "
            "S2 inclusion. In the hub's Z-Wave settings start exclusion, then put the lock in "
            "exclusion mode (usually a button sequence on the lock). Once it is excluded, "
            "start inclusion and add it back, with S2 security if the hub supports it. This "
            "clears ghost nodes and session mismatches without a factory reset."),
        .sources = "S0,S2", .tier = LKR_TIER_PROTOCOL, .protocols = P_ZWAVE, .flags = AUTO,
        .guards = G(REPAIR_CODES_SAFE), .destroys = LKR_DESTROYS_PAIRINGS | LKR_MAY_DESTROY_CODES,
        .cost_min = 20, FIXES(fx_zwave_exclude)},

    /* 3. Protocol path: Zigbee (by analogy with Z-Wave; S2 says only that a hub is needed) */
    STEP(ZIGBEE_CHECK_HUB) = {
        .sid = "zigbee.check_hub",
        .title = T("Check that the Zigbee hub is online"),
        .instructions = T("Open the hub's app and check it is online and other Zigbee devices "
            "respond; if the hub itself is offline, bring it back first."),
        .sources = "S2 (by analogy)", .tier = LKR_TIER_PROTOCOL, .protocols = P_ZIGBEE,
        .flags = AUTO | DIAG, .cost_min = 3, FIXES(fx_zigbee_check)},
    STEP(ZIGBEE_RESTART_HUB) = {
        .sid = "zigbee.restart_hub",
        .title = T("Restart the Zigbee hub"),
        .instructions = T("Unplug the Zigbee hub or coordinator, wait 30 seconds, plug it back in "
            "and give it 2 minutes to re-form the network."),
        .sources = "S2 (by analogy)", .tier = LKR_TIER_PROTOCOL, .protocols = P_ZIGBEE,
        .flags = AUTO, .wait_s = 30, .wait_max_s = 30, .settle_s = 120, .cost_min = 4,
        FIXES(fx_zigbee_hub)},
    STEP(ZIGBEE_REPAIR_VIA_HUB) = {
        .sid = "zigbee.repair_via_hub",
        .title = T("Remove the lock from the Zigbee hub and pair it again"),
        .instructions = T("Remove the lock in the hub's app, put the lock in pairing mode per its "
            "manual, and pair it through the hub again. This is not a factory reset."),
        .sources = "S2 (by analogy)", .tier = LKR_TIER_PROTOCOL, .protocols = P_ZIGBEE,
        .flags = AUTO, .guards = G(REPAIR_CODES_SAFE),
        .destroys = LKR_DESTROYS_PAIRINGS | LKR_MAY_DESTROY_CODES, .cost_min = 20,
        FIXES(fx_zigbee_repair)},

    /* 3. Protocol path: Matter over Thread */
    STEP(MATTER_POWER_OFF_5MIN) = {
        .sid = "matter.power_off_5min",
        .title = T("Batteries out for 5 minutes, then 10 minutes to settle"),
        .instructions = T("Remove the batteries and wait a full 5 minutes. Put them back and wait "
            "another 10 minutes before testing, so the lock can re-join the Thread mesh "
            "(Apple's guidance for Thread accessories)."),
        .sources = "S0", .tier = LKR_TIER_PROTOCOL, .protocols = P_MATTER,
        .flags = CUTS_POWER, .guards = G(NO_ACTIVE_TRANSFER),
        .wait_s = 300, .wait_max_s = 300, .settle_s = 600, .cost_min = 3, FIXES(fx_matter_power)},
    STEP(MATTER_RESTART_HOME_HUBS) = {
        .sid = "matter.restart_home_hubs",
        .title = T("Restart every home hub"),
        .instructions = T("Unplug every HomePod, HomePod mini and Apple TV, wait 30 seconds and "
            "plug them back in; restart Google Home or SmartThings hubs from their app or by "
            "power. Wait 2 minutes before testing."),
        .sources = "S0", .tier = LKR_TIER_PROTOCOL, .protocols = P_MATTER,
        .wait_s = 30, .wait_max_s = 30, .settle_s = 120, .cost_min = 6, FIXES(fx_matter_hubs)},
    STEP(MATTER_READD_QR) = {
        .sid = "matter.readd_qr",
        .title = T("Remove the lock and add it again with its Matter QR code"),
        .instructions = T("First find the lock's Matter QR code or 11-digit setup code (on the "
            "lock, its box or in the manufacturer app): without it the lock cannot be added "
            "back. Removing the lock may clear the codes its Matter fabric created, so they are "
            "backed up first. Then remove the lock from the Home app (or your Matter "
            "controller) and add it again with that code. Do this before any factory reset."),
        .sources = "S0", .tier = LKR_TIER_PROTOCOL, .protocols = P_MATTER,
        .guards = G(PHONE_IN_RANGE) | G(REPAIR_CODES_SAFE),
        .destroys = LKR_DESTROYS_PAIRINGS | LKR_MAY_DESTROY_CODES,
        .cost_min = 15, .erases_on = P_MATTER, FIXES(fx_matter_readd)},

    /* 4. Ecosystem reconnection */
    STEP(HOMEKIT_BLUETOOTH_ON) = {
        .sid = "ecosystem.homekit.bluetooth_on",
        .title = T("HomeKit: make sure the iPhone's Bluetooth is on"),
        .instructions = T("HomeKit talks to locks over Bluetooth locally, even Wi-Fi locks: turn "
            "Bluetooth on in the iPhone's Settings."),
        .sources = "S0", .tier = LKR_TIER_ECOSYSTEM, .protocols = P_ALL, .ecosystems = E_HOMEKIT,
        .cost_min = 1, FIXES(fx_eco_bluetooth)},
    STEP(HOMEKIT_RESTART_HUBS) = {
        .sid = "ecosystem.homekit.restart_hubs",
        .title = T("HomeKit: restart all home hubs"),
        .instructions = T("Unplug every HomePod, HomePod mini and Apple TV, wait 30 seconds, plug "
            "them back in and wait 2 minutes."),
        .sources = "S0", .tier = LKR_TIER_ECOSYSTEM, .protocols = P_ALL, .ecosystems = E_HOMEKIT,
        .wait_s = 30, .wait_max_s = 30, .settle_s = 120, .cost_min = 6, FIXES(fx_eco_hubs)},
    STEP(HOMEKIT_READD) = {
        .sid = "ecosystem.homekit.readd",
        .title = T("HomeKit: remove the accessory and add it back"),
        .instructions = T("In the Home app open the lock, scroll down and remove the accessory, "
            "then add it again through the manufacturer app's HomeKit setup. On a Wi-Fi or "
            "Bluetooth lock this keeps the stored codes; on a Matter lock removing it removes "
            "a fabric and clears the codes, so they are backed up first."),
        .sources = "S0", .tier = LKR_TIER_ECOSYSTEM, .protocols = P_ALL, .ecosystems = E_HOMEKIT,
        .destroys = LKR_DESTROYS_PAIRINGS, .cost_min = 15, .erases_on = P_MATTER,
        FIXES(fx_eco_readd)},
    STEP(GOOGLE_RELINK) = {
        .sid = "ecosystem.google.relink",
        .title = T("Google Home: relink the lock"),
        .instructions = T("In the Google Home app open the lock's settings and use relink or "
            "reconnect."),
        .sources = "S0", .tier = LKR_TIER_ECOSYSTEM, .protocols = P_ALL, .ecosystems = E_GOOGLE,
        .cost_min = 3, FIXES(fx_eco_light)},
    STEP(GOOGLE_READD) = {
        .sid = "ecosystem.google.readd",
        .title = T("Google Home: remove the lock and add it back"),
        .instructions = T("Remove the lock from Google Home and add it again through the "
            "manufacturer's Google Home integration."),
        .sources = "S0", .tier = LKR_TIER_ECOSYSTEM, .protocols = P_ALL, .ecosystems = E_GOOGLE,
        .destroys = LKR_DESTROYS_PAIRINGS, .cost_min = 10, .erases_on = P_MATTER,
        FIXES(fx_eco_readd)},
    STEP(ALEXA_TOGGLE_SKILL) = {
        .sid = "ecosystem.alexa.toggle_skill",
        .title = T("Alexa: disable the lock's skill for 30 seconds, then enable it"),
        .instructions = T("In the Alexa app, More > Skills & Games > Your Skills: disable the "
            "lock's skill; after 30 seconds (counted for you) you are told to enable it again."),
        .sources = "S0", .tier = LKR_TIER_ECOSYSTEM, .protocols = P_ALL, .ecosystems = E_ALEXA,
        .wait_s = 30, .wait_max_s = 30, .cost_min = 3, FIXES(fx_eco_light)},
    STEP(ALEXA_DISCOVER) = {
        .sid = "ecosystem.alexa.discover",
        .title = T("Alexa: run device discovery"),
        .instructions = T("In the Alexa app, run device discovery so it finds the lock again."),
        .sources = "S0", .tier = LKR_TIER_ECOSYSTEM, .protocols = P_ALL, .ecosystems = E_ALEXA,
        .cost_min = 2, FIXES(fx_eco_light)},
    STEP(SMARTTHINGS_REFRESH) = {
        .sid = "ecosystem.smartthings.refresh",
        .title = T("SmartThings: refresh the device"),
        .instructions = T("In the SmartThings app open the lock and use refresh in the device "
            "details."),
        .sources = "S0", .tier = LKR_TIER_ECOSYSTEM, .protocols = P_ALL,
        .ecosystems = E_SMARTTHINGS, .flags = AUTO, .cost_min = 1, FIXES(fx_eco_light)},
    STEP(SMARTTHINGS_READD) = {
        .sid = "ecosystem.smartthings.readd",
        .title = T("SmartThings: remove the lock and add it back"),
        .instructions = T("Remove the lock from SmartThings and add it again through the standard "
            "device addition flow."),
        .sources = "S0", .tier = LKR_TIER_ECOSYSTEM, .protocols = P_ALL,
        .ecosystems = E_SMARTTHINGS, .guards = G(REPAIR_CODES_SAFE),
        .destroys = LKR_DESTROYS_PAIRINGS | LKR_MAY_DESTROY_CODES, .cost_min = 10,
        FIXES(fx_eco_readd)},
    STEP(HOMEASSISTANT_RELOAD) = {
        .sid = "ecosystem.homeassistant.reload",
        .title = T("Home Assistant: reload the lock's integration"),
        .instructions = T("In Home Assistant, reload the integration that provides the lock (for "
            "a Z-Wave lock, re-interview the node) and check whether it stops showing "
            "Unavailable."),
        .sources = "S0 (by analogy)", .tier = LKR_TIER_ECOSYSTEM, .protocols = P_ALL,
        .ecosystems = E_HOMEASSISTANT, .flags = AUTO, .cost_min = 2, FIXES(fx_eco_light)},
    STEP(HOMEASSISTANT_READD) = {
        .sid = "ecosystem.homeassistant.readd",
        .title = T("Home Assistant: remove the device and add it back"),
        .instructions = T("Remove the lock's device from Home Assistant and add it again through "
            "its integration."),
        .sources = "S0 (by analogy)", .tier = LKR_TIER_ECOSYSTEM, .protocols = P_ALL,
        .ecosystems = E_HOMEASSISTANT, .guards = G(REPAIR_CODES_SAFE),
        .destroys = LKR_DESTROYS_PAIRINGS | LKR_MAY_DESTROY_CODES, .cost_min = 15,
        FIXES(fx_eco_readd)},
    STEP(HUBITAT_REFRESH) = {
        .sid = "ecosystem.hubitat.refresh",
        .title = T("Hubitat: refresh and configure the device"),
        .instructions = T("On the lock's device page in Hubitat, run Refresh, then Configure."),
        .sources = "S0 (by analogy)", .tier = LKR_TIER_ECOSYSTEM, .protocols = P_ALL,
        .ecosystems = E_HUBITAT, .flags = AUTO, .cost_min = 2, FIXES(fx_eco_light)},
    STEP(HUBITAT_READD) = {
        .sid = "ecosystem.hubitat.readd",
        .title = T("Hubitat: remove the device and add it back"),
        .instructions = T("Remove the lock from Hubitat and add it again with the hub's device "
            "discovery."),
        .sources = "S0 (by analogy)", .tier = LKR_TIER_ECOSYSTEM, .protocols = P_ALL,
        .ecosystems = E_HUBITAT, .guards = G(REPAIR_CODES_SAFE),
        .destroys = LKR_DESTROYS_PAIRINGS | LKR_MAY_DESTROY_CODES, .cost_min = 15,
        FIXES(fx_eco_readd)},

    /* 5. Re-pair without a factory reset */
    STEP(REPAIR_BACKUP_CODES) = {
        .sid = "repair.backup_codes",
        .title = T("Back up every access code and its slot"),
        .instructions = T("Before removing anything, back up every stored access code with its "
            "slot number. The backup is read twice and compared; only a verified backup "
            "counts."),
        .sources = "S0,S2", .tier = LKR_TIER_REPAIR, .protocols = P_ALL, .flags = AUTO | PREP,
        .cost_min = 5, NO_FIXES},
    STEP(REPAIR_REMOVE_AND_READD) = {
        .sid = "repair.remove_and_readd",
        .title = T("Remove the lock from every app and add it back"),
        .instructions = T("In the manufacturer app remove the lock from your account; remove it "
            "from every ecosystem app that still lists it. Add it back through the "
            "manufacturer app's setup, staying within Bluetooth range, then add it to your "
            "ecosystems again (HomeKit QR code, Google Home, Alexa skill, SmartThings scan)."),
        .sources = "S0,S2", .tier = LKR_TIER_REPAIR, .protocols = P_ALL,
        .guards = G(REPAIR_CODES_SAFE) | G(PHONE_IN_RANGE),
        .destroys = LKR_DESTROYS_PAIRINGS | LKR_MAY_DESTROY_CODES, .cost_min = 30,
        .followup = LKR_STEP_REPAIR_VERIFY_CODES, FIXES(fx_repair)},
    STEP(REPAIR_VERIFY_CODES) = {
        .sid = "repair.verify_codes",
        .title = T("Verify the access codes are still there"),
        .instructions = T("Check the stored codes in the app; if the app does not list them, try "
            "them at the keypad. Any missing code is restored from the backup, or re-entered from "
            "your notes if you noted them."),
        .sources = "S0", .tier = LKR_TIER_REPAIR, .protocols = P_ALL,
        .flags = AUTO | DIAG | FOLLOWUP, .cost_min = 3, NO_FIXES},
    STEP(REPAIR_WAIT_FOR_RECONNECT) = {
        .sid = "repair.wait_for_reconnect",
        .title = T("Give the update up to 48 hours to reconnect"),
        .instructions = T("Some updates take a lock offline for a while; it may reconnect by "
            "itself within 48 hours. Leave it powered and check again then, before any "
            "factory reset."),
        .sources = "S2", .tier = LKR_TIER_REPAIR, .protocols = P_ALL, .flags = AFTER_UPDATE,
        .settle_s = 48u * 3600u, .cost_min = 120, FIXES(fx_wait_reconnect)},

    /* 6. Factory reset: the documented last resort */
    STEP(RESET_FACTORY_RESET) = {
        .sid = "reset.factory_reset",
        .title = T("Factory reset"),
        .instructions = T("With the door open and unlocked and a key in hand, press and hold the "
            "reset button for 5 to 30 seconds (often 10-15) until the lights confirm; some "
            "models also need a reset code on the keypad. This erases every access code and "
            "every pairing."),
        .sources = "S0,S1,S2,S3", .tier = LKR_TIER_RESET, .protocols = P_ALL,
        .guards = G_FACTORY_RESET, .destroys = LKR_DESTROYS_CODES | LKR_DESTROYS_PAIRINGS,
        .wait_s = 5, .wait_max_s = 30, .cost_min = 45,
        .followup = LKR_STEP_RESET_RESTORE_AFTER_RESET, FIXES(fx_factory_reset)},
    STEP(RESET_RESTORE_AFTER_RESET) = {
        .sid = "reset.restore_after_reset",
        .title = T("Set the lock up again and restore the codes"),
        .instructions = T("Pair the lock again, set a new master code, re-enter every user code "
            "from the backup, and check that each one is back."),
        .sources = "S0,S1,S3", .tier = LKR_TIER_RESET, .protocols = P_ALL,
        .flags = AUTO | FOLLOWUP, .guards = G(PHONE_IN_RANGE), .cost_min = 20, NO_FIXES},

    /* 7. Manufacturer support */
    STEP(SUPPORT_CONTACT_MANUFACTURER) = {
        .sid = "support.contact_manufacturer",
        .title = T("Contact the manufacturer with the support report"),
        .instructions = T("Send the manufacturer the report: firmware before and target, error "
            "codes, every step done in order with its outcome, serial number, model and "
            "purchase date. A lock that failed after an update is a warranty matter."),
        .sources = "S0,S1,S3", .tier = LKR_TIER_SUPPORT, .protocols = P_ALL, .flags = TERMINAL,
        .cost_min = 30, FIXES(fx_manufacturer)},
    STEP(SUPPORT_LOCKSMITH) = {
        .sid = "support.locksmith",
        .title = T("Call a locksmith"),
        .instructions = T("For a mechanical fault (a bolt that binds, a damaged keypad) a "
            "locksmith can fix what no app step reaches."),
        .sources = "S3", .tier = LKR_TIER_SUPPORT, .protocols = P_ALL,
        .flags = TERMINAL, .cost_min = 60, FIXES(fx_locksmith)},

    /* Access-code path (S3) */
    STEP(CODE_REENTER_CAREFULLY) = {
        .sid = "code.reenter_carefully",
        .title = T("Re-enter the code carefully"),
        .instructions = T("Check the digits, the length and whose code it is, then enter it "
            "slowly, pressing each button fully."),
        .sources = "S3", .tier = LKR_TIER_CODE, .protocols = P_ALL, .flags = KEYPAD,
        .cost_min = 1, FIXES(fx_reenter)},
    STEP(CODE_CLEAN_KEYPAD) = {
        .sid = "code.clean_keypad",
        .title = T("Inspect and clean the keypad"),
        .instructions = T("Look for dirt, moisture or stuck buttons; clean the keypad gently with "
            "a dry or slightly damp cloth."),
        .sources = "S3", .tier = LKR_TIER_CODE, .protocols = P_ALL, .flags = KEYPAD,
        .cost_min = 5, FIXES(fx_clean_keypad)},
    STEP(CODE_CHECK_BATTERIES) = {
        .sid = "code.check_batteries",
        .title = T("Check and replace the batteries"),
        .instructions = T("Weak batteries make keypads erratic before they die: fit fresh "
            "alkaline cells."),
        .sources = "S3", .tier = LKR_TIER_CODE, .protocols = P_ALL,
        .flags = CUTS_POWER, .guards = G(NO_ACTIVE_TRANSFER), .cost_min = 5,
        FIXES(fx_code_batteries)},
    STEP(CODE_CHECK_LOCKOUT) = {
        .sid = "code.check_lockout",
        .title = T("Check for a lockout or Vacation Mode"),
        .instructions = T("In the app or the manual, check whether a lockout after wrong codes or "
            "Vacation Mode is active. Turn Vacation Mode off, or wait out the lockout's "
            "cool-down before trying again."),
        .sources = "S3", .tier = LKR_TIER_CODE, .protocols = P_ALL, .flags = DIAG | KEYPAD,
        .cost_min = 5, FIXES(fx_lockout)},
    STEP(CODE_CHECK_ALIGNMENT) = {
        .sid = "code.check_alignment",
        .title = T("Check the door's alignment"),
        .instructions = T("If the bolt works with the door open but not closed, the strike plate "
            "is misaligned: adjust it (or the door) so the bolt slides freely."),
        .sources = "S1,S3", .tier = LKR_TIER_CODE, .protocols = P_ALL, .flags = DIAG,
        .cost_min = 20, FIXES(fx_alignment)},
    STEP(CODE_POWER_CYCLE) = {
        .sid = "code.power_cycle",
        .title = T("Power-cycle the lock for 10-30 seconds"),
        .instructions = T("Remove one or all batteries, wait 10-30 seconds, put them back. This "
            "reboots the lock without touching its codes."),
        .sources = "S3", .tier = LKR_TIER_CODE, .protocols = P_ALL,
        .flags = CUTS_POWER, .guards = G(NO_ACTIVE_TRANSFER),
        .wait_s = 10, .wait_max_s = 30, .cost_min = 2, FIXES(fx_code_power_cycle)},
    STEP(CODE_CHECK_CONNECTIVITY) = {
        .sid = "code.check_connectivity",
        .title = T("Check connectivity so codes can sync"),
        .instructions = T("New or changed codes reach the lock only while it is connected: stay "
            "within Bluetooth range, check the router's status and signal, restart the router "
            "or hub and reconnect the lock."),
        .sources = "S3", .tier = LKR_TIER_CODE, .protocols = P_ALL,
        .cost_min = 10, FIXES(fx_code_connectivity)},
    STEP(CODE_UPDATE_SOFTWARE) = {
        .sid = "code.update_software",
        .title = T("Update the lock's firmware and the app"),
        .instructions = T("Install pending app and firmware updates; they often fix keypad and "
            "code-sync bugs."),
        .sources = "S3", .tier = LKR_TIER_CODE, .protocols = P_ALL,
        .guards = G(NO_ACTIVE_TRANSFER) | G(PREFLIGHT_OK), .cost_min = 10,
        FIXES(fx_code_update)},
    STEP(CODE_RECALIBRATE) = {
        .sid = "code.recalibrate",
        .title = T("Recalibrate the keypad or sensors"),
        .instructions = T("Run the keypad or fingerprint calibration from the app's settings so "
            "the lock re-learns its parameters."),
        .sources = "S3", .tier = LKR_TIER_CODE, .protocols = P_ALL, .flags = KEYPAD,
        .cost_min = 5, FIXES(fx_code_recalibrate)},
    STEP(CODE_CHECK_PERMISSIONS) = {
        .sid = "code.check_permissions",
        .title = T("Check the code's permissions, expiry and schedule"),
        .instructions = T("In the app, check that the code still exists, has not expired, keeps "
            "its access permissions, and that now is inside its schedule."),
        .sources = "S3", .tier = LKR_TIER_CODE, .protocols = P_ALL, .flags = DIAG | KEYPAD,
        .cost_min = 3, FIXES(fx_code_permissions)},
    STEP(CODE_READD_CODE) = {
        .sid = "code.readd_code",
        .title = T("Delete and re-add that single code"),
        .instructions = T("Delete only the failing code in the app and add it again; the other "
            "codes are untouched. Its value comes from the verified backup."),
        .sources = "S3", .tier = LKR_TIER_CODE, .protocols = P_ALL, .flags = AUTO | KEYPAD,
        .guards = G(CODES_BACKED_UP), .destroys = LKR_DESTROYS_ONE_CODE,
        .cost_min = 5, FIXES(fx_readd_code)},
    STEP(CODE_COLD_WEATHER) = {
        .sid = "code.cold_weather",
        .title = T("Deal with extreme cold"),
        .instructions = T("Cold slows keypads and saps batteries: fit fresh (or cold-rated "
            "lithium) cells, check the lock is rated for the climate, and consider insulated "
            "housing."),
        .sources = "S3", .tier = LKR_TIER_CODE, .protocols = P_ALL,
        .flags = CUTS_POWER, .guards = G(NO_ACTIVE_TRANSFER), .cost_min = 15,
        FIXES(fx_cold)},
};

/* ======================================================================
 * The steps of each tier, as lists (ids need not be contiguous: steps added
 * later are appended at the end of the enum). A test checks every step is in
 * exactly its own tier's list.
 * ====================================================================== */
static const uint8_t tier_triage[] = {1, 2, 0};
static const uint8_t tier_universal[] = {3, 4, 5, 6, 7, 8, 9, 0};
static const uint8_t tier_protocol[] = {10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
                                        25, 26, 27, 28, 29, 30, 0};
static const uint8_t tier_ecosystem[] = {31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 0};
static const uint8_t tier_repair[] = {44, 45, 46, 47, 0};
static const uint8_t tier_reset[] = {48, 49, 0};
static const uint8_t tier_support[] = {50, 51, 0};
static const uint8_t tier_code[] = {52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 0};

const uint8_t *const lkr__tier_steps[LKR__TIER_COUNT + 1] = {
    NULL, tier_triage, tier_universal, tier_protocol, tier_ecosystem,
    tier_repair, tier_reset, tier_support, tier_code};

/* ======================================================================
 * Evidence and likelihoods: the classifier's data table.
 * A row multiplies P(evidence | cause) by permille/1000 relative to the
 * causes the evidence says nothing about (1000, neutral); 0 rules out.
 * ====================================================================== */
const lkr__named lkr__evidence[LKR__EVIDENCE_COUNT + 1] = {
    [LKR_EVIDENCE_KEYPAD_DARK] = {"keypad_dark", T("The keypad stays dark and silent"), NULL},
    [LKR_EVIDENCE_KEYPAD_LIGHTS] = {"keypad_lights", T("The keypad lights or beeps"), NULL},
    [LKR_EVIDENCE_CODES_ACCEPTED] = {"codes_accepted", T("A code is accepted and the bolt moves"), NULL},
    [LKR_EVIDENCE_APP_OFFLINE] = {"app_offline", T("The app shows Offline"), NULL},
    [LKR_EVIDENCE_APP_NO_RESPONSE] = {"app_no_response", T("The app shows No Response or Unavailable"), NULL},
    [LKR_EVIDENCE_APP_ONLINE] = {"app_online", T("The app shows the lock online"), NULL},
    [LKR_EVIDENCE_LOCAL_WORKS] = {"local_works", T("Works from the phone nearby, not remotely"), NULL},
    [LKR_EVIDENCE_LOCAL_FAILS] = {"local_fails", T("Not even the phone nearby reaches it"), NULL},
    [LKR_EVIDENCE_NO_UPDATE] = {"no_update", T("No firmware update was involved"), NULL},
    [LKR_EVIDENCE_UPDATE_STALLED] = {"update_stalled", T("The update has not moved for over 10 minutes"), NULL},
    [LKR_EVIDENCE_UPDATE_MOVING] = {"update_moving", T("The update is running and moving"), NULL},
    [LKR_EVIDENCE_UPDATE_REPORTED_OK] = {"update_reported_ok", T("The app said the update succeeded"), NULL},
    [LKR_EVIDENCE_UPDATE_REPORTED_FAILED] = {"update_reported_failed", T("The app said the update failed"), NULL},
    [LKR_EVIDENCE_FW_AT_TARGET] = {"fw_at_target", T("The lock reports the target firmware"), NULL},
    [LKR_EVIDENCE_FW_UNCHANGED] = {"fw_unchanged", T("The lock still reports the old firmware"), NULL},
    [LKR_EVIDENCE_BATTERY_LOW] = {"battery_low", T("Battery under 50 %, or sagging cells"), NULL},
    [LKR_EVIDENCE_BATTERY_CRITICAL] = {"battery_critical", T("Battery under 20 %, or flat cells"), NULL},
    [LKR_EVIDENCE_BATTERY_GOOD] = {"battery_good", T("Battery at 80 % or more, healthy cells"), NULL},
    [LKR_EVIDENCE_NIMH_CELLS] = {"nimh_cells", T("Rechargeable NiMH cells are fitted"), NULL},
    [LKR_EVIDENCE_HUB_OFFLINE] = {"hub_offline", T("The hub or bridge is offline"), NULL},
    [LKR_EVIDENCE_HUB_ONLINE] = {"hub_online", T("The hub or bridge is online"), NULL},
    [LKR_EVIDENCE_OTHER_WIFI_FAIL] = {"other_wifi_fail", T("Other Wi-Fi devices fail too"), NULL},
    [LKR_EVIDENCE_OTHER_WIFI_OK] = {"other_wifi_ok", T("Other Wi-Fi devices work"), NULL},
    [LKR_EVIDENCE_WIFI_BAND_BAD] = {"wifi_band_bad", T("No 2.4 GHz band, or WPA3 / mixed security"), NULL},
    [LKR_EVIDENCE_WIFI_BAND_OK] = {"wifi_band_ok", T("2.4 GHz on, WPA2-PSK"), NULL},
    [LKR_EVIDENCE_NETWORK_CHANGED] = {"network_changed", T("New network name, password or router"), NULL},
    [LKR_EVIDENCE_IP_CHANGED] = {"ip_changed", T("The lock has a new IP address"), NULL},
    [LKR_EVIDENCE_SIGNAL_WEAK] = {"signal_weak", T("Weak signal or interference at the door"), NULL},
    [LKR_EVIDENCE_OUT_OF_RANGE] = {"out_of_range", T("The phone is out of Bluetooth range"), NULL},
    [LKR_EVIDENCE_PERMISSIONS_MISSING] = {"permissions_missing", T("The app lacks permissions"), NULL},
    [LKR_EVIDENCE_SECOND_PHONE_WORKS] = {"second_phone_works", T("A second phone connects"), NULL},
    [LKR_EVIDENCE_SECOND_PHONE_FAILS] = {"second_phone_fails", T("A second phone fails too"), NULL},
    [LKR_EVIDENCE_SOFTWARE_OUTDATED] = {"software_outdated", T("An app or firmware update is pending"), NULL},
    [LKR_EVIDENCE_ONE_CODE_REJECTED] = {"one_code_rejected", T("One code is rejected, others work"), NULL},
    [LKR_EVIDENCE_ALL_CODES_REJECTED] = {"all_codes_rejected", T("Every code is rejected"), NULL},
    [LKR_EVIDENCE_CODE_EXPIRED] = {"code_expired", T("The code expired, was deleted or is off-schedule"), NULL},
    [LKR_EVIDENCE_LOCKOUT_ACTIVE] = {"lockout_active", T("A lockout or Vacation Mode is on"), NULL},
    [LKR_EVIDENCE_KEYPAD_DIRTY] = {"keypad_dirty", T("The keypad is dirty or buttons stick"), NULL},
    [LKR_EVIDENCE_KEYPAD_ERRATIC] = {"keypad_erratic", T("The keypad behaves erratically"), NULL},
    [LKR_EVIDENCE_DOOR_OPEN_ONLY] = {"door_open_only", T("Works with the door open, not closed"), NULL},
    [LKR_EVIDENCE_WRONG_POSITION] = {"wrong_position", T("Reports the wrong bolt position"), NULL},
    [LKR_EVIDENCE_EXTREME_COLD] = {"extreme_cold", T("Extreme cold"), NULL},
    [LKR_EVIDENCE_ERROR_CODE] = {"error_code", T("The app shows an error code"), NULL},
    [LKR_EVIDENCE_PROTOCOL_WIFI] = {"protocol_wifi", T("A Wi-Fi lock"), NULL},
    [LKR_EVIDENCE_PROTOCOL_BLE] = {"protocol_ble", T("A Bluetooth-only lock"), NULL},
    [LKR_EVIDENCE_PROTOCOL_ZWAVE] = {"protocol_zwave", T("A Z-Wave lock"), NULL},
    [LKR_EVIDENCE_PROTOCOL_ZIGBEE] = {"protocol_zigbee", T("A Zigbee lock"), NULL},
    [LKR_EVIDENCE_PROTOCOL_MATTER] = {"protocol_matter", T("A Matter-over-Thread lock"), NULL},
    [LKR_EVIDENCE_ROUTER_OFFLINE] = {"router_offline", T("The Wi-Fi router is offline"), NULL},
    [LKR_EVIDENCE_SOFTWARE_CURRENT] = {"software_current", T("No app or firmware update is offered"), NULL},
};

#define L(e, c, p) {LKR_EVIDENCE_##e, LKR_CAUSE_##c, p}

const lkr__likelihood_row lkr__likelihoods[] = {
    /* Sorted by evidence id (the classifier binary-searches it; a test checks the order).
     * The numbers read as S0-S3 say: see docs/CLASSIFIER.md and docs/CATALOG.md. */
    /* keypad_dark */
    L(KEYPAD_DARK, OTA_VOLTAGE_COLLAPSE, 3000), L(KEYPAD_DARK, BATTERIES_DEPLETED, 3000),
    L(KEYPAD_DARK, HARDWARE_FAILURE, 2500), L(KEYPAD_DARK, EXTREME_COLD, 1500),
    L(KEYPAD_DARK, KEYPAD_DAMAGE, 1000), L(KEYPAD_DARK, ZWAVE_DEEP_SLEEP, 500),
    L(KEYPAD_DARK, TRANSFER_STALL, 300), L(KEYPAD_DARK, KEYPAD_LOCKOUT, 300),
    L(KEYPAD_DARK, WIFI_STACK_CRASH, 100), L(KEYPAD_DARK, BLE_DROP_MID_TRANSFER, 100),
    L(KEYPAD_DARK, THREAD_MESH_LOST, 100), L(KEYPAD_DARK, OUTDATED_SOFTWARE, 100),
    L(KEYPAD_DARK, NEEDS_CALIBRATION, 100), L(KEYPAD_DARK, HUB_SESSION_MISMATCH, 50),
    L(KEYPAD_DARK, APP_STALE_STATE, 50), L(KEYPAD_DARK, PHONE_BLE_BUG, 50),
    L(KEYPAD_DARK, WIFI_BAND_SECURITY, 50), L(KEYPAD_DARK, NEW_IP_ADDRESS, 50),
    L(KEYPAD_DARK, WEAK_SIGNAL, 50), L(KEYPAD_DARK, NETWORK_CHANGED, 50),
    L(KEYPAD_DARK, HUB_OFFLINE, 50), L(KEYPAD_DARK, MISSING_PERMISSIONS, 50),
    L(KEYPAD_DARK, DOOR_MISALIGNMENT, 50), L(KEYPAD_DARK, CODE_EXPIRED, 20),
    L(KEYPAD_DARK, WRONG_CODE, 20),
    /* keypad_lights */
    L(KEYPAD_LIGHTS, OTA_VOLTAGE_COLLAPSE, 50), L(KEYPAD_LIGHTS, BATTERIES_DEPLETED, 300),
    L(KEYPAD_LIGHTS, HARDWARE_FAILURE, 300),
    /* codes_accepted */
    L(CODES_ACCEPTED, OTA_VOLTAGE_COLLAPSE, 50), L(CODES_ACCEPTED, BATTERIES_DEPLETED, 300),
    L(CODES_ACCEPTED, HARDWARE_FAILURE, 200), L(CODES_ACCEPTED, KEYPAD_LOCKOUT, 20),
    L(CODES_ACCEPTED, CODE_EXPIRED, 100), L(CODES_ACCEPTED, WRONG_CODE, 100),
    L(CODES_ACCEPTED, KEYPAD_DAMAGE, 100), L(CODES_ACCEPTED, DOOR_MISALIGNMENT, 300),
    L(CODES_ACCEPTED, EXTREME_COLD, 300),
    /* app_offline */
    L(APP_OFFLINE, WIFI_STACK_CRASH, 2000), L(APP_OFFLINE, THREAD_MESH_LOST, 2000),
    L(APP_OFFLINE, ZWAVE_DEEP_SLEEP, 2000), L(APP_OFFLINE, HUB_OFFLINE, 2000),
    L(APP_OFFLINE, NETWORK_CHANGED, 2000), L(APP_OFFLINE, WIFI_BAND_SECURITY, 2000),
    L(APP_OFFLINE, NEW_IP_ADDRESS, 2000), L(APP_OFFLINE, HUB_SESSION_MISMATCH, 1500),
    L(APP_OFFLINE, BLE_DROP_MID_TRANSFER, 1500), L(APP_OFFLINE, WEAK_SIGNAL, 1500),
    L(APP_OFFLINE, MISSING_PERMISSIONS, 1500), L(APP_OFFLINE, APP_STALE_STATE, 800),
    L(APP_OFFLINE, KEYPAD_LOCKOUT, 300), L(APP_OFFLINE, CODE_EXPIRED, 200),
    L(APP_OFFLINE, WRONG_CODE, 200), L(APP_OFFLINE, KEYPAD_DAMAGE, 300),
    L(APP_OFFLINE, DOOR_MISALIGNMENT, 300), L(APP_OFFLINE, NEEDS_CALIBRATION, 500),
    /* app_no_response */
    L(APP_NO_RESPONSE, APP_STALE_STATE, 3000), L(APP_NO_RESPONSE, HUB_SESSION_MISMATCH, 2500),
    L(APP_NO_RESPONSE, HUB_OFFLINE, 1500), L(APP_NO_RESPONSE, KEYPAD_LOCKOUT, 300),
    L(APP_NO_RESPONSE, CODE_EXPIRED, 200), L(APP_NO_RESPONSE, WRONG_CODE, 200),
    L(APP_NO_RESPONSE, KEYPAD_DAMAGE, 300), L(APP_NO_RESPONSE, DOOR_MISALIGNMENT, 300),
    /* app_online */
    L(APP_ONLINE, WIFI_STACK_CRASH, 50), L(APP_ONLINE, THREAD_MESH_LOST, 50),
    L(APP_ONLINE, HUB_OFFLINE, 50), L(APP_ONLINE, NETWORK_CHANGED, 50),
    L(APP_ONLINE, NEW_IP_ADDRESS, 50), L(APP_ONLINE, WIFI_BAND_SECURITY, 50),
    L(APP_ONLINE, HUB_SESSION_MISMATCH, 100), L(APP_ONLINE, ZWAVE_DEEP_SLEEP, 100),
    L(APP_ONLINE, BLE_DROP_MID_TRANSFER, 200), L(APP_ONLINE, WEAK_SIGNAL, 200),
    L(APP_ONLINE, MISSING_PERMISSIONS, 200), L(APP_ONLINE, APP_STALE_STATE, 300),
    /* local_works */
    L(LOCAL_WORKS, APP_STALE_STATE, 2500), L(LOCAL_WORKS, HUB_SESSION_MISMATCH, 2500),
    L(LOCAL_WORKS, HUB_OFFLINE, 2000), L(LOCAL_WORKS, WIFI_STACK_CRASH, 1500),
    L(LOCAL_WORKS, NETWORK_CHANGED, 1500), L(LOCAL_WORKS, NEW_IP_ADDRESS, 1500),
    L(LOCAL_WORKS, BLE_DROP_MID_TRANSFER, 500), L(LOCAL_WORKS, BATTERIES_DEPLETED, 200),
    L(LOCAL_WORKS, PHONE_BLE_BUG, 100), L(LOCAL_WORKS, MISSING_PERMISSIONS, 100),
    L(LOCAL_WORKS, HARDWARE_FAILURE, 100), L(LOCAL_WORKS, OTA_VOLTAGE_COLLAPSE, 50),
    /* local_fails */
    L(LOCAL_FAILS, PHONE_BLE_BUG, 2000), L(LOCAL_FAILS, MISSING_PERMISSIONS, 2000),
    L(LOCAL_FAILS, BLE_DROP_MID_TRANSFER, 1500), L(LOCAL_FAILS, WEAK_SIGNAL, 1500),
    L(LOCAL_FAILS, HUB_SESSION_MISMATCH, 400), L(LOCAL_FAILS, APP_STALE_STATE, 300),
    /* no_update */
    L(NO_UPDATE, TRANSFER_STALL, 0), L(NO_UPDATE, BLE_DROP_MID_TRANSFER, 20),
    L(NO_UPDATE, OTA_VOLTAGE_COLLAPSE, 20), L(NO_UPDATE, THREAD_MESH_LOST, 100),
    L(NO_UPDATE, WIFI_STACK_CRASH, 200), L(NO_UPDATE, HUB_SESSION_MISMATCH, 200),
    L(NO_UPDATE, APP_STALE_STATE, 300), L(NO_UPDATE, BATTERIES_DEPLETED, 2500),
    L(NO_UPDATE, WEAK_SIGNAL, 2500), L(NO_UPDATE, NETWORK_CHANGED, 2500),
    L(NO_UPDATE, HUB_OFFLINE, 2500), L(NO_UPDATE, MISSING_PERMISSIONS, 2500),
    L(NO_UPDATE, OUTDATED_SOFTWARE, 3000), L(NO_UPDATE, WIFI_BAND_SECURITY, 1500),
    L(NO_UPDATE, CODE_EXPIRED, 1500), L(NO_UPDATE, WRONG_CODE, 1500),
    L(NO_UPDATE, KEYPAD_LOCKOUT, 1500), L(NO_UPDATE, KEYPAD_DAMAGE, 1500),
    L(NO_UPDATE, DOOR_MISALIGNMENT, 1500), L(NO_UPDATE, EXTREME_COLD, 1500),
    L(NO_UPDATE, NEEDS_CALIBRATION, 1500),
    /* update_stalled */
    L(UPDATE_STALLED, TRANSFER_STALL, 30000), L(UPDATE_STALLED, BLE_DROP_MID_TRANSFER, 1500),
    L(UPDATE_STALLED, OTA_VOLTAGE_COLLAPSE, 300), L(UPDATE_STALLED, BATTERIES_DEPLETED, 300),
    L(UPDATE_STALLED, HARDWARE_FAILURE, 300),
    /* update_moving */
    L(UPDATE_MOVING, TRANSFER_STALL, 300),
    /* update_reported_ok */
    L(UPDATE_REPORTED_OK, TRANSFER_STALL, 0), L(UPDATE_REPORTED_OK, BLE_DROP_MID_TRANSFER, 300),
    L(UPDATE_REPORTED_OK, OTA_VOLTAGE_COLLAPSE, 500), L(UPDATE_REPORTED_OK, APP_STALE_STATE, 1500),
    L(UPDATE_REPORTED_OK, HUB_SESSION_MISMATCH, 1500),
    L(UPDATE_REPORTED_OK, WIFI_STACK_CRASH, 1200), L(UPDATE_REPORTED_OK, THREAD_MESH_LOST, 1500),
    /* update_reported_failed */
    L(UPDATE_REPORTED_FAILED, BLE_DROP_MID_TRANSFER, 3000),
    L(UPDATE_REPORTED_FAILED, OTA_VOLTAGE_COLLAPSE, 2500),
    L(UPDATE_REPORTED_FAILED, PHONE_BLE_BUG, 2000), L(UPDATE_REPORTED_FAILED, TRANSFER_STALL, 100),
    /* fw_at_target */
    L(FW_AT_TARGET, TRANSFER_STALL, 0), L(FW_AT_TARGET, OTA_VOLTAGE_COLLAPSE, 300),
    L(FW_AT_TARGET, BLE_DROP_MID_TRANSFER, 1500), L(FW_AT_TARGET, WIFI_STACK_CRASH, 1500),
    L(FW_AT_TARGET, HUB_SESSION_MISMATCH, 1500), L(FW_AT_TARGET, APP_STALE_STATE, 1500),
    L(FW_AT_TARGET, THREAD_MESH_LOST, 2000),
    /* fw_unchanged */
    L(FW_UNCHANGED, BLE_DROP_MID_TRANSFER, 2000), L(FW_UNCHANGED, PHONE_BLE_BUG, 2000),
    L(FW_UNCHANGED, OTA_VOLTAGE_COLLAPSE, 1500), L(FW_UNCHANGED, TRANSFER_STALL, 500),
    L(FW_UNCHANGED, WIFI_STACK_CRASH, 500), L(FW_UNCHANGED, HUB_SESSION_MISMATCH, 300),
    L(FW_UNCHANGED, APP_STALE_STATE, 300), L(FW_UNCHANGED, THREAD_MESH_LOST, 300),
    /* battery_low */
    L(BATTERY_LOW, ZWAVE_DEEP_SLEEP, 6000), L(BATTERY_LOW, BATTERIES_DEPLETED, 4000),
    L(BATTERY_LOW, OTA_VOLTAGE_COLLAPSE, 3000), L(BATTERY_LOW, EXTREME_COLD, 1500),
    /* battery_critical */
    L(BATTERY_CRITICAL, BATTERIES_DEPLETED, 3000), L(BATTERY_CRITICAL, OTA_VOLTAGE_COLLAPSE, 1500),
    /* battery_good */
    L(BATTERY_GOOD, BATTERIES_DEPLETED, 50), L(BATTERY_GOOD, ZWAVE_DEEP_SLEEP, 30),
    L(BATTERY_GOOD, OTA_VOLTAGE_COLLAPSE, 300), L(BATTERY_GOOD, EXTREME_COLD, 500),
    L(BATTERY_GOOD, HARDWARE_FAILURE, 2000),
    /* nimh_cells */
    L(NIMH_CELLS, OTA_VOLTAGE_COLLAPSE, 2500), L(NIMH_CELLS, BATTERIES_DEPLETED, 1500),
    L(NIMH_CELLS, ZWAVE_DEEP_SLEEP, 1500),
    /* other_wifi_fail */
    L(OTHER_WIFI_FAIL, HUB_OFFLINE, 8000), L(OTHER_WIFI_FAIL, NETWORK_CHANGED, 2000),
    L(OTHER_WIFI_FAIL, WIFI_STACK_CRASH, 200), L(OTHER_WIFI_FAIL, NEW_IP_ADDRESS, 200),
    L(OTHER_WIFI_FAIL, WIFI_BAND_SECURITY, 300),
    /* other_wifi_ok */
    L(OTHER_WIFI_OK, HUB_OFFLINE, 200), L(OTHER_WIFI_OK, WIFI_STACK_CRASH, 1500),
    L(OTHER_WIFI_OK, NEW_IP_ADDRESS, 1500), L(OTHER_WIFI_OK, WIFI_BAND_SECURITY, 1200),
    /* wifi_band_bad */
    L(WIFI_BAND_BAD, WIFI_BAND_SECURITY, 20000),
    /* wifi_band_ok */
    L(WIFI_BAND_OK, WIFI_BAND_SECURITY, 30),
    /* network_changed */
    L(NETWORK_CHANGED, NETWORK_CHANGED, 20000), L(NETWORK_CHANGED, WIFI_BAND_SECURITY, 2000),
    /* ip_changed */
    L(IP_CHANGED, NEW_IP_ADDRESS, 20000),
    /* signal_weak */
    L(SIGNAL_WEAK, WEAK_SIGNAL, 15000),
    /* out_of_range */
    L(OUT_OF_RANGE, WEAK_SIGNAL, 8000), L(OUT_OF_RANGE, BLE_DROP_MID_TRANSFER, 1500),
    /* permissions_missing */
    L(PERMISSIONS_MISSING, MISSING_PERMISSIONS, 25000),
    /* one_code_rejected */
    L(ONE_CODE_REJECTED, CODE_EXPIRED, 20000), L(ONE_CODE_REJECTED, WRONG_CODE, 20000),
    L(ONE_CODE_REJECTED, KEYPAD_DAMAGE, 2000), L(ONE_CODE_REJECTED, TRANSFER_STALL, 0),
    L(ONE_CODE_REJECTED, BLE_DROP_MID_TRANSFER, 100), L(ONE_CODE_REJECTED, WIFI_STACK_CRASH, 100),
    L(ONE_CODE_REJECTED, HUB_SESSION_MISMATCH, 100), L(ONE_CODE_REJECTED, APP_STALE_STATE, 100),
    L(ONE_CODE_REJECTED, THREAD_MESH_LOST, 100), L(ONE_CODE_REJECTED, PHONE_BLE_BUG, 100),
    L(ONE_CODE_REJECTED, WIFI_BAND_SECURITY, 100), L(ONE_CODE_REJECTED, NEW_IP_ADDRESS, 100),
    L(ONE_CODE_REJECTED, NETWORK_CHANGED, 100), L(ONE_CODE_REJECTED, MISSING_PERMISSIONS, 100),
    L(ONE_CODE_REJECTED, ZWAVE_DEEP_SLEEP, 300), L(ONE_CODE_REJECTED, WEAK_SIGNAL, 300),
    L(ONE_CODE_REJECTED, HUB_OFFLINE, 300),
    /* all_codes_rejected */
    L(ALL_CODES_REJECTED, KEYPAD_LOCKOUT, 12000), L(ALL_CODES_REJECTED, KEYPAD_DAMAGE, 10000),
    L(ALL_CODES_REJECTED, BATTERIES_DEPLETED, 8000), L(ALL_CODES_REJECTED, DOOR_MISALIGNMENT, 8000),
    L(ALL_CODES_REJECTED, EXTREME_COLD, 5000), L(ALL_CODES_REJECTED, NEEDS_CALIBRATION, 3000),
    L(ALL_CODES_REJECTED, HARDWARE_FAILURE, 3000), L(ALL_CODES_REJECTED, WRONG_CODE, 1000),
    L(ALL_CODES_REJECTED, CODE_EXPIRED, 300), L(ALL_CODES_REJECTED, TRANSFER_STALL, 0),
    L(ALL_CODES_REJECTED, BLE_DROP_MID_TRANSFER, 100), L(ALL_CODES_REJECTED, WIFI_STACK_CRASH, 100),
    L(ALL_CODES_REJECTED, HUB_SESSION_MISMATCH, 100), L(ALL_CODES_REJECTED, APP_STALE_STATE, 100),
    L(ALL_CODES_REJECTED, THREAD_MESH_LOST, 100), L(ALL_CODES_REJECTED, PHONE_BLE_BUG, 100),
    L(ALL_CODES_REJECTED, WIFI_BAND_SECURITY, 100), L(ALL_CODES_REJECTED, NEW_IP_ADDRESS, 100),
    L(ALL_CODES_REJECTED, NETWORK_CHANGED, 100), L(ALL_CODES_REJECTED, MISSING_PERMISSIONS, 100),
    L(ALL_CODES_REJECTED, ZWAVE_DEEP_SLEEP, 300), L(ALL_CODES_REJECTED, WEAK_SIGNAL, 300),
    L(ALL_CODES_REJECTED, HUB_OFFLINE, 300),
    /* code_expired */
    L(CODE_EXPIRED, CODE_EXPIRED, 30000), L(CODE_EXPIRED, WRONG_CODE, 300),
    /* lockout_active */
    L(LOCKOUT_ACTIVE, KEYPAD_LOCKOUT, 40000),
    /* keypad_dirty */
    L(KEYPAD_DIRTY, KEYPAD_DAMAGE, 30000),
    /* keypad_erratic */
    L(KEYPAD_ERRATIC, KEYPAD_DAMAGE, 6000), L(KEYPAD_ERRATIC, BATTERIES_DEPLETED, 4000),
    L(KEYPAD_ERRATIC, EXTREME_COLD, 3000), L(KEYPAD_ERRATIC, HARDWARE_FAILURE, 3000),
    L(KEYPAD_ERRATIC, KEYPAD_LOCKOUT, 1000),
    /* door_open_only */
    L(DOOR_OPEN_ONLY, DOOR_MISALIGNMENT, 50000),
    /* wrong_position */
    L(WRONG_POSITION, NEEDS_CALIBRATION, 40000), L(WRONG_POSITION, DOOR_MISALIGNMENT, 2000),
    /* extreme_cold */
    L(EXTREME_COLD, EXTREME_COLD, 40000), L(EXTREME_COLD, BATTERIES_DEPLETED, 2000),
    /* error_code */
    L(ERROR_CODE, BLE_DROP_MID_TRANSFER, 2000), L(ERROR_CODE, HARDWARE_FAILURE, 2000),
    L(ERROR_CODE, OTA_VOLTAGE_COLLAPSE, 1500), L(ERROR_CODE, TRANSFER_STALL, 1500),
    /* protocol_wifi */
    L(PROTOCOL_WIFI, WIFI_STACK_CRASH, 1500), L(PROTOCOL_WIFI, HUB_SESSION_MISMATCH, 500),
    L(PROTOCOL_WIFI, HUB_OFFLINE, 600),
    /* protocol_ble */
    L(PROTOCOL_BLE, BLE_DROP_MID_TRANSFER, 2000), L(PROTOCOL_BLE, PHONE_BLE_BUG, 2000),
    L(PROTOCOL_BLE, APP_STALE_STATE, 1500), L(PROTOCOL_BLE, HUB_SESSION_MISMATCH, 200),
    /* protocol_zwave */
    L(PROTOCOL_ZWAVE, HUB_SESSION_MISMATCH, 2500), L(PROTOCOL_ZWAVE, ZWAVE_DEEP_SLEEP, 1000),
    L(PROTOCOL_ZWAVE, BLE_DROP_MID_TRANSFER, 500),
    /* protocol_zigbee */
    L(PROTOCOL_ZIGBEE, HUB_SESSION_MISMATCH, 2500), L(PROTOCOL_ZIGBEE, HUB_OFFLINE, 1500),
    /* protocol_matter */
    L(PROTOCOL_MATTER, THREAD_MESH_LOST, 3000), L(PROTOCOL_MATTER, HUB_SESSION_MISMATCH, 1500),
    /* router_offline */
    L(ROUTER_OFFLINE, HUB_OFFLINE, 20000), L(ROUTER_OFFLINE, NETWORK_CHANGED, 1500),
};

const size_t lkr__likelihood_count = sizeof(lkr__likelihoods) / sizeof(lkr__likelihoods[0]);

/* ======================================================================
 * Questions worth asking: what each answer means for each cause.
 * P(yes | cause) in permille; a cause without a row answers "yes" with the
 * question's base rate. These are the likelihoods of the answer's evidence
 * (the table above has no rows for it): see lkr__vq_ratio. The engine asks
 * one when the minutes it is expected to save exceed its cost (voi.c,
 * docs/ENGINE.md); the numbers are the project's reading of the sentences
 * in `sources` (docs/CATALOG.md, "Questions worth asking").
 * ====================================================================== */
#define Q(c, p) {LKR_CAUSE_##c, p}
#define OBS_AT(f) ((uint16_t)offsetof(lkr_observations, f))

/* A second phone with the app, beside the lock: it connects unless the
 * lock's own radio is at fault (a transfer that dropped or stalled, a lock
 * without power). Where the first phone fails beside the lock too, a second
 * one that connects says the first phone is at fault (S0). */
static const lkr__vq_row vq_second_phone[] = {
    Q(PHONE_BLE_BUG, 980),        Q(MISSING_PERMISSIONS, 950), Q(BLE_DROP_MID_TRANSFER, 50),
    Q(TRANSFER_STALL, 50),        Q(BATTERIES_DEPLETED, 30),   Q(OTA_VOLTAGE_COLLAPSE, 30),
    Q(HARDWARE_FAILURE, 20),
};

/* The hub's other devices online: the hub (or bridge) itself works, so the
 * fault is between it and this lock; offline, the hub is the fault. */
static const lkr__vq_row vq_hub_devices[] = {
    Q(HUB_OFFLINE, 30), Q(HUB_SESSION_MISMATCH, 950), Q(ZWAVE_DEEP_SLEEP, 950), Q(NETWORK_CHANGED, 500),
};

/* An update offered for the app or the lock. */
static const lkr__vq_row vq_update_pending[] = {
    Q(OUTDATED_SOFTWARE, 900),
};

#define PB(p) LKR_PROTOCOL_BIT(LKR_PROTOCOL_##p)
#define ROWS(a) (uint8_t)(sizeof(a) / sizeof(a[0])), 0, 0
#define SETTLED(step) LKR__STEP_BIT(LKR_STEP_##step)
const lkr__vquestion lkr__vquestions[LKR__VQ_COUNT] = {
    {LKR_QUESTION_SECOND_PHONE, PB(WIFI) | PB(BLE) | PB(MATTER), 5, LKR_EVIDENCE_SECOND_PHONE_WORKS,
     LKR_EVIDENCE_SECOND_PHONE_FAILS, (uint8_t)(sizeof(vq_second_phone) / sizeof(vq_second_phone[0])), 0,
     PB(BLE), OBS_AT(second_phone_connects),
     OBS_AT(second_phone_connects), 850, 100, SETTLED(BLE_SECOND_PHONE), vq_second_phone, "second_phone",
     "S0: \"If a second phone running the same app connects to the lock without issues, the "
     "problem is your primary phone's Bluetooth implementation, not the lock.\" S0: a "
     "Bluetooth dropout or a voltage dip during the update leaves the lock's communication "
     "stack confused. S2: the app's Bluetooth and location permissions (per phone)."},
    {LKR_QUESTION_HUB_DEVICES, PB(WIFI) | PB(ZWAVE) | PB(ZIGBEE) | PB(MATTER), 2, LKR_EVIDENCE_HUB_ONLINE,
     LKR_EVIDENCE_HUB_OFFLINE, (uint8_t)(sizeof(vq_hub_devices) / sizeof(vq_hub_devices[0])), 1, 0,
     OBS_AT(hub_online), OBS_AT(bridge_online), 900, 50, 0, vq_hub_devices,
     "hub_devices",
     "S2: \"ensure your home Wi-Fi network is active and working by testing other devices "
     "connected to it.\" S0: after an update \"the hub still has the old session cached\" (the "
     "hub works, this lock does not); \"the Z-Wave radio itself is almost certainly fine.\""},
    {LKR_QUESTION_UPDATE_PENDING, PB(WIFI) | PB(BLE) | PB(ZWAVE) | PB(ZIGBEE) | PB(MATTER), 3,
     LKR_EVIDENCE_SOFTWARE_OUTDATED, LKR_EVIDENCE_SOFTWARE_CURRENT, ROWS(vq_update_pending),
     OBS_AT(software_outdated), OBS_AT(software_outdated), 200, 150,
     SETTLED(UNIVERSAL_UPDATE_SOFTWARE) | SETTLED(CODE_UPDATE_SOFTWARE), vq_update_pending, "update_pending",
     "S2: \"Outdated software is a common cause of connectivity issues and bugs ... Check your "
     "smart lock's app store listing for the latest version and install any available updates. "
     "Within the app, navigate to your lock's settings ... to check for and install any pending "
     "firmware updates.\""},
};
#undef SETTLED
#undef ROWS
#undef PB
#undef OBS_AT
#undef Q

const lkr__vquestion *lkr__vq_of(uint32_t question)
{
    uint32_t i;
    for (i = 0; i < LKR__VQ_COUNT; i++) {
        if (lkr__vquestions[i].question == question) return &lkr__vquestions[i];
    }
    return NULL;
}

uint32_t lkr__vq_yes_permille(const lkr__vquestion *q, uint32_t cause)
{
    uint32_t r;
    for (r = 0; r < q->row_count; r++) {
        if (q->rows[r].cause == cause) return q->rows[r].yes_permille;
    }
    return q->base_yes_permille;
}

size_t lkr__vq_fact_at(const lkr__vquestion *q, uint32_t protocol)
{
    return protocol == LKR_PROTOCOL_WIFI ? q->fact_at_wifi : q->fact_at;
}

int lkr__vq_known(const lkr__vquestion *q, const lkr_observations *o)
{
    const uint8_t *base = (const uint8_t *)o;
    return base[q->fact_at] != LKR_UNKNOWN || base[q->fact_at_wifi] != LKR_UNKNOWN;
}

double lkr__vq_ratio(const lkr__vquestion *q, uint32_t cause, int yes)
{
    double p = (double)lkr__vq_yes_permille(q, cause), base = (double)q->base_yes_permille;
    return yes ? p / base : (1000.0 - p) / (1000.0 - base);
}

/* ======================================================================
 * How destructive each step is (catalog section 8), the least-destructive-
 * first order of docs/ENGINE.md: harmless (keeps codes and pairing) <
 * re-link (keeps codes) < re-pair or exclusion (may erase codes) < factory
 * reset. A step that costs wall-clock time but no risk is harmless and
 * "slow": it comes after the quick harmless steps (catalog section 8: the
 * 48-hour wait "costs only time"). Where a protocol differs, `erases_on` of
 * the step raises it to a re-pair on that protocol (lkr__step_class): an
 * ecosystem re-add removes a Matter fabric. A table of its own, beside the
 * step rows, so that a step added to the catalog without a row here gets
 * its class from what it destroys.
 * ====================================================================== */
#define HARMLESS {LKR__CLASS_HARMLESS, 0}
#define SLOW {LKR__CLASS_HARMLESS, 1}
#define RELINK {LKR__CLASS_RELINK, 0}
#define REPAIR {LKR__CLASS_REPAIR, 0}
#define RESET {LKR__CLASS_RESET, 0}

const lkr__step_order lkr__step_orders[LKR__STEP_COUNT + 1] = {
    /* Triage and the universal first steps: S0 "none of them erase stored access codes". */
    STEP(TRIAGE_FORCE_CLOSE_REOPEN) = HARMLESS, STEP(TRIAGE_CHECK_FIRMWARE) = HARMLESS,
    STEP(UNIVERSAL_FRESH_ALKALINE) = HARMLESS, STEP(UNIVERSAL_BATTERY_PULL) = HARMLESS,
    STEP(UNIVERSAL_CHECK_FIRMWARE) = HARMLESS, STEP(UNIVERSAL_TOGGLE_PHONE_BLUETOOTH) = HARMLESS,
    STEP(UNIVERSAL_RESTART_PHONE) = HARMLESS, STEP(UNIVERSAL_UPDATE_SOFTWARE) = HARMLESS,
    STEP(UNIVERSAL_RECALIBRATE) = HARMLESS,
    /* Wi-Fi: checks, power cycles and the DHCP reservation are harmless; the
     * Wi-Fi setup re-links (S0: "without removing it from the app entirely"). */
    STEP(WIFI_CHECK_BAND_SECURITY) = HARMLESS, STEP(WIFI_POWER_CYCLE_BRIDGE) = HARMLESS,
    STEP(WIFI_POWER_CYCLE_ROUTER) = HARMLESS, STEP(WIFI_DHCP_RESERVATION) = HARMLESS,
    STEP(WIFI_RERUN_SETUP) = RELINK, STEP(WIFI_IMPROVE_RANGE) = HARMLESS,
    /* Bluetooth: the app's cache is server-side (S0); the bond only, not the
     * account, is re-paired (S0: "it only resets the BLE pairing"). */
    STEP(BLE_FORCE_CLOSE_APP) = HARMLESS, STEP(BLE_CLEAR_CACHE_REINSTALL) = HARMLESS,
    STEP(BLE_REBOND) = RELINK, STEP(BLE_SECOND_PHONE) = HARMLESS, STEP(BLE_MOVE_CLOSER) = HARMLESS,
    STEP(BLE_GRANT_PERMISSIONS) = HARMLESS,
    /* Z-Wave, Zigbee, Matter: the exclusion, the hub re-pair and the QR re-add
     * may erase codes (S2: "might erase custom settings or user codes"). */
    STEP(ZWAVE_CHECK_BATTERY) = HARMLESS, STEP(ZWAVE_RESTART_HUB) = HARMLESS,
    STEP(ZWAVE_EXCLUDE_REINCLUDE) = REPAIR,
    STEP(ZIGBEE_CHECK_HUB) = HARMLESS, STEP(ZIGBEE_RESTART_HUB) = HARMLESS,
    STEP(ZIGBEE_REPAIR_VIA_HUB) = REPAIR,
    STEP(MATTER_POWER_OFF_5MIN) = HARMLESS, STEP(MATTER_RESTART_HOME_HUBS) = HARMLESS,
    STEP(MATTER_READD_QR) = REPAIR,
    /* Ecosystems: refreshes and relinks are harmless; HomeKit's and Google's
     * re-adds keep the lock's codes (S0: "does not erase stored user codes")
     * except on Matter (erases_on); the hub re-adds may erase them. */
    STEP(HOMEKIT_BLUETOOTH_ON) = HARMLESS, STEP(HOMEKIT_RESTART_HUBS) = HARMLESS,
    STEP(HOMEKIT_READD) = RELINK, STEP(GOOGLE_RELINK) = HARMLESS, STEP(GOOGLE_READD) = RELINK,
    STEP(ALEXA_TOGGLE_SKILL) = HARMLESS, STEP(ALEXA_DISCOVER) = HARMLESS,
    STEP(SMARTTHINGS_REFRESH) = HARMLESS, STEP(SMARTTHINGS_READD) = REPAIR,
    STEP(HOMEASSISTANT_RELOAD) = HARMLESS, STEP(HOMEASSISTANT_READD) = REPAIR,
    STEP(HUBITAT_REFRESH) = HARMLESS, STEP(HUBITAT_READD) = REPAIR,
    /* Re-pair tier: the backup and the read-back are harmless; the wait for
     * an update to reconnect costs only time (S2: "up to 48 hours"). */
    STEP(REPAIR_BACKUP_CODES) = HARMLESS, STEP(REPAIR_REMOVE_AND_READD) = REPAIR,
    STEP(REPAIR_VERIFY_CODES) = HARMLESS, STEP(REPAIR_WAIT_FOR_RECONNECT) = SLOW,
    STEP(RESET_FACTORY_RESET) = RESET, STEP(RESET_RESTORE_AFTER_RESET) = RESET,
    STEP(SUPPORT_CONTACT_MANUFACTURER) = HARMLESS, STEP(SUPPORT_LOCKSMITH) = HARMLESS,
    /* The code path (S3): checks; re-adding one code erases that code only
     * (S3: "doesn't affect other settings or codes"), still a code erased. */
    STEP(CODE_REENTER_CAREFULLY) = HARMLESS, STEP(CODE_CLEAN_KEYPAD) = HARMLESS,
    STEP(CODE_CHECK_BATTERIES) = HARMLESS, STEP(CODE_CHECK_LOCKOUT) = HARMLESS,
    STEP(CODE_CHECK_ALIGNMENT) = HARMLESS, STEP(CODE_POWER_CYCLE) = HARMLESS,
    STEP(CODE_CHECK_CONNECTIVITY) = HARMLESS, STEP(CODE_UPDATE_SOFTWARE) = HARMLESS,
    STEP(CODE_RECALIBRATE) = HARMLESS, STEP(CODE_CHECK_PERMISSIONS) = HARMLESS,
    STEP(CODE_READD_CODE) = REPAIR, STEP(CODE_COLD_WEATHER) = HARMLESS,
};
#undef HARMLESS
#undef SLOW
#undef RELINK
#undef REPAIR
#undef RESET
