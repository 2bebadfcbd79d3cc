/* A custom stage: drops a report filed twice (under two towns, two names).
 *
 * Sits between read and split and looks at whole documents: the first copy
 * of a text goes on, every later copy becomes a reject naming the first, so
 * the run still counts it and errors.jsonl says where it went.  Memory: one
 * 64-bit hash and one path per distinct document. */
#include <stdlib.h>
#include <string.h>

#include "hb_map.h"
#include "hb_stage.h"

typedef struct dedupe_ctx {
    hb_map_t *seen; /* hash (hex) -> first file, owned */
} dedupe_ctx_t;

static int dedupe_init(hb_stage_t *st, const void *opts, void **ctx)
{
    (void)st, (void)opts;
    dedupe_ctx_t *c = calloc(1, sizeof *c);
    if (!c)
        return -1;
    c->seen = hb_map_new();
    *ctx = c;
    return 0;
}

static void dedupe_exit(void *ctx)
{
    dedupe_ctx_t *c = ctx;
    for (size_t i = 0; i < hb_map_size(c->seen); i++)
        free(hb_map_value_at(c->seen, i));
    hb_map_free(c->seen);
    free(c);
}

static int dedupe_doc(hb_stage_t *st, void *ctx, const hb_msg_t *m)
{
    dedupe_ctx_t *c = ctx;
    const char *text;
    size_t len;
    if (hb_msg_str(m, "text", &text, &len) != 0)
        return HB_PASS;
    uint64_t h = 1469598103934665603ULL; /* FNV-1a over the text */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)text[i]) * 1099511628211ULL;
    char key[40], file[1024];
    snprintf(key, sizeof key, "%016llx-%zu", (unsigned long long)h, len);
    hb_msg_cstr(m, "file", file, sizeof file);
    const char *first = hb_map_get(c->seen, key);
    if (!first) {
        hb_map_put(c->seen, key, strdup(file));
        return HB_PASS;
    }
    if (!strcmp(first, file))
        return HB_PASS; /* the same file sent again by the reader: not a duplicate */
    char why[1200];
    snprintf(why, sizeof why, "duplicate of %s", first);
    return hb_stage_reject(st, m, why) ? HB_ERROR : HB_DROP;
}

static const char *const types[] = {HB_T_DOC, NULL};

static const hb_filter_t dedupe = {
    .name = "dedupe",
    .summary = "Drop documents whose text was already seen.",
    .description = "Run it between read and split. A later copy of a text becomes a reject "
                   "\"duplicate of FIRST\".",
    .types = types,
    .init = dedupe_init,
    .on_message = dedupe_doc,
    .exit = dedupe_exit,
};

int main(int argc, char **argv)
{
    return hb_filter_main(&dedupe, argc, argv);
}
