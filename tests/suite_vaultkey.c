/*
 * The vault's digest key and where it comes from: lkr_vault_new_ex() with the
 * host's random source and allocator, the system's source by default, and a
 * source that fails. The digest is what a session blob and a report carry,
 * so its key decides whether a PIN can be tested against them.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lockrecover/lockrecover.h"

typedef struct source {
    uint8_t seed;
    int calls;
    size_t last_len;
    int fail;
} source;

static lkr_status counting_random(void *ctx, uint8_t *buf, size_t len)
{
    source *src = (source *)ctx;
    size_t i;
    src->calls++;
    src->last_len = len;
    if (src->fail) {
        return LKR_E_TRANSPORT;
    }
    for (i = 0; i < len; i++) buf[i] = (uint8_t)(src->seed + i * 7u);
    return LKR_OK;
}

typedef struct heap {
    int allocs, frees;
    size_t live;
} heap;

static void *heap_alloc(void *ctx, size_t size)
{
    heap *h = (heap *)ctx;
    h->allocs++;
    h->live += size;
    return malloc(size);
}

static void heap_free(void *ctx, void *p, size_t size)
{
    heap *h = (heap *)ctx;
    h->frees++;
    h->live -= size;
    free(p);
}

/* A vault from @p src (NULL: the system's source) holding one code. */
static lkr_vault *vault_with_code(source *src)
{
    lkr_vault_config c = LKR_VAULT_CONFIG_INIT;
    lkr_vault *v = NULL;
    lkr_code code;
    if (src != NULL) {
        c.random = counting_random;
        c.random_ctx = src;
    }
    ck_assert_int_eq(lkr_vault_new_ex(&c, &v), LKR_OK);
    lkr_code_init(&code);
    code.slot = 3;
    code.kind = LKR_CODE_USER;
    strcpy(code.pin, "482916");
    strcpy(code.name, "Anna");
    ck_assert_int_eq(lkr_vault_record(v, &code), LKR_OK);
    return v;
}

static void digest_of(const lkr_vault *v, uint8_t out[32])
{
    lkr_vault_info vi = LKR_VAULT_INFO_INIT;
    ck_assert_int_eq(lkr_vault_status(v, &vi), LKR_OK);
    memcpy(out, vi.digest, 32);
}

START_TEST(config_init_gives_the_defaults)
{
    lkr_vault_config a = LKR_VAULT_CONFIG_INIT;
    lkr_vault_config b;
    memset(&b, 0xFF, sizeof b);
    lkr_vault_config_init(&b);
    ck_assert_uint_eq(b.struct_size, sizeof(lkr_vault_config));
    ck_assert_ptr_null(b.allocator);
    ck_assert_ptr_null((void *)(size_t)b.random);
    ck_assert_ptr_null(b.random_ctx);
    ck_assert_uint_eq(a.struct_size, b.struct_size);
    lkr_vault_config_init(NULL);
}
END_TEST

START_TEST(the_key_is_drawn_once_from_the_hosts_source)
{
    source src = {0x11, 0, 0, 0};
    lkr_vault *v = vault_with_code(&src);
    ck_assert_int_eq(src.calls, 1);
    ck_assert_uint_eq(src.last_len, 32);
    lkr_vault_free(v);
}
END_TEST

START_TEST(the_digest_depends_on_the_key_not_only_the_codes)
{
    source s1 = {0x11, 0, 0, 0}, s1again = {0x11, 0, 0, 0}, s2 = {0x12, 0, 0, 0};
    uint8_t d1[32], d1again[32], d2[32], dsys1[32], dsys2[32];
    lkr_vault *a = vault_with_code(&s1), *b = vault_with_code(&s1again), *c = vault_with_code(&s2);
    lkr_vault *x = vault_with_code(NULL), *y = vault_with_code(NULL);
    digest_of(a, d1);
    digest_of(b, d1again);
    digest_of(c, d2);
    digest_of(x, dsys1);
    digest_of(y, dsys2);
    /* Same key, same codes: the same digest (what makes exports comparable
     * across builds in a test); another key: another digest. */
    ck_assert_int_eq(memcmp(d1, d1again, 32), 0);
    ck_assert_int_ne(memcmp(d1, d2, 32), 0);
    /* The system's source gives each vault its own key. */
    ck_assert_int_ne(memcmp(dsys1, dsys2, 32), 0);
    ck_assert_int_ne(memcmp(dsys1, d1, 32), 0);
    lkr_vault_free(a);
    lkr_vault_free(b);
    lkr_vault_free(c);
    lkr_vault_free(x);
    lkr_vault_free(y);
}
END_TEST

