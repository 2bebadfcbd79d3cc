/* hb_rundir: an output folder belongs to one run.
 *
 *   DIR/.lock       held with flock(2) by the run writing the folder; it
 *                   says "pid PID run RUN".  The kernel drops the lock when
 *                   its process dies, so the lock of a crashed run is stale
 *                   and simply taken over.
 *   DIR/inputs.tsv  what the run reads: "pattern\tGLOB", then one
 *                   "path\tPATH" per argument as given, escaped like the
 *                   journal (hb_journal_escape).  --resume must be given the
 *                   same, or the documents' ids and the journal would not
 *                   match the files.
 *
 * The aggregator holds the lock for its whole run (hand-wired runs too);
 * `huibao run` takes it for the moment it checks and records the inputs. */
#ifndef HB_RUNDIR_H
#define HB_RUNDIR_H

#include <stdbool.h>
#include <stddef.h>

/* mkdir -p: the folder and any missing folders above it.  0, or -1 with
 * errno. */
int hb_rundir_make(const char *dir);

/* Takes DIR/.lock for this process and writes "pid PID run RUN" in it.
 * Returns its descriptor (keep it open: closing it releases the lock), or -1
 * after logging why, naming the pid and run that hold it. */
int hb_rundir_lock(const char *dir, const char *run);
void hb_rundir_unlock(int fd); /* -1 is ignored */

/* True when DIR holds results or the journal of a run. */
bool hb_rundir_used(const char *dir);

/* DIR/inputs.tsv afresh.  -1 after logging why. */
int hb_rundir_inputs_write(const char *dir, const char *pattern, char *const *paths,
                           size_t npaths);
/* 0 when DIR/inputs.tsv lists these inputs, 1 when it lists others (they
 * are logged), -1 when it is missing or unreadable. */
int hb_rundir_inputs_same(const char *dir, const char *pattern, char *const *paths,
                          size_t npaths);

#endif
