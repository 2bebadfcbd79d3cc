/* regress: replays the saved inputs of one fuzz target without libFuzzer.
 *
 * Linked with one tests/fuzz/fuzz_<target>.c (built as
 * build/tests/test_fuzz_<target>), it calls LLVMFuzzerTestOneInput on every
 * file of tests/fuzz/regressions/<target>/ and tests/fuzz/corpus/<target>/,
 * each in a child process so that a crash, a sanitizer report or a failed
 * invariant fails that file only, and prints TAP:
 *
 *   ok - fuzz_split: regressions/split/crash-3f2a…
 *   not ok - fuzz_split: corpus/split/headings.txt (killed by signal 6)
 *
 * An input that runs longer than $HB_FUZZ_TIMEOUT seconds (default 10) fails.
 * Files given on the command line are run instead of the folders.
 * $HB_FUZZ_DIR overrides where tests/fuzz is (default: set at build time). */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef FUZZ_TARGET
#error "build with -DFUZZ_TARGET=\"split\""
#endif
#ifndef FUZZ_DIR
#define FUZZ_DIR "tests/fuzz"
#endif

#include "fuzz.h"

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads a whole file into an allocation of exactly its size (so ASan sees
 * reads past the end), or NULL. */
static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *grown = realloc(buf, cap *= 2);
            if (!grown) {
                free(buf);
                buf = NULL;
            }
            buf = grown;
        }
    }
    int err = ferror(f);
    fclose(f);
    if (!buf || err) {
        free(buf);
        return NULL;
    }
    uint8_t *exact = malloc(n ? n : 1);
    if (exact)
        memcpy(exact, buf, n);
    free(buf);
    *size = n;
    return exact;
}

static int run_one(const char *path, const char *label, unsigned timeout)
{
    size_t size = 0;
    uint8_t *data = slurp(path, &size);
    if (!data) {
        printf("not ok - fuzz_%s: %s (cannot read: %s)\n", FUZZ_TARGET, label, strerror(errno));
        return 1;
    }
    fflush(stdout);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        printf("not ok - fuzz_%s: %s (fork: %s)\n", FUZZ_TARGET, label, strerror(errno));
        free(data);
        return 1;
    }
    if (pid == 0) {
        alarm(timeout);
        LLVMFuzzerTestOneInput(data, size);
        free(data);
        fflush(stdout);
        exit(0); /* LeakSanitizer, when built in, checks here */
    }
    free(data);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        printf("ok - fuzz_%s: %s\n", FUZZ_TARGET, label);
        if (secs > 1.0)
            printf("# %s took %.2f s\n", label, secs);
        return 0;
    }
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
        printf("not ok - fuzz_%s: %s (timed out after %u s)\n", FUZZ_TARGET, label,
               timeout);
    else if (WIFSIGNALED(status))
        printf("not ok - fuzz_%s: %s (killed by signal %d)\n", FUZZ_TARGET, label,
               WTERMSIG(status));
    else
        printf("not ok - fuzz_%s: %s (exit status %d)\n", FUZZ_TARGET, label,
               WEXITSTATUS(status));
    return 1;
}

/* Runs every regular file of dir/sub/ in name order; returns the failures. */
static int run_dir(const char *dir, const char *sub, unsigned timeout, int *num)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s", dir, sub, FUZZ_TARGET);
    DIR *d = opendir(path);
    if (!d)
        return 0;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown)
                break;
            names = grown;
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    int fails = 0;
    for (size_t i = 0; i < n; i++) {
        char file[8192], label[4096];
        snprintf(file, sizeof file, "%s/%s", path, names[i]);
        snprintf(label, sizeof label, "%s/%s/%s", sub, FUZZ_TARGET, names[i]);
        ++*num;
        fails += run_one(file, label, timeout);
        free(names[i]);
    }
    free(names);
    return fails;
}

int main(int argc, char **argv)
{
    const char *dir = getenv("HB_FUZZ_DIR");
    const char *t = getenv("HB_FUZZ_TIMEOUT");
    unsigned timeout = t && atoi(t) > 0 ? (unsigned)atoi(t) : 10;
    int num = 0, fails = 0;
    if (!dir || !*dir)
        dir = FUZZ_DIR;
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            fails += run_one(argv[i], argv[i], timeout);
        num = argc - 1;
    } else {
        fails += run_dir(dir, "regressions", timeout, &num);
        fails += run_dir(dir, "corpus", timeout, &num);
    }
    if (num == 0) {
        printf("ok - fuzz_%s: no saved inputs in %s # SKIP\n", FUZZ_TARGET, dir);
        num = 1;
    }
    printf("1..%d\n", num);
    return fails ? 1 : 0;
}
