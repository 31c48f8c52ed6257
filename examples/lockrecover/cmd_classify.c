/*
 * lockrecover classify: one diagnosis (lkr_classify) of what is observed.
 * Every observation flag sets exactly one field of lkr_observations; the
 * table below is the whole mapping.
 */
#include "cli.h"

#include <stddef.h>
#include <string.h>

const char cli_help_classify[] =
    "Usage: lockrecover classify --protocol P [OBSERVATIONS] [--json]\n"
    "\n"
    "Classifies what is observed into a symptom, the recovery tier to enter,\n"
    "triage flags and root causes ranked by probability. Anything not given\n"
    "stays unknown. Yes/no flags take yes, no or unknown.\n"
    "\n"
    "The lock:\n"
    "  --protocol P          wifi, ble, zwave, zigbee, matter (required)\n"
    "  --ecosystem E         homekit, google, alexa, smartthings, homeassistant,\n"
    "                        hubitat (repeatable)\n"
    "  --chemistry C         alkaline, nimh, lithium, pack\n"
    "  --has-bridge yes|no   Wi-Fi through a bridge\n"
    "  --has-keypad yes|no   the lock has a keypad\n"
    "What is observed:\n"
    "  --keypad yes|no             the keypad lights or beeps\n"
    "  --codes-accepted yes|no     a correct code moves the bolt\n"
    "  --local yes|no              the phone nearby controls it\n"
    "  --app online|offline|no-response|unavailable\n"
    "  --update none|in-progress|reported-ok|reported-failed|finished\n"
    "  --progress N                update progress bar, 0..100\n"
    "  --stalled-min N             minutes since the progress bar moved\n"
    "  --battery N                 battery level, 0..100\n"
    "  --cell-mv N                 measured millivolts per cell\n"
    "  --fw-before V, --fw-target V, --fw-now V   firmware versions\n"
    "  --error-code C              error code the app shows\n"
    "  --hub yes|no                the hub (or border router) is online\n"
    "  --bridge yes|no             the Wi-Fi bridge is online\n"
    "  --router yes|no             the Wi-Fi router and internet are up\n"
    "  --other-wifi yes|no         other Wi-Fi devices work\n"
    "  --wifi-24ghz yes|no         the 2.4 GHz band is on\n"
    "  --wifi-security wpa2|wpa3|mixed|other\n"
    "  --network-changed yes|no    new SSID, password or router\n"
    "  --ip-changed yes|no         the lock got a new IP address\n"
    "  --signal-weak yes|no        weak signal at the door\n"
    "  --phone-in-range yes|no     the phone is within Bluetooth range\n"
    "  --permissions yes|no        the app has its permissions\n"
    "  --second-phone yes|no       a second phone connects\n"
    "  --software-outdated yes|no  an app or firmware update is pending\n"
    "  --codes all-work|one-rejected|all-rejected\n"
    "  --code-expired yes|no       the rejected code expired or was deleted\n"
    "  --lockout yes|no            lockout or vacation mode is on\n"
    "  --keypad-dirty yes|no, --keypad-erratic yes|no\n"
    "  --door-open-only yes|no     works with the door open only\n"
    "  --wrong-position yes|no     reports the wrong bolt position\n"
    "  --cold yes|no               extreme cold at the door\n"
    "Output:\n"
    "  --json    one object: symptom, entry_tier, causes [{id, p}], triage\n";

enum { K_TRI, K_ENUM, K_INT, K_TEXT };

typedef struct obs_flag {
    const char *name;
    int kind;
    size_t off;               /* offset in lkr_observations */
    const cli_name *names;    /* K_ENUM */
    size_t n;
    long min, max;            /* K_INT */
} obs_flag;

