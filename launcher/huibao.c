/* huibao: the launcher.
 *
 *   huibao run -o out/ reports/     read → split → classify ×N → aggregate
 *
 * Starts every stage as its own process on this machine, wired over ipc
 * sockets in a private temporary folder, waits for the aggregator to finish,
 * restarts a split or classify worker that dies (the reader re-sends what it
 * held), then stops the workers.  Exit status: 0 when every input was used,
 * 3 when some inputs were rejected (the rest are written), 1 on a fatal
 * error, 2 on a usage error, 130 when interrupted.
 *
 * Ctrl-C: the first one stops the reader taking files; what was handed out
 * is finished and written, and `huibao run --resume` later continues where
 * it stopped.  A second Ctrl-C stops everything at once. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hb_log.h"
#include "hb_mem.h"
#include "hb_opt.h"

#define MAX_WORKERS 256
#define MAX_RESTARTS 20

typedef struct run_opts {
    const char *outdir, *pattern, *meta, *topics, *figures;
    long jobs, window;
    double retry_after;
    int quiet, verbose, no_progress, resume;
} run_opts_t;

static const hb_opt_t run_options[] = {
    {"output", 'o', HB_OPT_STR, offsetof(run_opts_t, outdir), "out", "DIR",
     "folder for the results"},
    {"jobs", 'j', HB_OPT_INT, offsetof(run_opts_t, jobs), "0", "N",
     "classify workers (0: one per core)"},
    {"pattern", 'p', HB_OPT_STR, offsetof(run_opts_t, pattern), "*.txt", "GLOB",
     "file names to take inside folders"},
    {"meta", 'm', HB_OPT_STR, offsetof(run_opts_t, meta), NULL, "CSV",
     "file,town,county,year rows for what neither text nor path tells"},
    {"topics", 't', HB_OPT_STR, offsetof(run_opts_t, topics), NULL, "FILE",
     "topic rules (default: configs/topics.conf beside the programs)"},
    {"figures", 'f', HB_OPT_STR, offsetof(run_opts_t, figures), NULL, "FILE",
     "figure rules (default: configs/figures.conf beside the programs)"},
    {"window", 'w', HB_OPT_INT, offsetof(run_opts_t, window), "64", "N",
     "documents in flight at most"},
    {"retry-after", 0, HB_OPT_DOUBLE, offsetof(run_opts_t, retry_after), "30", "SECONDS",
     "send a document again when it is not written within this time"},
    {"resume", 0, HB_OPT_FLAG, offsetof(run_opts_t, resume), NULL, NULL,
     "continue an interrupted run in the output folder: skip what it wrote"},
    {"no-progress", 0, HB_OPT_FLAG, offsetof(run_opts_t, no_progress), NULL, NULL,
     "no progress line, even on a terminal"},
    {"quiet", 'q', HB_OPT_FLAG, offsetof(run_opts_t, quiet), NULL, NULL, "log errors only"},
    {"verbose", 'v', HB_OPT_FLAG, offsetof(run_opts_t, verbose), NULL, NULL,
     "log debug details"},
    HB_OPT_END,
};

typedef struct child {
    const char *role;
    char **argv; /* owned */
    pid_t pid;
    int restarts;
    bool restartable;
} child_t;

static char bindir[PATH_MAX];
static volatile sig_atomic_t signals;

static void on_signal(int sig)
{
    (void)sig;
    signals++;
}

static void usage_main(FILE *out)
{
    fprintf(out, "usage: huibao COMMAND [options]\n\n"
                 "huibao reads Chinese local-government work reports in bulk: it splits them\n"
                 "into sections and units, classifies each unit by topic and kind, extracts the\n"
                 "figures it quotes and tallies everything per town, year and topic.\n\n"
                 "commands:\n"
                 "  run [options] PATH...   run the whole pipeline on files and folders\n"
                 "  help                    show this help\n\n"
                 "Each stage is also a program of its own (huibao-read, huibao-split,\n"
                 "huibao-classify, huibao-aggregate) for runs across machines; see their --help.\n");
}

