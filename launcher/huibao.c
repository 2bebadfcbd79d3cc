/* huibao: the launcher.
 *
 *   huibao run -o out/ reports/     read → split → classify ×N → aggregate
 *
 * Starts every stage as its own process on this machine, wired over ipc
 * sockets in a private temporary folder, waits for the aggregator to finish,
 * restarts a split or classify worker that dies (the reader re-sends what it
 * held), then stops the workers.  Without a pipeline config the reader
 * splits the documents itself (huibao-read --split): no split process.  Exit status: 0 when every input was used,
 * 3 when some inputs were rejected (the rest are written), 1 on a fatal
 * error, 2 on a usage error, 130 when interrupted.
 *
 * Ctrl-C: the first one stops the reader taking files; what was handed out
 * is finished and written, and `huibao run --resume` later continues where
 * it stopped.  A second Ctrl-C stops everything at once. */
#include <dirent.h>
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

#include "hb_conf.h"
#include "hb_log.h"
#include "hb_mem.h"
#include "hb_metrics.h"
#include "hb_opt.h"
#include "hb_rundir.h"
#include "hb_sock.h"
#include "hb_version.h"
#include "walk.h"

#define MAX_WORKERS 256
#define MAX_RESTARTS 20
/* How long a complete --listen run waits for the reader (or split, under
 * -c) to pass its end on (it tries for 5 s, HB_END_SECONDS in hb_sock.h)
 * before stopping the stages. */
#define HB_END_WAIT 8

typedef struct run_opts {
    const char *outdir, *pattern, *meta, *topics, *figures, *pipeline, *listen, *metrics;
    long jobs, window, window_mb, attempts;
    double retry_after, progress_every;
    int quiet, verbose, no_progress, resume, force, no_csv_bom, no_results_db, insecure;
} run_opts_t;

static const hb_opt_t run_options[] = {
    {"output", 'o', HB_OPT_STR, offsetof(run_opts_t, outdir), "out", "DIR",
     "folder for the results"},
    {"config", 'c', HB_OPT_STR, offsetof(run_opts_t, pipeline), NULL, "FILE",
     "the stages between read and aggregate ([stage NAME] sections; see configs/pipeline.conf)"},
    {"jobs", 'j', HB_OPT_INT, offsetof(run_opts_t, jobs), "-1", "N",
     "classify workers on this machine (default: -1, one per core; with --listen, none)", -1, 255},
    {"listen", 'l', HB_OPT_STR, offsetof(run_opts_t, listen), NULL, "HOST:PORT",
     "also take classify workers from other hosts: split's output on tcp PORT, the "
     "aggregator's input on PORT+1; CURVE on, keys in the output folder"},
    {"metrics", 0, HB_OPT_STR, offsetof(run_opts_t, metrics), NULL, "HOST:PORT",
     "serve Prometheus metrics of the run (documents, units, bytes, resends, per-worker "
     "counts, queues) at http://HOST:PORT/metrics; the last ones go to OUT/metrics.prom"},
    {"insecure", 0, HB_OPT_FLAG, offsetof(run_opts_t, insecure), NULL, NULL,
     "with --listen: no CURVE (whoever reaches the ports can read and change the run)"},
    {"pattern", 'p', HB_OPT_STR, offsetof(run_opts_t, pattern), "*.txt", "GLOB",
     "file names to take inside folders"},
    {"meta", 'm', HB_OPT_STR, offsetof(run_opts_t, meta), NULL, "CSV",
     "file,town,county,year rows for what neither text nor path tells"},
    {"topics", 't', HB_OPT_STR, offsetof(run_opts_t, topics), NULL, "FILE",
     "topic rules (default: configs/topics.conf beside the programs)"},
    {"figures", 'f', HB_OPT_STR, offsetof(run_opts_t, figures), NULL, "FILE",
     "figure rules (default: configs/figures.conf beside the programs)"},
    {"window", 'w', HB_OPT_INT, offsetof(run_opts_t, window), "64", "N",
     "documents in flight at most", 1, 100000},
    {"window-mb", 0, HB_OPT_INT, offsetof(run_opts_t, window_mb), "2", "MB",
     "no new document while this much text is in flight (one always is)", 1, 100000},
    {"retry-after", 0, HB_OPT_DOUBLE, offsetof(run_opts_t, retry_after), "30", "SECONDS",
     "send a document again when it is not written within this time", 0.05, 86400},
    {"attempts", 0, HB_OPT_INT, offsetof(run_opts_t, attempts), "5", "N",
     "give a document up (errors.jsonl) after this many attempts of --retry-after each", 1,
     1000},
    {"resume", 0, HB_OPT_FLAG, offsetof(run_opts_t, resume), NULL, NULL,
     "continue an interrupted run in the output folder (same PATHs and --pattern): skip what "
     "it wrote"},
    {"no-csv-bom", 0, HB_OPT_FLAG, offsetof(run_opts_t, no_csv_bom), NULL, NULL,
     "write the CSV files without the UTF-8 byte order mark (Excel needs it to read UTF-8)"},
    {"no-results-db", 0, HB_OPT_FLAG, offsetof(run_opts_t, no_results_db), NULL, NULL,
     "write neither results.sqlite nor report.html (faster; an earlier run's are removed)"},
    {"force", 0, HB_OPT_FLAG, offsetof(run_opts_t, force), NULL, NULL,
     "replace the results of an earlier run in the output folder"},
    {"no-progress", 0, HB_OPT_FLAG, offsetof(run_opts_t, no_progress), NULL, NULL,
     "no progress on stderr (shown unless -q: a bar on a terminal, else a line now and then)"},
    {"progress-every", 0, HB_OPT_DOUBLE, offsetof(run_opts_t, progress_every), "5", "SECONDS",
     "with stderr not a terminal: a progress line this often (0: at every step)", 0, 3600},
    {"quiet", 'q', HB_OPT_FLAG, offsetof(run_opts_t, quiet), NULL, NULL, "log errors only"},
    {"verbose", 'v', HB_OPT_FLAG, offsetof(run_opts_t, verbose), NULL, NULL,
     "log debug details"},
    HB_OPT_END,
};