static const cli_name app_names[] = {
    { "online", LKR_APP_ONLINE }, { "offline", LKR_APP_OFFLINE },
    { "no-response", LKR_APP_NO_RESPONSE }, { "unavailable", LKR_APP_UNAVAILABLE },
    { "unknown", LKR_APP_UNKNOWN },
};
static const cli_name update_names[] = {
    { "none", LKR_UPDATE_NONE }, { "in-progress", LKR_UPDATE_IN_PROGRESS },
    { "reported-ok", LKR_UPDATE_REPORTED_OK }, { "reported-failed", LKR_UPDATE_REPORTED_FAILED },
    { "finished", LKR_UPDATE_FINISHED }, { "unknown", LKR_UPDATE_UNKNOWN },
};
static const cli_name codes_names[] = {
    { "all-work", LKR_CODES_ALL_WORK }, { "one-rejected", LKR_CODES_ONE_REJECTED },
    { "all-rejected", LKR_CODES_ALL_REJECTED }, { "unknown", LKR_CODES_UNKNOWN },
};
static const cli_name security_names[] = {
    { "wpa2", LKR_WIFI_SECURITY_WPA2_PSK }, { "wpa3", LKR_WIFI_SECURITY_WPA3 },
    { "mixed", LKR_WIFI_SECURITY_MIXED }, { "other", LKR_WIFI_SECURITY_OTHER },
    { "unknown", LKR_WIFI_SECURITY_UNKNOWN },
};
#define NAMES(t) t, sizeof(t) / sizeof(t[0])
#define OFF(f) offsetof(lkr_observations, f)
#define TRI(n, f) { n, K_TRI, OFF(f), NULL, 0, 0, 0 }
#define ENUM(n, f, t) { n, K_ENUM, OFF(f), NAMES(t), 0, 0 }
#define INT(n, f, lo, hi) { n, K_INT, OFF(f), NULL, 0, lo, hi }
#define TEXT(n, f) { n, K_TEXT, OFF(f), NULL, 0, 0, 0 }

static const obs_flag obs_flags[] = {
    TRI("keypad", keypad_lights),
    TRI("codes-accepted", keypad_accepts_codes),
    TRI("local", local_control_works),
    ENUM("app", app_status, app_names),
    ENUM("update", update_state, update_names),
    INT("progress", update_progress_pct, 0, 100),
    INT("stalled-min", update_stalled_min, 0, 1000000),
    INT("battery", battery_pct, 0, 100),
    INT("cell-mv", cell_mv, 0, 5000),
    TEXT("fw-before", fw_before),
    TEXT("fw-target", fw_target),
    TEXT("fw-now", fw_now),
    TEXT("error-code", error_code),
    TRI("hub", hub_online),
    TRI("bridge", bridge_online),
    TRI("router", router_online),
    TRI("other-wifi", other_wifi_devices_work),
    TRI("wifi-24ghz", wifi_24ghz_on),
    ENUM("wifi-security", wifi_security, security_names),
    TRI("network-changed", network_changed),
    TRI("ip-changed", ip_changed),
    TRI("signal-weak", signal_weak),
    TRI("phone-in-range", phone_in_range),
    TRI("permissions", app_permissions_ok),
    TRI("second-phone", second_phone_connects),
    TRI("software-outdated", software_outdated),
    ENUM("codes", codes_state, codes_names),
    TRI("code-expired", code_expired),
    TRI("lockout", lockout_active),
    TRI("keypad-dirty", keypad_dirty),
    TRI("keypad-erratic", keypad_erratic),
    TRI("door-open-only", works_door_open_only),
    TRI("wrong-position", wrong_position),
    TRI("cold", extreme_cold),
};
#define N_OBS_FLAGS (sizeof(obs_flags) / sizeof(obs_flags[0]))

/* Options that are not observations come after the observation flags. */
enum { O_PROTOCOL = N_OBS_FLAGS, O_ECOSYSTEM, O_CHEMISTRY, O_HAS_BRIDGE, O_HAS_KEYPAD, O_JSON,
       N_OPTS };

static int set_obs(const char *cmd, const obs_flag *f, const char *text, lkr_observations *obs)
{
    unsigned char *base = (unsigned char *)obs;
    int v = 0, rc = 0;
    long n = 0;
    switch (f->kind) {
    case K_TRI:
        rc = cli_parse_enum(cmd, f->name, cli_tri_names, cli_tri_count, text, &v);
        if (rc == 0) base[f->off] = (unsigned char)v;
        break;
    case K_ENUM:
        rc = cli_parse_enum(cmd, f->name, f->names, f->n, text, &v);
        if (rc == 0) base[f->off] = (unsigned char)v;
        break;
    case K_INT:
        rc = cli_parse_int(cmd, f->name, text, f->min, f->max, &n);
        if (rc == 0) {
            int32_t i32 = (int32_t)n;
            memcpy(base + f->off, &i32, sizeof i32);
        }
        break;
    default:
        rc = cli_copy_text(cmd, f->name, text, (char *)(base + f->off), LKR_VERSION_TEXT_MAX);
        break;
    }
    return rc;
}