/* argv built from a NULL-terminated list of strings, copied. */
static char **make_argv(const char *first, ...)
{
    char **v = hb_calloc(64, sizeof *v);
    va_list ap;
    va_start(ap, first);
    size_t n = 0;
    for (const char *s = first; s && n < 63; s = va_arg(ap, const char *))
        v[n++] = hb_strdup(s);
    va_end(ap);
    return v;
}

static void argv_push(char **v, const char *s)
{
    size_t n = 0;
    while (v[n])
        n++;
    if (n < 63)
        v[n] = hb_strdup(s);
}

static void free_argv(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

static int start(child_t *c)
{
    pid_t pid = fork();
    if (pid < 0) {
        hb_error("cannot start %s: %s", c->role, strerror(errno));
        return -1;
    }
    if (pid == 0) {
        /* The launcher decides how children stop: Ctrl-C at the terminal
         * reaches it alone, and a child dies with it. */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        execv(c->argv[0], c->argv);
        fprintf(stderr, "huibao: cannot run %s: %s\n", c->argv[0], strerror(errno));
        _exit(127);
    }
    c->pid = pid;
    return 0;
}

static void stop_all(child_t *kids, size_t n, int sig)
{
    for (size_t i = 0; i < n; i++)
        if (kids[i].pid > 0)
            kill(kids[i].pid, sig);
}

/* Waits up to seconds for every child to exit, then kills what is left. */
static void reap_all(child_t *kids, size_t n, double seconds)
{
    for (int tick = 0; tick < (int)(seconds * 20); tick++) {
        bool alive = false;
        for (size_t i = 0; i < n; i++)
            if (kids[i].pid > 0) {
                if (waitpid(kids[i].pid, NULL, WNOHANG) == kids[i].pid)
                    kids[i].pid = 0;
                else
                    alive = true;
            }
        if (!alive)
            return;
        usleep(50000);
    }
    stop_all(kids, n, SIGKILL);
    for (size_t i = 0; i < n; i++)
        if (kids[i].pid > 0)
            waitpid(kids[i].pid, NULL, 0);
}

static const char *config_path(const char *given, const char *name, char *buf, size_t len)
{
    if (given)
        return given;
    const char *const where[] = {"%s/../configs/%s", "%s/../share/huibao/configs/%s"};
    for (size_t i = 0; i < 2; i++) {
        int k = snprintf(buf, len, where[i], bindir, name);
        if (k > 0 && (size_t)k < len && access(buf, R_OK) == 0)
            return buf;
    }
    snprintf(buf, len, "configs/%s", name);
    return buf;
}

static void remove_tree(const char *dir)
{
    const char *const socks[] = {"docs", "acks", "agg", NULL};
    char p[PATH_MAX];
    for (size_t i = 0; socks[i]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, socks[i]);
        unlink(p);
    }
    for (int i = 0; i < MAX_WORKERS; i++) {
        snprintf(p, sizeof p, "%s/split%d", dir, i);
        unlink(p);
    }
    rmdir(dir);
}