/* An argv that grows: a NULL-terminated array of copied strings. */
typedef struct argv_vec {
    char **v;
    size_t n, cap;
} argv_vec_t;

typedef struct child {
    char role[64];
    argv_vec_t argv; /* owned */
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
                 "  relay --in EP --out EP  forward messages between two groups of workers\n"
                 "  keygen NAME             make NAME.key and NAME.pub for CURVE encryption\n"
                 "  train LABELLED.jsonl... fit the topic keyword weights to labelled units\n"
                 "  version                 show the version (also --version)\n"
                 "  help [COMMAND]          show this help, or COMMAND's (as COMMAND --help)\n\n"
                 "Each stage is also a program of its own (huibao-read, huibao-split,\n"
                 "huibao-classify, huibao-aggregate) for runs across machines; see their --help.\n");
}

static void argv_push(argv_vec_t *a, const char *s)
{
    if (a->n + 2 > a->cap) {
        a->cap = a->cap ? a->cap * 2 : 16;
        a->v = hb_realloc(a->v, a->cap * sizeof *a->v);
    }
    a->v[a->n++] = hb_strdup(s);
    a->v[a->n] = NULL;
}

/* Appends every string of a NULL-terminated list. */
static void argv_add(argv_vec_t *a, ...)
{
    va_list ap;
    va_start(ap, a);
    for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *))
        argv_push(a, s);
    va_end(ap);
}

/* Between the words of a config's command or options once resolved: a
 * resolved path may hold spaces (the config's folder's). */
#define WORD_SEP "\x1f"

/* Appends the words of a config's command or options (resolve_words). */
static void argv_words(argv_vec_t *a, const char *words)
{
    char *copy = hb_strdup(words), *save = NULL;
    for (char *w = strtok_r(copy, WORD_SEP, &save); w; w = strtok_r(NULL, WORD_SEP, &save))
        argv_push(a, w);
    free(copy);
}

static void free_argv(argv_vec_t *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
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
        execv(c->argv.v[0], c->argv.v);
        fprintf(stderr, "huibao: cannot run %s: %s\n", c->argv.v[0], strerror(errno));
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

/* Waits up to seconds for every child to exit; false when some are left. */
static bool wait_all(child_t *kids, size_t n, double seconds)
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
            return true;
        usleep(50000);
    }
    return false;
}

/* Waits up to seconds for every child to exit, then kills what is left. */
static void reap_all(child_t *kids, size_t n, double seconds)
{
    if (wait_all(kids, n, seconds))
        return;
    stop_all(kids, n, SIGKILL);
    for (size_t i = 0; i < n; i++)
        if (kids[i].pid > 0)
            waitpid(kids[i].pid, NULL, 0);
}

static const char *config_path(const char *given, const char *name, char *buf, size_t len)
{
    return given ? given : hb_conf_default(name, buf, len);
}

/* Copies src into dst of size n, cut to fit. */
static void set_str(char *dst, size_t n, const char *src)
{
    size_t len = strnlen(src, n - 1);
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* The private socket folder and the ipc files in it. */
static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[PATH_MAX + 256];
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    if (d)
        closedir(d);
    rmdir(dir);
}

/* The socket folders of launchers that died without cleaning up (kill -9):
 * /tmp/huibao-XXXXXX folders of this user whose "pid" file names a process
 * that is gone. */
static void remove_stale_dirs(void)
{
    DIR *d = opendir("/tmp");
    struct dirent *e;
    char dir[PATH_MAX], pidfile[PATH_MAX + 8];
    while (d && (e = readdir(d))) {
        struct stat st;
        if (strncmp(e->d_name, "huibao-", 7) || strlen(e->d_name) != 13)
            continue;
        snprintf(dir, sizeof dir, "/tmp/%s", e->d_name);
        snprintf(pidfile, sizeof pidfile, "%s/pid", dir);
        if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid())
            continue;
        FILE *f = fopen(pidfile, "r");
        long pid = 0;
        if (!f || fscanf(f, "%ld", &pid) != 1)
            pid = 0;
        if (f)
            fclose(f);
        if (pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
            hb_debug("removing %s, left by a launcher that died (pid %ld)", dir, pid);
            remove_tree(dir);
        }
    }
    if (d)
        closedir(d);
}

/* One group of the pipeline between read and aggregate: a stage and how
 * many workers run it. */
typedef struct group {
    char name[64];
    char command[PATH_MAX]; /* the program; built-in stages are bin/huibao-NAME */
    char options[1024];     /* extra arguments */
    long workers;           /* 0: one per core */
    bool builtin;
} group_t;

#define MAX_GROUPS 16

/* A program named without a '/': found in $PATH, as execvp would. */
static bool in_path(const char *name)
{
    const char *path = getenv("PATH");
    char buf[PATH_MAX];
    for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
        size_t n = strcspn(p, ":");
        if (snprintf(buf, sizeof buf, "%.*s/%s", (int)n, n ? p : ".", name) < (int)sizeof buf &&
            access(buf, X_OK) == 0)
            return true;
        p += n + (p[n] == ':');
    }
    return false;
}

/* The words of a pipeline config's command or options, with the paths in
 * them resolved against the config's folder and checked, into out (words
 * separated by WORD_SEP, for argv_words): the
 * command's program (the first word when program) must run; any other word
 * (or --name=VALUE's value, or -xVALUE's) with a '/' in it, not an
 * endpoint, is a file to read.  0, or -1 after saying which, with the config's file and line. */
