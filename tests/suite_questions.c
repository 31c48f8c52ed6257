/*
 * Questions worth asking (docs/ENGINE.md): the catalog's rows say, for each
 * question, how likely a "yes" is under each cause; the classifier's
 * likelihoods of the answer's evidence are derived from them, so an answer
 * moves the beliefs exactly by Bayes' rule; the engine puts a question before
 * a step when the minutes it is expected to save exceed its cost. These tests
 * check the rows, the update, the rules of when a question may come (over
 * many random sessions, against a person who answers by a draw, oddly or not
 * at all), that the questions pay for themselves in the model's own world,
 * and the seed sentences the rows stand on.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "host_script.h"
#include "session_int.h"

/* ---- the rows ---------------------------------------------------------------- */

START_TEST(rows_are_probabilities)
{
    uint32_t i, r, k;
    ck_assert_uint_eq(LKR__VQ_COUNT, 3);
    for (i = 0; i < LKR__VQ_COUNT; i++) {
        const lkr__vquestion *q = &lkr__vquestions[i];
        ck_assert(q->question >= LKR_QUESTION_SECOND_PHONE && q->question <= LKR_QUESTION_MAX);
        ck_assert_ptr_eq(lkr__vq_of(q->question), q);
        ck_assert(q->protocols != 0 && (q->protocols & ~0x3Eu) == 0);
        ck_assert(q->cost_min >= 1);
        /* neither answer impossible, and "don't know" never certain */
        ck_assert(q->base_yes_permille > 0 && q->base_yes_permille < 1000);
        ck_assert(q->dont_know_permille < 1000);
        ck_assert(q->yes_evidence != q->no_evidence);
        ck_assert(q->sid != NULL && q->sources != NULL && strstr(q->sources, "S") != NULL);
        ck_assert(q->row_count >= 1);
        for (r = 0; r < q->row_count; r++) {
            uint32_t c = q->rows[r].cause;
            ck_assert(c >= 1 && c <= LKR__CAUSE_COUNT);
            ck_assert(q->rows[r].yes_permille > 0 && q->rows[r].yes_permille < 1000);
            ck_assert_uint_ne(q->rows[r].yes_permille, q->base_yes_permille); /* a row says something */
            for (k = 0; k < r; k++) ck_assert_uint_ne(q->rows[k].cause, c);
        }
        for (k = 0; k < i; k++) ck_assert_uint_ne(lkr__vquestions[k].question, q->question);
    }
    ck_assert_ptr_null(lkr__vq_of(LKR_QUESTION_LOCAL_CONTROL));
}
END_TEST

/* The evidence of an answer has no likelihood of its own: it is the row's
 * P(answer | cause) over the base rate, as lkr_likelihood_get reports it. */
START_TEST(likelihoods_are_the_rows)
{
    uint32_t i, c;
    size_t r;
    for (i = 0; i < LKR__VQ_COUNT; i++) {
        const lkr__vquestion *q = &lkr__vquestions[i];
        for (r = 0; r < lkr__likelihood_count; r++) {
            ck_assert_uint_ne(lkr__likelihoods[r].evidence, q->yes_evidence);
            ck_assert_uint_ne(lkr__likelihoods[r].evidence, q->no_evidence);
        }
        for (c = 1; c <= LKR__CAUSE_COUNT; c++) {
            uint32_t yes = lkr__vq_yes_permille(q, c), got_yes = 0, got_no = 0;
            double want_yes = 1000.0 * yes / q->base_yes_permille;
            double want_no = 1000.0 * (1000 - yes) / (1000 - q->base_yes_permille);
            ck_assert_int_eq(lkr_likelihood_get(q->yes_evidence, c, &got_yes), LKR_OK);
            ck_assert_int_eq(lkr_likelihood_get(q->no_evidence, c, &got_no), LKR_OK);
            ck_assert(fabs(got_yes - want_yes) <= 0.5 && fabs(got_no - want_no) <= 0.5);
            /* P(yes) + P(no) = 1 for every cause: the two ratios weighted by
             * the base rates sum to 1000 (within the rounding of each) */
            ck_assert(fabs(got_yes * q->base_yes_permille / 1000.0 +
                           got_no * (1000.0 - q->base_yes_permille) / 1000.0 - 1000.0) <= 1.0);
        }
    }
}
END_TEST

