/* hb_opt: declared command-line options, as Fluent Bit's config_map.
 *
 * A program declares its options once, as a table of hb_opt_t pointing
 * (by offset) into its own options struct; hb_opt_parse() fills the struct
 * from defaults and argv, and hb_opt_usage() prints --help from the same
 * table, so the documentation cannot drift from the parser.
 *
 * Strings point into argv or into the table's defaults: nothing to free. */
#ifndef HB_OPT_H
#define HB_OPT_H

#include <stddef.h>
#include <stdio.h>

enum hb_opt_type {
    HB_OPT_STR,    /* const char * */
    HB_OPT_INT,    /* long */
    HB_OPT_DOUBLE, /* double */
    HB_OPT_FLAG    /* int, set to 1 when given; takes no value */
};

typedef struct hb_opt {
    const char *name; /* long name, without "--" */
    char short_name;  /* 0 for none */
    enum hb_opt_type type;
    size_t offset;    /* offsetof(options struct, field) */
    const char *def;  /* default value as text, NULL for none */
    const char *metavar;
    const char *help;
    double min, max; /* for numbers: the allowed range, when min < max */
} hb_opt_t;

#define HB_OPT_END {NULL, 0, HB_OPT_STR, 0, NULL, NULL, NULL, 0, 0}

enum { HB_OPT_OK = 0, HB_OPT_HELP = 1, HB_OPT_USAGE = -1 };

/* Parses argv[first..argc) with getopt_long, so as GNU tools do: "-j2",
 * "-j 2", "--jobs=2", "--jobs 2", bundled flags ("-qv"), an unambiguous
 * prefix of a long name ("--verb"), and "--" ending the options.
 * Non-option arguments are copied, in order, to args[0..*nargs) (args must
 * have room for argc entries; may be NULL when the program takes none).
 * Every table is applied in order; a name found in none is a usage error.
 * "--help"/"-h" returns HB_OPT_HELP; "--version" prints "PROGRAM VERSION"
 * (hb_log_program(), hb_version.h) on stdout and exits 0.  Errors are
 * printed to stderr as "PROGRAM: ..." and return HB_OPT_USAGE.  Not
 * reentrant (getopt's state is global); argv is not reordered. */
int hb_opt_parse(const hb_opt_t *const *tables, void *const *targets, int argc, char **argv,
                 int first, char **args, int *nargs);

/* Prints "usage: SYNOPSIS", the description and every option of every table. */
void hb_opt_usage(FILE *out, const char *synopsis, const char *description,
                  const hb_opt_t *const *tables);

#endif
