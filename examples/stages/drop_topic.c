/* A filter: drops every unit whose topic is one of --topic (a comma list),
 * as Fluent Bit's grep or Logstash's drop.  Put it after classify.  The
 * runtime leaves a "dropped" record in each unit's place, so its document
 * still completes with the units that are left (docs/messages.md).
 * Build: cc drop_topic.c $(pkg-config --cflags --libs huibao) -o hb-drop_topic */
#include <string.h>

#include "hb_stage.h"

typedef struct drop_opts {
    const char *topics;
} drop_opts_t;

static const hb_opt_t drop_options[] = {
    {"topic", 0, HB_OPT_STR, offsetof(drop_opts_t, topics), "general", "IDS",
     "topic ids to drop, separated by commas"},
    HB_OPT_END,
};

static int drop_init(hb_stage_t *st, const void *opts, void **ctx)
{
    (void)st;
    *ctx = (void *)((const drop_opts_t *)opts)->topics;
    return 0;
}

/* Whether id (len bytes) is one of the comma-separated ids in list. */
static int listed(const char *list, const char *id, size_t len)
{
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n == len && !memcmp(p, id, len))
            return 1;
        p += n + (p[n] == ',');
    }
    return 0;
}

static int drop_unit(hb_stage_t *st, void *ctx, const hb_msg_t *m)
{
    (void)st;
    const char *topic;
    size_t len;
    if (hb_msg_str(m, "topic", &topic, &len) == 0 && listed(ctx, topic, len))
        return HB_DROP; /* nothing emitted: the unit is dropped */
    return HB_PASS;
}

static const char *const types[] = {HB_T_UNIT, NULL};

static const hb_filter_t drop_topic = {
    .name = "drop_topic",
    .summary = "Drop the units of some topics.",
    .description = "An example of a filter stage: units whose topic is listed in --topic are "
                   "dropped; their documents complete with the rest.",
    .options = drop_options,
    .options_size = sizeof(drop_opts_t),
    .types = types,
    .init = drop_init,
    .on_message = drop_unit,
};

int main(int argc, char **argv)
{
    return hb_filter_main(&drop_topic, argc, argv);
}