/* ---- driving a simulated lock ------------------------------------------------ */

typedef struct qrun {
    uint32_t asked;        /* bit per question worth asking put */
    uint32_t n_asked;
    uint32_t final_kind;
    uint32_t minutes;      /* the simulator's person-minutes */
    uint32_t first_repair; /* index of the first re-pair-class step begun, or 0xFFFF */
    uint32_t order[16];    /* the questions, in order */
    uint32_t steps_before_first_question;
    uint32_t answers[16];
    uint32_t bayes_checked; /* answers whose update was checked */
    uint32_t hub_no_at;     /* steps begun before a "no" to the hub question */
    uint32_t steps_now;     /* steps begun so far */
} qrun;

/* How the test person answers a question worth asking. */
enum { ANSWER_SIM = 0, ANSWER_RANDOM, ANSWER_UNKNOWN, ANSWER_YES, ANSWER_NO };

static uint64_t mix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Steps that failed so far (each moves the beliefs). */
static uint32_t failures(const lkr_session *s)
{
    uint32_t i, n = 0, count = hs_status(s).history_count;
    for (i = 0; i < count; i++) {
        lkr_history_entry e = hs_history(s, i);
        n += e.outcome == LKR_OUTCOME_NOT_FIXED || e.outcome == LKR_OUTCOME_REFUTED;
    }
    return n;
}

static int transfer_may_run(const lkr_session *s)
{
    return s->obs.update_state == LKR_UPDATE_IN_PROGRESS && !lkr__fw_at_target(&s->obs);
}

/* Checks every rule of when a question worth asking may come, at the moment
 * it comes, and (for the Bayes check) answers it here. */
static void on_question(lkr_session *s, const lkr_action *a, qrun *out, int how, uint64_t *rng, lkr_sim *sim)
{
    const lkr__vquestion *q = lkr__vq_of(a->question);
    lkr_session_info info = hs_status(s);
    lkr_diagnosis before, after;
    int32_t v;
    uint32_t c, hist;
    double z = 0.0;
    ck_assert_ptr_nonnull(q);
    ck_assert_msg(!(out->asked & (1u << a->question)), "question %u put twice", a->question);
    ck_assert_uint_eq(info.ladder, LKR_LADDER_CONNECTION);
    ck_assert(q->protocols & LKR_PROTOCOL_BIT(s->profile.protocol));
    ck_assert_uint_eq(*lkr__vq_fact(s, q), LKR_UNKNOWN);
    ck_assert(!lkr__vq_known(q, &s->obs));
    ck_assert(!(s->evidence & ((uint64_t)1 << (q->yes_evidence - 1))));
    ck_assert(!(s->evidence & ((uint64_t)1 << (q->no_evidence - 1))));
    ck_assert(!(s->tried & q->settled_by));
    ck_assert(!transfer_may_run(s));
    ck_assert_ptr_nonnull(a->text);
    if (out->n_asked < 16) out->order[out->n_asked] = a->question;
    out->asked |= 1u << a->question;
    out->n_asked++;
    if (how == ANSWER_SIM) {
        ck_assert_int_eq(lkr_sim_respond(sim, s, a), LKR_OK);
        return;
    }
    switch (how) {
    case ANSWER_YES: v = LKR_YES; break;
    case ANSWER_NO: v = LKR_NO; break;
    case ANSWER_UNKNOWN: v = LKR_UNKNOWN; break;
    default: v = (int32_t)(mix(rng) % 3u); break;
    }
    if (out->n_asked <= 16) out->answers[out->n_asked - 1] = (uint32_t)v;
    if (a->question == LKR_QUESTION_HUB_DEVICES && v == LKR_NO) out->hub_no_at = out->steps_now;
    before = hs_beliefs(s);
    hist = failures(s);
    ck_assert_int_eq(lkr_session_answer(s, a->question, v), LKR_OK);
    after = hs_beliefs(s);
    {
        uint64_t own = v == LKR_YES ? (uint64_t)1 << (q->yes_evidence - 1)
                     : v == LKR_NO  ? (uint64_t)1 << (q->no_evidence - 1)
                                    : 0;
        if (failures(s) != hist || after.evidence != (before.evidence | own)) {
            return; /* the host ran a step, or probed, within the call: that moved them too */
        }
    }
    out->bayes_checked++;
    /* Bayes: after(c) = before(c) P(v | c) / sum, "don't know" changes nothing */
    for (c = 1; c <= LKR__CAUSE_COUNT; c++) {
        double y = lkr__vq_yes_permille(q, c) / 1000.0;
        z += hs_belief(&before, c) * (v == LKR_YES ? y : v == LKR_NO ? 1.0 - y : 1.0);
    }
    for (c = 1; c <= LKR__CAUSE_COUNT; c++) {
        double y = lkr__vq_yes_permille(q, c) / 1000.0;
        double want = hs_belief(&before, c) * (v == LKR_YES ? y : v == LKR_NO ? 1.0 - y : 1.0) / z;
        ck_assert_msg(fabs(hs_belief(&after, c) - want) <= 1e-9 + 1e-9 * want,
                      "question %u answer %d cause %u: %.12f, Bayes says %.12f (evidence %llx -> %llx, protocol %u)", a->question, v, c,
                      hs_belief(&after, c), want, (unsigned long long)before.evidence, (unsigned long long)after.evidence, s->profile.protocol);
    }
}

