/*
 * fuzz_vault_import: lkr_vault_import_sealed() on the raw input, with an
 * identity keystore (unseal copies its input), so that the library's own
 * checks (magic, version, lengths, codes, SHA-256) are what is fuzzed. An
 * import that succeeds must export again and re-import to the same digest
 * and count; a refused import must leave the vault as it was.
 *
 * Input: 1 mode byte, then the sealed export. Mode bit 0: recompute the
 * trailing SHA-256 first, so that mutations reach the format checks.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "lockrecover/lockrecover.h"

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t clock_ms(void *ctx)
{
    (void)ctx;
    return 1000u;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lkr_transport t;
    lkr_vault *v = NULL, *v2 = NULL;
    lkr_vault_info before = LKR_VAULT_INFO_INIT, after = LKR_VAULT_INFO_INIT, again = LKR_VAULT_INFO_INIT;
    lkr_code_info ci = LKR_CODE_INFO_INIT;
    lkr_code c;
    uint8_t *out, *copy = NULL;
    const uint8_t *in;
    size_t n;
    size_t need = 0;
    uint32_t i;
    lkr_status st;

    lkr_transport_init(&t);
    t.now_ms = clock_ms;
    t.seal = fz_identity_seal;
    t.unseal = fz_identity_seal;
    FZ_CHECK(lkr_vault_new(NULL, &v) == LKR_OK, "vault");
    /* something in the vault first, so that a refused import visibly keeps it */
    lkr_code_init(&c);
    c.slot = 1;
    c.kind = LKR_CODE_ADMIN;
    memcpy(c.pin, "2468", 5);
    FZ_CHECK(lkr_vault_record(v, &c) == LKR_OK, "record");
    FZ_CHECK(lkr_vault_status(v, &before) == LKR_OK, "status");

    if (size == 0) {
        lkr_vault_free(v);
        return 0;
    }
    in = data + 1;
    n = size - 1;
    if ((data[0] & 1u) && n >= 32) {
        lkr__sha256 h;
        copy = (uint8_t *)malloc(n);
        FZ_CHECK(copy != NULL, "malloc");
        memcpy(copy, in, n);
        lkr__sha256_init(&h);
        lkr__sha256_update(&h, copy, n - 32);
        lkr__sha256_final(&h, copy + n - 32);
        in = copy;
    }
    st = lkr_vault_import_sealed(v, &t, in, n);
    free(copy);
    FZ_CHECK(lkr_vault_status(v, &after) == LKR_OK, "status after import");
    if (st != LKR_OK) {
        FZ_CHECK(st < 0, "import failed with a non-error status");
        FZ_CHECK(after.count == before.count && memcmp(after.digest, before.digest, 32) == 0,
                 "a refused import changed the vault");
        lkr_vault_free(v);
        return 0;
    }
    FZ_CHECK(after.count <= LKR_VAULT_MAX_CODES, "imported too many codes");
    for (i = 0; i < after.count; i++) {
        FZ_CHECK(lkr_vault_code(v, i, &ci) == LKR_OK, "code info");
        FZ_CHECK(memchr(ci.name, '\0', sizeof(ci.name)) != NULL, "code name unterminated");
        FZ_CHECK(ci.kind >= LKR_CODE_ADMIN && ci.kind <= LKR_CODE_KIND_MAX, "code kind out of range");
    }
    st = lkr_vault_export_sealed(v, &t, NULL, 0, &need);
    FZ_CHECK(st == LKR_E_BUFFER && need > 0, "export size query");
    out = (uint8_t *)malloc(need);
    FZ_CHECK(out != NULL, "malloc");
    FZ_CHECK(lkr_vault_export_sealed(v, &t, out, need, &need) == LKR_OK, "export of an imported vault");
    FZ_CHECK(lkr_vault_new(NULL, &v2) == LKR_OK, "vault 2");
    FZ_CHECK(lkr_vault_import_sealed(v2, &t, out, need) == LKR_OK, "re-import of an export");
    FZ_CHECK(lkr_vault_status(v2, &again) == LKR_OK, "status of the re-import");
    FZ_CHECK(again.count == after.count && memcmp(again.digest, after.digest, 32) == 0,
             "export and re-import changed the digest");
    FZ_CHECK(again.verified == after.verified, "export and re-import changed verified");
    free(out);
    lkr_vault_free(v2);
    lkr_vault_free(v);
    return 0;
}
