/*
 * Private to the vault's files: vault.c (codes, backup, verify, restore),
 * vault_key.c (the keyed digest, the wire form of a code, the key's random
 * source) and vault_export.c (the sealed export). No other file sees inside
 * a vault; internal.h holds what the engine and persistence may ask of one.
 */
#ifndef LKR_VAULT_INT_H
#define LKR_VAULT_INT_H

#include "internal.h"
#include "le.h"

#define VAULT_MAGIC 0x4C4B5256u /* "LKRV" */
/* 2: the vault's digest key and the lock it is bound to travel in the export. */
#define EXPORT_VERSION 2u
/* A serialised code: slot, kind, weekdays, day window, validity, name, PIN. */
#define CODE_WIRE_MAX (2 + 1 + 1 + 2 + 2 + 8 + 8 + 1 + (LKR_CODE_NAME_MAX - 1) + 1 + (LKR_PIN_MAX - 1))
#define EXPORT_HEADER 16u
#define KEY_SIZE 32u
#define IDENTITY_WIRE_MAX (1u + 3u * LKR_PROFILE_TEXT_MAX)
#define EXPORT_MAX (EXPORT_HEADER + KEY_SIZE + IDENTITY_WIRE_MAX + LKR_VAULT_MAX_CODES * CODE_WIRE_MAX + 32u)

/* The lock a vault belongs to: what its profile names it. */
typedef struct identity {
    uint8_t bound;
    char manufacturer[LKR_PROFILE_TEXT_MAX];
    char model[LKR_PROFILE_TEXT_MAX];
    char serial[LKR_PROFILE_TEXT_MAX];
} identity;

struct lkr_vault {
    uint32_t magic;
    lkr_allocator alloc;
    uint8_t has_alloc;
    uint8_t verified;
    uint8_t pins_readable; /* the verified backup holds PINs read from the lock */
    uint8_t has_checksum;
    uint32_t checksum;
    uint32_t count;
    uint32_t missing;
    /* What the last read of the lock showed (not exported): codes it listed,
     * and how many of them the vault holds no PIN for; lock_read 0: never. */
    uint8_t lock_read;
    uint32_t lock_count;
    uint32_t unknown;
    /* HMAC-SHA-256 under `key` of the identity and the codes: a fingerprint
     * nobody without the key can test a guessed PIN against. */
    uint8_t digest[32];
    uint8_t digest_stale; /* content, key or binding changed: recomputed when next read */
    uint8_t key[KEY_SIZE]; /* random per vault; leaves it only in the sealed export */
    lkr__sha256 hmac_in, hmac_out; /* SHA-256 after the key's inner and outer pads */
    identity id;
    uint8_t state[LKR_VAULT_MAX_CODES];
    lkr_code codes[LKR_VAULT_MAX_CODES]; /* sorted by slot */
    /* Scratch: the two reads of a backup, and the clear text of an export. */
    lkr_code read_a[LKR_VAULT_MAX_CODES];
    lkr_code read_b[LKR_VAULT_MAX_CODES];
    /* Which of read_a (bit 0) and read_b (bit 1) may hold anything: the rest
     * are all zero (wiped after every use), so only these are wiped. */
    uint8_t dirty;
    uint8_t clear[EXPORT_MAX];
    /* Points at `clear`: lets functions that take the vault const use the
     * scratch (the vault itself is never const: lkr_vault_new allocates it). */
    uint8_t *scratch;
    /* The vault itself, for the same reason: a const reader of the digest
     * brings it up to date (it is computed only when read). */
    struct lkr_vault *self;
};


/* The two scratch reads of the lock's code table. */
#define READ_A 1u
#define READ_B 2u

/* vault.c */
int lkr__vault_ok(const lkr_vault *v);
int lkr__vcode_ok(const lkr_code *c);
lkr_code *lkr__vscratch(lkr_vault *v, uint8_t which);
void lkr__vwipe_reads(lkr_vault *v);
/* vault_key.c */
void lkr__vput_code(lkr__writer *w, const lkr_code *c);
void lkr__vput_identity(lkr__writer *w, const identity *id);
void lkr__vkey_changed(lkr_vault *v);
const uint8_t *lkr__vcurrent_digest(const lkr_vault *v);
void lkr__vunkeyed_digest(const lkr_vault *v, uint8_t out[32]);
lkr_status lkr__vdraw_key(const lkr_vault_config *c, uint8_t *key);

#endif /* LKR_VAULT_INT_H */
