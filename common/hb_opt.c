#include "hb_opt.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hb_log.h"
#include "hb_mem.h"
#include "hb_version.h"

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

static const hb_opt_t *find(const hb_opt_t *const *tables, void *const *targets, char short_name,
                            void **target)
{
    for (size_t t = 0; tables[t]; t++)
        for (const hb_opt_t *o = tables[t]; o->name; o++)
            if (o->short_name == short_name) {
                *target = targets[t];
                return o;
            }
    return NULL;
}

/* The long options' val: LONG_VAL + their index over all tables, then
 * --help and --version. */
enum { LONG_VAL = 256 };

/* The option getopt_long returned as val (a short name or LONG_VAL + i). */
static const hb_opt_t *by_val(const hb_opt_t *const *tables, void *const *targets, int val,
                              void **target)
{
    if (val < LONG_VAL)
        return val > 0 ? find(tables, targets, (char)val, target) : NULL;
    int i = LONG_VAL;
    for (size_t t = 0; tables[t]; t++)
        for (const hb_opt_t *o = tables[t]; o->name; o++)
            if (i++ == val) {
                *target = targets[t];
                return o;
            }
    return NULL;
}

/* "--verb" when both --verbose and --verbatim exist: says which, true. */
static bool ambiguous(const struct option *longs, const char *arg)
{
    if (strncmp(arg, "--", 2))
        return false;
    size_t len = strcspn(arg + 2, "="), n = 0;
    for (const struct option *l = longs; l->name; l++)
        n += !strncmp(l->name, arg + 2, len);
    if (n < 2)
        return false;
    fprintf(stderr, "%s: option \"%.*s\" is ambiguous; it could be", hb_log_program(),
            (int)len + 2, arg);
    for (const struct option *l = longs; l->name; l++)
        if (!strncmp(l->name, arg + 2, len))
            fprintf(stderr, " --%s", l->name);
    fputc('\n', stderr);
    return true;
}

int hb_opt_parse(const hb_opt_t *const *tables, void *const *targets, int argc, char **argv,
                 int first, char **args, int *nargs)
{
    size_t count = 0;
    for (size_t t = 0; tables[t]; t++)
        for (const hb_opt_t *o = tables[t]; o->name; o++, count++)
            if (o->def && set_value(o, targets[t], o->def) != 0)
                abort(); /* a bad default is a programming error */
    /* getopt_long's tables from ours: "-" hands operands back in order (no
     * permuting, whatever POSIXLY_CORRECT says), ":" reports a missing value
     * as ':' so that every message is ours. */
    struct option *longs = hb_calloc(count + 3, sizeof *longs);
    char *shorts = hb_calloc(3 * count + 5, 1);
    size_t nl = 0, ns = 0;
    shorts[ns++] = '-';
    shorts[ns++] = ':';
    shorts[ns++] = 'h';
    const int help = LONG_VAL + (int)count, version = help + 1;
    for (size_t t = 0; tables[t]; t++)
        for (const hb_opt_t *o = tables[t]; o->name; o++, nl++) {
            int has_arg = o->type == HB_OPT_FLAG ? no_argument : required_argument;
            longs[nl] = (struct option){o->name, has_arg, NULL, LONG_VAL + (int)nl};
            if (o->short_name) {
                shorts[ns++] = o->short_name;
                if (has_arg)
                    shorts[ns++] = ':';
            }
        }
    longs[nl++] = (struct option){"help", no_argument, NULL, help};
    longs[nl++] = (struct option){"version", no_argument, NULL, version};

    /* getopt_long reads base[1..]: base[0] is the program or the command. */
    char **base = argv + first - 1;
    int nbase = argc - first + 1, n = 0, rc = HB_OPT_OK, c;
    optind = 0; /* start afresh, as the unit tests parse more than once */
    opterr = 0;
    while (rc == HB_OPT_OK && (c = getopt_long(nbase, base, shorts, longs, NULL)) != -1) {
        void *target = NULL;
        const hb_opt_t *o = by_val(tables, targets, c == '?' || c == ':' ? optopt : c, &target);
        if (c == 1 && !args) {
            fprintf(stderr, "%s: unexpected argument \"%s\" (see --help)\n", hb_log_program(),
                    optarg);
            rc = HB_OPT_USAGE;
        } else if (c == 1) {
            args[n++] = optarg;
        } else if (c == 'h' || c == help) {
            rc = HB_OPT_HELP;
        } else if (c == version) {
            printf("%s %s\n", hb_log_program(), HB_VERSION);
            fflush(stdout);
            exit(0);
        } else if (c == ':' && o) {
            fprintf(stderr, "%s: --%s needs a value (%s)\n", hb_log_program(), o->name,
                    o->metavar ? o->metavar : "see --help");
            rc = HB_OPT_USAGE;
        } else if (c == '?' && optopt >= LONG_VAL) {
            fprintf(stderr, "%s: --%s takes no value\n", hb_log_program(),
                    longs[optopt - LONG_VAL].name);
            rc = HB_OPT_USAGE;
        } else if (c == '?' || !o) {
            if (optopt > 0)
                fprintf(stderr, "%s: unknown option \"-%c\" (see --help)\n", hb_log_program(),
                        optopt);
            else if (ambiguous(longs, base[optind - 1]))
                rc = HB_OPT_USAGE; /* said */
            else
                fprintf(stderr, "%s: unknown option \"%s\" (see --help)\n", hb_log_program(),
                        base[optind - 1]);
            rc = HB_OPT_USAGE;
        } else if (set_value(o, target, o->type == HB_OPT_FLAG ? "1" : optarg) != 0) {
            rc = HB_OPT_USAGE;
        }
    }
    /* What follows "--" is operands, even when it starts with '-'. */
    for (int i = optind; rc == HB_OPT_OK && i < nbase; i++) {
        if (!args) {
            fprintf(stderr, "%s: unexpected argument \"%s\" (see --help)\n", hb_log_program(),
                    base[i]);
            rc = HB_OPT_USAGE;
        } else {
            args[n++] = base[i];
        }
    }
    free(longs);
    free(shorts);
    if (nargs)
        *nargs = n;
    return rc;
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
            /* A help that says its default in words ("one per core") is not
             * followed by the value that stands for it ("-1"). */
            if (o->def && o->type != HB_OPT_FLAG && !strstr(o->help, "(default:"))
                fprintf(out, " (default: %s)", o->def);
            fputc('\n', out);
        }
    fprintf(out, "  %-30s %s\n", "-h, --help", "show this help and exit");
    fprintf(out, "  %-30s %s\n", "    --version", "show the version and exit");
}
