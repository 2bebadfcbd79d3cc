#include "results.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "hb_buf.h"
#include "hb_conf.h"
#include "hb_json.h"
#include "hb_log.h"
#include "hb_map.h"
#include "hb_mem.h"
#include "figtop.h"

/* Rows of units, figures and topics go in by statements of this many rows:
 * a step costs SQLite about as much again as the row it inserts. */
#define MANY_ROWS 16

/* Commit after this many finished documents, or this many seconds. */
#define BATCH_DOCS 256
#define BATCH_SECONDS 1.0

/* The writer's queue: up to QUEUE_CHUNKS chunks of about CHUNK_BYTES each;
 * the caller waits when it is full, so memory stays flat however far the
 * writer falls behind.  A chunk that grew past CHUNK_MAX (one huge unit) is
 * given back once written. */
#define CHUNK_BYTES (256 * 1024)
#define QUEUE_CHUNKS 4
#define CHUNK_MAX (4 * 1024 * 1024)

/* A chunk is a sequence of operations, in the host's byte order (it never
 * leaves the process):
 *   OP_ROW STMT (TYPE PARAM VALUE)* V_END   an insert: integers and reals
 *                                           in 8 bytes, texts as a 4-byte
 *                                           length and their bytes, NULL
 *                                           as nothing; a parameter not
 *                                           given is NULL, one given twice
 *                                           (a key twice) the last value
 *   OP_COMMIT                               commit what came before
 *   OP_STOP                                 the writer ends */
enum { OP_ROW = 1, OP_COMMIT, OP_STOP };
enum { V_END, V_INT, V_REAL, V_TEXT, V_NULL };
enum { S_DOC, S_UNIT, S_FIGURE, S_TOPIC, S_VILLAGE, S_PLACE, S_REJECT, S_GONE, NSTMT };
static const char *const stmt_what[NSTMT] = {
    "write a document", "write a unit", "write a figure", "write a unit's topics",
    "write a unit's villages", "write a place", "write a reject", "drop a document"};

/* The schema; docs/results.md explains every column.  Every big table is a
 * rowid table filled in arrival order, so an insert appends: a unit's id is
 * hb_results_unit_id() (a document's units are one range of ids), figures and
 * the others number their rows as they come and join to their unit by its
 * primary key.  The one secondary index on them, on units, is built at the
 * end: sorting once costs less than keeping it up to date row by row
 * (measured: docs/results.md). */