/* A session on a simulated lock: its profile, what its person reports, its
 * transport (t must outlive the session). */
static lkr_session *open_session(const lkr_sim_config *cfg, lkr_sim **sim, lkr_transport *t)
{
    lkr_session_config sc;
    lkr_profile p;
    lkr_observations o;
    lkr_session *s = NULL;
    ck_assert_int_eq(lkr_sim_new(cfg, NULL, sim), LKR_OK);
    ck_assert_int_eq(lkr_sim_profile(*sim, &p), LKR_OK);
    ck_assert_int_eq(lkr_sim_observations(*sim, &o), LKR_OK);
    ck_assert_int_eq(lkr_sim_transport(*sim, t), LKR_OK);
    lkr_session_config_init(&sc);
    sc.profile = &p;
    sc.observations = &o;
    ck_assert_int_eq(lkr_session_new(&sc, t, &s), LKR_OK);
    return s;
}

/* One recovery of a simulated lock; the test answers the questions worth
 * asking as `how` says, the simulated person everything else. */
static void drive(const lkr_sim_config *cfg, int how, uint64_t seed, int questions, qrun *out)
{
    lkr_sim *sim = NULL;
    lkr_transport t;
    lkr_session *s;
    lkr_action a = LKR_ACTION_INIT;
    lkr_sim_stats st = LKR_SIM_STATS_INIT;
    uint64_t rng = seed;
    uint32_t i, steps = 0;

    memset(out, 0, sizeof(*out));
    out->first_repair = 0xFFFF;
    out->hub_no_at = 0xFFFF;
    s = open_session(cfg, &sim, &t);
    if (!questions) lkr__session_set_policy(s, LKR__POLICY_NO_QUESTIONS, 0);
    for (i = 0; i < 3000; i++) {
        ck_assert_int_eq(lkr_session_next(s, &a), LKR_OK);
        if (lkr_action_is_final(&a)) break;
        if (a.kind == LKR_ACTION_ASK && lkr__vq_of(a.question) != NULL) {
            ck_assert(questions);
            if (out->n_asked == 0) out->steps_before_first_question = steps;
            out->steps_now = steps;
            on_question(s, &a, out, how, &rng, sim);
            continue;
        }
        if ((a.kind == LKR_ACTION_PERSON_STEP && a.phase == LKR_PHASE_PERFORM) || a.kind == LKR_ACTION_HOST_STEP) {
            if (out->first_repair == 0xFFFF && lkr__step_class(a.step, cfg->protocol) >= LKR__CLASS_REPAIR &&
                !(lkr__steps[a.step].flags & LKR_STEP_F_PREPARATION))
                out->first_repair = steps;
            steps++;
        }
        ck_assert_int_eq(lkr_sim_respond(sim, s, &a), LKR_OK);
    }
    ck_assert(lkr_action_is_final(&a));
    out->final_kind = a.kind;
    ck_assert_int_eq(lkr_sim_stats_get(sim, &st), LKR_OK);
    ck_assert_uint_eq(st.unsafe_steps, 0);
    out->minutes = st.person_minutes;
    lkr_session_free(s);
    lkr_sim_free(sim);
}

static int possible(uint32_t protocol, uint32_t cause)
{
    return (lkr__causes[cause].protocols & LKR_PROTOCOL_BIT(protocol)) != 0;
}