START_TEST(a_failing_source_makes_no_vault)
{
    source src = {0x11, 0, 0, 1};
    heap h = {0, 0, 0};
    lkr_allocator al = LKR_ALLOCATOR_INIT;
    lkr_vault_config c = LKR_VAULT_CONFIG_INIT;
    lkr_vault *v = NULL;
    al.ctx = &h;
    al.alloc = heap_alloc;
    al.free = heap_free;
    c.allocator = &al;
    c.random = counting_random;
    c.random_ctx = &src;
    ck_assert_int_eq(lkr_vault_new_ex(&c, &v), LKR_E_TRANSPORT);
    ck_assert_ptr_null(v);
    ck_assert_int_eq(src.calls, 1);
    ck_assert_int_eq(h.allocs, h.frees);
    ck_assert_uint_eq(h.live, 0);
}
END_TEST

START_TEST(the_hosts_allocator_is_used)
{
    heap h = {0, 0, 0};
    lkr_allocator al = LKR_ALLOCATOR_INIT;
    lkr_vault_config c = LKR_VAULT_CONFIG_INIT;
    lkr_vault *v = NULL;
    al.ctx = &h;
    al.alloc = heap_alloc;
    al.free = heap_free;
    c.allocator = &al;
    ck_assert_int_eq(lkr_vault_new_ex(&c, &v), LKR_OK);
    ck_assert_int_eq(h.allocs, 1);
    ck_assert_uint_gt(h.live, 0);
    lkr_vault_free(v);
    ck_assert_int_eq(h.frees, 1);
    ck_assert_uint_eq(h.live, 0);
}
END_TEST

START_TEST(bad_input)
{
    lkr_vault_config c = LKR_VAULT_CONFIG_INIT;
    lkr_allocator al = LKR_ALLOCATOR_INIT; /* hooks not set */
    lkr_vault *v = NULL;
    ck_assert_int_eq(lkr_vault_new_ex(&c, NULL), LKR_E_INVAL);
    c.struct_size = 4;
    ck_assert_int_eq(lkr_vault_new_ex(&c, &v), LKR_E_INVAL);
    c.struct_size = 70000;
    ck_assert_int_eq(lkr_vault_new_ex(&c, &v), LKR_E_INVAL);
    lkr_vault_config_init(&c);
    c.allocator = &al;
    ck_assert_int_eq(lkr_vault_new_ex(&c, &v), LKR_E_INVAL);
    ck_assert_ptr_null(v);
    /* NULL config: the system's allocator and source. */
    ck_assert_int_eq(lkr_vault_new_ex(NULL, &v), LKR_OK);
    lkr_vault_free(v);
}
END_TEST

static Suite *vaultkey_suite(void)
{
    Suite *s = suite_create("vaultkey");
    TCase *tc = tcase_create("key");
    tcase_add_test(tc, config_init_gives_the_defaults);
    tcase_add_test(tc, the_key_is_drawn_once_from_the_hosts_source);
    tcase_add_test(tc, the_digest_depends_on_the_key_not_only_the_codes);
    tcase_add_test(tc, a_failing_source_makes_no_vault);
    tcase_add_test(tc, the_hosts_allocator_is_used);
    tcase_add_test(tc, bad_input);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    int failed;
    SRunner *sr = srunner_create(vaultkey_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
