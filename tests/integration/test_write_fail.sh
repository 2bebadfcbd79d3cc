# An output file whose writes fail mid-run while the others' succeed
# (figures.csv, through a preloaded fwrite that fails after 2.5 MB): the run
# fails with 1 and names the file; resume.tsv names no document whose
# figures.csv rows were lost, so --resume gives the clean run's outputs.
. "$(dirname "$0")/lib.sh"

if [ -n "${HB_SAN_FLAGS:-}" ]; then
    skip "write fail" "a preloaded library and the sanitizers' runtime do not mix"
    exit 0
fi
cat >"$TMP/fail.c" <<'CEOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* fwrite to a file named figures.csv fails after HB_FAIL_AFTER bytes. */
static FILE *target;
static size_t written;

static FILE *watch(FILE *f, const char *path, const char *mode)
{
    size_t n = strlen(path);
    if (f && mode[0] != 'r' && n >= 11 && !strcmp(path + n - 11, "figures.csv"))
        target = f;
    return f;
}

FILE *fopen(const char *path, const char *mode)
{
    FILE *(*real)(const char *, const char *) = (FILE * (*)(const char *, const char *))
        dlsym(RTLD_NEXT, "fopen");
    return watch(real(path, mode), path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
    FILE *(*real)(const char *, const char *) = (FILE * (*)(const char *, const char *))
        dlsym(RTLD_NEXT, "fopen64");
    return watch(real(path, mode), path, mode);
}

size_t fwrite(const void *p, size_t size, size_t n, FILE *f)
{
    size_t (*real)(const void *, size_t, size_t, FILE *) =
        (size_t(*)(const void *, size_t, size_t, FILE *))dlsym(RTLD_NEXT, "fwrite");
    const char *after = getenv("HB_FAIL_AFTER");
    if (f && f == target && after && (written += size * n) > strtoul(after, NULL, 10)) {
        errno = ENOSPC;
        return 0;
    }
    return real(p, size, n, f);
}
CEOF
cc -shared -fPIC -o "$TMP/fail.so" "$TMP/fail.c" -ldl
check "the preload builds" [ -f "$TMP/fail.so" ]

in=$TMP/in
seed_corpus "$in" 120
"$BIN/huibao" run -q -j 2 -o "$TMP/clean" "$in" >/dev/null 2>&1
check "the clean run wrote figures.csv" [ "$(wc -c <"$TMP/clean/figures.csv")" -gt 2000000 ]

HB_FAIL_AFTER=2500000 LD_PRELOAD="$TMP/fail.so" \
    "$BIN/huibao" run -j 2 --no-progress -o "$TMP/out" "$in" >"$TMP/out.out" 2>"$TMP/out.err"
check "a run whose figures.csv cannot be written fails with 1" [ $? -eq 1 ]
check "it names the file" grep -q "figures.csv: write failed" "$TMP/out.err"
# Every document resume.tsv names has its figures in figures.csv.
check "resume.tsv names no document whose figures were lost" "$PY" - "$TMP/out" "$TMP/clean" <<'PYEOF'
import csv, sys
out, clean = sys.argv[1:3]
docs = {l.split("\t")[0] for l in open(out + "/resume.tsv", encoding="utf-8") if l[:1].isdigit()}
def rows(d):
    with open(d + "/figures.csv", encoding="utf-8-sig", newline="") as f:
        return [r for r in csv.reader(f)][1:]
have = {tuple(r) for r in rows(out)}
lost = [r for r in rows(clean) if r[0] in docs and tuple(r) not in have]
print("# %d documents journalled, %d of their figures missing" % (len(docs), len(lost)))
sys.exit(1 if lost else 0)
PYEOF
"$BIN/huibao" run -q -j 2 --resume -o "$TMP/out" "$in" >/dev/null 2>&1
check "--resume then finishes with 0" [ $? -eq 0 ]
check "and figures.csv equals the clean run's" cmp -s <(sort "$TMP/clean/figures.csv") <(sort "$TMP/out/figures.csv")
check "and the journal agrees with the outputs" consistent "$TMP/out"