static void random_config(uint64_t *rng, lkr_sim_config *cfg)
{
    uint32_t c;
    lkr_sim_config_init(cfg);
    cfg->protocol = 1 + (uint32_t)(mix(rng) % 5u);
    do {
        c = 1 + (uint32_t)(mix(rng) % LKR__CAUSE_COUNT);
    } while (!possible(cfg->protocol, c));
    cfg->causes[0] = c;
    cfg->cause_count = 1;
    cfg->seed = mix(rng);
    cfg->ecosystems = (uint32_t)(mix(rng) % 2u) ? LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_GOOGLE) : 0;
    if (cfg->protocol == LKR_PROTOCOL_WIFI) cfg->has_bridge = (uint8_t)(mix(rng) % 2u) ? LKR_YES : LKR_NO;
    if (mix(rng) % 2u) cfg->flags |= LKR_SIM_F_DRAWN_ANSWERS;
    if (mix(rng) % 4u == 0) cfg->flags |= LKR_SIM_F_PARTIAL_FACTS;
}

/* Over many random sessions: every rule of when a question may come holds
 * at the moment it comes (on_question), every answer moves the beliefs by
 * Bayes' rule, and every session ends. */
START_TEST(rules_hold_over_random_sessions)
{
    uint64_t rng = 0x51A7E5u + (uint64_t)_i;
    uint32_t n, with_questions = 0, total = 0, checked = 0;
    for (n = 0; n < 400; n++) {
        lkr_sim_config cfg;
        qrun r;
        random_config(&rng, &cfg);
        drive(&cfg, (int)(n % 4u) == 0 ? ANSWER_SIM : (int)(1 + n % 4u), mix(&rng), 1, &r);
        total++;
        with_questions += r.n_asked > 0;
        checked += r.bayes_checked;
    }
    ck_assert_uint_gt(checked, 8);
    /* the questions come in some sessions, not in all */
    ck_assert_uint_gt(with_questions, total / 20);
    ck_assert_uint_lt(with_questions, total);
}
END_TEST

/* In the model's own world (the person answers by draws from the rows, the
 * fault as the simulator draws it), the questions pay for themselves: the
 * same faults, the same seeds, fewer person-minutes with them, their own
 * minutes included. "Keypad works, app offline" is where perfect
 * information is worth most (docs/PERFORMANCE.md). */
START_TEST(questions_pay_for_themselves)
{
    static const uint32_t look_alikes[] = {LKR_CAUSE_BLE_DROP_MID_TRANSFER, LKR_CAUSE_PHONE_BLE_BUG,
                                           LKR_CAUSE_HUB_SESSION_MISMATCH, LKR_CAUSE_WIFI_STACK_CRASH,
                                           LKR_CAUSE_THREAD_MESH_LOST, LKR_CAUSE_OUTDATED_SOFTWARE,
                                           LKR_CAUSE_APP_STALE_STATE, LKR_CAUSE_MISSING_PERMISSIONS};
    uint64_t with = 0, without = 0, seed;
    uint32_t p, k, runs = 0, asked = 0;
    for (p = LKR_PROTOCOL_WIFI; p <= LKR_PROTOCOL_MAX; p++) {
        for (k = 0; k < sizeof(look_alikes) / sizeof(look_alikes[0]); k++) {
            if (!possible(p, look_alikes[k])) continue;
            for (seed = 1; seed <= 40; seed++) {
                lkr_sim_config cfg;
                qrun a, b;
                lkr_sim_config_init(&cfg);
                cfg.protocol = p;
                cfg.causes[0] = look_alikes[k];
                cfg.cause_count = 1;
                cfg.seed = seed;
                cfg.flags |= LKR_SIM_F_DRAWN_ANSWERS;
                if (p == LKR_PROTOCOL_WIFI) cfg.has_bridge = seed % 2 ? LKR_YES : LKR_NO;
                drive(&cfg, ANSWER_SIM, seed, 1, &a);
                drive(&cfg, ANSWER_SIM, seed, 0, &b);
                with += a.minutes;
                without += b.minutes;
                asked += a.n_asked;
                runs++;
            }
        }
    }
    ck_assert_uint_gt(asked, runs / 10);
    ck_assert_msg(with < without, "with the questions %llu person-minutes, without %llu (%u runs)",
                  (unsigned long long)with, (unsigned long long)without, runs);
}
END_TEST