static int cmd_run(int argc, char **argv)
{
    run_opts_t o;
    memset(&o, 0, sizeof o);
    const hb_opt_t *tables[] = {run_options, NULL};
    void *targets[] = {&o, NULL};
    char **paths = hb_calloc((size_t)argc + 1, sizeof *paths);
    int npaths = 0;
    int rc = hb_opt_parse(tables, targets, argc, argv, 2, paths, &npaths);
    if (rc == HB_OPT_HELP) {
        hb_opt_usage(stdout, "huibao run [options] PATH...",
                     "Run read → split → classify ×N → aggregate on this machine over the files "
                     "and folders given (folders recursively). Results go to the output folder: "
                     "paragraphs.jsonl, docs.jsonl, towns.csv, summary.json, errors.jsonl.\n"
                     "Exit status: 0 every input used, 3 some inputs rejected (the rest written), "
                     "1 fatal error, 2 usage error.",
                     tables);
        free(paths);
        return 0;
    }
    if (rc != HB_OPT_OK || npaths == 0 || o.jobs < 0 || o.jobs > MAX_WORKERS - 1) {
        if (rc == HB_OPT_OK)
            fprintf(stderr, "huibao run: give at least one file or folder; -j between 0 and %d "
                    "(see huibao run --help)\n", MAX_WORKERS - 1);
        free(paths);
        return 2;
    }
    for (int i = 0; i < npaths; i++)
        if (access(paths[i], F_OK) != 0) {
            fprintf(stderr, "huibao run: %s: %s\n", paths[i], strerror(errno));
            free(paths);
            return 2;
        }
    hb_log_set_level(o.quiet ? HB_LOG_ERROR : o.verbose ? HB_LOG_DEBUG : HB_LOG_INFO);
    long jobs = o.jobs ? o.jobs : sysconf(_SC_NPROCESSORS_ONLN);
    if (jobs < 1)
        jobs = 1;

    char tmpl[] = "/tmp/huibao-XXXXXX";
    char *dir = mkdtemp(tmpl);
    if (!dir) {
        hb_error("cannot create a folder for the sockets in /tmp: %s", strerror(errno));
        free(paths);
        return 1;
    }
    char ep_docs[PATH_MAX + 8], ep_acks[PATH_MAX + 8], ep_agg[PATH_MAX + 8],
        ep_split[PATH_MAX + 8];
    snprintf(ep_docs, sizeof ep_docs, "ipc://%s/docs", dir);
    snprintf(ep_acks, sizeof ep_acks, "ipc://%s/acks", dir);
    snprintf(ep_agg, sizeof ep_agg, "ipc://%s/agg", dir);
    snprintf(ep_split, sizeof ep_split, "ipc://%s/split0", dir);
    char run_id[64], prog[PATH_MAX + 32], topics_buf[PATH_MAX], figures_buf[PATH_MAX];
    char window[32], retry[32];
    snprintf(run_id, sizeof run_id, "r%lx-%d", (unsigned long)time(NULL), (int)getpid());
    snprintf(window, sizeof window, "%ld", o.window);
    snprintf(retry, sizeof retry, "%g", o.retry_after);
    const char *topics = config_path(o.topics, "topics.conf", topics_buf, sizeof topics_buf);
    const char *figures = config_path(o.figures, "figures.conf", figures_buf, sizeof figures_buf);
    const char *level = o.quiet ? "--quiet" : o.verbose ? "--verbose" : NULL;

    size_t n = 0;
    child_t *kids = hb_calloc((size_t)jobs + 3, sizeof *kids);
    snprintf(prog, sizeof prog, "%s/huibao-aggregate", bindir);
    kids[n++] = (child_t){"aggregate", make_argv(prog, "--in", ep_agg, "--acks", ep_acks, "-o",
                                                 o.outdir, "--topics", topics, "--run", run_id,
                                                 NULL), 0, 0, false};
    if (!o.no_progress && isatty(2))
        argv_push(kids[0].argv, "--progress");
    if (o.resume)
        argv_push(kids[0].argv, "--resume");
    snprintf(prog, sizeof prog, "%s/huibao-split", bindir);
    kids[n++] = (child_t){"split", make_argv(prog, "--in", ep_docs, "--out", ep_split, NULL), 0,
                          0, true};
    for (long j = 0; j < jobs; j++) {
        snprintf(prog, sizeof prog, "%s/huibao-classify", bindir);
        kids[n++] = (child_t){"classify", make_argv(prog, "--in", ep_split, "--out", ep_agg,
                                                    "--topics", topics, "--figures", figures,
                                                    NULL), 0, 0, true};
    }
    snprintf(prog, sizeof prog, "%s/huibao-read", bindir);
    kids[n++] = (child_t){"read", make_argv(prog, "--out", ep_docs, "--ctl", ep_agg, "--acks",
                                            ep_acks, "--run", run_id, "--pattern", o.pattern,
                                            "--window", window, "--retry-after", retry, NULL),
                          0, 0, false};
    child_t *reader = &kids[n - 1];
    if (o.meta) {
        argv_push(reader->argv, "--meta");
        argv_push(reader->argv, o.meta);
    }
    if (o.resume) {
        argv_push(reader->argv, "--skip");
        argv_push(reader->argv, o.outdir);
    }
    for (size_t i = 0; i < n; i++)
        if (level)
            argv_push(kids[i].argv, level);
    for (int i = 0; i < npaths; i++)
        argv_push(reader->argv, paths[i]);
    if (npaths > 40)
        hb_warn("more than 40 paths given: pass a folder instead; only the first ones are read");

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    int status = 1;
    int signals_seen = 0;
    for (size_t i = 0; i < n; i++)
        if (start(&kids[i]) != 0)
            goto stop;
    for (;;) {
        int ws;
        pid_t pid = waitpid(-1, &ws, 0);
        if (pid < 0) {
            if (errno == EINTR && signals > signals_seen) {
                signals_seen = signals;
                if (signals_seen > 1 || reader->pid <= 0) {
                    hb_warn("interrupted again: stopping every stage now");
                    status = 130;
                    goto stop;
                }
                hb_warn("interrupted: finishing the documents in flight, then stopping "
                        "(Ctrl-C again to stop at once; --resume continues later)");
                kill(reader->pid, SIGTERM);
                continue;
            }
            if (errno == EINTR)
                continue;
            hb_error("waiting for the stages failed: %s", strerror(errno));
            goto stop;
        }
        child_t *c = NULL;
        for (size_t i = 0; i < n; i++)
            if (kids[i].pid == pid)
                c = &kids[i];
        if (!c)
            continue;
        c->pid = 0;
        bool clean = WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
        if (c == &kids[0]) { /* the aggregator decides how the run ended */
            status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 1;
            if (!WIFEXITED(ws))
                hb_error("the aggregator died (signal %d); results are incomplete",
                         WTERMSIG(ws));
            goto stop;
        }
        if (c == reader) {
            if (!clean) {
                hb_error("the reader failed; stopping");
                goto stop;
            }
            continue; /* done handing out work; the aggregator finishes */
        }
        if (c->restartable && c->restarts < MAX_RESTARTS) {
            c->restarts++;
            hb_warn("%s worker (pid %d) %s %d; starting it again", c->role, (int)pid,
                    WIFSIGNALED(ws) ? "was killed by signal" : "exited with status",
                    WIFSIGNALED(ws) ? WTERMSIG(ws) : WEXITSTATUS(ws));
            if (start(c) != 0)
                goto stop;
            continue;
        }
        hb_error("%s worker keeps failing; stopping", c->role);
        goto stop;
    }
stop:
    stop_all(kids, n, SIGTERM);
    reap_all(kids, n, 5);
    for (size_t i = 0; i < n; i++)
        free_argv(kids[i].argv);
    free(kids);
    free(paths);
    remove_tree(dir);
    return status;
}

int main(int argc, char **argv)
{
    hb_log_init("huibao");
    ssize_t len = readlink("/proc/self/exe", bindir, sizeof bindir - 1);
    if (len > 0) {
        bindir[len] = '\0';
        char *slash = strrchr(bindir, '/');
        if (slash)
            *slash = '\0';
    } else {
        snprintf(bindir, sizeof bindir, ".");
    }
    if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
        !strcmp(argv[1], "-h")) {
        usage_main(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "run"))
        return cmd_run(argc, argv);
    fprintf(stderr, "huibao: unknown command \"%s\" (see huibao help)\n", argv[1]);
    return 2;
}