static int resolve_words(const char *conf, int line, const char *dir, const char *words,
                         bool program, char *out, size_t outlen)
{
    char *copy = hb_strdup(words), *save = NULL;
    size_t len = 0;
    int rc = 0;
    out[0] = '\0';
    for (char *w = strtok_r(copy, " \t", &save); w && rc == 0; w = strtok_r(NULL, " \t", &save)) {
        char *val = w, path[PATH_MAX];
        if (w[0] == '-' && strchr(w, '='))
            val = strchr(w, '=') + 1;
        else if (w[0] == '-' && w[1] && w[1] != '-' && w[2]) /* -tFILE */
            val = w + 2;
        else if (w[0] == '-')
            val = w + strlen(w);
        const char *rel = strncmp(val, "./", 2) ? val : val + 2;
        bool is_path = program || (strchr(val, '/') && !strstr(val, "://"));
        if (!is_path || (program && !strchr(val, '/')) || val[0] == '/' || !strcmp(dir, "."))
            snprintf(path, sizeof path, "%s", val);
        else
            snprintf(path, sizeof path, "%s/%s", dir, rel);
        if (program && !strchr(val, '/') ? !in_path(val)
            : is_path && access(path, program ? X_OK : R_OK) != 0) {
            hb_error("%s:%d: %s: %s%s", conf, line, path,
                     program && !strchr(val, '/') ? "no such program in $PATH" : strerror(errno),
                     program ? " (the stage's program must run)" : "");
            rc = -1;
        }
        int n = snprintf(out + len, outlen - len, "%s%.*s%s", len ? WORD_SEP : "", (int)(val - w),
                         w, path);
        if (n < 0 || (size_t)n >= outlen - len) {
            hb_error("%s:%d: too long once its paths are resolved", conf, line);
            rc = -1;
        }
        len += rc == 0 ? (size_t)n : 0;
        program = false;
    }
    free(copy);
    return rc;
}

/* The stages from a pipeline config ([stage NAME] sections in order, with
 * command, workers, options), or the built-in split → classify.  Relative
 * paths in a command or options are the config folder's, and every path is
 * checked here, before any stage starts. */
