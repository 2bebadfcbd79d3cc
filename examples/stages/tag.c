/* The smallest useful stage: adds "source": "huibao" to every unit.
 * Build: cc tag.c $(pkg-config --cflags --libs huibao) -o hb-tag */
#include "hb_stage.h"

static const char *const skip[] = {"v", "type", "source", NULL};

static int tag_unit(hb_stage_t *st, void *ctx, const hb_msg_t *m)
{
    (void)ctx;
    hb_pack_t *p = hb_stage_pack(st);
    hb_pack_header(p, HB_T_UNIT, hb_msg_count_except(m, skip) + 1);
    hb_pack_copy_except(p, m, skip);        /* every other key, untouched */
    hb_pack_kv_cstr(p, "source", "huibao");
    return hb_stage_emit(st) ? HB_ERROR : HB_DROP;
}

static const char *const types[] = {HB_T_UNIT, NULL}; /* others pass through */

static const hb_filter_t tag = {
    .name = "tag",
    .summary = "Add \"source\" to every unit.",
    .description = "An example of a custom stage.",
    .types = types,
    .on_message = tag_unit,
};

int main(int argc, char **argv)
{
    return hb_filter_main(&tag, argc, argv);
}