/* ---- the seed sentences ------------------------------------------------------- */

static lkr_sim_config look_alike(uint32_t protocol, uint32_t cause, uint64_t seed)
{
    lkr_sim_config cfg;
    lkr_sim_config_init(&cfg);
    cfg.protocol = protocol;
    cfg.causes[0] = cause;
    cfg.cause_count = 1;
    cfg.seed = seed;
    cfg.flags |= LKR_SIM_F_DRAWN_ANSWERS;
    return cfg;
}

/* S0: "If a second phone running the same app connects to the lock without
 * issues, the problem is your primary phone's Bluetooth implementation, not
 * the lock." A Bluetooth lock that dropped mid-transfer looks like a phone
 * bug: the second phone is asked about before anything that re-pairs, and
 * when it fails too (section 7) the lock goes to its maker. */
START_TEST(second_phone_before_a_re_pair)
{
    uint64_t seed;
    uint32_t seen = 0;
    for (seed = 1; seed <= 40; seed++) {
        lkr_sim_config cfg = look_alike(LKR_PROTOCOL_BLE, LKR_CAUSE_BLE_DROP_MID_TRANSFER, seed);
        qrun r;
        drive(&cfg, ANSWER_NO, seed, 1, &r);
        if (!(r.asked & (1u << LKR_QUESTION_SECOND_PHONE))) continue;
        seen++;
        ck_assert_uint_lt(r.steps_before_first_question, r.first_repair);
        /* every phone fails a Bluetooth-only lock: its own protocol path, then
         * its maker; nothing that re-pairs */
        ck_assert_uint_eq(r.first_repair, 0xFFFF);
    }
    ck_assert_uint_gt(seen, 0);
}
END_TEST

/* S2: the hub itself offline makes every lock unreachable: after a "no" to
 * the hub's other devices nothing that re-pairs or resets comes. */
START_TEST(hub_down_means_no_re_pair)
{
    static const uint32_t protocols[] = {LKR_PROTOCOL_ZWAVE, LKR_PROTOCOL_ZIGBEE, LKR_PROTOCOL_MATTER,
                                         LKR_PROTOCOL_WIFI};
    uint64_t seed;
    uint32_t seen = 0, k, c;
    for (k = 0; k < 4; k++) {
        for (c = 1; c <= LKR__CAUSE_COUNT; c++) {
            if (!possible(protocols[k], c)) continue;
            for (seed = 1; seed <= 6; seed++) {
                lkr_sim_config cfg = look_alike(protocols[k], c, seed);
                qrun r;
                if (protocols[k] == LKR_PROTOCOL_WIFI) cfg.has_bridge = LKR_YES;
                drive(&cfg, ANSWER_NO, seed, 1, &r);
                if (!(r.asked & (1u << LKR_QUESTION_HUB_DEVICES))) continue;
                seen++;
                ck_assert_msg(r.first_repair == 0xFFFF || r.first_repair < r.hub_no_at,
                              "protocol %u cause %u: a re-pair after the hub was said to be down",
                              protocols[k], c);
            }
        }
    }
    ck_assert_uint_gt(seen, 0);
}
END_TEST

/* S2: "Check your smart lock's app store listing for the latest version and
 * install any available updates." An update waiting: outdated software
 * gains, and nothing that re-pairs comes before the update (or a cheaper
 * step that brings the app up to date first). */
