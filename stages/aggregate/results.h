/* results: results.sqlite, the run's results as one SQLite database an
 * analyst opens at once (docs/results.md has the schema and queries).
 *
 * The aggregator hands over each document's doc_end and each new unit as
 * they arrive; their rows go into one open transaction, which is committed
 * every few hundred finished documents (hb_results_finished says when).
 * Units of a document still in flight may be committed with it; a document
 * that never completes is dropped again (hb_results_drop, and at resume).
 * The database is in WAL mode while the run goes, so it can be read
 * meanwhile; hb_results_close() analyses it and leaves a single file.
 *
 * A thread of its own writes the rows: the calls below copy what they need
 * from the message into a chunk and return, and a bounded queue of chunks
 * (about 1 MB) carries them to the writer, which binds and inserts them.
 * SQLite's cost per row (about 1 µs) so runs beside the aggregator's own
 * work instead of after it.  hb_results_commit() only asks for a commit;
 * hb_results_sync() waits until every commit asked for is done.  While the
 * writer runs, only it touches the connection; the place ids are kept in
 * memory by the caller's thread. 
 *
 * Fields a stage adds that have no column of their own go to the row's
 * `extra` column, a JSON object; the place fields (province, city, code,
 * level, place_candidates), `script`, and the figures' base_value and
 * base_unit are columns, NULL when absent.
 *
 * Resuming: hb_results_open(…, resume) keeps the database; the caller
 * passes the id of every document the journal holds (ids are stable from
 * run to run) to hb_results_keep(), then calls
 * hb_results_resume(), which deletes whatever else is there.  So the
 * journal (resume.tsv) must never hold a document before its rows are
 * committed: write its lines after hb_results_commit() and
 * hb_results_sync().
 *
 * Without a database (--no-results-db) the caller holds NULL: every
 * function below then does nothing and returns 0 (hb_results_finished
 * true).
 *
 * Ownership: hb_results_t is the caller's; hb_results_close() stops the
 * writer and frees it.  Every function returns 0, or -1 after logging what
 * failed (the database then refuses further work: the run ends with an
 * error); a failure in the writer shows at the caller's next call. */
#ifndef HB_RESULTS_H
#define HB_RESULTS_H

#include <stdbool.h>
#include <stdint.h>

#include "figtop.h"
#include "hb_msg.h"

typedef struct hb_results hb_results_t;

/* DIR/results.sqlite, afresh or (resume) as it is; topics_conf gives the
 * topics table (NULL: topics are added as met).  top (the caller's, may be
 * NULL) is given every figure written, and at resume those kept. */
hb_results_t *hb_results_open(const char *dir, const char *topics_conf, bool resume,
                              hb_figtop_t *top);
/* Removes DIR/results.sqlite (and its -wal, -shm, -journal) if there: a run
 * without the database leaves none of an earlier run's behind. */
int hb_results_remove(const char *dir);

int hb_results_keep(hb_results_t *r, uint64_t doc);
/* After the last hb_results_keep(): drops what the journal does not hold
 * and warns when the database lacks documents it holds. */
int hb_results_resume(hb_results_t *r, long journal_docs);

/* doc: the document's id, as the reader gave it (documents.id). */
int hb_results_doc(hb_results_t *r, uint64_t doc, const hb_msg_t *doc_end);
/* A unit's row id, units.id: doc << 35 | seq << 6 | part (part 0 for a
 * unit without parts), so a document's units are one range of ids, in
 * order.  It holds documents below HB_RESULTS_MAX_DOC, seqs below
 * HB_RESULTS_MAX_SEQ and parts below HB_MAX_PARTS (64); hb_results_unit()
 * leaves a unit beyond them out of the database with a warning naming its
 * document, never wraps. */
#define HB_RESULTS_MAX_DOC (1ull << 28)
#define HB_RESULTS_MAX_SEQ (1ull << 29)
static inline uint64_t hb_results_unit_id(uint64_t doc, uint64_t seq, uint32_t part)
{
    return doc << 35 | seq << 6 | part;
}
int hb_results_unit(hb_results_t *r, uint64_t doc, uint64_t seq, uint32_t part,
                    const hb_msg_t *unit);
int hb_results_reject(hb_results_t *r, const hb_msg_t *reject);
/* A document that is rejected or will not complete (from_seq 0: its rows
 * go), or units beyond its count (those from from_seq on go), at the end. */
int hb_results_drop(hb_results_t *r, uint64_t doc, uint64_t from_seq);

/* A document is complete: true when the transaction should be committed. */
bool hb_results_finished(hb_results_t *r);
/* Asks the writer to commit what it was given so far; returns at once. */
int hb_results_commit(hb_results_t *r);
/* Waits until every commit asked for is done: 0, or -1 when one failed. */
int hb_results_sync(hb_results_t *r);

/* Commits, records the run (table meta), analyses, checkpoints and closes;
 * NULL-safe.  complete: every input was used. */
int hb_results_close(hb_results_t *r, const char *run, bool complete, double seconds);

#endif
