/* hb_opt: the getopt_long conventions a user of GNU tools expects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "hb_test.h"

#include "hb_log.h"
#include "hb_opt.h"
#include "hb_version.h"

typedef struct opts {
    long jobs;
    const char *out;
    int quiet, verbose;
} opts_t;

static const hb_opt_t OPTS[] = {
    {"jobs", 'j', HB_OPT_INT, offsetof(opts_t, jobs), "1", "N", "workers", 0, 255},
    {"output", 'o', HB_OPT_STR, offsetof(opts_t, out), "out", "DIR", "results"},
    {"quiet", 'q', HB_OPT_FLAG, offsetof(opts_t, quiet), NULL, NULL, "say less"},
    {"verbose", 'v', HB_OPT_FLAG, offsetof(opts_t, verbose), NULL, NULL, "say more"},
    {"verbatim", 0, HB_OPT_FLAG, offsetof(opts_t, verbose), NULL, NULL, "a prefix rival"},
    HB_OPT_END,
};

/* Parses the NULL-terminated argv from argv[first]; *err gets stderr. */
static int parse_from(char **argv, int first, opts_t *o, char **args, int *nargs, char **err)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    memset(o, 0, sizeof *o);
    const hb_opt_t *const tables[] = {OPTS, NULL};
    void *const targets[] = {o, NULL};
    capture_t cap;
    capture_start(&cap);
    int rc = hb_opt_parse(tables, targets, argc, argv, first, args, nargs);
    *err = capture_end(&cap);
    return rc;
}

static long jobs_of(char **argv)
{
    opts_t o;
    char *err;
    assert_int_equal(parse_from(argv, 1, &o, NULL, NULL, &err), HB_OPT_OK);
    assert_string_equal(err, "");
    free(err);
    return o.jobs;
}

static void test_value_forms(void **state)
{
    (void)state;
    char *a1[] = {"prog", "-j2", NULL};
    assert_int_equal(jobs_of(a1), 2);
    char *a2[] = {"prog", "-j", "3", NULL};
    assert_int_equal(jobs_of(a2), 3);
    char *a3[] = {"prog", "--jobs=4", NULL};
    assert_int_equal(jobs_of(a3), 4);
    char *a4[] = {"prog", "--jobs", "5", NULL};
    assert_int_equal(jobs_of(a4), 5);
    char *a5[] = {"prog", "--jo=6", NULL}; /* an unambiguous prefix */
    assert_int_equal(jobs_of(a5), 6);
    char *a6[] = {"prog", "-qj7", NULL}; /* a flag, then a short option and its value */
    assert_int_equal(jobs_of(a6), 7);
}

static void test_bundled_flags(void **state)
{
    (void)state;
    char *argv[] = {"prog", "-qv", "-o-", NULL};
    opts_t o;
    char *err;
    assert_int_equal(parse_from(argv, 1, &o, NULL, NULL, &err), HB_OPT_OK);
    free(err);
    assert_int_equal(o.quiet, 1);
    assert_int_equal(o.verbose, 1);
    assert_string_equal(o.out, "-");
}

static void test_double_dash_ends_options(void **state)
{
    (void)state;
    char *argv[] = {"prog", "run", "a", "-j", "2", "b", "--", "-q", "--jobs=9", "-", NULL};
    char *copy[11];
    memcpy(copy, argv, sizeof copy);
    opts_t o;
    char *args[10], *err;
    int nargs = -1;
    assert_int_equal(parse_from(argv, 2, &o, args, &nargs, &err), HB_OPT_OK);
    free(err);
    assert_int_equal(o.jobs, 2);
    assert_int_equal(o.quiet, 0);
    assert_int_equal(nargs, 5);
    const char *want[] = {"a", "b", "-q", "--jobs=9", "-"};
    for (int i = 0; i < 5; i++)
        assert_string_equal(args[i], want[i]);
    assert_memory_equal(argv, copy, sizeof copy); /* argv is not reordered */
}

static void expect_usage(char **argv, const char *words)
{
    opts_t o;
    char *args[8], *err;
    int nargs;
    assert_int_equal(parse_from(argv, 1, &o, args, &nargs, &err), HB_OPT_USAGE);
    char want[128];
    snprintf(want, sizeof want, "%s: %s", hb_log_program(), words);
    if (!strstr(err, want))
        fail_msg("\"%s\" not in \"%s\"", want, err);
    free(err);
}