START_TEST(update_waiting_means_update_soon)
{
    uint64_t seed;
    uint32_t seen = 0;
    for (seed = 1; seed <= 30; seed++) {
        lkr_sim_config cfg = look_alike(LKR_PROTOCOL_BLE, LKR_CAUSE_OUTDATED_SOFTWARE, seed);
        lkr_sim *sim = NULL;
        lkr_transport t;
        lkr_session *s = open_session(&cfg, &sim, &t);
        lkr_action a = LKR_ACTION_INIT;
        int i, answered = 0, updated = 0;
        for (i = 0; i < 400; i++) {
            ck_assert_int_eq(lkr_session_next(s, &a), LKR_OK);
            if (lkr_action_is_final(&a)) break;
            if (a.kind == LKR_ACTION_ASK && a.question == LKR_QUESTION_UPDATE_PENDING) {
                lkr_diagnosis before = hs_beliefs(s), after;
                ck_assert_int_eq(lkr_session_answer(s, a.question, LKR_YES), LKR_OK);
                after = hs_beliefs(s);
                ck_assert(hs_belief(&after, LKR_CAUSE_OUTDATED_SOFTWARE) >
                          hs_belief(&before, LKR_CAUSE_OUTDATED_SOFTWARE));
                answered = 1;
                continue;
            }
            if (answered && !updated && (a.kind == LKR_ACTION_PERSON_STEP || a.kind == LKR_ACTION_BLOCKED)) {
                if (a.step == LKR_STEP_UNIVERSAL_UPDATE_SOFTWARE) updated = 1;
                ck_assert(lkr__step_class(a.step, cfg.protocol) < LKR__CLASS_REPAIR);
            }
            ck_assert_int_eq(lkr_sim_respond(sim, s, &a), LKR_OK);
        }
        if (answered) {
            /* the update came, or a cheaper step that fixes outdated software first */
            ck_assert(updated || a.kind == LKR_ACTION_RECOVERED);
            seen++;
        }
        lkr_session_free(s);
        lkr_sim_free(sim);
    }
    ck_assert_uint_gt(seen, 0);
}
END_TEST

/* A session saved while a question worth asking waits loads with it still
 * waiting, takes its answer, and a forged one (a question this lock is not
 * asked) does not load. */
START_TEST(saved_at_a_question)
{
    uint64_t seed;
    uint32_t seen = 0;
    for (seed = 1; seed <= 40 && seen == 0; seed++) {
        lkr_sim_config cfg = look_alike(LKR_PROTOCOL_BLE, LKR_CAUSE_BLE_DROP_MID_TRANSFER, seed);
        lkr_sim *sim = NULL;
        lkr_transport t;
        lkr_session *s = open_session(&cfg, &sim, &t), *s2 = NULL;
        lkr_action a = LKR_ACTION_INIT, b = LKR_ACTION_INIT;
        unsigned char blob[4096];
        size_t n = 0;
        int i;
        for (i = 0; i < 400; i++) {
            ck_assert_int_eq(lkr_session_next(s, &a), LKR_OK);
            if (lkr_action_is_final(&a)) break;
            if (a.kind == LKR_ACTION_ASK && lkr__vq_of(a.question) != NULL) {
                lkr_session_config lc;
                lkr_session_config_init(&lc); /* a load takes everything from the blob */
                ck_assert_int_eq(lkr_session_save(s, blob, sizeof(blob), &n), LKR_OK);
                ck_assert_int_eq(lkr_session_load(&lc, &t, blob, n, &s2), LKR_OK);
                ck_assert_int_eq(lkr_session_next(s2, &b), LKR_OK);
                ck_assert_uint_eq(b.kind, LKR_ACTION_ASK);
                ck_assert_uint_eq(b.question, a.question);
                {
                    /* the report names the question and its answer; its minutes count */
                    char json[8192], want[96];
                    size_t need = 0;
                    uint32_t before = hs_status(s2).person_minutes;
                    ck_assert_int_eq(lkr_session_answer(s2, b.question, LKR_NO), LKR_OK);
                    ck_assert_int_eq(lkr_session_answer(s2, b.question, LKR_NO), LKR_E_STATE);
                    ck_assert_uint_eq(hs_status(s2).person_minutes,
                                      before + lkr__vq_of(b.question)->cost_min);
                    ck_assert_int_eq(lkr_session_report_json(s2, json, sizeof(json), &need), LKR_OK);
                    snprintf(want, sizeof(want), "\"questions\":[{\"id\":\"%s\",\"answer\":false}]",
                             lkr__vq_of(b.question)->sid);
                    ck_assert_msg(strstr(json, want) != NULL, "%s not in the report", want);
                }
                lkr_session_free(s2);
                s2 = NULL;
                {
                    /* forged: a question this lock is never asked; a question
                     * about a fact already known */
                    lkr_session f = *s;
                    f.question = LKR_QUESTION_HUB_DEVICES; /* a Bluetooth lock has no hub */
                    ck_assert_int_eq(lkr_session_save(&f, blob, sizeof(blob), &n), LKR_OK);
                    ck_assert_int_eq(lkr_session_load(&lc, &t, blob, n, &s2), LKR_E_CORRUPT);
                    f = *s;
                    *lkr__vq_fact(&f, lkr__vq_of(f.question)) = LKR_YES;
                    ck_assert_int_eq(lkr_session_save(&f, blob, sizeof(blob), &n), LKR_OK);
                    ck_assert_int_eq(lkr_session_load(&lc, &t, blob, n, &s2), LKR_E_CORRUPT);
                    ck_assert_ptr_null(s2);
                }
                seen++;
                break;
            }
            ck_assert_int_eq(lkr_sim_respond(sim, s, &a), LKR_OK);
        }
        lkr_session_free(s);
        lkr_sim_free(sim);
    }
    ck_assert_uint_gt(seen, 0);
}
END_TEST