static int load_pipeline(const char *path, group_t *g, size_t *n)
{
    *n = 0;
    if (!path) {
        g[0] = (group_t){.name = "split", .workers = 1, .builtin = true};
        g[1] = (group_t){.name = "classify", .workers = 0, .builtin = true};
        *n = 2;
        return 0;
    }
    hb_conf_t *c = hb_conf_load(path);
    if (!c)
        return -1;
    char dir[PATH_MAX];
    set_str(dir, sizeof dir, path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        set_str(dir, sizeof dir, ".");
    if (!dir[0])
        set_str(dir, sizeof dir, "/");
    for (size_t i = 0; i < c->nsections; i++) {
        const hb_conf_section_t *sec = &c->sections[i];
        if (strcmp(sec->section, "stage") || !*sec->name) {
            hb_error("%s:%d: expected [stage NAME] sections with command, workers, options",
                     path, sec->line);
            goto fail;
        }
        if (*n == MAX_GROUPS) {
            hb_error("%s:%d: more than %d stages", path, sec->line, MAX_GROUPS);
            goto fail;
        }
        group_t *cur = &g[(*n)++];
        *cur = (group_t){.workers = 1};
        set_str(cur->name, sizeof cur->name, sec->name);
        cur->builtin = !strcmp(sec->name, "split") || !strcmp(sec->name, "classify");
        for (size_t k = 0; k < c->n; k++) {
            const hb_conf_entry_t *e = &c->entries[k];
            if (e->section != sec->section)
                continue; /* entries share their section's strings */
            if (!strcmp(e->key, "command")) {
                if (!*e->value || resolve_words(path, e->line, dir, e->value, true, cur->command,
                                                sizeof cur->command) != 0) {
                    if (!*e->value)
                        hb_error("%s:%d: command is empty", path, e->line);
                    goto fail;
                }
                cur->builtin = false;
            } else if (!strcmp(e->key, "workers")) {
                char *end;
                cur->workers = strtol(e->value, &end, 10);
                if (*end || cur->workers < 0 || cur->workers >= MAX_WORKERS) {
                    hb_error("%s:%d: workers must be 0 (one per core) to %d", path, e->line,
                             MAX_WORKERS - 1);
                    goto fail;
                }
            } else if (!strcmp(e->key, "options")) {
                if (resolve_words(path, e->line, dir, e->value, false, cur->options,
                                  sizeof cur->options) != 0)
                    goto fail;
            } else {
                hb_error("%s:%d: unknown key \"%s\"; expected command, workers or options",
                         path, e->line, e->key);
                goto fail;
            }
        }
    }
    for (size_t i = 0; i < *n; i++)
        if (!g[i].builtin && !g[i].command[0]) {
            hb_error("%s: stage \"%s\" is not built in and has no command", path, g[i].name);
            goto fail;
        }
    if (*n == 0) {
        hb_error("%s: no [stage NAME] section", path);
        goto fail;
    }
    hb_conf_free(c);
    return 0;
fail:
    hb_conf_free(c);
    return -1;
}

/* How the aggregator ended, for a message: "status 1", "signal 9", or what
 * the signal means when it is the user's doing (ulimit -f). */
static const char *how_died(int ws)
{
    static char buf[64];
    if (WIFEXITED(ws))
        snprintf(buf, sizeof buf, "status %d", WEXITSTATUS(ws));
    else if (WTERMSIG(ws) == SIGXFSZ)
        snprintf(buf, sizeof buf, "output file size limit reached: see ulimit -f");
    else
        snprintf(buf, sizeof buf, "signal %d", WTERMSIG(ws));
    return buf;
}

/* The output folder is this run's: not in use by another run, not holding
 * an earlier run's results unless --resume (with the same inputs) or
 * --force.  The aggregator then locks it for the whole run.  0, or the exit
 * status after saying why: 1 when the folder cannot be made, 2 when refused. */
static int claim_outdir(const run_opts_t *o, const char *run_id, char **paths, size_t npaths)
{
    if (hb_rundir_make(o->outdir) != 0) {
        hb_error("%s: cannot create the output folder: %s", o->outdir, strerror(errno));
        return 1;
    }
    int lock = hb_rundir_lock(o->outdir, run_id);
    if (lock < 0)
        return 2;
    int rc = 0;
    bool used = hb_rundir_used(o->outdir);
    if (o->resume) {
        int same = hb_rundir_inputs_same(o->outdir, o->pattern, paths, npaths);
        if (same == 1 || (same < 0 && used)) {
            if (same < 0)
                hb_error("%s/ has no record of its run's inputs (inputs.tsv): it cannot be "
                         "resumed; start afresh with --force or choose another -o", o->outdir);
            rc = -1;
        } else if (same < 0) {
            rc = hb_rundir_inputs_write(o->outdir, o->pattern, paths, npaths);
        }
    } else if (used && !o->force) {
        hb_error("%s/ holds the results of an earlier run: --resume continues it, --force "
                 "replaces it, or choose another -o", o->outdir);
        rc = -1;
    } else {
        rc = hb_rundir_inputs_write(o->outdir, o->pattern, paths, npaths);
    }
    hb_rundir_unlock(lock);
    return rc ? 2 : 0;
}

/* Runs one stage with --check (argv made ready in c) and waits for it:
 * true when the configuration it loads is good. */
static bool stage_checks(child_t *c, const char *level)
{
    int ws = 0;
    argv_push(&c->argv, "--check");
    if (level)
        argv_push(&c->argv, level);
    bool good = start(c) == 0 && waitpid(c->pid, &ws, 0) == c->pid && WIFEXITED(ws) &&
                WEXITSTATUS(ws) == 0;
    free_argv(&c->argv);
    return good;
}

/* The reader and every built-in stage load their configuration once with
 * --check before any stage starts: an error is said once, not by each
 * worker.  0, or -1 when a configuration is bad (the stage said why). */
static int check_configs(const group_t *groups, size_t ngroups, const char *topics,
                         const char *figures, const char *meta, const char *level)
{
    char prog[PATH_MAX + 32];
    child_t c;
    memset(&c, 0, sizeof c);
    set_str(c.role, sizeof c.role, "read");
    snprintf(prog, sizeof prog, "%s/huibao-read", bindir);
    argv_push(&c.argv, prog);
    if (meta)
        argv_add(&c.argv, "--meta", meta, NULL);
    if (!stage_checks(&c, level))
        return -1;
    for (size_t g = 0; g < ngroups; g++) {
        if (!groups[g].builtin)
            continue;
        memset(&c, 0, sizeof c);
        set_str(c.role, sizeof c.role, groups[g].name);
        set_str(prog, sizeof prog, bindir);
        strncat(prog, "/huibao-", sizeof prog - strlen(prog) - 1);
        strncat(prog, groups[g].name, sizeof prog - strlen(prog) - 1);
        argv_push(&c.argv, prog);
        if (!strcmp(groups[g].name, "classify"))
            argv_add(&c.argv, "--topics", topics, "--figures", figures, NULL);
        argv_words(&c.argv, groups[g].options);
        if (!stage_checks(&c, level))
            return -1;
    }
    return 0;
}

/* --listen without keys: the run's key pair in the output folder
 * (listen.key, listen.pub), made once and kept, so that workers given its
 * public key rejoin a resumed run.  0, or -1 (logged). */
static int listen_keys(const char *outdir, char *key, size_t keylen, char *pub)
{
    char base[PATH_MAX - 8];
    if ((size_t)snprintf(base, sizeof base, "%s/listen", outdir) >= sizeof base ||
        (size_t)snprintf(key, keylen, "%s.key", base) >= keylen) {
        hb_error("%s: path too long", outdir);
        return -1;
    }
    if (access(key, F_OK) != 0 && hb_security_keygen(base) != 0)
        return -1;
    hb_conf_t *c = hb_conf_load(key);
    const char *p = c ? hb_conf_get(c, "", "public", NULL) : NULL;
    if (!p || strlen(p) != 40) {
        hb_error("%s: not a key pair from `huibao keygen`; remove it to get a new one", key);
        hb_conf_free(c);
        return -1;
    }
    memcpy(pub, p, 41);
    hb_conf_free(c);
    return 0;
}

/* The files the reader will take (the same walk), for the progress
 * line's share and time left: a listing of the folders, nothing read. */
static unsigned long count_inputs(char **paths, int npaths, const char *pattern)
{
    enum hb_log_level level = hb_log_get_level();
    hb_log_set_level(HB_LOG_ERROR); /* the reader warns about what it meets */
    hb_walk_t *w = hb_walk_new(paths, (size_t)npaths, pattern);
    const char *path, *why;
    unsigned long n = 0;
    hb_walk_status_t st;
    while ((st = hb_walk_next(w, &path, &why)) != HB_WALK_DONE)
        n++; /* a path that cannot be read is a reject: counted too */
    hb_walk_free(w);
    hb_log_set_level(level);
    return n;
}

static int cmd_run(int argc, char **argv)
{
    run_opts_t o;
    hb_security_opts_t so;
    memset(&o, 0, sizeof o);
    memset(&so, 0, sizeof so);
    const hb_opt_t *tables[] = {run_options, hb_security_options, NULL};
    void *targets[] = {&o, &so, NULL};
    char **paths = hb_calloc((size_t)argc + 1, sizeof *paths);
    int npaths = 0;
    int rc = hb_opt_parse(tables, targets, argc, argv, 2, paths, &npaths);
    if (rc == HB_OPT_HELP) {
        hb_opt_usage(stdout, "huibao run [options] PATH...",
                     "Run read → split → classify ×N → aggregate on this machine over the files "
                     "and folders given (folders recursively). Results go to the output folder: "
                     "results.sqlite, report.html, paragraphs.jsonl, docs.jsonl, towns.csv, figures.csv, "
                     "unit_topics.csv, summary.json, errors.jsonl.\n"
                     "Exit status: 0 every input used, 3 some inputs rejected (the rest written), "
                     "1 fatal error, 2 usage error.",
                     tables);
        free(paths);
        return 0;
    }
    char listen_host[256] = "";
    int listen_port = 0;
    if (rc == HB_OPT_OK && o.listen &&
        (sscanf(o.listen, "%255[^:]:%d", listen_host, &listen_port) != 2 || listen_port < 1 ||
         listen_port > 65534 || o.pipeline)) {
        fprintf(stderr, "huibao run: --listen takes HOST:PORT (PORT and PORT+1 are used) and "
                "the default pipeline (no -c)\n");
        rc = HB_OPT_USAGE;
    }
    if (rc != HB_OPT_OK || npaths == 0 || o.jobs < -1 || o.jobs > MAX_WORKERS - 1 ||
        (o.jobs == 0 && !o.listen)) {
        if (rc == HB_OPT_OK)
            fprintf(stderr, "huibao run: give at least one file or folder; -j between 1 and %d "
                    "(0 only with --listen) (see huibao run --help)\n", MAX_WORKERS - 1);
        free(paths);
        return 2;
    }
    if (!strcmp(o.outdir, "-")) {
        /* A run writes a folder (several results, a lock, resume.tsv), not a stream. */
        fprintf(stderr, "huibao run: -o - is not supported: a run writes a folder "
                "(paragraphs.jsonl, results.sqlite, report.html… and a lock); give a folder and "
                "read DIR/paragraphs.jsonl from it, e.g. huibao run -q -o DIR PATH && cat "
                "DIR/paragraphs.jsonl\n");
        free(paths);
        return 2;
    }
    for (int i = 0; i < npaths; i++)
        if (access(paths[i], F_OK) != 0) {
            fprintf(stderr, "huibao run: %s: %s\n", paths[i], strerror(errno));
            free(paths);
            return 2;
        }
    if (o.metrics) { /* said now, not by the aggregator once everything runs */
        char why[512];
        hb_metrics_t *m = hb_metrics_listen(o.metrics, why, sizeof why);
        hb_metrics_free(m);
        if (!m) {
            fprintf(stderr, "huibao run: --metrics: %s\n", why);
            free(paths);
            return 2;
        }
    }
    hb_log_set_level(o.quiet ? HB_LOG_ERROR : o.verbose ? HB_LOG_DEBUG : HB_LOG_INFO);
    char run_id[64];
    snprintf(run_id, sizeof run_id, "r%lx-%d", (unsigned long)time(NULL), (int)getpid());
    long jobs = o.jobs >= 0 ? o.jobs : o.listen ? 0 : sysconf(_SC_NPROCESSORS_ONLN);
    if (jobs < 1 && !o.listen)
        jobs = 1;

    remove_stale_dirs();
    char tmpl[] = "/tmp/huibao-XXXXXX", pidfile[64];
    char *dir = mkdtemp(tmpl);
    FILE *pf = NULL;
    if (dir) {
        snprintf(pidfile, sizeof pidfile, "%s/pid", dir);
        pf = fopen(pidfile, "w");
    }
    if (!pf || fprintf(pf, "%d\n", (int)getpid()) < 0 || fclose(pf) != 0) {
        hb_error("cannot create a folder for the sockets in /tmp: %s", strerror(errno));
        if (dir)
            remove_tree(dir);
        free(paths);
        return 1;
    }
    char ep_docs[PATH_MAX + 8], ep_acks[PATH_MAX + 8], ep_agg[PATH_MAX + 8], ep_ctl[PATH_MAX + 8];
    snprintf(ep_docs, sizeof ep_docs, "ipc://%s/docs", dir);
    snprintf(ep_acks, sizeof ep_acks, "ipc://%s/acks", dir);
    snprintf(ep_agg, sizeof ep_agg, "ipc://%s/agg", dir);
    snprintf(ep_ctl, sizeof ep_ctl, "ipc://%s/ctl", dir);
    char prog[PATH_MAX + 32], topics_buf[PATH_MAX], figures_buf[PATH_MAX];
    char window[32], window_mb[32], retry[32], attempts[32], heartbeat[32];
    snprintf(window, sizeof window, "%ld", o.window);
    snprintf(window_mb, sizeof window_mb, "%ld", o.window_mb);
    snprintf(retry, sizeof retry, "%g", o.retry_after);
    snprintf(attempts, sizeof attempts, "%ld", o.attempts);
    snprintf(heartbeat, sizeof heartbeat, "%g", so.heartbeat);
    const char *topics = config_path(o.topics, "topics.conf", topics_buf, sizeof topics_buf);
    const char *figures = config_path(o.figures, "figures.conf", figures_buf, sizeof figures_buf);
    const char *level = o.quiet ? "--quiet" : o.verbose ? "--verbose" : NULL;

    group_t groups[MAX_GROUPS];
    size_t ngroups;
    rc = load_pipeline(o.pipeline, groups, &ngroups) != 0 ||
                 check_configs(groups, ngroups, topics, figures, o.meta, level) != 0
             ? 2
             : claim_outdir(&o, run_id, paths, (size_t)npaths);
    char listen_key[PATH_MAX], server_pub[41] = "";
    if (rc == 0 && o.listen && !so.key && !o.insecure) {
        rc = listen_keys(o.outdir, listen_key, sizeof listen_key, server_pub) != 0;
        so.key = listen_key;
    } else if (rc == 0 && o.listen && !so.key) {
        hb_warn("--insecure: whoever reaches ports %d and %d can read every report and change "
                "the results", listen_port, listen_port + 1);
    }
    if (rc != 0) {
        remove_tree(dir);
        free(paths);
        return rc;
    }
    /* Without a pipeline config, split runs inside the reader (huibao-read
     * --split): a hop fewer, each document's text never crosses a socket.
     * A config that places split (custom stages around it, workers,
     * options) runs it as its own workers. */
    bool fused = !o.pipeline;
    if (fused) {
        memmove(groups, groups + 1, (ngroups - 1) * sizeof *groups);
        ngroups--;
    }
    size_t nkids = 3; /* aggregate, read, and relays */
    for (size_t g = 0; g < ngroups; g++) {
        if (groups[g].workers == 0 || (o.jobs >= 0 && !strcmp(groups[g].name, "classify")))
            groups[g].workers = jobs;
        nkids += (size_t)groups[g].workers + 1;
    }
    size_t n = 0;
    child_t *kids = hb_calloc(nkids, sizeof *kids);
    child_t *agg = &kids[n++];
    snprintf(agg->role, sizeof agg->role, "aggregate");
    snprintf(prog, sizeof prog, "%s/huibao-aggregate", bindir);
    char agg_in[PATH_MAX + 300];
    snprintf(agg_in, sizeof agg_in, "@%s", ep_agg);
    if (o.listen)
        snprintf(agg_in + strlen(agg_in), sizeof agg_in - strlen(agg_in), ",@tcp://%s:%d",
                 listen_host, listen_port + 1);
    argv_add(&agg->argv, prog, "--in", agg_in, "--ctl", ep_ctl, "--acks", ep_acks, "-o", o.outdir, "--topics",
             topics, "--run", run_id, "--heartbeat", heartbeat, NULL);
    if (!o.no_progress && !o.quiet) {
        char every[32], total[32];
        snprintf(every, sizeof every, "%g", o.progress_every);
        snprintf(total, sizeof total, "%lu", count_inputs(paths, npaths, o.pattern));
        argv_add(&agg->argv, "--progress", "--progress-every", every, "--total-docs", total,
                 NULL);
    }
    if (o.resume)
        argv_push(&agg->argv, "--resume");
    if (o.no_csv_bom)
        argv_push(&agg->argv, "--no-csv-bom");
    if (o.no_results_db)
        argv_push(&agg->argv, "--no-results-db");
    if (o.metrics)
        argv_add(&agg->argv, "--metrics", o.metrics, NULL);

    /* Between group g-1 and group g lies boundary g: up[g] is where the
     * workers of g-1 send, down[g] where those of g receive.  The side with
     * a single worker binds; when both sides have several, a relay binds
     * both ends.  Boundary 0 is the reader's output, ngroups the aggregator's
     * input. */
    char up[MAX_GROUPS + 1][PATH_MAX + 300], down[MAX_GROUPS + 1][PATH_MAX + 32];
    snprintf(down[0], sizeof down[0], ">%s", ep_docs);
    snprintf(up[0], sizeof up[0], "@%s", ep_docs);
    if (o.listen && fused) /* the units, for workers elsewhere too */
        snprintf(up[0] + strlen(up[0]), sizeof up[0] - strlen(up[0]), ",@tcp://%s:%d",
                 listen_host, listen_port);
    snprintf(up[ngroups], sizeof up[ngroups], ">%s", ep_agg);
    for (size_t b = 1; b < ngroups; b++) {
        if (groups[b - 1].workers == 1) {
            snprintf(up[b], sizeof up[b], "@ipc://%s/b%zu", dir, b);
            snprintf(down[b], sizeof down[b], ">ipc://%s/b%zu", dir, b);
        } else if (groups[b].workers == 1) {
            snprintf(up[b], sizeof up[b], ">ipc://%s/b%zu", dir, b);
            snprintf(down[b], sizeof down[b], "@ipc://%s/b%zu", dir, b);
        } else {
            child_t *relay = &kids[n++];
            snprintf(relay->role, sizeof relay->role, "relay");
            relay->restartable = true;
            snprintf(up[b], sizeof up[b], ">ipc://%s/b%zu.in", dir, b);
            snprintf(down[b], sizeof down[b], ">ipc://%s/b%zu.out", dir, b);
            snprintf(prog, sizeof prog, "%s/huibao", bindir);
            argv_add(&relay->argv, prog, "relay", "--in", up[b], "--out", down[b], "--heartbeat",
                     heartbeat, NULL);
            relay->argv.v[3][0] = '@'; /* the relay binds both ends */
            relay->argv.v[5][0] = '@';
        }
    }
    for (size_t g = 0; g < ngroups; g++) {
        group_t *gr = &groups[g];
        for (long w = 0; w < gr->workers; w++) {
            child_t *c = &kids[n++];
            set_str(c->role, sizeof c->role, gr->name);
            c->restartable = true;
            if (gr->builtin) {
                set_str(prog, sizeof prog, bindir);
                strncat(prog, "/huibao-", sizeof prog - strlen(prog) - 1);
                strncat(prog, gr->name, sizeof prog - strlen(prog) - 1);
                argv_push(&c->argv, prog);
            } else {
                argv_words(&c->argv, gr->command);
            }
            argv_add(&c->argv, "--in", down[g], "--out", up[g + 1], NULL);
            if (gr->builtin && !strcmp(gr->name, "classify"))
                argv_add(&c->argv, "--topics", topics, "--figures", figures, NULL);
            if (gr->builtin)
                argv_add(&c->argv, "--heartbeat", heartbeat, NULL);
            if (gr->builtin && o.listen) /* tells the workers elsewhere the run is complete */
                argv_push(&c->argv, "--exit-at-end");
            argv_words(&c->argv, gr->options);
        }
    }
    child_t *reader = &kids[n++];
    snprintf(reader->role, sizeof reader->role, "read");
    snprintf(prog, sizeof prog, "%s/huibao-read", bindir);
    argv_add(&reader->argv, prog, "--out", up[0], "--ctl", ep_ctl, "--acks", ep_acks, "--run",
             run_id, "--pattern", o.pattern, "--window", window, "--window-mb", window_mb,
             "--retry-after", retry, "--attempts", attempts, "--heartbeat", heartbeat, NULL);
    if (o.meta)
        argv_add(&reader->argv, "--meta", o.meta, NULL);
    if (fused) /* units in 64 KB batches: queues as short as split's own */
        argv_add(&reader->argv, "--split", "--hwm", "4", NULL);
    if (fused && o.listen) /* the classify workers, here and elsewhere, hear it */
        argv_push(&reader->argv, "--end-to-all");
    if (o.resume)
        argv_add(&reader->argv, "--skip", o.outdir, NULL);
    for (size_t i = 0; i < n; i++) {
        if (level && strncmp(kids[i].role, "relay", 5))
            argv_push(&kids[i].argv, level);
        if (so.key)
            argv_add(&kids[i].argv, "--curve-key", so.key, NULL);
        if (so.allow)
            argv_add(&kids[i].argv, "--curve-allow", so.allow, NULL);
    }
    argv_push(&reader->argv, "--");
    for (int i = 0; i < npaths; i++)
        argv_push(&reader->argv, paths[i]);
    if (o.verbose)
        for (size_t i = 0; i < n; i++) {
            char line[2048] = "";
            for (size_t k = 0; k < kids[i].argv.n && strlen(line) < sizeof line - 256; k++)
                snprintf(line + strlen(line), sizeof line - strlen(line), "%s ", kids[i].argv.v[k]);
            hb_debug("%s: %s", kids[i].role, line);
        }

    if (o.listen) {
        char host[256];
        if (!strcmp(listen_host, "0.0.0.0") || !strcmp(listen_host, "*"))
            gethostname(host, sizeof host);
        else
            set_str(host, sizeof host, listen_host);
        host[sizeof host - 1] = '\0';
        printf("classify workers on other hosts join this run with:\n"
               "  huibao-classify --in '>tcp://%s:%d' --out '>tcp://%s:%d'%s%s%s\n",
               host, listen_port, host, listen_port + 1,
               server_pub[0] ? " --curve-server '" : so.key ? " --curve-key WORKER.key "
               "--curve-server THIS_RUN.pub" : "", server_pub, server_pub[0] ? "'" : "");
        fflush(stdout);
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    int status = 1;
    int signals_seen = 0;
    bool reader_done = false;
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
        if (c == agg) { /* the aggregator decides how the run ended */
            status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 1;
            if (!WIFEXITED(ws))
                hb_error("the aggregator died (%s); results are incomplete", how_died(ws));
            /* A complete run: the reader sends run_end once it has every
             * ack (to every classify worker: --end-to-all; under -c split
             * passes it on), the workers elsewhere hear it, and they
             * all exit (--exit-at-end). */
            if (o.listen && (status == 0 || status == 3))
                wait_all(kids, n, HB_END_WAIT);
            goto stop;
        }
        if (c == reader) {
            if (!clean) {
                hb_error("the reader failed; stopping");
                goto stop;
            }
            reader_done = true;
            continue; /* done handing out work; the aggregator finishes */
        }
        /* --exit-at-end: a worker that exits 0 heard the run's end; under
         * --listen the reader sends it to every worker and leaves only
         * after, so the local workers are often gone first. */
        if (clean && (reader_done || o.listen))
            continue; /* the run is complete */
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
        free_argv(&kids[i].argv);
    free(kids);
    free(paths);
    remove_tree(dir);
    return status;
}

typedef struct relay_opts {
    const char *in, *out;
    long hwm;
} relay_opts_t;

static const hb_opt_t relay_options[] = {
    {"in", 'i', HB_OPT_STR, offsetof(relay_opts_t, in), NULL, "ENDPOINTS",
     "where messages come from (default: bind)"},
    {"out", 'o', HB_OPT_STR, offsetof(relay_opts_t, out), NULL, "ENDPOINTS",
     "where they go (default: bind)"},
    {"hwm", 0, HB_OPT_INT, offsetof(relay_opts_t, hwm), "64", "N", "high-water mark"},
    HB_OPT_END,
};

/* huibao relay: forwards frames from --in to --out, untouched.  It joins two
 * groups of workers that both connect (several split workers feeding several
 * custom-stage workers).  What sits in it when it dies is sent again by the
 * reader, like what sits in a dead worker. */
static int cmd_relay(int argc, char **argv)
{
    hb_log_init("huibao-relay");
    relay_opts_t o;
    hb_security_opts_t so;
    memset(&o, 0, sizeof o);
    memset(&so, 0, sizeof so);
    const hb_opt_t *tables[] = {relay_options, hb_security_options, NULL};
    void *targets[] = {&o, &so, NULL};
    int rc = hb_opt_parse(tables, targets, argc, argv, 2, NULL, NULL);
    if (rc == HB_OPT_HELP) {
        hb_opt_usage(stdout, "huibao relay --in ENDPOINTS --out ENDPOINTS",
                     "Forward every message from --in to --out untouched: the meeting point of "
                     "two groups of workers that both connect.",
                     tables);
        return 0;
    }
    if (rc != HB_OPT_OK || !o.in || !o.out) {
        if (rc == HB_OPT_OK)
            fprintf(stderr, "huibao relay: --in and --out are required\n");
        return 2;
    }
    hb_signals_install();
    void *ctx = zmq_ctx_new();
    hb_security_t *sec = hb_security_load(ctx, &so);
    hb_sock_opts_t in_o = {.hwm = (int)o.hwm, .linger_ms = 0,
                           .max_msg_bytes = HB_MAX_MSG_DEFAULT, .bind_default = true, .sec = sec};
    hb_sock_opts_t out_o = {.hwm = (int)o.hwm, .linger_ms = 2000, .immediate = true,
                            .bind_default = true, .sec = sec};
    void *in = sec ? hb_sock_open(ctx, ZMQ_PULL, o.in, &in_o) : NULL;
    void *out = in ? hb_sock_open(ctx, ZMQ_PUSH, o.out, &out_o) : NULL;
    int status = out ? 0 : 1;
    zmq_msg_t m;
    zmq_msg_init(&m);
    while (out && !hb_stop_requested()) {
        if (zmq_msg_recv(&m, in, 0) < 0 || zmq_msg_send(&m, out, 0) < 0) {
            if (zmq_errno() == EINTR)
                continue;
            hb_error("relay failed: %s", zmq_strerror(zmq_errno()));
            status = 1;
            break;
        }
    }
    zmq_msg_close(&m);
    hb_sock_close(in);
    hb_sock_close(out);
    zmq_ctx_term(ctx);
    hb_security_free(sec);
    return status;
}

/* huibao keygen NAME: a CURVE key pair for a host or a party of a run. */
static int cmd_keygen(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[2], "--version")) {
        printf("huibao %s\n", HB_VERSION);
        return 0;
    }
    if (argc != 3 || argv[2][0] == '-') {
        fprintf(argc == 3 && !strcmp(argv[2], "--help") ? stdout : stderr,
                "usage: huibao keygen NAME\n\nWrites NAME.key (this party's key pair: keep it "
                "secret, give it to --curve-key) and NAME.pub (its public key: give it to the "
                "other side's --curve-server, or list it in --curve-allow).\n");
        return argc == 3 && !strcmp(argv[2], "--help") ? 0 : 2;
    }
    return hb_security_keygen(argv[2]) == 0 ? 0 : 1;
}