static void print_json(const lkr_diagnosis *d)
{
    lkr_symptom_info sym = LKR_SYMPTOM_INFO_INIT;
    uint32_t i, bit;
    int first = 1;

    fputs("{\"symptom\": ", stdout);
    cli_json_str(stdout, lkr_symptom_get(d->symptom, &sym) == LKR_OK ? sym.sid : "unknown");
    fputs(", \"entry_tier\": ", stdout);
    cli_json_str(stdout, cli_tier_sid(d->entry_tier));
    fputs(", \"causes\": [", stdout);
    for (i = 0; i < d->cause_count && i < LKR_DIAGNOSIS_MAX_CAUSES; i++) {
        fputs(i ? ", {\"id\": " : "{\"id\": ", stdout);
        cli_json_str(stdout, cli_cause_sid(d->causes[i].cause));
        printf(", \"p\": %.6g}", d->causes[i].p);
    }
    fputs("], \"triage\": [", stdout);
    for (bit = 1; bit != 0; bit <<= 1) {
        const char *name = (d->triage & bit) ? lkr_triage_name(bit) : NULL;
        if (name == NULL) continue;
        if (!first) fputs(", ", stdout);
        cli_json_str(stdout, name);
        first = 0;
    }
    fputs("]}\n", stdout);
}

int cmd_classify(int argc, char **argv)
{
    const char *cmd = "classify";
    cli_opt opts[N_OPTS];
    cli_parser p;
    lkr_profile profile;
    lkr_observations obs;
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    const char *val;
    int k, json = 0, rc, v;
    size_t i;
    lkr_status st;

    for (i = 0; i < N_OBS_FLAGS; i++) {
        opts[i].name = obs_flags[i].name;
        opts[i].has_value = 1;
    }
    opts[O_PROTOCOL].name = "protocol";
    opts[O_ECOSYSTEM].name = "ecosystem";
    opts[O_CHEMISTRY].name = "chemistry";
    opts[O_HAS_BRIDGE].name = "has-bridge";
    opts[O_HAS_KEYPAD].name = "has-keypad";
    opts[O_JSON].name = "json";
    for (i = N_OBS_FLAGS; i < N_OPTS; i++) opts[i].has_value = i != O_JSON;

    lkr_profile_init(&profile);
    lkr_observations_init(&obs);
    cli_parser_init(&p, argc, argv, opts, N_OPTS);
    while ((k = cli_next(&p, &val)) != CLI_OPT_END) {
        uint32_t id;
        rc = 0;
        if (k == CLI_OPT_HELP) {
            fputs(cli_help_classify, stdout);
            return CLI_EXIT_OK;
        }
        if (k == CLI_OPT_ERROR) return CLI_EXIT_USAGE;
        if ((size_t)k < N_OBS_FLAGS) {
            rc = set_obs(cmd, &obs_flags[k], val, &obs);
        } else if (k == O_PROTOCOL) {
            rc = cli_parse_protocol(cmd, val, &profile.protocol);
        } else if (k == O_ECOSYSTEM) {
            if ((rc = cli_parse_ecosystem(cmd, val, &id)) == 0) profile.ecosystems |= LKR_ECOSYSTEM_BIT(id);
        } else if (k == O_CHEMISTRY) {
            rc = cli_parse_chemistry(cmd, val, &profile.battery_chemistry);
        } else if (k == O_HAS_BRIDGE || k == O_HAS_KEYPAD) {
            if ((rc = cli_parse_enum(cmd, opts[k].name, cli_tri_names, cli_tri_count, val, &v)) == 0) {
                if (k == O_HAS_BRIDGE) profile.has_bridge = (uint8_t)v;
                else profile.has_keypad = (uint8_t)v;
            }
        } else {
            json = 1;
        }
        if (rc != 0) return rc;
    }
    if (profile.protocol == LKR_PROTOCOL_NONE) {
        return cli_usage_error(cmd, "--protocol is required",
                               "one of wifi, ble, zwave, zigbee, matter");
    }
    st = lkr_classify(&profile, &obs, &d);
    if (st == LKR_E_INVAL) {
        return cli_usage_error(cmd, "these observations do not fit together (or this lock)",
                               lkr_strerror(st));
    }
    if (st != LKR_OK) return cli_error(cmd, "classification failed", lkr_strerror(st));
    if (json) {
        print_json(&d);
    } else {
        printf("Diagnosis of a %s lock\n", cli_protocol_name(profile.protocol));
        cli_print_diagnosis(stdout, &d, LKR_DIAGNOSIS_MAX_CAUSES);
    }
    return CLI_EXIT_OK;
}
