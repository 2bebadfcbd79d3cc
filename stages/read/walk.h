/* walk: the regular files under a list of paths, one at a time.
 *
 * Directories are read in name order (deterministic runs), one level of
 * listing held per open directory, so memory grows with depth, not with the
 * number of files.  Symbolic links are followed, and a directory already
 * visited (a link loop) is skipped with a warning.  Files whose name does not
 * match the pattern are skipped silently; paths that cannot be read are
 * reported through the callback so the caller can record them as rejects. */
#ifndef HB_WALK_H
#define HB_WALK_H

#include <stdbool.h>
#include <stddef.h>

typedef struct hb_walk hb_walk_t;

/* paths are not copied: they must outlive the walk.  pattern is an
 * fnmatch(3) glob on the file name, e.g. "*.txt". */
hb_walk_t *hb_walk_new(char **paths, size_t npaths, const char *pattern);
void hb_walk_free(hb_walk_t *w);

typedef enum { HB_WALK_FILE, HB_WALK_ERROR, HB_WALK_DONE } hb_walk_status_t;

/* The next file (*path, valid until the next call), or an error on *path with
 * a reason in *why, or DONE. */
hb_walk_status_t hb_walk_next(hb_walk_t *w, const char **path, const char **why);

/* Files inside folders skipped so far because their name did not match. */
unsigned long hb_walk_unmatched(const hb_walk_t *w);

#endif
