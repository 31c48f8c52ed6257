/*
 * classify_demo: classifies a few real post-update cases and prints, for each,
 * the symptom, the ranked causes, the triage flags and the steps of the tier
 * to enter that apply to this lock. Run by scripts/demo.
 */
#include <stdio.h>
#include <string.h>

#include <lockrecover/lockrecover.h>

typedef struct demo_case {
    const char *story;
    lkr_profile profile;
    lkr_observations obs;
} demo_case;

static int print_diagnosis(const demo_case *c)
{
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    lkr_symptom_info sym = LKR_SYMPTOM_INFO_INIT;
    lkr_tier_info tier = LKR_TIER_INFO_INIT;
    lkr_status st;
    uint32_t i, bit, shown = 0;

    st = lkr_classify(&c->profile, &c->obs, &d);
    if (st != LKR_OK) {
        fprintf(stderr, "classify failed: %s\n", lkr_strerror(st));
        return 1;
    }
    if (lkr_symptom_get(d.symptom, &sym) != LKR_OK || lkr_tier_get(d.entry_tier, &tier) != LKR_OK) {
        return 1;
    }
    printf("\n%s\n", c->story);
    printf("  protocol   %s\n", lkr_protocol_name(c->profile.protocol));
    printf("  symptom    %s: %s\n", sym.sid, sym.title);
    printf("  go to      %s (%s)\n", tier.title, sym.guidance);
    printf("  triage    ");
    for (bit = 1; bit != 0 && bit <= 0x200u; bit <<= 1) {
        if (d.triage & bit) printf(" %s", lkr_triage_name(bit));
    }
    printf("%s\n", d.triage ? "" : " none");
    printf("  causes\n");
    for (i = 0; i < d.cause_count && i < 4; i++) {
        lkr_cause_info cause = LKR_CAUSE_INFO_INIT;
        if (lkr_cause_get(d.causes[i].cause, &cause) != LKR_OK) return 1;
        printf("    %5.1f %%  %-24s %s\n", 100.0 * d.causes[i].p, cause.sid, cause.title);
    }
    printf("  first steps of that tier for this lock\n");
    for (i = 1; i <= lkr_step_count() && shown < 4; i++) {
        lkr_step_info s = LKR_STEP_INFO_INIT;
        int applies = 0;
        if (lkr_step_get(i, &s) != LKR_OK ||
            lkr_step_applies(i, &c->profile, &c->obs, &applies) != LKR_OK) {
            return 1;
        }
        if (applies && s.tier == d.entry_tier && !(s.flags & LKR_STEP_F_FOLLOWUP_ONLY)) {
            printf("    - %-34s %s\n", s.sid, s.title);
            shown++;
        }
    }
    return 0;
}

int main(void)
{
    demo_case cases[4];
    size_t i;
    int rc = 0;

    printf("liblockrecover %s: classifying four real cases\n", lkr_version_string());
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        lkr_profile_init(&cases[i].profile);
        lkr_observations_init(&cases[i].obs);
    }

    cases[0].story = "A Z-Wave deadbolt on a SmartThings hub: keypad dark after an update, battery at 45 %.";
    cases[0].profile.protocol = LKR_PROTOCOL_ZWAVE;
    cases[0].profile.ecosystems = LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_SMARTTHINGS);
    cases[0].profile.battery_chemistry = LKR_CHEMISTRY_ALKALINE;
    cases[0].obs.keypad_lights = LKR_NO;
    cases[0].obs.update_state = LKR_UPDATE_REPORTED_FAILED;
    cases[0].obs.battery_pct = 45;

    cases[1].story = "A Wi-Fi lock with a bridge: keypad works, app says Offline, firmware now at the target.";
    cases[1].profile.protocol = LKR_PROTOCOL_WIFI;
    cases[1].profile.has_bridge = LKR_YES;
    cases[1].obs.keypad_lights = LKR_YES;
    cases[1].obs.keypad_accepts_codes = LKR_YES;
    cases[1].obs.app_status = LKR_APP_OFFLINE;
    cases[1].obs.update_state = LKR_UPDATE_REPORTED_OK;
    strcpy(cases[1].obs.fw_before, "3.2.1");
    strcpy(cases[1].obs.fw_target, "3.3.0");
    strcpy(cases[1].obs.fw_now, "3.3.0");

    cases[2].story = "A Bluetooth lock mid-update: the progress bar stuck at 63 % for 14 minutes.";
    cases[2].profile.protocol = LKR_PROTOCOL_BLE;
    cases[2].profile.battery_chemistry = LKR_CHEMISTRY_NIMH;
    cases[2].obs.update_state = LKR_UPDATE_IN_PROGRESS;
    cases[2].obs.update_progress_pct = 63;
    cases[2].obs.update_stalled_min = 14;

    cases[3].story = "A Matter-over-Thread lock in Apple Home: No Response, but it works from the phone nearby.";
    cases[3].profile.protocol = LKR_PROTOCOL_MATTER;
    cases[3].profile.ecosystems = LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_HOMEKIT);
    cases[3].obs.app_status = LKR_APP_NO_RESPONSE;
    cases[3].obs.local_control_works = LKR_YES;
    cases[3].obs.update_state = LKR_UPDATE_REPORTED_OK;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        rc |= print_diagnosis(&cases[i]);
    }
    return rc;
}