static void test_errors_say_program_and_option(void **state)
{
    (void)state;
    char *a1[] = {"prog", "--verb", NULL}; /* --verbose or --verbatim */
    expect_usage(a1, "option \"--verb\" is ambiguous; it could be --verbose --verbatim");
    char *a2[] = {"prog", "-qz", NULL};
    expect_usage(a2, "unknown option \"-z\"");
    char *a3[] = {"prog", "-j", NULL};
    expect_usage(a3, "--jobs needs a value (N)");
    char *a4[] = {"prog", "--jobs", NULL};
    expect_usage(a4, "--jobs needs a value (N)");
    char *a5[] = {"prog", "-jx", NULL};
    expect_usage(a5, "--jobs expects a whole number, got \"x\"");
    char *a6[] = {"prog", "--quiet=yes", NULL};
    expect_usage(a6, "--quiet takes no value");
    char *a7[] = {"prog", "--help=1", NULL};
    expect_usage(a7, "--help takes no value");
    char *a9[] = {"prog", "--verbo=x", NULL}; /* a prefix of one name: that name */
    expect_usage(a9, "--verbose takes no value");
    char *a10[] = {"prog", "--nope", NULL};
    expect_usage(a10, "unknown option \"--nope\"");
    char *a8[] = {"prog", "-j300", NULL};
    expect_usage(a8, "--jobs must be between 0 and 255, got 300");
}

static void test_help_forms(void **state)
{
    (void)state;
    opts_t o;
    char *args[4], *err;
    int nargs;
    char *a1[] = {"prog", "-qh", NULL};
    assert_int_equal(parse_from(a1, 1, &o, args, &nargs, &err), HB_OPT_HELP);
    free(err);
    char *a2[] = {"prog", "--he", NULL};
    assert_int_equal(parse_from(a2, 1, &o, args, &nargs, &err), HB_OPT_HELP);
    free(err);
}

/* --version prints "PROGRAM VERSION" and exits 0: in a child. */
static void test_version(void **state)
{
    (void)state;
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    fflush(stdout);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fd[1], 1);
        hb_log_init("hb-test");
        char *argv[] = {"prog", "-q", "--version", "--bogus", NULL};
        opts_t o;
        const hb_opt_t *const tables[] = {OPTS, NULL};
        void *const targets[] = {&o, NULL};
        hb_opt_parse(tables, targets, 4, argv, 1, NULL, NULL);
        _exit(99); /* not reached */
    }
    close(fd[1]);
    char out[128] = "";
    ssize_t n = read(fd[0], out, sizeof out - 1);
    close(fd[0]);
    int ws;
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    assert_true(WIFEXITED(ws));
    assert_int_equal(WEXITSTATUS(ws), 0);
    assert_true(n > 0);
    assert_string_equal(out, "hb-test " HB_VERSION "\n");
}

/* A default said in the help's words is not followed by the value that
 * stands for it: "(default: -1, one per core)", not "… (default: -1)". */
static void test_usage_default_in_words(void **state)
{
    (void)state;
    static const hb_opt_t table[] = {
        {"jobs", 'j', HB_OPT_INT, 0, "-1", "N", "workers (default: -1, one per core)", -1, 255},
        {"window", 'w', HB_OPT_INT, 0, "64", "N", "documents in flight", 1, 1000},
        HB_OPT_END,
    };
    const hb_opt_t *const tables[] = {table, NULL};
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    hb_opt_usage(f, "t", "d", tables);
    fclose(f);
    assert_non_null(strstr(text, "workers (default: -1, one per core)\n"));
    assert_non_null(strstr(text, "documents in flight (default: 64)\n"));
    free(text);
}

int main(void)
{
    hb_log_init("test_common_opt");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value_forms),
        cmocka_unit_test(test_bundled_flags),
        cmocka_unit_test(test_double_dash_ends_options),
        cmocka_unit_test(test_errors_say_program_and_option),
        cmocka_unit_test(test_help_forms),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_usage_default_in_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