static const char schema[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS topics(id TEXT PRIMARY KEY, label TEXT, description TEXT,"
    " position INTEGER) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS places(id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE,"
    " code TEXT, level TEXT, province TEXT, city TEXT, county TEXT, town TEXT);"
    "CREATE TABLE IF NOT EXISTS documents(id INTEGER PRIMARY KEY, file TEXT NOT NULL,"
    " place_id INTEGER REFERENCES places(id), year INTEGER, title TEXT, province TEXT,"
    " city TEXT, county TEXT, town TEXT, code TEXT, level TEXT, place_candidates TEXT,"
    " script TEXT, encoding TEXT, bytes INTEGER, units INTEGER, extra TEXT);"
    "CREATE TABLE IF NOT EXISTS units(id INTEGER PRIMARY KEY,"
    " doc_id INTEGER NOT NULL REFERENCES documents(id), seq INTEGER NOT NULL,"
    " part INTEGER NOT NULL DEFAULT 0,"
    " kind TEXT, kind_conf REAL, kind_cue INTEGER, topic TEXT REFERENCES topics(id),"
    " section TEXT, text TEXT, item INTEGER, headed INTEGER, overview INTEGER, script TEXT,"
    " extra TEXT);"
    "CREATE TABLE IF NOT EXISTS unit_topics(unit_id INTEGER NOT NULL REFERENCES units(id),"
    " doc_id INTEGER NOT NULL REFERENCES documents(id), topic TEXT NOT NULL"
    " REFERENCES topics(id), score REAL, rank INTEGER);"
    "CREATE TABLE IF NOT EXISTS figures(id INTEGER PRIMARY KEY,"
    " unit_id INTEGER NOT NULL REFERENCES units(id),"
    " doc_id INTEGER NOT NULL REFERENCES documents(id), n INTEGER NOT NULL, raw TEXT,"
    " value REAL, max REAL, unit TEXT, masked INTEGER, approx TEXT, subject TEXT,"
    " base_value REAL, base_unit TEXT, extra TEXT);"
    "CREATE TABLE IF NOT EXISTS villages(unit_id INTEGER NOT NULL REFERENCES units(id),"
    " doc_id INTEGER NOT NULL REFERENCES documents(id), name TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS rejects(file TEXT, doc_id INTEGER, stage TEXT, reason TEXT);"
    "CREATE INDEX IF NOT EXISTS documents_place ON documents(place_id, year);"
    "CREATE INDEX IF NOT EXISTS documents_file ON documents(file);"
    /* Share of a place's units (per year) whose main topic is each topic. */
    "CREATE VIEW IF NOT EXISTS town_topic_share AS"
    " WITH per AS (SELECT d.place_id, d.year, u.topic, count(*) AS units"
    "  FROM units u JOIN documents d ON d.id = u.doc_id GROUP BY 1, 2, 3),"
    " tot AS (SELECT place_id, year, sum(units) AS units FROM per GROUP BY 1, 2)"
    " SELECT per.place_id, p.code, p.province, p.city, p.county, p.town, per.year,"
    "  per.topic, t.label, per.units, tot.units AS total_units,"
    "  round(1.0 * per.units / tot.units, 4) AS share"
    " FROM per JOIN tot ON tot.place_id IS per.place_id AND tot.year IS per.year"
    " LEFT JOIN places p ON p.id = per.place_id LEFT JOIN topics t ON t.id = per.topic"
    " WHERE per.topic IS NOT NULL;"
    /* Per place, year and topic: what the summary reports beside what the
     * plans promise, in units and as shares of each part. */
    "CREATE VIEW IF NOT EXISTS plans_vs_summary AS"
    " WITH per AS (SELECT d.place_id, d.year, u.topic,"
    "  sum(u.kind = 'summary') AS summary_units, sum(u.kind = 'plan') AS plan_units"
    "  FROM units u JOIN documents d ON d.id = u.doc_id"
    "  WHERE u.kind IN ('summary', 'plan') GROUP BY 1, 2, 3),"
    " tot AS (SELECT place_id, year, sum(summary_units) AS s, sum(plan_units) AS p"
    "  FROM per GROUP BY 1, 2)"
    " SELECT per.place_id, pl.code, pl.province, pl.city, pl.county, pl.town, per.year,"
    "  per.topic, t.label, per.summary_units, per.plan_units,"
    "  round(1.0 * per.summary_units / nullif(tot.s, 0), 4) AS summary_share,"
    "  round(1.0 * per.plan_units / nullif(tot.p, 0), 4) AS plan_share"
    " FROM per JOIN tot ON tot.place_id IS per.place_id AND tot.year IS per.year"
    " LEFT JOIN places pl ON pl.id = per.place_id LEFT JOIN topics t ON t.id = per.topic"
    " WHERE per.topic IS NOT NULL;";

/* Places are numbered as documents arrive, which differs from run to run;
 * at the end they are numbered again in the order of their keys, so the
 * same inputs give the same place ids. */
static const char renumber_places[] =
    "CREATE TEMP TABLE renumber(old INTEGER PRIMARY KEY, new INTEGER NOT NULL);"
    "INSERT INTO renumber SELECT id, row_number() OVER (ORDER BY key) FROM places;"
    "UPDATE places SET id = -(SELECT new FROM renumber WHERE old = places.id);"
    "UPDATE places SET id = -id;"
    "UPDATE documents SET place_id = (SELECT new FROM renumber WHERE old = place_id)"
    " WHERE place_id IS NOT NULL;"
    "DROP TABLE renumber;";

/* Built at the end of a run, dropped while one resumes.  It covers the
 * counts per document, kind and topic (the views) without reading text. */
static const char indexes[] = "CREATE INDEX IF NOT EXISTS units_doc ON units(doc_id, kind, topic);";
static const char drop_indexes[] = "DROP INDEX IF EXISTS units_doc;";

/* The columns filled from a message's keys of the same name; the rest of
 * its keys (but the skipped ones) go to "extra" as a JSON object. */
static const char *const doc_cols[] = {"file", "year", "title", "province", "city", "county",
                                       "town", "code", "level", "place_candidates", "script",
                                       "encoding", "bytes", "units", NULL};
static const char *const doc_skip[] = {"v", "type", "run", "doc", NULL};
static const char *const unit_cols[] = {"kind", "kind_conf", "kind_cue", "topic", "section",
                                        "text", "item", "headed", "overview", "script", NULL};
static const char *const unit_skip[] = {"v", "type", "run", "doc", "seq", "part", "parts",
                                        "topics", "metrics", "villages", NULL};
static const char *const figure_cols[] = {"raw", "value", "max", "unit", "masked", "approx",
                                          "subject", "base_value", "base_unit", NULL};
static const char *const no_skip[] = {NULL};

#define MAX_COLS 16
#define MAX_KEYS 32 /* a message's keys whose place is remembered */

/* Where a message's key goes: a column (>= 0), nowhere, or extra.  The
 * messages of a stage have their keys in the same order, so the place of
 * the i-th key of the last message is tried first (one comparison instead
 * of a search through the columns and the skipped keys). */
enum { KEY_SKIP = -1, KEY_EXTRA = -2 };
typedef struct key_seen {
    signed char at;
    unsigned char len; /* 0: nothing remembered */
    char name[30];
} key_seen_t;

/* An insert statement (hb_results.st[stmt]): ?1 … ?nkeys are the key
 * columns (doc_id, …), then one parameter per named column, then extra. */
typedef struct table {
    int stmt;
    const char *const *cols;
    size_t len[MAX_COLS];
    const char *const *skip;
    int nkeys, ncols;
    key_seen_t seen[MAX_KEYS];
} table_t;

struct hb_results {
    /* The connection and what only its holder touches: the caller's thread
     * before the writer starts and after it ends, the writer meanwhile. */
    sqlite3 *db;
    sqlite3_stmt *st[NSTMT], *keep;
    sqlite3_stmt *many[NSTMT]; /* MANY_ROWS rows at once, for the big tables */
    int nparams[NSTMT];
    const char **rows[NSTMT];  /* a chunk's rows by statement, until written */
    size_t nrows[NSTMT], caprows[NSTMT];
    bool in_txn;
    char path[4096];
    _Atomic bool failed; /* set by either thread, seen by the other */

    /* The caller's thread. */
    table_t doc, unit, figure;
    hb_buf_t fill;       /* the chunk being filled */
    hb_buf_t extra, json;
    hb_map_t *places;    /* place key -> places.id */
    sqlite3_int64 last_place;
    unsigned batch_docs;
    double batch_started;
    unsigned long asked; /* commits asked for */
    bool purge;          /* documents were dropped: their rows go at the end */
    bool warned;         /* about warned_doc's ids out of range (once per document) */
    uint64_t warned_doc;
    hb_figtop_t *top;    /* the caller's, or NULL */

    /* The queue, under mu: slot[head] is the one being written while count
     * > 0; the caller swaps its filled chunk into the slot after the last. */
    pthread_t writer;
    bool writing;        /* the writer thread runs */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    hb_buf_t slot[QUEUE_CHUNKS];
    unsigned head, count;
    unsigned long done;  /* commits done */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* SQLite reports a write cut short by ulimit -f as an I/O error without
 * an errno: a finite limit is named as the likely cause. */
static int db_error(hb_results_t *r, const char *what)
{
    struct rlimit fsize;
    bool limited = getrlimit(RLIMIT_FSIZE, &fsize) == 0 && fsize.rlim_cur != RLIM_INFINITY;
    if (!r->failed)
        hb_error("%s: %s: %s; %s, then rerun with --resume", r->path, what,
                 r->db ? sqlite3_errmsg(r->db) : "cannot open",
                 limited ? "output file size limit reached? see ulimit -f, or free some room"
                         : "is the disk full? Free some room");
    r->failed = true;
    return -1;
}

static int exec(hb_results_t *r, const char *sql, const char *what)
{
    if (r->failed)
        return -1;
    return sqlite3_exec(r->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : db_error(r, what);
}

static int prepare(hb_results_t *r, const char *sql, sqlite3_stmt **st)
{
    if (r->failed)
        return -1;
    if (sqlite3_prepare_v3(r->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
        return db_error(r, "prepare");
    return 0;
}

static long scalar_of(hb_results_t *r, const char *sql)
{
    sqlite3_stmt *st;
    long v = 0;
    if (prepare(r, sql, &st) != 0)
        return 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* INSERT INTO name(keys…, cols…, extra) VALUES(?, …). */
static int prepare_table(hb_results_t *r, table_t *t, int stmt, const char *name,
                         const char *keys, int nkeys, const char *const *cols,
                         const char *const *skip)
{
    hb_buf_t sql;
    hb_buf_init(&sql);
    t->stmt = stmt;
    t->cols = cols;
    t->skip = skip;
    t->nkeys = nkeys;
    t->ncols = 0;
    hb_buf_printf(&sql, "INSERT INTO %s(%s", name, keys);
    for (; cols[t->ncols] && t->ncols < MAX_COLS; t->ncols++) {
        t->len[t->ncols] = strlen(cols[t->ncols]);
        hb_buf_printf(&sql, ", %s", cols[t->ncols]);
    }
    hb_buf_puts(&sql, ", extra) VALUES(?");
    for (int i = 1; i < nkeys + t->ncols + 1; i++)
        hb_buf_puts(&sql, ", ?");
    hb_buf_puts(&sql, ")");
    int rc = prepare(r, sql.data, &r->st[stmt]);
    hb_buf_release(&sql);
    return rc;
}

static bool key_is(const msgpack_object *key, const char *s, size_t len)
{
    return key->via.str.size == len && !memcmp(key->via.str.ptr, s, len);
}

static bool listed(const char *const *list, const msgpack_object *key)
{
    for (; *list; list++)
        if (key_is(key, *list, strlen(*list)))
            return true;
    return false;
}

/* The caller's side of the queue: a row is written into r->fill, copying
 * what it needs from the message, and the chunk goes to the writer once
 * full (push). */
static int push(hb_results_t *r);

static void row_begin(hb_results_t *r, int stmt)
{
    hb_buf_putc(&r->fill, OP_ROW);
    hb_buf_putc(&r->fill, (char)stmt);
}

/* A value's type and parameter; its bytes follow. */
static void put_head(hb_results_t *r, int type, int param)
{
    char head[2] = {(char)type, (char)param};
    hb_buf_append(&r->fill, head, 2);
}

static void put_int(hb_results_t *r, int param, int64_t v)
{
    put_head(r, V_INT, param);
    hb_buf_append(&r->fill, &v, sizeof v);
}

static void put_real(hb_results_t *r, int param, double v)
{
    put_head(r, V_REAL, param);
    hb_buf_append(&r->fill, &v, sizeof v);
}

/* A message's strings are far below 4 GB (its size is bounded). */
static void put_text(hb_results_t *r, int param, const char *s, size_t len)
{
    uint32_t n = (uint32_t)len;
    put_head(r, V_TEXT, param);
    hb_buf_append(&r->fill, &n, sizeof n);
    hb_buf_append(&r->fill, s, n);
}

static int row_end(hb_results_t *r)
{
    hb_buf_putc(&r->fill, V_END);
    if (r->fill.len >= CHUNK_BYTES)
        return push(r);
    return r->failed ? -1 : 0;
}

/* A msgpack value as an SQL one: arrays and maps as JSON text; nil (and
 * what has no SQL value) NULL, also over a value the same key gave
 * before. */
static void put_value(hb_results_t *r, int i, const msgpack_object *o)
{
    switch (o->type) {
    case MSGPACK_OBJECT_BOOLEAN: put_int(r, i, o->via.boolean); break;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        if (o->via.u64 <= INT64_MAX)
            put_int(r, i, (int64_t)o->via.u64);
        else
            put_real(r, i, (double)o->via.u64);
        break;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: put_int(r, i, o->via.i64); break;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64: put_real(r, i, o->via.f64); break;
    case MSGPACK_OBJECT_STR: put_text(r, i, o->via.str.ptr, o->via.str.size); break;
    case MSGPACK_OBJECT_ARRAY:
    case MSGPACK_OBJECT_MAP:
        hb_buf_reset(&r->json);
        hb_json_obj(&r->json, o);
        put_text(r, i, r->json.data, r->json.len);
        break;
    default: put_head(r, V_NULL, i); break;
    }
}

static int key_at(const table_t *t, const msgpack_object *key)
{
    for (int c = 0; c < t->ncols; c++)
        if (key_is(key, t->cols[c], t->len[c]))
            return c;
    return listed(t->skip, key) ? KEY_SKIP : KEY_EXTRA;
}

/* Puts the pairs of a map in t's columns (after its keys) and extra. */
static void put_map(hb_results_t *r, table_t *t, const msgpack_object_map *map)
{
    bool first = true;
    hb_buf_reset(&r->extra);
    for (uint32_t i = 0; i < map->size; i++) {
        const msgpack_object_kv *kv = &map->ptr[i];
        if (kv->key.type != MSGPACK_OBJECT_STR)
            continue;
        key_seen_t *seen = i < MAX_KEYS ? &t->seen[i] : NULL;
        uint32_t len = kv->key.via.str.size;
        int c;
        if (seen && seen->len && seen->len == len && !memcmp(seen->name, kv->key.via.str.ptr, len)) {
            c = seen->at;
        } else {
            c = key_at(t, &kv->key);
            if (seen && len <= sizeof seen->name) {
                seen->at = (signed char)c;
                seen->len = (unsigned char)len;
                memcpy(seen->name, kv->key.via.str.ptr, len);
            }
        }
        if (c >= 0) {
            put_value(r, t->nkeys + 1 + c, &kv->val);
            continue;
        }
        if (c == KEY_SKIP)
            continue;
        hb_buf_putc(&r->extra, first ? '{' : ',');
        first = false;
        hb_json_str(&r->extra, kv->key.via.str.ptr, kv->key.via.str.size);
        hb_buf_putc(&r->extra, ':');
        hb_json_obj(&r->extra, &kv->val);
    }
    if (!first) {
        hb_buf_putc(&r->extra, '}');
        put_text(r, t->nkeys + t->ncols + 1, r->extra.data, r->extra.len);
    }
}

/* Steps a statement once and resets it with its bindings cleared. */
static int step(hb_results_t *r, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db_error(r, what);
    return 0;
}

static int begin(hb_results_t *r)
{
    if (r->in_txn)
        return 0;
    if (exec(r, "BEGIN", "begin") != 0)
        return -1;
    r->in_txn = true;
    return 0;
}

static int commit_now(hb_results_t *r)
{
    if (r->failed)
        return -1;
    if (!r->in_txn)
        return 0;
    r->in_txn = false;
    return exec(r, "COMMIT", "commit");
}

/* Walks the row at p (just after its statement byte), binding its values
 * to st, when given, with their parameters shifted by offset; returns where
 * the next operation is. */
static const char *walk_row(const char *p, sqlite3_stmt *st, int offset)
{
    for (int type; (type = *p++) != V_END;) {
        int param = (unsigned char)*p++ + offset;
        int64_t i;
        double d;
        uint32_t n;
        switch (type) {
        case V_INT:
            memcpy(&i, p, sizeof i);
            if (st)
                sqlite3_bind_int64(st, param, i);
            p += sizeof i;
            break;
        case V_REAL:
            memcpy(&d, p, sizeof d);
            if (st)
                sqlite3_bind_double(st, param, d);
            p += sizeof d;
            break;
        case V_NULL:
            if (st)
                sqlite3_bind_null(st, param);
            break;
        default: /* V_TEXT: its bytes stay in the chunk until the step */
            memcpy(&n, p, sizeof n);
            p += sizeof n;
            if (st)
                sqlite3_bind_text(st, param, p, (int)n, SQLITE_STATIC);
            p += n;
            break;
        }
    }
    return p;
}

/* Inserts the rows held, statement by statement (each table's rows keep
 * their order; the order between tables does not matter), MANY_ROWS at a
 * time where a statement for that many was prepared. */
static void write_rows(hb_results_t *r)
{
    for (int s = 0; s < NSTMT; s++) {
        const char **row = r->rows[s];
        size_t n = r->nrows[s], i = 0;
        r->nrows[s] = 0;
        if (n == 0 || r->failed || begin(r) != 0)
            continue;
        for (; r->many[s] && n - i >= MANY_ROWS && !r->failed; i += MANY_ROWS) {
            for (int k = 0; k < MANY_ROWS; k++)
                walk_row(row[i + k], r->many[s], k * r->nparams[s]);
            (void)step(r, r->many[s], stmt_what[s]);
        }
        for (; i < n && !r->failed; i++) {
            walk_row(row[i], r->st[s], 0);
            (void)step(r, r->st[s], stmt_what[s]);
        }
    }
}

/* The writer's side: runs a chunk's operations; true at OP_STOP.  After a
 * failure rows are skipped (the error was logged once), commits counted. */
static bool run_chunk(hb_results_t *r, const hb_buf_t *c, unsigned long *commits)
{
    const char *p = c->data, *end = c->data + c->len;
    while (p < end) {
        int op = *p++;
        if (op == OP_STOP) {
            write_rows(r);
            return true;
        }
        if (op == OP_COMMIT) {
            write_rows(r);
            (void)commit_now(r);
            ++*commits;
            continue;
        }
        int stmt = *p++;
        if (r->nrows[stmt] == r->caprows[stmt]) {
            r->caprows[stmt] = r->caprows[stmt] ? 2 * r->caprows[stmt] : 1024;
            r->rows[stmt] = hb_realloc(r->rows[stmt], r->caprows[stmt] * sizeof *r->rows[stmt]);
        }
        r->rows[stmt][r->nrows[stmt]++] = p;
        p = walk_row(p, NULL, 0);
    }
    write_rows(r);
    return false;
}

static void *writer_main(void *arg)
{
    hb_results_t *r = arg;
    for (bool stop = false; !stop;) {
        pthread_mutex_lock(&r->mu);
        while (r->count == 0)
            pthread_cond_wait(&r->cv, &r->mu);
        hb_buf_t *chunk = &r->slot[r->head];
        pthread_mutex_unlock(&r->mu);
        unsigned long commits = 0;
        stop = run_chunk(r, chunk, &commits);
        if (chunk->cap > CHUNK_MAX)
            hb_buf_release(chunk);
        hb_buf_reset(chunk);
        pthread_mutex_lock(&r->mu);
        r->head = (r->head + 1) % QUEUE_CHUNKS;
        r->count--;
        r->done += commits;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
    }
    return NULL;
}

/* Hands the chunk filled so far to the writer (started with the first),
 * waiting while the queue is full; the caller goes on with a drained one. */
static int push(hb_results_t *r)
{
    if (!r->writing) {
        int err = pthread_create(&r->writer, NULL, writer_main, r);
        if (err != 0) {
            hb_error("%s: cannot start the thread that writes it: %s", r->path, strerror(err));
            r->failed = true;
            hb_buf_reset(&r->fill);
            return -1;
        }
        r->writing = true;
    }
    pthread_mutex_lock(&r->mu);
    while (r->count == QUEUE_CHUNKS)
        pthread_cond_wait(&r->cv, &r->mu);
    unsigned tail = (r->head + r->count) % QUEUE_CHUNKS;
    hb_buf_t drained = r->slot[tail];
    r->slot[tail] = r->fill;
    r->fill = drained;
    r->count++;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    return r->failed ? -1 : 0;
}

/* The writer ends once it has written everything given (a run too short
 * to fill a chunk never started it: its rows are written here); the
 * connection is the caller's thread's again. */
static void stop_writer(hb_results_t *r)
{
    unsigned long commits = 0;
    if (!r->writing) {
        run_chunk(r, &r->fill, &commits);
        hb_buf_reset(&r->fill);
        return;
    }
    hb_buf_putc(&r->fill, OP_STOP);
    (void)push(r);
    pthread_join(r->writer, NULL);
    r->writing = false;
}

int hb_results_commit(hb_results_t *r)
{
    if (!r)
        return 0;
    r->batch_docs = 0;
    r->batch_started = now_s();
    if (r->failed)
        return -1;
    hb_buf_putc(&r->fill, OP_COMMIT);
    r->asked++;
    return push(r);
}

int hb_results_sync(hb_results_t *r)
{
    if (!r)
        return 0;
    if (r->writing) {
        pthread_mutex_lock(&r->mu);
        while (r->done < r->asked)
            pthread_cond_wait(&r->cv, &r->mu);
        pthread_mutex_unlock(&r->mu);
    }
    return r->failed ? -1 : 0;
}

static int load_topics(hb_results_t *r, const char *path)
{
    hb_conf_t *c = hb_conf_load(path);
    sqlite3_stmt *st;
    if (!c || prepare(r, "INSERT INTO topics(id, label, description, position)"
                         " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(id) DO UPDATE SET label = ?2,"
                         " description = ?3, position = ?4", &st) != 0) {
        hb_conf_free(c);
        return -1;
    }
    int rc = 0, position = 0;
    for (size_t s = 0; rc == 0 && s < c->nsections; s++) {
        const hb_conf_section_t *sec = &c->sections[s];
        if (strcmp(sec->section, "topic") || !*sec->name)
            continue;
        const char *label = NULL, *description = NULL;
        for (size_t i = 0; i < c->n; i++) {
            const hb_conf_entry_t *e = &c->entries[i];
            if (e->section != sec->section || e->name != sec->name)
                continue;
            if (!strcmp(e->key, "label"))
                label = e->value;
            else if (!strcmp(e->key, "description"))
                description = e->value;
        }
        sqlite3_bind_text(st, 1, sec->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, description, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, position++);
        rc = step(r, st, "write the topics");
    }
    sqlite3_finalize(st);
    hb_conf_free(c);
    return rc;
}

static int prepare_all(hb_results_t *r)
{
    if (prepare_table(r, &r->doc, S_DOC, "documents", "id, place_id", 2, doc_cols,
                      doc_skip) != 0 ||
        prepare_table(r, &r->unit, S_UNIT, "units", "id, doc_id, seq, part", 4, unit_cols,
                      unit_skip) != 0 ||
        prepare_table(r, &r->figure, S_FIGURE, "figures", "unit_id, doc_id, n", 3, figure_cols,
                      no_skip) != 0)
        return -1;
    return prepare(r, "INSERT INTO unit_topics(unit_id, doc_id, topic, score, rank)"
                      " VALUES(?, ?, ?, ?, ?)", &r->st[S_TOPIC]) ||
           prepare(r, "INSERT INTO villages(unit_id, doc_id, name) VALUES(?, ?, ?)",
                   &r->st[S_VILLAGE]) ||
           prepare(r, "INSERT INTO places(id, key, code, level, province, city, county, town)"
                      " VALUES(?, ?, ?, ?, ?, ?, ?, ?)", &r->st[S_PLACE]) ||
           prepare(r, "INSERT INTO rejects(file, doc_id, stage, reason) VALUES(?, ?, ?, ?)",
                   &r->st[S_REJECT]) ||
           prepare(r, "INSERT INTO gone(id, from_seq) VALUES(?1, ?2) ON CONFLICT(id)"
                      " DO UPDATE SET from_seq = min(from_seq, ?2)", &r->st[S_GONE]);
}

/* For the tables with most rows: an insert of MANY_ROWS rows, made from
 * the one-row insert by repeating its VALUES(…). */
static int prepare_many(hb_results_t *r, int s)
{
    const char *one = sqlite3_sql(r->st[s]), *values = strstr(one, " VALUES(");
    int n = sqlite3_bind_parameter_count(r->st[s]);
    hb_buf_t sql;
    hb_buf_init(&sql);
    hb_buf_append(&sql, one, (size_t)(values - one));
    hb_buf_puts(&sql, " VALUES");
    for (int k = 0; k < MANY_ROWS; k++) {
        hb_buf_puts(&sql, k ? ", (?" : "(?");
        for (int i = 1; i < n; i++)
            hb_buf_puts(&sql, ", ?");
        hb_buf_putc(&sql, ')');
    }
    r->nparams[s] = n;
    int rc = prepare(r, sql.data, &r->many[s]);
    hb_buf_release(&sql);
    return rc;
}

/* The places already in the database, so a resumed run gives a place the
 * id it has (and a new one the next). */
static int load_places(hb_results_t *r)
{
    sqlite3_stmt *st;
    hb_map_free(r->places);
    r->places = hb_map_new();
    r->last_place = 0;
    if (prepare(r, "SELECT id, key FROM places", &st) != 0)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 id = sqlite3_column_int64(st, 0);
        const char *key = (const char *)sqlite3_column_text(st, 1);
        if (id > 0 && key)
            hb_map_put(r->places, key, (void *)(uintptr_t)id);
        if (id > r->last_place)
            r->last_place = id;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_error(r, "read the places");
}

int hb_results_remove(const char *dir)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    int rc = 0;
    for (size_t i = 0; i < 4; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s/results.sqlite%s", dir, suffix[i]);
        if (unlink(p) != 0 && errno != ENOENT) {
            hb_error("%s: cannot remove the last run's database: %s", p, strerror(errno));
            rc = -1;
        }
    }
    return rc;
}

hb_results_t *hb_results_open(const char *dir, const char *topics_conf, bool resume,
                              hb_figtop_t *top)
{
    hb_results_t *r = hb_calloc(1, sizeof *r);
    r->top = top;
    hb_buf_init(&r->fill);
    hb_buf_init(&r->extra);
    hb_buf_init(&r->json);
    for (int i = 0; i < QUEUE_CHUNKS; i++)
        hb_buf_init(&r->slot[i]);
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    r->places = hb_map_new();
    r->batch_started = now_s();
    snprintf(r->path, sizeof r->path, "%s/results.sqlite", dir);
    if (!resume && hb_results_remove(dir) != 0)
        r->failed = true;
    /* One thread uses the connection (no mutexes); a bounded page cache
     * keeps memory flat; the WAL lets the database be read while the run
     * writes it; nothing is synced (the other outputs are not either:
     * resume.tsv says what survived a crash). */
    if (!r->failed && sqlite3_open_v2(r->path, &r->db,
                                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                          SQLITE_OPEN_NOMUTEX,
                                      NULL) != SQLITE_OK)
        db_error(r, "cannot open");
    exec(r, "PRAGMA page_size = 16384; PRAGMA cache_size = -8192; PRAGMA journal_mode = WAL;"
            " PRAGMA synchronous = OFF", "set up");
    /* A database of an older huibao (units without part: ids of another
     * layout) is not resumed but written afresh; hb_results_resume() then
     * says what it lacks. */
    if (resume && !r->failed &&
        scalar_of(r, "SELECT count(*) FROM sqlite_master WHERE name = 'units'") &&
        !scalar_of(r, "SELECT count(*) FROM pragma_table_info('units') WHERE name = 'part'")) {
        hb_warn("%s: written by an older huibao (its units have no part): started afresh",
                r->path);
        exec(r, "DROP VIEW IF EXISTS town_topic_share; DROP VIEW IF EXISTS plans_vs_summary;"
                " DROP TABLE IF EXISTS unit_topics; DROP TABLE IF EXISTS figures;"
                " DROP TABLE IF EXISTS villages; DROP TABLE IF EXISTS units;"
                " DROP TABLE IF EXISTS documents; DROP TABLE IF EXISTS places;"
                " DROP TABLE IF EXISTS rejects; DROP TABLE IF EXISTS meta", "start afresh");
    }
    exec(r, schema, "create the tables");
    exec(r, "CREATE TEMP TABLE gone(id INTEGER PRIMARY KEY, from_seq INTEGER NOT NULL DEFAULT 0);"
            " CREATE TEMP TABLE kept(id INTEGER PRIMARY KEY)",
         "set up");
    if (!r->failed && topics_conf && load_topics(r, topics_conf) != 0)
        r->failed = true;
    if (r->failed || prepare_all(r) != 0 || prepare_many(r, S_UNIT) != 0 ||
        prepare_many(r, S_FIGURE) != 0 || prepare_many(r, S_TOPIC) != 0 ||
        (resume && load_places(r) != 0) ||
        (resume && prepare(r, "INSERT OR IGNORE INTO kept VALUES(?)", &r->keep) != 0)) {
        hb_results_close(r, NULL, false, 0);
        return NULL;
    }
    return r;
}

int hb_results_keep(hb_results_t *r, uint64_t doc)
{
    if (!r)
        return 0;
    if (r->failed || !r->keep)
        return -1;
    sqlite3_bind_int64(r->keep, 1, (sqlite3_int64)doc);
    return step(r, r->keep, "resume");
}

/* Deletes the rows of the documents in gone (their units from from_seq on;
 * the document too when that is 0): one pass over each table. */
static int purge(hb_results_t *r)
{
    static const char sql[] =
        "DELETE FROM documents WHERE id IN (SELECT id FROM gone WHERE from_seq = 0);"
        "DELETE FROM units WHERE seq >= (SELECT from_seq FROM gone WHERE id = doc_id);"
        "DELETE FROM unit_topics WHERE (unit_id >> 6 & 536870911) >="
        " (SELECT from_seq FROM gone WHERE id = doc_id);"
        "DELETE FROM figures WHERE (unit_id >> 6 & 536870911) >="
        " (SELECT from_seq FROM gone WHERE id = doc_id);"
        "DELETE FROM villages WHERE (unit_id >> 6 & 536870911) >="
        " (SELECT from_seq FROM gone WHERE id = doc_id);"
        "DELETE FROM places WHERE id NOT IN (SELECT place_id FROM documents"
        " WHERE place_id IS NOT NULL);"
        "DELETE FROM gone;";
    r->purge = false;
    return exec(r, sql, "delete the documents not written whole");
}

static bool number_of(const msgpack_object *o, double *v)
{
    switch (o->type) {
    case MSGPACK_OBJECT_POSITIVE_INTEGER: *v = (double)o->via.u64; return true;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: *v = (double)o->via.i64; return true;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64: *v = o->via.f64; return true;
    default: return false;
    }
}

static void str_of(const msgpack_object *o, const char **s, size_t *len)
{
    if (o && o->type == MSGPACK_OBJECT_STR) {
        *s = o->via.str.ptr;
        *len = o->via.str.size;
    }
}

/* A figure of a unit whose main topic is topic, for report.html's largest
 * figures (figtop.h): those with a value, by base_unit else unit. */
static void top_add(hb_results_t *r, const char *topic, size_t topic_len, uint64_t id,
                    uint32_t n, const msgpack_object_map *f)
{
    const msgpack_object *value = NULL, *base_value = NULL, *unit = NULL, *base_unit = NULL,
                         *raw = NULL, *subject = NULL;
    for (uint32_t i = 0; i < f->size; i++) {
        const msgpack_object *k = &f->ptr[i].key, *v = &f->ptr[i].val;
        if (k->type != MSGPACK_OBJECT_STR || v->type == MSGPACK_OBJECT_NIL)
            continue;
        if (key_is(k, "value", 5))
            value = v;
        else if (key_is(k, "base_value", 10))
            base_value = v;
        else if (key_is(k, "unit", 4))
            unit = v;
        else if (key_is(k, "base_unit", 9))
            base_unit = v;
        else if (key_is(k, "raw", 3))
            raw = v;
        else if (key_is(k, "subject", 7))
            subject = v;
    }
    double v;
    const char *bu = NULL, *rs = NULL, *ss = NULL;
    size_t bu_len = 0, rs_len = 0, ss_len = 0;
    if (!value || !number_of(base_value ? base_value : value, &v))
        return;
    str_of(base_unit ? base_unit : unit, &bu, &bu_len);
    str_of(raw, &rs, &rs_len);
    str_of(subject, &ss, &ss_len);
    hb_figtop_add(r->top, topic, topic_len, bu, bu_len, v, id, n, rs, rs_len, ss, ss_len);
}

/* Resuming: the figures of the documents kept, once. */
static int top_load(hb_results_t *r)
{
    sqlite3_stmt *st;
    if (prepare(r, "SELECT u.topic, coalesce(f.base_unit, f.unit),"
                   " coalesce(f.base_value, f.value), f.unit_id, f.n, f.raw, f.subject"
                   " FROM figures f JOIN units u ON u.id = f.unit_id"
                   " WHERE f.value IS NOT NULL", &st) != 0)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *s[4];
        size_t len[4];
        static const int col[4] = {0, 1, 5, 6};
        for (int i = 0; i < 4; i++) {
            s[i] = sqlite3_column_type(st, col[i]) == SQLITE_TEXT
                       ? (const char *)sqlite3_column_text(st, col[i]) : NULL;
            len[i] = s[i] ? (size_t)sqlite3_column_bytes(st, col[i]) : 0;
        }
        if (sqlite3_column_type(st, 2) == SQLITE_INTEGER ||
            sqlite3_column_type(st, 2) == SQLITE_FLOAT)
            hb_figtop_add(r->top, s[0], len[0], s[1], len[1], sqlite3_column_double(st, 2),
                          (uint64_t)sqlite3_column_int64(st, 3), (uint32_t)sqlite3_column_int(st, 4),
                          s[2], len[2], s[3], len[3]);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_error(r, "read the figures kept");
}

int hb_results_resume(hb_results_t *r, long journal_docs)
{
    if (!r)
        return 0;
    /* What the journal does not hold: documents it lacks, and the units of
     * documents that never completed. */
    static const char sql[] =
        "BEGIN;"
        "INSERT INTO gone(id) SELECT id FROM documents WHERE id NOT IN kept;"
        "INSERT OR IGNORE INTO gone(id) SELECT DISTINCT doc_id FROM units"
        " WHERE doc_id NOT IN kept;"
        "DELETE FROM rejects;"; /* errors.jsonl starts afresh too: rejects are tried again */
    sqlite3_finalize(r->keep);
    r->keep = NULL;
    if (exec(r, sql, "resume") != 0 || purge(r) != 0 || exec(r, drop_indexes, "resume") != 0 ||
        exec(r, "DELETE FROM kept; COMMIT", "resume") != 0 || load_places(r) != 0)
        return -1;
    if (r->top && top_load(r) != 0)
        return -1;
    long have = scalar_of(r, "SELECT count(*) FROM documents");
    if (have < journal_docs)
        hb_warn("%s holds %ld of the %ld documents written before (it was removed or is older "
                "than resume.tsv); the others are in paragraphs.jsonl only: run again without "
                "--resume for a complete database", r->path, have, journal_docs);
    return r->failed ? -1 : 0;
}

/* The place a document is about: its division code when it has one, else
 * its names from province down; 0 when it names none.  A place met for the
 * first time gets the next id and its row. */
static sqlite3_int64 place_id(hb_results_t *r, const hb_msg_t *m)
{
    static const char *const keys[] = {"code", "level", "province", "city", "county", "town"};
    const char *s[6];
    size_t len[6];
    bool named = false;
    for (int i = 0; i < 6; i++) {
        if (hb_msg_str(m, keys[i], &s[i], &len[i]) != 0 || len[i] == 0)
            s[i] = NULL;
        named |= s[i] && i != 1;
    }
    if (!named)
        return 0;
    hb_buf_reset(&r->json);
    if (s[0])
        hb_buf_append(&r->json, s[0], len[0]);
    else
        for (int i = 2; i < 6; i++) {
            if (i > 2)
                hb_buf_putc(&r->json, '/');
            if (s[i])
                hb_buf_append(&r->json, s[i], len[i]);
        }
    void *known = hb_map_get(r->places, r->json.data);
    if (known)
        return (sqlite3_int64)(uintptr_t)known;
    sqlite3_int64 id = ++r->last_place;
    hb_map_put(r->places, r->json.data, (void *)(uintptr_t)id);
    row_begin(r, S_PLACE);
    put_int(r, 1, id);
    put_text(r, 2, r->json.data, r->json.len);
    for (int i = 0; i < 6; i++)
        if (s[i])
            put_text(r, 3 + i, s[i], len[i]);
    (void)row_end(r); /* a failure shows in the document's row */
    return id;
}

int hb_results_doc(hb_results_t *r, uint64_t doc, const hb_msg_t *m)
{
    if (!r)
        return 0;
    if (r->failed)
        return -1;
    sqlite3_int64 place = place_id(r, m);
    row_begin(r, S_DOC);
    put_int(r, 1, (int64_t)doc);
    if (place)
        put_int(r, 2, place);
    put_map(r, &r->doc, m->map);
    return row_end(r);
}

int hb_results_unit(hb_results_t *r, uint64_t doc, uint64_t seq, uint32_t part,
                    const hb_msg_t *m)
{
    if (!r)
        return 0;
    if (r->failed)
        return -1;
    if (doc >= HB_RESULTS_MAX_DOC || seq >= HB_RESULTS_MAX_SEQ || part >= HB_MAX_PARTS) {
        if (!r->warned || r->warned_doc != doc)
            hb_warn("%s: document %llu: unit %llu (part %u) is beyond the ids the database "
                    "can hold (documents below %llu, seqs below %llu, parts below %d): units "
                    "beyond them are left out of it (paragraphs.jsonl has them); split the input "
                    "into smaller runs", r->path, (unsigned long long)doc,
                    (unsigned long long)seq, part, (unsigned long long)HB_RESULTS_MAX_DOC,
                    (unsigned long long)HB_RESULTS_MAX_SEQ, HB_MAX_PARTS);
        r->warned = true;
        r->warned_doc = doc;
        return 0;
    }
    sqlite3_int64 doc_id = (sqlite3_int64)doc;
    sqlite3_int64 id = (sqlite3_int64)hb_results_unit_id(doc, seq, part);
    row_begin(r, S_UNIT);
    put_int(r, 1, id);
    put_int(r, 2, doc_id);
    put_int(r, 3, (int64_t)seq);
    put_int(r, 4, part);
    put_map(r, &r->unit, m->map);
    if (row_end(r) != 0)
        return -1;
    const msgpack_object *topics = hb_msg_get(m, "topics");
    const msgpack_object *figures = hb_msg_get(m, "metrics");
    const msgpack_object *villages = hb_msg_get(m, "villages");
    const char *topic = NULL;
    size_t topic_len = 0;
    str_of(hb_msg_get(m, "topic"), &topic, &topic_len);
    for (uint32_t i = 0; topics && topics->type == MSGPACK_OBJECT_ARRAY &&
                         i < topics->via.array.size; i++) {
        const msgpack_object *t = &topics->via.array.ptr[i];
        if (t->type != MSGPACK_OBJECT_MAP)
            continue;
        row_begin(r, S_TOPIC);
        put_int(r, 1, id);
        put_int(r, 2, doc_id);
        for (uint32_t k = 0; k < t->via.map.size; k++) {
            const msgpack_object_kv *kv = &t->via.map.ptr[k];
            if (hb_obj_is_str(&kv->key, "id"))
                put_value(r, 3, &kv->val);
            else if (hb_obj_is_str(&kv->key, "score"))
                put_value(r, 4, &kv->val);
        }
        put_int(r, 5, (int)i + 1);
        if (row_end(r) != 0)
            return -1;
    }
    for (uint32_t i = 0; figures && figures->type == MSGPACK_OBJECT_ARRAY &&
                         i < figures->via.array.size; i++) {
        const msgpack_object *f = &figures->via.array.ptr[i];
        if (f->type != MSGPACK_OBJECT_MAP)
            continue;
        row_begin(r, S_FIGURE);
        put_int(r, 1, id);
        put_int(r, 2, doc_id);
        put_int(r, 3, (int)i);
        put_map(r, &r->figure, &f->via.map);
        if (row_end(r) != 0)
            return -1;
        if (r->top)
            top_add(r, topic, topic_len, (uint64_t)id, i, &f->via.map);
    }
    for (uint32_t i = 0; villages && villages->type == MSGPACK_OBJECT_ARRAY &&
                         i < villages->via.array.size; i++) {
        const msgpack_object *v = &villages->via.array.ptr[i];
        if (v->type != MSGPACK_OBJECT_STR)
            continue;
        row_begin(r, S_VILLAGE);
        put_int(r, 1, id);
        put_int(r, 2, doc_id);
        put_value(r, 3, v);
        if (row_end(r) != 0)
            return -1;
    }
    return 0;
}

int hb_results_reject(hb_results_t *r, const hb_msg_t *m)
{
    if (!r)
        return 0;
    static const char *const keys[] = {"file", NULL, "stage", "reason"};
    if (r->failed)
        return -1;
    row_begin(r, S_REJECT);
    for (int i = 0; i < 4; i++) {
        const msgpack_object *o = keys[i] ? hb_msg_get(m, keys[i]) : NULL;
        if (o)
            put_value(r, i + 1, o);
    }
    uint64_t doc;
    if (hb_msg_u64(m, "doc", &doc) == 0)
        put_int(r, 2, (int64_t)doc);
    return row_end(r);
}

int hb_results_drop(hb_results_t *r, uint64_t doc, uint64_t from_seq)
{
    if (!r)
        return 0;
    if (r->failed)
        return -1;
    row_begin(r, S_GONE);
    put_int(r, 1, (int64_t)doc);
    put_int(r, 2, (int64_t)from_seq);
    r->purge = true;
    return row_end(r);
}

bool hb_results_finished(hb_results_t *r)
{
    if (!r)
        return true;
    return ++r->batch_docs >= BATCH_DOCS || now_s() - r->batch_started >= BATCH_SECONDS;
}

/* The run's record: a few key-value rows. */
static int put_meta(hb_results_t *r, const char *run, bool complete, double seconds)
{
    sqlite3_stmt *st;
    if (prepare(r, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", &st) != 0)
        return -1;
    char when[32];
    time_t t = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    const char *keys[] = {"run", "finished", "complete", "seconds"};
    int rc = 0;
    for (int i = 0; i < 4 && rc == 0; i++) {
        sqlite3_bind_text(st, 1, keys[i], -1, SQLITE_STATIC);
        if (i == 0)
            sqlite3_bind_text(st, 2, run, -1, SQLITE_STATIC);
        else if (i == 1)
            sqlite3_bind_text(st, 2, when, -1, SQLITE_STATIC);
        else if (i == 2)
            sqlite3_bind_int(st, 2, complete);
        else
            sqlite3_bind_double(st, 2, seconds);
        rc = step(r, st, "write the run's record");
    }
    sqlite3_finalize(st);
    return rc;
}

int hb_results_close(hb_results_t *r, const char *run, bool complete, double seconds)
{
    if (!r)
        return 0;
    stop_writer(r);
    /* The documents dropped go, the indexes are built, the planner's
     * statistics gathered; then one file again (no -wal), unless someone
     * reads the database right now. */
    if (run && begin(r) == 0 && (!r->purge || purge(r) == 0) &&
        exec(r, renumber_places, "number the places") == 0 &&
        put_meta(r, run, complete, seconds) == 0 && exec(r, indexes, "index") == 0 &&
        commit_now(r) == 0 && exec(r, "PRAGMA analysis_limit = 1000; ANALYZE", "analyse") == 0 &&
        sqlite3_exec(r->db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK)
        hb_warn("%s: left in WAL mode (%s): keep %s-wal beside it", r->path,
                sqlite3_errmsg(r->db), r->path);
    for (int i = 0; i < NSTMT; i++) {
        sqlite3_finalize(r->st[i]);
        sqlite3_finalize(r->many[i]);
        free(r->rows[i]);
    }
    sqlite3_finalize(r->keep);
    if (r->db && sqlite3_close(r->db) != SQLITE_OK)
        db_error(r, "close");
    int rc = r->failed ? -1 : 0;
    hb_buf_release(&r->fill);
    hb_buf_release(&r->extra);
    hb_buf_release(&r->json);
    for (int i = 0; i < QUEUE_CHUNKS; i++)
        hb_buf_release(&r->slot[i]);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    hb_map_free(r->places);
    free(r);
    return rc;
}
