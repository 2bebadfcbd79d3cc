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

struct hb_journal {
    FILE *f;
    char path[4096];
    hb_buf_t line;
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
    char *field[6];
    char *p = line;
    for (int i = 0; i < 6; i++) {
        field[i] = p;
        char *tab = i < 5 ? strchr(p, '\t') : NULL;
        if (i < 5 && !tab)
            return false;
        if (tab) {
            *tab = '\0';
            p = tab + 1;
        }
    }
    e->file = field[0];
    e->town = strcmp(field[1], "-") ? field[1] : "";
    e->year = atoi(field[2]);
    e->paragraphs_end = strtol(field[3], NULL, 10);
    e->docs_end = strtol(field[4], NULL, 10);
    e->units = field[5];
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
    while ((got = getline(&buf, &cap, in)) > 0) {
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
    hb_buf_init(&j->line);
    snprintf(j->path, sizeof j->path, "%s/resume.tsv", dir);
    j->f = fopen(j->path, keep >= 0 ? "a" : "w");
    if (!j->f || (keep >= 0 && truncate(j->path, keep) != 0)) {
        hb_error("%s: cannot write: %s", j->path, strerror(errno));
        if (j->f)
            fclose(j->f);
        free(j);
        return NULL;
    }
    return j;
}

/* Tabs and line breaks would break the line format. */
static void put_field(hb_buf_t *b, const char *s)
{
    if (!s || !*s) {
        hb_buf_putc(b, '-');
        return;
    }
    for (; *s; s++)
        hb_buf_putc(b, *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

int hb_journal_add(hb_journal_t *j, const hb_journal_entry_t *e)
{
    hb_buf_reset(&j->line);
    put_field(&j->line, e->file);
    hb_buf_putc(&j->line, '\t');
    put_field(&j->line, e->town);
    hb_buf_printf(&j->line, "\t%d\t%ld\t%ld\t%s\n", e->year, e->paragraphs_end, e->docs_end,
                  e->units);
    if (fwrite(j->line.data, 1, j->line.len, j->f) != j->line.len) {
        hb_error("%s: write failed: %s (disk full?)", j->path, strerror(errno));
        return -1;
    }
    return 0;
}

int hb_journal_close(hb_journal_t *j)
{
    if (!j)
        return 0;
    int rc = 0;
    if (fclose(j->f) != 0) {
        hb_error("%s: could not be written completely: %s", j->path, strerror(errno));
        rc = -1;
    }
    hb_buf_release(&j->line);
    free(j);
    return rc;
}
