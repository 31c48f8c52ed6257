/*
 * A standalone driver for the fuzz harnesses: calls LLVMFuzzerTestOneInput
 * once on every file named on the command line, and on every regular file
 * of every directory named (not recursive). It lets a build without
 * libFuzzer (gcc) replay the corpora and reproduce a finding:
 *
 *   fuzz_replay_events fuzz/corpus/fuzz_events fuzz/findings/crash-1234
 *
 * Prints "replayed N inputs" and exits 0; a broken invariant aborts.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long replayed;

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, n;
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return 1;
    }
    for (;;) {
        if (len == cap) {
            uint8_t *nb;
            cap = cap ? cap * 2 : 4096;
            nb = (uint8_t *)realloc(buf, cap);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                fprintf(stderr, "out of memory reading %s\n", path);
                return 1;
            }
            buf = nb;
        }
        n = fread(buf + len, 1, cap - len, f);
        if (n == 0) break;
        len += n;
    }
    fclose(f);
    if (getenv("LKR_REPLAY_VERBOSE") != NULL) {
        fprintf(stderr, "replaying %s (%zu bytes)\n", path, len);
    }
    (void)LLVMFuzzerTestOneInput(len ? buf : (const uint8_t *)"", len);
    free(buf);
    replayed++;
    return 0;
}

static int replay_path(const char *path)
{
    struct stat sb;
    DIR *d;
    struct dirent *e;
    int bad = 0;
    if (stat(path, &sb) != 0) {
        fprintf(stderr, "cannot stat %s\n", path);
        return 1;
    }
    if (!S_ISDIR(sb.st_mode)) {
        return replay_file(path);
    }
    d = opendir(path);
    if (d == NULL) {
        fprintf(stderr, "cannot open directory %s\n", path);
        return 1;
    }
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        char *full;
        if (e->d_name[0] == '.') continue;
        full = (char *)malloc(len);
        if (full == NULL) {
            bad = 1;
            break;
        }
        snprintf(full, len, "%s/%s", path, e->d_name);
        if (stat(full, &sb) == 0 && S_ISREG(sb.st_mode)) {
            bad |= replay_file(full);
        }
        free(full);
    }
    closedir(d);
    return bad;
}

int main(int argc, char **argv)
{
    int i, bad = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE-OR-DIRECTORY...\n", argv[0]);
        return 2;
    }
    for (i = 1; i < argc; i++) {
        bad |= replay_path(argv[i]);
    }
    printf("replayed %lu inputs\n", replayed);
    return bad ? 1 : 0;
}
