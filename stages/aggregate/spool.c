#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb_log.h"

void hb_spool_init(hb_spool_t *s, size_t limit)
{
    hb_buf_init(&s->mem);
    s->spilled = 0;
    s->fd = -1;
    s->limit = limit;
    s->in_memory = false;
}

void hb_spool_release(hb_spool_t *s)
{
    hb_buf_release(&s->mem);
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    s->spilled = 0;
}

static int open_file(void)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    if (!dir || !*dir)
        dir = "/tmp";
    if ((size_t)snprintf(path, sizeof path, "%s/huibao-spool-XXXXXX", dir) >= sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd >= 0)
        unlink(path);
    return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w == 0)
            errno = EIO;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

void hb_spool_settle(hb_spool_t *s)
{
    if (s->in_memory || s->mem.len < s->limit)
        return;
    if (s->fd < 0)
        s->fd = open_file();
    /* A failed or partial write leaves the memory as it was, and no write
     * follows it: every byte stays readable from where it was. */
    if (s->fd < 0 || write_all(s->fd, s->mem.data, s->mem.len) != 0) {
        hb_warn("a long document's output could not go to a temporary file in $TMPDIR (%s); "
                "keeping it in memory. Set TMPDIR to a folder with room to bound the memory",
                strerror(errno));
        s->in_memory = true;
        return;
    }
    s->spilled += s->mem.len;
    /* A single huge unit would leave a huge buffer behind: give it back. */
    if (s->mem.cap > 2 * s->limit)
        hb_buf_release(&s->mem);
    else
        hb_buf_reset(&s->mem);
}

int hb_spool_read(const hb_spool_t *s, uint64_t off, size_t len, hb_buf_t *out)
{
    if (off < s->spilled) {
        size_t from_file = off + len <= s->spilled ? len : (size_t)(s->spilled - off);
        hb_buf_reserve(out, from_file);
        size_t got = 0;
        while (got < from_file) {
            ssize_t r = pread(s->fd, out->data + out->len + got, from_file - got,
                              (off_t)(off + got));
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                hb_error("reading back a long document from its temporary file in $TMPDIR: %s",
                         r < 0 ? strerror(errno) : "the file is shorter than written");
                return -1;
            }
            got += (size_t)r;
        }
        out->len += from_file;
        out->data[out->len] = '\0'; /* hb_buf's promise */
        off += from_file;
        len -= from_file;
    }
    if (len > 0)
        hb_buf_append(out, s->mem.data + (off - s->spilled), len);
    return 0;
}