/* huibao train: fits the keyword weights of a topics.conf to hand-labelled
 * units.  The fitting is tools/train-topics.py (installed as
 * share/huibao/train-topics.py); this finds it and the default topics.conf
 * and hands it the rest of the command line. */
static int cmd_train(int argc, char **argv)
{
    bool help = argc == 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"));
    if (argc == 3 && !strcmp(argv[2], "--version")) {
        printf("huibao %s\n", HB_VERSION);
        return 0;
    }
    if (argc < 3 || help) {
        fprintf(help ? stdout : stderr,
                "usage: huibao train [--topics CONF] [-o OUT.conf] [--lodo] [--epochs N] "
                "[--rate R] LABELLED.jsonl...\n\n"
                "Fits the keyword weights of CONF (default: configs/topics.conf) to units whose "
                "\"topic\" a person has set: take paragraphs.jsonl of a run, correct \"topic\" "
                "in a sample, train, then huibao run --topics OUT.conf. Only the weights change; "
                "words, topics, settings and comments stay. Deterministic. --lodo prints the "
                "topic accuracy of weights trained without each document, on that document.\n"
                "  --topics CONF   the rules to start from\n"
                "  -o OUT.conf     where to write the trained rules (default: standard output)\n"
                "  --lodo          leave-one-document-out accuracy, hand against trained\n"
                "  --epochs N      passes over the units (default 5)\n"
                "  --rate R        step of each correction (default 0.05)\n");
        return help ? 0 : 2;
    }
    /* Looked for as configs are (hb_conf_default): in the project folder
     * first, so that a build elsewhere (build-asan/bin) run from a checkout
     * finds it, then beside the programs. */
    char script[PATH_MAX], conf[PATH_MAX];
    const char *const where[] = {"tools/train-topics.py", "%s/../tools/train-topics.py",
                                 "%s/../share/huibao/train-topics.py"};
    size_t i = 0;
    for (; i < 3; i++) {
        int k = i == 0 ? snprintf(script, sizeof script, "%s", where[0])
                       : snprintf(script, sizeof script, where[i], bindir);
        if (k > 0 && (size_t)k < sizeof script && access(script, R_OK) == 0)
            break;
    }
    if (i == 3) {
        hb_error("train-topics.py is neither in tools/ nor in %s/../tools nor in "
                 "%s/../share/huibao: reinstall huibao (make install)", bindir, bindir);
        return 1;
    }
    hb_conf_default("topics.conf", conf, sizeof conf);
    argv_vec_t a = {0};
    argv_push(&a, "python3");
    argv_push(&a, script);
    const char *topics = conf;
    for (int j = 2; j < argc; j++)
        if (!strcmp(argv[j], "--topics") && j + 1 < argc)
            topics = argv[++j];
        else if (!strncmp(argv[j], "--topics=", 9))
            topics = argv[j] + 9;
    argv_push(&a, topics);
    for (int j = 2; j < argc; j++) {
        if (!strcmp(argv[j], "--topics") && j + 1 < argc)
            j++;
        else if (strncmp(argv[j], "--topics=", 9))
            argv_push(&a, argv[j]);
    }
    execvp(a.v[0], a.v);
    hb_error("cannot run python3 for %s: %s", script, strerror(errno));
    return 1;
}

