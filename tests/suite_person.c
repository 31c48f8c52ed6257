/*
 * Person-facing catalog text (lkr_person_text_get): every step, guard,
 * cause, question, tier and symptom has it; none of it carries a string id,
 * an internal word or a percentage; timed steps say how to finish; questions
 * with fixed answers offer "don't know"; the struct_size rules hold.
 */
#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static lkr_person_text get(uint32_t kind, uint32_t id)
{
    lkr_person_text t = LKR_PERSON_TEXT_INIT;
    ck_assert_msg(lkr_person_text_get(kind, id, &t) == LKR_OK, "kind %u id %u", kind, id);
    ck_assert_uint_eq(t.kind, kind);
    ck_assert_uint_eq(t.id, id);
    return t;
}

/* Case-insensitive substring. */
static int contains(const char *s, const char *needle)
{
    size_t n = strlen(needle), i;
    for (; *s; s++) {
        for (i = 0; i < n && s[i] && tolower((unsigned char)s[i]) == tolower((unsigned char)needle[i]); i++) {
        }
        if (i == n) return 1;
    }
    return 0;
}

static void add_sid(const char **sids, size_t *n, const char *sid)
{
    sids[(*n)++] = sid;
}

/* Every string id of the catalog with an underscore or a dot: those cannot
 * be told from plain words ("reset" or "code" can). */
static size_t catalog_sids(const char **sids)
{
    size_t n = 0;
    uint32_t i;
    for (i = 1; i <= lkr_step_count(); i++) {
        lkr_step_info s = LKR_STEP_INFO_INIT;
        ck_assert_int_eq(lkr_step_get(i, &s), LKR_OK);
        add_sid(sids, &n, s.sid);
    }
    for (i = 1; i <= lkr_cause_count(); i++) {
        lkr_cause_info c = LKR_CAUSE_INFO_INIT;
        ck_assert_int_eq(lkr_cause_get(i, &c), LKR_OK);
        if (strchr(c.sid, '_')) add_sid(sids, &n, c.sid);
    }
    for (i = 1; i <= lkr_guard_count(); i++) {
        lkr_guard_info g = LKR_GUARD_INFO_INIT;
        ck_assert_int_eq(lkr_guard_get(i, &g), LKR_OK);
        if (strchr(g.sid, '_')) add_sid(sids, &n, g.sid);
    }
    for (i = 1; i < lkr_symptom_count(); i++) {
        lkr_symptom_info y = LKR_SYMPTOM_INFO_INIT;
        ck_assert_int_eq(lkr_symptom_get(i, &y), LKR_OK);
        if (strchr(y.sid, '_')) add_sid(sids, &n, y.sid);
    }
    return n;
}

static void plain(const char *s, const char *where)
{
    static const char *const jargon[] = { "tier", "guard", "waive", "ladder", "protocol",
                                          "ecosystem", "session", "%", "_", "DHCP", "MAC ",
                                          "PSK", "stack", "OTA", "node", "preflight" };
    const char *sids[256];
    size_t k, n;
    if (s == NULL) return;
    ck_assert_msg(s[0] != '\0', "%s: empty text", where);
    for (k = 0; k < sizeof(jargon) / sizeof(jargon[0]); k++) {
        ck_assert_msg(!contains(s, jargon[k]), "%s: \"%s\" in \"%s\"", where, jargon[k], s);
    }
    n = catalog_sids(sids);
    for (k = 0; k < n; k++) {
        ck_assert_msg(strstr(s, sids[k]) == NULL, "%s: id %s in \"%s\"", where, sids[k], s);
    }
}

static void plain_all(const lkr_person_text *t, const char *where)
{
    uint32_t c;
    plain(t->title, where);
    plain(t->text, where);
    plain(t->resume, where);
    plain(t->cannot, where);
    plain(t->watch, where);
    plain(t->remains, where);
    for (c = 0; c < t->choice_count; c++) plain(t->choices[c].label, where);
}

START_TEST(every_step_has_plain_text)
{
    uint32_t i;
    char where[64];
    for (i = 1; i <= lkr_step_count(); i++) {
        lkr_step_info s = LKR_STEP_INFO_INIT;
        lkr_person_text t = get(LKR_TEXT_STEP, i);
        ck_assert_int_eq(lkr_step_get(i, &s), LKR_OK);
        snprintf(where, sizeof where, "step %s", s.sid);
        ck_assert_ptr_nonnull(t.title);
        ck_assert_ptr_nonnull(t.text);
        /* A step with a timed part says what to do when the time is up. */
        ck_assert_msg((s.wait_s > 0) == (t.resume != NULL), "%s: resume text iff timed", where);
        ck_assert_ptr_null(t.choices);
        plain_all(&t, where);
    }
}
END_TEST

