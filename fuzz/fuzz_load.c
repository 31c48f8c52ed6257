/*
 * fuzz_load: lkr_session_load() on the raw input, with a valid config and a
 * simulated lock's transport. A blob that loads must answer next, status,
 * the JSON report and save; what it saves must load again and decide the
 * same next action.
 *
 * Input: 1 mode byte, then the blob. Mode bit 0: before loading, set the
 * blob's length field and recompute its trailing CRC-32, so that mutations
 * reach the content checks instead of stopping at the checksum.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"
#include "lockrecover/lockrecover.h"
#include "lockrecover/sim.h"

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_action(const lkr_action *a, const lkr_action *b)
{
    return a->kind == b->kind && a->state == b->state && a->step == b->step && a->tier == b->tier &&
           a->phase == b->phase && a->question == b->question && a->unmet_guards == b->unmet_guards &&
           a->detail == b->detail && a->wait_s == b->wait_s && a->wait_until_ms == b->wait_until_ms;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char report[65536];
    static uint8_t input[LKR_SESSION_BLOB_MAX + 64];
    uint8_t blob[LKR_SESSION_BLOB_MAX];
    const uint8_t *in;
    uint8_t mode;
    lkr_sim_config sc;
    lkr_sim *sim = NULL;
    lkr_transport t;
    lkr_session_config cfg;
    lkr_session *s = NULL, *s2 = NULL;
    lkr_session_info info = LKR_SESSION_INFO_INIT;
    lkr_action a = LKR_ACTION_INIT, b = LKR_ACTION_INIT;
    size_t need = 0;
    lkr_status st;

    /* a Z-Wave lock: every callback present (probe, run_step, codes) */
    lkr_sim_config_init(&sc);
    sc.protocol = LKR_PROTOCOL_ZWAVE;
    sc.cause_count = 1;
    sc.causes[0] = LKR_CAUSE_HUB_SESSION_MISMATCH;
    sc.seed = 7;
    FZ_CHECK(lkr_sim_new(&sc, NULL, &sim) == LKR_OK, "sim");
    FZ_CHECK(lkr_sim_transport(sim, &t) == LKR_OK, "sim transport");
    lkr_session_config_init(&cfg);

    if (size == 0) {
        lkr_sim_free(sim);
        return 0;
    }
    mode = data[0];
    in = data + 1;
    size--;
    if ((mode & 1u) && size >= 16 && size <= sizeof(input)) {
        uint32_t crc, len = (uint32_t)size;
        memcpy(input, in, size);
        input[8] = (uint8_t)len;
        input[9] = (uint8_t)(len >> 8);
        input[10] = (uint8_t)(len >> 16);
        input[11] = (uint8_t)(len >> 24);
        crc = lkr__crc32(input, size - 4);
        input[size - 4] = (uint8_t)crc;
        input[size - 3] = (uint8_t)(crc >> 8);
        input[size - 2] = (uint8_t)(crc >> 16);
        input[size - 1] = (uint8_t)(crc >> 24);
        in = input;
    }
    st = lkr_session_load(&cfg, &t, in, size, &s);
    if (st != LKR_OK) {
        FZ_CHECK(st < 0, "load failed with a non-error status");
        FZ_CHECK(s == NULL, "a failed load set its output");
        lkr_sim_free(sim);
        return 0;
    }
    FZ_CHECK(size <= LKR_SESSION_BLOB_MAX, "loaded a blob longer than the maximum");
    FZ_CHECK(lkr_session_status(s, &info) == LKR_OK, "status of a loaded session");
    FZ_CHECK(info.state >= LKR_STATE_TRIAGE && info.state <= LKR_STATE_ABORTED, "loaded state out of its set");
    FZ_CHECK(lkr_session_report_json(s, report, sizeof(report), &need) == LKR_OK, "report of a loaded session");
    FZ_CHECK(strlen(report) + 1 == need, "report length");
    FZ_CHECK(lkr_session_report_text(s, report, sizeof(report), &need) == LKR_OK, "text report");

    FZ_CHECK(lkr_session_next(s, &a) == LKR_OK, "next on a loaded session");
    FZ_CHECK(a.kind >= LKR_ACTION_ASK && a.kind <= LKR_ACTION_ABORTED, "action kind out of its set");
    FZ_CHECK(a.state >= LKR_STATE_TRIAGE && a.state <= LKR_STATE_ABORTED, "action state out of its set");

    st = lkr_session_save(s, blob, sizeof(blob), &need);
    FZ_CHECK(st == LKR_OK, "save of a loaded session");
    st = lkr_session_load(&cfg, &t, blob, need, &s2);
    FZ_CHECK(st == LKR_OK, "a saved blob does not load again");
    FZ_CHECK(lkr_session_next(s2, &b) == LKR_OK, "next on the reloaded session");
    FZ_CHECK(same_action(&a, &b), "the reloaded session decides differently");

    lkr_session_free(s2);
    lkr_session_free(s);
    lkr_sim_free(sim);
    return 0;
}
