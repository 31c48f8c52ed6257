/* A minimal program built against an *installed* liblockrecover, once through
 * pkg-config and once through find_package(lockrecover). It uses only what
 * the umbrella header promises, and returns 0 when the library it loaded
 * matches the headers it was compiled with. */
#include <lockrecover/lockrecover.h>

#include <stdio.h>
#include <string.h>

#define LKR_STR_(x) #x
#define LKR_STR(x) LKR_STR_(x)

int main(void)
{
    const char *expected = LKR_STR(LKR_VERSION_MAJOR) "." LKR_STR(LKR_VERSION_MINOR)
                           "." LKR_STR(LKR_VERSION_PATCH);
    unsigned long want = (unsigned long)LKR_VERSION_MAJOR * 10000ul
                         + (unsigned long)LKR_VERSION_MINOR * 100ul
                         + (unsigned long)LKR_VERSION_PATCH;
    const char *text = lkr_version_string();
    const char *ok = lkr_strerror(LKR_OK);
    const char *inval = lkr_strerror(LKR_E_INVAL);
    int failures = 0;

    if ((unsigned long)lkr_version() != want) {
        fprintf(stderr, "consumer: lkr_version() = %lu, headers say %lu\n",
                (unsigned long)lkr_version(), want);
        failures++;
    }
    if (text == NULL || strcmp(text, expected) != 0) {
        fprintf(stderr, "consumer: lkr_version_string() = \"%s\", headers say \"%s\"\n",
                text ? text : "(null)", expected);
        failures++;
    }
    if (ok == NULL || inval == NULL || ok[0] == '\0' || inval[0] == '\0'
        || strcmp(ok, inval) == 0) {
        fprintf(stderr, "consumer: lkr_strerror() gives no distinct text\n");
        failures++;
    }
    if (failures == 0) {
        printf("consumer: liblockrecover %s: LKR_E_INVAL is \"%s\"\n", text, inval);
    }
    return failures == 0 ? 0 : 1;
}
