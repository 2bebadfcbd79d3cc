#include "hb_journal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hb_buf.h"
#include "hb_log.h"
#include "hb_mem.h"
#include "hb_utf8.h"

#define HEADER "# huibao journal 2\n"

struct hb_journal {
    FILE *f;
    char path[4096];
    hb_buf_t held; /* lines not yet written */
};

static long file_size(const char *dir, const char *name)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

/* Splits a line into an entry; false when malformed. */
static bool parse(char *line, hb_journal_entry_t *e)
{
    char *field[7];
    char *p = line;
    for (int i = 0; i < 7; i++) {
        field[i] = p;
        char *tab = i < 6 ? strchr(p, '\t') : NULL;
        if (i < 6 && !tab)
            return false;
        if (tab) {
            *tab = '\0';
            p = tab + 1;
        }
    }
    char *end;
    e->doc = strtoull(field[0], &end, 10);
    if (*end || end == field[0] || !hb_journal_unescape(field[1]) ||
        !hb_journal_unescape(field[2]))
        return false;
    e->file = field[1];
    e->town = field[2];
    e->year = atoi(field[3]);
    e->paragraphs_end = strtol(field[4], NULL, 10);
    e->docs_end = strtol(field[5], NULL, 10);
    e->units = field[6];
    return *e->file && e->paragraphs_end >= 0 && e->docs_end > 0;
}

long hb_journal_replay(const char *dir, hb_journal_fn fn, void *arg, long *paragraphs_end,
                       long *docs_end, long *valid_bytes)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/resume.tsv", dir);
    *paragraphs_end = *docs_end = *valid_bytes = 0;
    FILE *in = fopen(path, "r");
    if (!in) {
        if (errno == ENOENT)
            return 0;
        hb_error("%s: cannot read: %s", path, strerror(errno));
        return -1;
    }
    long par_size = file_size(dir, "paragraphs.jsonl"), docs_size = file_size(dir, "docs.jsonl");
    char *buf = NULL;
    size_t cap = 0;
    ssize_t got;
    long n = 0;
    hb_journal_entry_t e;
    got = getline(&buf, &cap, in);
    if (got > 0 && buf[got - 1] != '\n' && !strncmp(buf, HEADER, (size_t)got))
        got = 0; /* the header itself cut short */
    if (got > 0 && strcmp(buf, HEADER) != 0) {
        hb_error("%s: not a journal of this huibao (an older version wrote it?); start afresh "
                 "with --force or another -o", path);
        free(buf);
        fclose(in);
        return -1;
    }
    if (got > 0)
        *valid_bytes = ftell(in);
    while (got > 0 && (got = getline(&buf, &cap, in)) > 0) {
        if (buf[got - 1] != '\n')
            break; /* a line cut short by a crash */
        buf[got - 1] = '\0';
        if (!parse(buf, &e) || e.paragraphs_end > par_size || e.docs_end > docs_size)
            break; /* its document did not reach the outputs whole */
        fn(arg, &e);
        *paragraphs_end = e.paragraphs_end;
        *docs_end = e.docs_end;
        *valid_bytes = ftell(in);
        n++;
    }
    free(buf);
    fclose(in);
    return n;
}

hb_journal_t *hb_journal_open(const char *dir, long keep)
{
    hb_journal_t *j = hb_calloc(1, sizeof *j);
    hb_buf_init(&j->held);
    snprintf(j->path, sizeof j->path, "%s/resume.tsv", dir);
    j->f = fopen(j->path, keep > 0 ? "a" : "w");
    if (!j->f || (keep > 0 && truncate(j->path, keep) != 0) ||
        (keep <= 0 && fputs(HEADER, j->f) == EOF)) {
        hb_error("%s: cannot write: %s", j->path, strerror(errno));
        if (j->f)
            fclose(j->f);
        free(j);
        return NULL;
    }
    return j;
}

void hb_journal_escape(hb_buf_t *b, const char *s, size_t len)
{
    if (len == 0 || (len == 1 && *s == '-')) {
        hb_buf_puts(b, len ? "\\x2d" : "-");
        return;
    }
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        size_t next = i;
        uint32_t cp;
        if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
            hb_buf_putc(b, '\\');
            hb_buf_putc(b, c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : 'r');
            i++;
        } else if (c < 0x20 || c == 0x7f ||
                   (c >= 0x80 && hb_utf8_decode(s, len, &next, &cp) != HB_UTF8_OK)) {
            hb_buf_printf(b, "\\x%02x", c);
            i++;
        } else {
            next = c < 0x80 ? i + 1 : next;
            hb_buf_append(b, s + i, next - i);
            i = next;
        }
    }
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool hb_journal_unescape(char *s)
{
    if (!strcmp(s, "-")) {
        *s = '\0';
        return true;
    }
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (*r != '\\') {
            *w++ = *r;
            continue;
        }
        r++;
        if (*r == '\\' || *r == 't' || *r == 'n' || *r == 'r') {
            *w++ = *r == '\\' ? '\\' : *r == 't' ? '\t' : *r == 'n' ? '\n' : '\r';
        } else if (*r == 'x' && hex_digit(r[1]) >= 0 && hex_digit(r[2]) >= 0 &&
                   hex_digit(r[1]) * 16 + hex_digit(r[2]) != 0) {
            *w++ = (char)(hex_digit(r[1]) * 16 + hex_digit(r[2]));
            r += 2;
        } else {
            return false;
        }
    }
    *w = '\0';
    return true;
}

void hb_journal_add(hb_journal_t *j, const hb_journal_entry_t *e)
{
    hb_buf_printf(&j->held, "%llu\t", (unsigned long long)e->doc);
    hb_journal_escape(&j->held, e->file, strlen(e->file));
    hb_buf_putc(&j->held, '\t');
    hb_journal_escape(&j->held, e->town, strlen(e->town));
    hb_buf_printf(&j->held, "\t%d\t%ld\t%ld\t%s\n", e->year, e->paragraphs_end, e->docs_end,
                  e->units);
}

size_t hb_journal_held(const hb_journal_t *j)
{
    return j ? j->held.len : 0;
}

int hb_journal_flush_to(hb_journal_t *j, size_t mark)
{
    if (!j)
        return 0;
    size_t n = mark < j->held.len ? mark : j->held.len;
    if (n == 0)
        return 0;
    bool ok = fwrite(j->held.data, 1, n, j->f) == n;
    memmove(j->held.data, j->held.data + n, j->held.len - n + 1); /* and the NUL */
    j->held.len -= n;
    if (!ok) {
        hb_error("%s: write failed: %s (disk full?)", j->path, strerror(errno));
        return -1;
    }
    return 0;
}

int hb_journal_flush(hb_journal_t *j)
{
    return hb_journal_flush_to(j, hb_journal_held(j));
}

void hb_journal_discard(hb_journal_t *j)
{
    if (j)
        hb_buf_reset(&j->held);
}

int hb_journal_close(hb_journal_t *j)
{
    if (!j)
        return 0;
    int rc = hb_journal_flush(j);
    if (fclose(j->f) != 0 && rc == 0) {
        hb_error("%s: could not be written completely: %s", j->path, strerror(errno));
        rc = -1;
    }
    hb_buf_release(&j->held);
    free(j);
    return rc;
}