START_TEST(every_guard_is_a_question_with_a_reason)
{
    uint32_t i;
    char where[32];
    for (i = 1; i <= lkr_guard_count(); i++) {
        lkr_person_text t = get(LKR_TEXT_GUARD, i);
        snprintf(where, sizeof where, "guard %u", i);
        ck_assert_ptr_nonnull(t.title);
        ck_assert_msg(t.title[strlen(t.title) - 1] == '?', "%s is a question", where);
        ck_assert_ptr_nonnull(t.text);
        ck_assert_ptr_nonnull(t.cannot);
        plain_all(&t, where);
    }
}
END_TEST

START_TEST(every_cause_tier_and_symptom_has_plain_text)
{
    uint32_t i;
    char where[32];
    for (i = 1; i <= lkr_cause_count(); i++) {
        lkr_person_text t = get(LKR_TEXT_CAUSE, i);
        snprintf(where, sizeof where, "cause %u", i);
        ck_assert_ptr_nonnull(t.title);
        ck_assert_ptr_nonnull(t.text);
        plain_all(&t, where);
    }
    for (i = 1; i <= lkr_tier_count(); i++) {
        lkr_person_text t = get(LKR_TEXT_TIER, i);
        snprintf(where, sizeof where, "tier %u", i);
        ck_assert_ptr_nonnull(t.title);
        plain_all(&t, where);
    }
    for (i = 0; i < lkr_symptom_count(); i++) {
        lkr_person_text t = get(LKR_TEXT_SYMPTOM, i);
        snprintf(where, sizeof where, "symptom %u", i);
        ck_assert_ptr_nonnull(t.title);
        plain_all(&t, where);
    }
}
END_TEST

START_TEST(questions_offer_dont_know)
{
    uint32_t q, c;
    char where[32];
    for (q = 1; q <= LKR_QUESTION_MAX; q++) {
        lkr_person_text t = get(LKR_TEXT_QUESTION, q);
        int dont_know = 0;
        snprintf(where, sizeof where, "question %u", q);
        ck_assert_ptr_nonnull(t.title);
        ck_assert_msg(t.title[strlen(t.title) - 1] == '?', "%s is a question", where);
        ck_assert((t.choice_count == 0) == (t.choices == NULL));
        for (c = 0; c < t.choice_count; c++) {
            ck_assert_ptr_nonnull(t.choices[c].label);
            if (strncmp(t.choices[c].label, "don't know", 10) == 0) {
                dont_know = 1;
                ck_assert_int_eq(t.choices[c].value, LKR_UNKNOWN);
            }
        }
        ck_assert_msg(t.choice_count == 0 || dont_know, "%s offers \"don't know\"", where);
        plain_all(&t, where);
    }
    /* The app-status question lets a person say the app cannot find the lock. */
    {
        lkr_person_text t = get(LKR_TEXT_QUESTION, LKR_QUESTION_APP_STATUS);
        int found = 0;
        for (c = 0; c < t.choice_count; c++) found |= contains(t.choices[c].label, "cannot find");
        ck_assert(found);
    }
}
END_TEST

START_TEST(bad_calls)
{
    lkr_person_text t = LKR_PERSON_TEXT_INIT;
    lkr_person_text small = LKR_PERSON_TEXT_INIT;
    ck_assert_int_eq(lkr_person_text_get(LKR_TEXT_STEP, 1, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_person_text_get(0, 1, &t), LKR_E_INVAL);
    ck_assert_int_eq(lkr_person_text_get(7, 1, &t), LKR_E_INVAL);
    ck_assert_int_eq(lkr_person_text_get(LKR_TEXT_STEP, 0, &t), LKR_E_RANGE);
    ck_assert_int_eq(lkr_person_text_get(LKR_TEXT_STEP, lkr_step_count() + 1, &t), LKR_E_RANGE);
    ck_assert_int_eq(lkr_person_text_get(LKR_TEXT_GUARD, lkr_guard_count() + 1, &t), LKR_E_RANGE);
    ck_assert_int_eq(lkr_person_text_get(LKR_TEXT_QUESTION, LKR_QUESTION_MAX + 1, &t), LKR_E_RANGE);
    ck_assert_int_eq(lkr_person_text_get(LKR_TEXT_SYMPTOM, lkr_symptom_count(), &t), LKR_E_RANGE);
    small.struct_size = 8;
    ck_assert_int_eq(lkr_person_text_get(LKR_TEXT_STEP, 1, &small), LKR_E_INVAL);
    t.struct_size = 70000;
    ck_assert_int_eq(lkr_person_text_get(LKR_TEXT_STEP, 1, &t), LKR_E_INVAL);
}
END_TEST

static Suite *person_suite(void)
{
    Suite *s = suite_create("person");
    TCase *tc = tcase_create("text");
    tcase_add_test(tc, every_step_has_plain_text);
    tcase_add_test(tc, every_guard_is_a_question_with_a_reason);
    tcase_add_test(tc, every_cause_tier_and_symptom_has_plain_text);
    tcase_add_test(tc, questions_offer_dont_know);
    tcase_add_test(tc, bad_calls);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    int failed;
    SRunner *sr = srunner_create(person_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
