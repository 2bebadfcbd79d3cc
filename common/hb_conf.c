#include "hb_conf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb_buf.h"
#include "hb_log.h"
#include "hb_mem.h"
#include "hb_utf8.h"

static const char *trim(char *s, char **end_out)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
    *e = '\0';
    if (end_out)
        *end_out = e;
    return s;
}

void hb_conf_free(hb_conf_t *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free((char *)c->entries[i].key);
        free((char *)c->entries[i].value);
    }
    /* Section and name strings belong to the sections list. */
    for (size_t i = 0; i < c->nsections; i++) {
        free((char *)c->sections[i].section);
        free((char *)c->sections[i].name);
    }
    free(c->sections);
    free(c->entries);
    free(c->path);
    free(c);
}

static void add_section(hb_conf_t *c, char *section, char *name, int line)
{
    c->sections = hb_realloc(c->sections, (c->nsections + 1) * sizeof *c->sections);
    c->sections[c->nsections++] = (hb_conf_section_t){section, name, line};
}

hb_conf_t *hb_conf_parse(const char *path, const char *text, size_t len)
{
    size_t bad;
    if (!hb_utf8_valid(text, len, &bad)) {
        int line = 1;
        for (size_t i = 0; i < bad; i++)
            line += text[i] == '\n';
        hb_error("%s:%d: not valid UTF-8 (byte %zu); save the file as UTF-8", path, line, bad);
        return NULL;
    }
    hb_conf_t *c = hb_calloc(1, sizeof *c);
    c->path = hb_strdup(path);
    size_t cap = 0;
    char *copy = hb_strndup(text, len);
    int lineno = 0;
    char *p = copy;
    while (p) {
        char *line = p;
        char *nl = strchr(p, '\n');
        if (nl) {
            *nl = '\0';
            p = nl + 1;
        } else {
            p = NULL;
        }
        lineno++;
        const char *s = trim(line, NULL);
        if (lineno == 1 && !strncmp(s, "\xEF\xBB\xBF", 3))
            s += 3;
        if (*s == '\0' || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            const char *close = strchr(s, ']');
            if (!close || close[1] != '\0') {
                hb_error("%s:%d: a section header must look like [section] or [section name]",
                         path, lineno);
                goto fail;
            }
            char *inner = hb_strndup(s + 1, (size_t)(close - s - 1));
            char *body = (char *)trim(inner, NULL);
            char *sp = strpbrk(body, " \t");
            if (sp)
                *sp = '\0';
            add_section(c, hb_strdup(body), hb_strdup(sp ? trim(sp + 1, NULL) : ""), lineno);
            free(inner);
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            hb_error("%s:%d: expected \"key = value\", a [section] or a # comment", path, lineno);
            goto fail;
        }
        *eq = '\0';
        const char *key = trim((char *)s, NULL);
        const char *value = trim(eq + 1, NULL);
        if (!*key) {
            hb_error("%s:%d: a value without a key", path, lineno);
            goto fail;
        }
        if (c->nsections == 0)
            add_section(c, hb_strdup(""), hb_strdup(""), lineno);
        const hb_conf_section_t *sec = &c->sections[c->nsections - 1];
        if (c->n == cap) {
            cap = cap ? cap * 2 : 64;
            c->entries = hb_realloc(c->entries, cap * sizeof *c->entries);
        }
        c->entries[c->n++] = (hb_conf_entry_t){sec->section, sec->name, hb_strdup(key),
                                               hb_strdup(value), lineno};
    }
    free(copy);
    return c;
fail:
    free(copy);
    hb_conf_free(c);
    return NULL;
}

hb_conf_t *hb_conf_load(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        hb_error("%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    hb_buf_t b;
    hb_buf_init(&b);
    int err = hb_buf_read_file(&b, f);
    fclose(f);
    if (err) {
        hb_error("%s: read error: %s", path, strerror(errno));
        hb_buf_release(&b);
        return NULL;
    }
    hb_conf_t *c = hb_conf_parse(path, b.data, b.len);
    hb_buf_release(&b);
    return c;
}

const char *hb_conf_default(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "configs/%s", name);
    if (access(buf, R_OK) == 0)
        return buf;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        const char *const where[] = {"%s/../configs/%s", "%s/../share/huibao/configs/%s"};
        for (size_t i = 0; i < 2; i++) {
            int k = snprintf(buf, len, where[i], exe, name);
            if (k > 0 && (size_t)k < len && access(buf, R_OK) == 0)
                return buf;
        }
    }
    snprintf(buf, len, "configs/%s", name); /* not found: the error will name this */
    return buf;
}

const char *hb_conf_get(const hb_conf_t *c, const char *section, const char *key, const char *def)
{
    const char *v = def;
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->entries[i].section, section) && !strcmp(c->entries[i].key, key))
            v = c->entries[i].value;
    return v;
}
