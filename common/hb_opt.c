#include "hb_opt.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hb_log.h"

static int set_value(const hb_opt_t *o, void *target, const char *val)
{
    char *end;
    char *field = (char *)target + o->offset;
    switch (o->type) {
    case HB_OPT_STR:
        *(const char **)field = val;
        return 0;
    case HB_OPT_FLAG:
        *(int *)field = val != NULL;
        return 0;
    case HB_OPT_INT: {
        errno = 0;
        long v = strtol(val, &end, 10);
        if (errno || end == val || *end) {
            fprintf(stderr, "%s: --%s expects a whole number, got \"%s\"\n", hb_log_program(),
                    o->name, val);
            return -1;
        }
        if (o->min < o->max && (v < o->min || v > o->max)) {
            fprintf(stderr, "%s: --%s must be between %.0f and %.0f, got %ld\n", hb_log_program(),
                    o->name, o->min, o->max, v);
            return -1;
        }
        *(long *)field = v;
        return 0;
    }
    case HB_OPT_DOUBLE: {
        errno = 0;
        double v = strtod(val, &end);
        if (errno || end == val || *end) {
            fprintf(stderr, "%s: --%s expects a number, got \"%s\"\n", hb_log_program(), o->name,
                    val);
            return -1;
        }
        if (o->min < o->max && (v < o->min || v > o->max)) {
            fprintf(stderr, "%s: --%s must be between %g and %g, got %g\n", hb_log_program(),
                    o->name, o->min, o->max, v);
            return -1;
        }
        *(double *)field = v;
        return 0;
    }
    }
    return -1;
}

static const hb_opt_t *find(const hb_opt_t *const *tables, void *const *targets, const char *name,
                            size_t namelen, char short_name, void **target)
{
    for (size_t t = 0; tables[t]; t++)
        for (const hb_opt_t *o = tables[t]; o->name; o++) {
            bool hit = short_name ? o->short_name == short_name
                                  : strlen(o->name) == namelen && !strncmp(o->name, name, namelen);
            if (hit) {
                *target = targets[t];
                return o;
            }
        }
    return NULL;
}

int hb_opt_parse(const hb_opt_t *const *tables, void *const *targets, int argc, char **argv,
                 int first, char **args, int *nargs)
{
    for (size_t t = 0; tables[t]; t++)
        for (const hb_opt_t *o = tables[t]; o->name; o++)
            if (o->def && set_value(o, targets[t], o->def) != 0)
                abort(); /* a bad default is a programming error */
    int n = 0;
    bool only_args = false;
    for (int i = first; i < argc; i++) {
        char *a = argv[i];
        if (only_args || a[0] != '-' || a[1] == '\0') {
            if (!args) {
                fprintf(stderr, "%s: unexpected argument \"%s\" (see --help)\n", hb_log_program(), a);
                return HB_OPT_USAGE;
            }
            args[n++] = a;
            continue;
        }
        if (!strcmp(a, "--")) {
            only_args = true;
            continue;
        }
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            return HB_OPT_HELP;
        const char *name = a[1] == '-' ? a + 2 : a + 1;
        const char *eq = a[1] == '-' ? strchr(name, '=') : NULL;
        size_t namelen = eq ? (size_t)(eq - name) : strlen(name);
        void *target = NULL;
        const hb_opt_t *o = a[1] == '-' ? find(tables, targets, name, namelen, 0, &target)
                            : a[2] == '\0' ? find(tables, targets, NULL, 0, a[1], &target)
                                           : NULL;
        if (!o) {
            fprintf(stderr, "%s: unknown option \"%s\" (see --help)\n", hb_log_program(), a);
            return HB_OPT_USAGE;
        }
        const char *val = eq ? eq + 1 : NULL;
        if (o->type == HB_OPT_FLAG) {
            if (eq) {
                fprintf(stderr, "%s: --%s takes no value\n", hb_log_program(), o->name);
                return HB_OPT_USAGE;
            }
            val = "1";
        } else if (!val) {
            if (i + 1 >= argc) {
                fprintf(stderr, "%s: --%s needs a value (%s)\n", hb_log_program(), o->name,
                        o->metavar ? o->metavar : "see --help");
                return HB_OPT_USAGE;
            }
            val = argv[++i];
        }
        if (set_value(o, target, val) != 0)
            return HB_OPT_USAGE;
    }
    if (nargs)
        *nargs = n;
    return HB_OPT_OK;
}

void hb_opt_usage(FILE *out, const char *synopsis, const char *description,
                  const hb_opt_t *const *tables)
{
    fprintf(out, "usage: %s\n\n%s\n\noptions:\n", synopsis, description);
    for (size_t t = 0; tables[t]; t++)
        for (const hb_opt_t *o = tables[t]; o->name; o++) {
            char left[64];
            const char *mv = o->type == HB_OPT_FLAG ? "" : o->metavar ? o->metavar : "VALUE";
            if (o->short_name)
                snprintf(left, sizeof left, "-%c, --%s %s", o->short_name, o->name, mv);
            else
                snprintf(left, sizeof left, "    --%s %s", o->name, mv);
            fprintf(out, "  %-30s %s", left, o->help);
            if (o->def && o->type != HB_OPT_FLAG)
                fprintf(out, " (default: %s)", o->def);
            fputc('\n', out);
        }
    fprintf(out, "  %-30s %s\n", "-h, --help", "show this help and exit");
}