/* The simulated person's draws follow the rows: over many locks the share
 * of "yes" to the second-phone question for a phone bug and for a dropped
 * transfer is the rows' (with "don't know" at its rate), and the minutes of
 * each answer are counted. */
START_TEST(sim_draws_follow_the_rows)
{
    const lkr__vquestion *q = lkr__vq_of(LKR_QUESTION_SECOND_PHONE);
    static const uint32_t causes[] = {LKR_CAUSE_PHONE_BLE_BUG, LKR_CAUSE_BLE_DROP_MID_TRANSFER};
    uint32_t k, n;
    for (k = 0; k < 2; k++) {
        uint32_t yes = 0, no = 0, dk = 0;
        double p_yes = lkr__vq_yes_permille(q, causes[k]) / 1000.0, p_dk = q->dont_know_permille / 1000.0;
        for (n = 0; n < 4000; n++) {
            lkr_sim_config cfg = look_alike(LKR_PROTOCOL_BLE, causes[k], 1000u + n);
            lkr_sim *sim = NULL;
            lkr_transport t;
            lkr_session *s = open_session(&cfg, &sim, &t);
            lkr_action a = LKR_ACTION_INIT;
            lkr_sim_stats st = LKR_SIM_STATS_INIT;
            ck_assert_uint_eq(s->obs.second_phone_connects, LKR_UNKNOWN); /* not reported up front */
            /* put the question directly: the draw, not the engine, is tested */
            s->question = LKR_QUESTION_SECOND_PHONE;
            lkr__enter(s, LKR__P_ASK);
            a.kind = LKR_ACTION_ASK;
            a.question = LKR_QUESTION_SECOND_PHONE;
            ck_assert_int_eq(lkr_sim_respond(sim, s, &a), LKR_OK);
            yes += s->obs.second_phone_connects == LKR_YES;
            no += s->obs.second_phone_connects == LKR_NO;
            dk += s->obs.second_phone_connects == LKR_UNKNOWN;
            ck_assert_int_eq(lkr_sim_stats_get(sim, &st), LKR_OK);
            ck_assert_uint_eq(st.person_minutes, q->cost_min);
            lkr_session_free(s);
            lkr_sim_free(sim);
        }
        /* within 4 standard deviations of the rows' shares */
        ck_assert(fabs(dk / 4000.0 - p_dk) <= 4.0 * sqrt(p_dk * (1 - p_dk) / 4000.0));
        ck_assert(fabs(yes / 4000.0 - (1 - p_dk) * p_yes) <=
                  4.0 * sqrt((1 - p_dk) * p_yes * (1 - (1 - p_dk) * p_yes) / 4000.0) + 1e-3);
        ck_assert_uint_eq(yes + no + dk, 4000);
    }
}
END_TEST

static Suite *questions_suite(void)
{
    Suite *s = suite_create("questions");
    TCase *tc = tcase_create("rows");
    tcase_add_test(tc, rows_are_probabilities);
    tcase_add_test(tc, likelihoods_are_the_rows);
    suite_add_tcase(s, tc);
    tc = tcase_create("rules");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, rules_hold_over_random_sessions, 0, 5);
    tcase_add_test(tc, questions_pay_for_themselves);
    suite_add_tcase(s, tc);
    tc = tcase_create("seeds");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, second_phone_before_a_re_pair);
    tcase_add_test(tc, hub_down_means_no_re_pair);
    tcase_add_test(tc, update_waiting_means_update_soon);
    tcase_add_test(tc, saved_at_a_question);
    tcase_add_test(tc, sim_draws_follow_the_rows);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(questions_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
