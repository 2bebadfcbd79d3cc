#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hb_buf.h"
#include "hb_log.h"
#include "hb_mem.h"

#define MAX_DEPTH 64

typedef struct frame {
    char *dir;
    dev_t dev;
    ino_t ino;
    struct dirent **names;
    int n, next;
} frame_t;

struct hb_walk {
    char **paths;
    size_t npaths, next_path;
    const char *pattern;
    frame_t stack[MAX_DEPTH];
    int depth;
    hb_buf_t path;
    char why[160];
    unsigned long unmatched;
};

hb_walk_t *hb_walk_new(char **paths, size_t npaths, const char *pattern)
{
    hb_walk_t *w = hb_calloc(1, sizeof *w);
    w->paths = paths;
    w->npaths = npaths;
    w->pattern = pattern;
    hb_buf_init(&w->path);
    return w;
}

static void pop(hb_walk_t *w)
{
    frame_t *f = &w->stack[--w->depth];
    for (int i = 0; i < f->n; i++)
        free(f->names[i]);
    free(f->names);
    free(f->dir);
}

void hb_walk_free(hb_walk_t *w)
{
    if (!w)
        return;
    while (w->depth)
        pop(w);
    hb_buf_release(&w->path);
    free(w);
}

/* A directory that is its own ancestor is a symbolic link loop. */
static bool is_ancestor(const hb_walk_t *w, const struct stat *st)
{
    for (int i = 0; i < w->depth; i++)
        if (w->stack[i].dev == st->st_dev && w->stack[i].ino == st->st_ino)
            return true;
    return false;
}

static int skip_dots(const struct dirent *d)
{
    return strcmp(d->d_name, ".") && strcmp(d->d_name, "..");
}

/* Classifies one path: a file to return, a directory pushed, or an error. */
static hb_walk_status_t visit(hb_walk_t *w, const char *path, bool explicit_arg, bool *pushed)
{
    struct stat st;
    *pushed = false;
    if (stat(path, &st) != 0) {
        snprintf(w->why, sizeof w->why, "cannot read: %s", strerror(errno));
        return HB_WALK_ERROR;
    }
    if (S_ISDIR(st.st_mode)) {
        if (is_ancestor(w, &st)) {
            snprintf(w->why, sizeof w->why, "symbolic link loop: the directory contains itself");
            return HB_WALK_ERROR;
        }
        if (w->depth == MAX_DEPTH) {
            snprintf(w->why, sizeof w->why, "directories nested deeper than %d: skipped",
                     MAX_DEPTH);
            return HB_WALK_ERROR;
        }
        frame_t *f = &w->stack[w->depth];
        f->n = scandir(path, &f->names, skip_dots, alphasort);
        if (f->n < 0) {
            snprintf(w->why, sizeof w->why, "cannot list directory: %s", strerror(errno));
            return HB_WALK_ERROR;
        }
        f->dir = hb_strdup(path);
        f->dev = st.st_dev;
        f->ino = st.st_ino;
        f->next = 0;
        w->depth++;
        *pushed = true;
        return HB_WALK_DONE;
    }
    if (!S_ISREG(st.st_mode)) {
        if (!explicit_arg)
            return HB_WALK_DONE; /* sockets, fifos, devices inside a folder: not reports */
        snprintf(w->why, sizeof w->why, "not a regular file");
        return HB_WALK_ERROR;
    }
    if (!explicit_arg) {
        const char *base = strrchr(path, '/');
        if (fnmatch(w->pattern, base ? base + 1 : path, 0) != 0) {
            w->unmatched++;
            return HB_WALK_DONE;
        }
    }
    return HB_WALK_FILE;
}

unsigned long hb_walk_unmatched(const hb_walk_t *w)
{
    return w->unmatched;
}

hb_walk_status_t hb_walk_next(hb_walk_t *w, const char **path, const char **why)
{
    for (;;) {
        bool pushed, explicit_arg = false;
        if (w->depth) {
            frame_t *f = &w->stack[w->depth - 1];
            if (f->next == f->n) {
                pop(w);
                continue;
            }
            hb_buf_reset(&w->path);
            hb_buf_printf(&w->path, "%s%s%s", f->dir,
                          f->dir[strlen(f->dir) - 1] == '/' ? "" : "/", f->names[f->next]->d_name);
            f->next++;
        } else if (w->next_path < w->npaths) {
            hb_buf_reset(&w->path);
            hb_buf_puts(&w->path, w->paths[w->next_path++]);
            explicit_arg = true;
        } else {
            return HB_WALK_DONE;
        }
        hb_walk_status_t s = visit(w, w->path.data, explicit_arg, &pushed);
        if (s == HB_WALK_DONE)
            continue;
        *path = w->path.data;
        *why = w->why;
        return s;
    }
}
