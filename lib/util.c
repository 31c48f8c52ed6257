/* Small helpers shared by the library's sources. */
#include <string.h>

#include "internal.h"

int lkr__str_ok(const char *s, size_t cap)
{
    return memchr(s, '\0', cap) != NULL;
}

int lkr__all_zero(const void *p, size_t n)
{
    const unsigned char *b = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < n; i++) {
        if (b[i] != 0) {
            return 0;
        }
    }
    return 1;
}

lkr_status lkr__check_size(const void *s, uint32_t struct_size, size_t min, size_t known)
{
    if (struct_size < min) {
        return LKR_E_INVAL;
    }
    if (struct_size > LKR__STRUCT_SIZE_MAX) {
        return LKR_E_INVAL;
    }
    if (struct_size > known) {
        /* A newer caller's struct: what this library cannot read must be at its
         * default (all zero), or the caller asked for something we cannot do. */
        if (!lkr__all_zero((const unsigned char *)s + known, struct_size - known)) {
            return LKR_E_UNSUPPORTED;
        }
    }
    return LKR_OK;
}

lkr_status lkr__emit(void *out, const void *full, size_t full_size, size_t min)
{
    uint32_t size;
    if (out == NULL) {
        return LKR_E_INVAL;
    }
    memcpy(&size, out, sizeof(size));
    if (size < min || size > LKR__STRUCT_SIZE_MAX) {
        return LKR_E_INVAL;
    }
    if (size <= full_size) {
        memcpy(out, full, size);
    } else {
        memcpy(out, full, full_size);
        memset((unsigned char *)out + full_size, 0, size - full_size);
    }
    memcpy(out, &size, sizeof(size));
    return LKR_OK;
}

lkr_status lkr__ingest(void *dst, size_t dst_size, const void *src, size_t min_size)
{
    uint32_t size;
    lkr_status st;
    if (src == NULL) {
        return LKR_E_INVAL;
    }
    memcpy(&size, src, sizeof(size));
    if ((st = lkr__check_size(src, size, min_size, dst_size)) != LKR_OK) {
        return st;
    }
    /* Only the caller's own bytes are read: a caller built against an older
     * header has a shorter struct, and what it lacks keeps dst's defaults. */
    memcpy(dst, src, size < dst_size ? size : dst_size);
    size = (uint32_t)dst_size;
    memcpy(dst, &size, sizeof(size));
    return LKR_OK;
}

uint32_t lkr__crc32(const void *data, size_t len)
{
    const unsigned char *p = (const unsigned char *)data;
    uint32_t crc = 0xFFFFFFFFu;
    size_t i;
    unsigned k;
    for (i = 0; i < len; i++) {
        crc ^= p[i];
        for (k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return crc ^ 0xFFFFFFFFu;
}

void lkr__wipe(void *p, size_t n)
{
#if defined(__GNUC__) || defined(__clang__)
    /* memset at full speed, then a barrier that tells the compiler the memory
     * is read: the stores cannot be dropped as dead. */
    memset(p, 0, n);
    __asm__ __volatile__("" : : "r"(p) : "memory");
#else
    volatile unsigned char *b = (volatile unsigned char *)p;
    size_t i;
    for (i = 0; i < n; i++) {
        b[i] = 0;
    }
#endif
}


lkr_status lkr__check_transport(const lkr_transport *t)
{
    lkr_status st;
    if (t == NULL) {
        return LKR_E_INVAL;
    }
    if ((st = lkr__check_size(t, t->struct_size, LKR__TRANSPORT_MIN_SIZE, sizeof(*t))) != LKR_OK) {
        return st;
    }
    return t->now_ms != NULL ? LKR_OK : LKR_E_INVAL;
}

lkr_status lkr__check_allocator(const lkr_allocator *al)
{
    lkr_status st;
    if (al == NULL) {
        return LKR_OK;
    }
    if ((st = lkr__check_size(al, al->struct_size, LKR__ALLOCATOR_MIN_SIZE, sizeof(*al))) != LKR_OK) {
        return st;
    }
    return al->alloc != NULL && al->free != NULL ? LKR_OK : LKR_E_INVAL;
}

void lkr__set_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) {
        n = cap - 1;
    }
    memset(dst, 0, cap);
    memcpy(dst, src, n);
    dst[n] = '\0';
}