typedef struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
} command_t;

static const command_t commands[] = {
    {"run", cmd_run}, {"relay", cmd_relay}, {"keygen", cmd_keygen}, {"train", cmd_train},
    {NULL, NULL}};

static const command_t *find_command(const char *name)
{
    for (const command_t *c = commands; c->name; c++)
        if (!strcmp(c->name, name))
            return c;
    return NULL;
}

/* huibao help [COMMAND]: the list of commands, or COMMAND --help. */
static int cmd_help(int argc, char **argv)
{
    if (argc < 3 || !strcmp(argv[2], "help") || !strcmp(argv[2], "version")) {
        usage_main(stdout);
        return 0;
    }
    const command_t *c = find_command(argv[2]);
    if (!c || argc > 3) {
        fprintf(stderr, "huibao: %s \"%s\" (see huibao help)\n",
                c ? "help takes one command, not" : "no command", argv[c ? 3 : 2]);
        return 2;
    }
    char *sub[] = {argv[0], argv[2], "--help", NULL};
    return c->fn(3, sub);
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
    if (argc < 2) {
        usage_main(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return cmd_help(argc, argv);
    if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
        printf("huibao %s\n", HB_VERSION);
        return 0;
    }
    const command_t *c = find_command(argv[1]);
    if (c)
        return c->fn(argc, argv);
    fprintf(stderr, "huibao: unknown command \"%s\" (see huibao help)\n", argv[1]);
    return 2;
}
