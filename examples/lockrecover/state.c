/*
 * lockrecover: the state file of `diagnose --state FILE` (also read by
 * `report`). It holds what the tool itself must remember to resume exactly
 * (the prompt on screen, the opening answers given before a session exists,
 * the session clock) around the library's own saved session.
 *
 * Layout (little-endian):
 *   "LKRCLI\x01\n"            8-byte magic
 *   u32 CLI_SV_COUNT          number of u32 values that follow
 *   u32 values[CLI_SV_COUNT]  enum cli_sv
 *   u64 clock_ms              the session clock when it was saved
 *   char text[CLI_ST_COUNT][CLI_TEXT_MAX]   NUL-terminated, NUL-padded
 *   u32 blob_len, blob        lkr_session_save() output (0: no session yet)
 *   u32 crc32                 of every byte before it
 * A file without the magic is read as a bare lkr_session_save() blob (what
 * earlier versions of the tool wrote).
 *
 * The file is a plain regular file that only its owner may read: a symbolic
 * link, FIFO, device or directory is refused rather than followed, read from
 * or replaced, and it is written to FILE.tmp (created exclusively, mode 0600,
 * never through a link), synced, renamed over FILE, and the directory synced.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef O_NOFOLLOW
#define O_NOFOLLOW 0
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

static const unsigned char magic[8] = { 'L', 'K', 'R', 'C', 'L', 'I', 1, '\n' };

#define HEAD_SIZE (8u + 4u + 4u * CLI_SV_COUNT + 8u + (size_t)CLI_ST_COUNT * CLI_TEXT_MAX + 4u)
#define FILE_MAX (HEAD_SIZE + LKR_SESSION_BLOB_MAX + 4u)

static uint32_t crc32(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    size_t i;
    int k;
    for (i = 0; i < n; i++) {
        c ^= p[i];
        for (k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void cli_state_init(cli_state *st)
{
    memset(st, 0, sizeof *st);
}

/* ---- reading ------------------------------------------------------------- */

static int decode(const char *cmd, const char *path, const unsigned char *buf, size_t len,
                  cli_state *st)
{
    size_t off = 8, k;
    uint32_t blob_len;

    cli_state_init(st);
    if (len < 8 || memcmp(buf, magic, 8) != 0) {
        /* A bare session blob: the library checks it on load. */
        memcpy(st->blob, buf, len);
        st->blob_len = len;
        st->legacy = 1;
        return 0;
    }
    if (len < HEAD_SIZE + 4u || crc32(buf, len - 4u) != get32(buf + len - 4u) ||
        get32(buf + off) != CLI_SV_COUNT) {
        fprintf(stderr, "lockrecover %s: %s is damaged (its checksum or layout is wrong): "
                        "not a usable saved session\n", cmd, path);
        return CLI_EXIT_ERROR;
    }
    off += 4;
    for (k = 0; k < CLI_SV_COUNT; k++, off += 4) st->v[k] = get32(buf + off);
    st->clock_ms = (uint64_t)get32(buf + off) | (uint64_t)get32(buf + off + 4) << 32;
    off += 8;
    for (k = 0; k < CLI_ST_COUNT; k++, off += CLI_TEXT_MAX) {
        if (memchr(buf + off, '\0', CLI_TEXT_MAX) == NULL) {
            return cli_error(cmd, "the state file is damaged (an unterminated text)", path);
        }
        memcpy(st->text[k], buf + off, CLI_TEXT_MAX);
    }
    blob_len = get32(buf + off);
    off += 4;
    if (blob_len > LKR_SESSION_BLOB_MAX || off + blob_len + 4u != len) {
        return cli_error(cmd, "the state file is damaged (a wrong length)", path);
    }
    memcpy(st->blob, buf + off, blob_len);
    st->blob_len = blob_len;
    return 0;
}

static int all_zero(const unsigned char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (p[i] != 0) return 0;
    }
    return 1;
}

int cli_state_read(const char *cmd, const char *path, cli_state *st, int *missing)
{
    unsigned char *buf;
    struct stat sb;
    size_t len = 0;
    int fd, rc;

    fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT && missing != NULL) {
            *missing = 1;
            return 0;
        }
        if (errno == ELOOP || errno == EMLINK) {
            fprintf(stderr, "lockrecover %s: %s is a symbolic link: refusing to follow it "
                            "(give the real file's path)\n", cmd, path);
            return CLI_EXIT_ERROR;
        }
        return cli_error(cmd, "cannot open the state file", path);
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        fprintf(stderr, "lockrecover %s: %s is not a regular file (a FIFO, device or "
                        "directory): refusing it\n", cmd, path);
        return CLI_EXIT_ERROR;
    }
    if (sb.st_size < 0 || (uint64_t)sb.st_size > FILE_MAX) {
        close(fd);
        fprintf(stderr, "lockrecover %s: %s is too large to be a saved session (%llu bytes; "
                        "at most %u)\n", cmd, path, (unsigned long long)sb.st_size,
                (unsigned)FILE_MAX);
        return CLI_EXIT_ERROR;
    }
    if ((buf = malloc(FILE_MAX + 1u)) == NULL) {
        close(fd);
        return cli_error(cmd, "out of memory", NULL);
    }
    for (;;) {
        ssize_t n = read(fd, buf + len, FILE_MAX + 1u - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            free(buf);
            close(fd);
            return cli_error(cmd, "cannot read the state file", path);
        }
        if (n == 0) break;
        len += (size_t)n;
        if (len > FILE_MAX) break;
    }
    close(fd);
    if (len > FILE_MAX) {
        rc = cli_error(cmd, "the state file is too large to be a saved session", path);
    } else if (len == 0) {
        rc = cli_error(cmd, "the state file is empty (it was never written, or the disk lost "
                            "it): remove it to start again", path);
    } else if (all_zero(buf, len)) {
        rc = cli_error(cmd, "the state file holds only zero bytes (the disk lost it after a "
                            "crash): remove it to start again", path);
    } else {
        rc = decode(cmd, path, buf, len, st);
    }
    free(buf);
    return rc;
}

