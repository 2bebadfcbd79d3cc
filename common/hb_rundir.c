#include "hb_rundir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hb_buf.h"
#include "hb_journal.h"
#include "hb_log.h"

int hb_rundir_make(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) {
        errno = n ? ENAMETOOLONG : ENOENT;
        return -1;
    }
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

int hb_rundir_lock(const char *dir, const char *run)
{
    char path[4096], holder[256] = "";
    snprintf(path, sizeof path, "%s/.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        hb_error("%s: cannot create the lock of the output folder: %s", path, strerror(errno));
        return -1;
    }
    ssize_t got = pread(fd, holder, sizeof holder - 1, 0);
    holder[got > 0 ? got : 0] = '\0';
    holder[strcspn(holder, "\n")] = '\0';
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            hb_error("%s/ is in use by another run (%s); wait for it to end or choose another "
                     "-o", dir, *holder ? holder : "pid unknown");
        else
            hb_error("%s: cannot lock: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (*holder)
        hb_debug("%s: taking over the lock of a run that ended without releasing it (%s)",
                 path, holder);
    char line[256];
    int n = snprintf(line, sizeof line, "pid %d run %s\n", (int)getpid(), run);
    if (ftruncate(fd, 0) != 0 || pwrite(fd, line, (size_t)n, 0) != n) {
        hb_error("%s: cannot write: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

void hb_rundir_unlock(int fd)
{
    if (fd >= 0)
        close(fd);
}

bool hb_rundir_used(const char *dir)
{
    static const char *const names[] = {"resume.tsv", "docs.jsonl", "paragraphs.jsonl",
                                        "summary.json", "inputs.tsv", NULL};
    char path[4096];
    struct stat st;
    for (size_t i = 0; names[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (stat(path, &st) == 0)
            return true;
    }
    return false;
}

static void inputs_text(hb_buf_t *b, const char *pattern, char *const *paths, size_t npaths)
{
    hb_buf_puts(b, "pattern\t");
    hb_journal_escape(b, pattern, strlen(pattern));
    for (size_t i = 0; i < npaths; i++) {
        hb_buf_puts(b, "\npath\t");
        hb_journal_escape(b, paths[i], strlen(paths[i]));
    }
    hb_buf_putc(b, '\n');
}

int hb_rundir_inputs_write(const char *dir, const char *pattern, char *const *paths,
                           size_t npaths)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/inputs.tsv", dir);
    hb_buf_t b;
    hb_buf_init(&b);
    inputs_text(&b, pattern, paths, npaths);
    FILE *f = fopen(path, "w");
    int rc = f && fwrite(b.data, 1, b.len, f) == b.len ? 0 : -1;
    if (f && fclose(f) != 0)
        rc = -1;
    if (rc != 0)
        hb_error("%s: cannot write: %s", path, strerror(errno));
    hb_buf_release(&b);
    return rc;
}

int hb_rundir_inputs_same(const char *dir, const char *pattern, char *const *paths,
                          size_t npaths)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/inputs.tsv", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    hb_buf_t want, have;
    hb_buf_init(&want);
    hb_buf_init(&have);
    inputs_text(&want, pattern, paths, npaths);
    int rc = hb_buf_read_file(&have, f) == 0 ? 0 : -1;
    fclose(f);
    if (rc == 0 && (have.len != want.len || memcmp(have.data, want.data, have.len) != 0)) {
        hb_error("%s/ holds a run of other inputs; --resume takes the same paths in the same "
                 "order and the same --pattern. That run's (%s):\n%.*s", dir, path,
                 (int)have.len, have.data ? have.data : "");
        rc = 1;
    }
    hb_buf_release(&want);
    hb_buf_release(&have);
    return rc;
}
