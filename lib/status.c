/* Version and status strings. */
#include "internal.h"

uint32_t lkr_version(void)
{
    return LKR_VERSION_NUMBER;
}

const char *lkr_version_string(void)
{
    return LKR_VERSION_STRING;
}

typedef struct status_text {
    lkr_status status;
    const char *name;
    const char *text;
} status_text;

static const status_text status_texts[] = {
    {LKR_OK, "LKR_OK", LKR__TEXT("success")},
    {LKR_PENDING, "LKR_PENDING", LKR__TEXT("operation pending")},
    {LKR_E_INVAL, "LKR_E_INVAL", LKR__TEXT("invalid argument")},
    {LKR_E_NOMEM, "LKR_E_NOMEM", LKR__TEXT("out of memory")},
    {LKR_E_RANGE, "LKR_E_RANGE", LKR__TEXT("id or value out of range")},
    {LKR_E_GUARD, "LKR_E_GUARD", LKR__TEXT("refused: a guard does not hold")},
    {LKR_E_STATE, "LKR_E_STATE", LKR__TEXT("not valid in the current state")},
    {LKR_E_UNSUPPORTED, "LKR_E_UNSUPPORTED", LKR__TEXT("not supported")},
    {LKR_E_CORRUPT, "LKR_E_CORRUPT", LKR__TEXT("data failed its integrity check")},
    {LKR_E_VERSION, "LKR_E_VERSION", LKR__TEXT("data from an incompatible version")},
    {LKR_E_TRANSPORT, "LKR_E_TRANSPORT", LKR__TEXT("transport callback failed")},
    {LKR_E_BUFFER, "LKR_E_BUFFER", LKR__TEXT("buffer too small")},
    {LKR_E_NOTFOUND, "LKR_E_NOTFOUND", LKR__TEXT("not found")},
    {LKR_E_TRUNCATED, "LKR_E_TRUNCATED", LKR__TEXT("data truncated")},
    {LKR_E_PROTOCOL, "LKR_E_PROTOCOL", LKR__TEXT("transport broke its contract")},
    {LKR_E_OVERSIZED, "LKR_E_OVERSIZED", LKR__TEXT("data longer than it can be")},
    {LKR_E_REENTRANT, "LKR_E_REENTRANT", LKR__TEXT("called from a callback of the same session")},
};

static const status_text *find_status(lkr_status status)
{
    size_t i;
    for (i = 0; i < sizeof(status_texts) / sizeof(status_texts[0]); i++) {
        if (status_texts[i].status == status) {
            return &status_texts[i];
        }
    }
    return NULL;
}

const char *lkr_strerror(lkr_status status)
{
    const status_text *t = find_status(status);
    const char *text = t != NULL ? t->text : LKR__TEXT("unknown status");
    /* Built without the English text, the status name is the message. */
    return text[0] != '\0' ? text : lkr_status_name(status);
}

const char *lkr_status_name(lkr_status status)
{
    const status_text *t = find_status(status);
    return t != NULL ? t->name : "LKR_E_UNKNOWN";
}