/* ---- writing ------------------------------------------------------------- */

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The directory that holds path, synced so the rename survives a crash. */
static int sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    int fd, rc;
    size_t n = slash == NULL ? 1 : (slash == path ? 1 : (size_t)(slash - path));
    if ((dir = malloc(n + 1)) == NULL) return -1;
    if (slash == NULL) memcpy(dir, ".", 2);
    else {
        memcpy(dir, slash == path ? "/" : path, n);
        dir[n] = '\0';
    }
    fd = open(dir, O_RDONLY | O_CLOEXEC);
    free(dir);
    if (fd < 0) return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

/* Refuses anything at path that is not a regular file (0), or ENOENT (0). */
static int check_target(const char *cmd, const char *path, int tmp)
{
    struct stat sb;
    if (lstat(path, &sb) != 0) {
        return errno == ENOENT ? 0 : cli_error(cmd, "cannot check the state file", path);
    }
    if (S_ISLNK(sb.st_mode)) {
        fprintf(stderr, "lockrecover %s: %s is a symbolic link: refusing to write through it%s\n",
                cmd, path, tmp ? " (remove it)" : " (give the real file's path)");
        return CLI_EXIT_ERROR;
    }
    if (!S_ISREG(sb.st_mode)) {
        fprintf(stderr, "lockrecover %s: %s is not a regular file (a FIFO, device or "
                        "directory): refusing to replace it\n", cmd, path);
        return CLI_EXIT_ERROR;
    }
    return 0;
}

static size_t encode(const cli_state *st, unsigned char *buf)
{
    size_t off = 0, k;
    memcpy(buf, magic, 8);
    off = 8;
    put32(buf + off, CLI_SV_COUNT);
    off += 4;
    for (k = 0; k < CLI_SV_COUNT; k++, off += 4) put32(buf + off, st->v[k]);
    put32(buf + off, (uint32_t)st->clock_ms);
    put32(buf + off + 4, (uint32_t)(st->clock_ms >> 32));
    off += 8;
    for (k = 0; k < CLI_ST_COUNT; k++, off += CLI_TEXT_MAX) {
        size_t n = strnlen(st->text[k], CLI_TEXT_MAX - 1);
        memset(buf + off, 0, CLI_TEXT_MAX);
        memcpy(buf + off, st->text[k], n);
    }
    put32(buf + off, (uint32_t)st->blob_len);
    off += 4;
    memcpy(buf + off, st->blob, st->blob_len);
    off += st->blob_len;
    put32(buf + off, crc32(buf, off));
    return off + 4;
}

int cli_state_write(const char *cmd, const char *path, const cli_state *st)
{
    unsigned char *buf;
    char *tmp;
    size_t len, plen = strlen(path);
    int fd, rc, ok;

    if ((rc = check_target(cmd, path, 0)) != 0) return rc;
    if ((tmp = malloc(plen + 5)) == NULL) return cli_error(cmd, "out of memory", NULL);
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    /* A FILE.tmp left by a crash is removed; a link or special file planted
     * there is refused, and O_EXCL|O_NOFOLLOW closes the race in between. */
    if ((rc = check_target(cmd, tmp, 1)) != 0 || (unlink(tmp) != 0 && errno != ENOENT)) {
        free(tmp);
        return rc != 0 ? rc : cli_error(cmd, "cannot remove the old temporary file", NULL);
    }
    if ((buf = malloc(FILE_MAX)) == NULL) {
        free(tmp);
        return cli_error(cmd, "out of memory", NULL);
    }
    len = encode(st, buf);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    ok = fd >= 0 && write_all(fd, buf, len) == 0 && fsync(fd) == 0;
    if (fd >= 0 && close(fd) != 0) ok = 0;
    free(buf);
    if (ok && rename(tmp, path) != 0) ok = 0;
    if (!ok && fd >= 0) unlink(tmp);
    free(tmp);
    if (ok && sync_dir(path) != 0) ok = 0;
    return ok ? 0 : cli_error(cmd, "cannot write the state file", path);
}
