/* A custom stage: masks personal names and phone numbers in unit text.
 *
 * Reports name officials (党委书记孙文煜, 由蒋奔同志兼…) and print phone
 * numbers; a redacted corpus is sometimes the only one that may be shared.
 * Names after a title or before 同志 become 某 (one per character), phone
 * numbers ●.  The rule is deliberately simple: an example of a stage that
 * rewrites a field, not a complete de-identifier.  Run it after split. */
#include <stdlib.h>
#include <string.h>

#include "hb_buf.h"
#include "hb_regex.h"
#include "hb_stage.h"
#include "hb_utf8.h"

#define HAN "[\\x{4E00}-\\x{9FFF}]"

static const char rule[] =
    "(?<=书记|镇长|乡长|县长|区长|市长|主任|局长|所长|站长|主席|部长|委员|队长)" HAN "{2,3}"
    "(?=同志|担任|负责|主持|带队|出席|讲话|强调|指出|率|任|兼|为|等|[，。、；（(]|$)"
    "|" HAN "{2}(?=同志)"
    "|(?<![0-9])1[3-9][0-9]{9}(?![0-9])|(?<![0-9])0[0-9]{2,3}-[0-9]{7,8}(?![0-9])";

typedef struct mask_ctx {
    hb_regex_t re;
    hb_buf_t text;
} mask_ctx_t;

static int mask_init(hb_stage_t *st, const void *opts, void **ctx)
{
    (void)st, (void)opts;
    mask_ctx_t *c = calloc(1, sizeof *c);
    if (!c || hb_regex_compile(&c->re, rule, 0, "mask_names") != 0) {
        free(c);
        return -1;
    }
    *ctx = c;
    return 0;
}

static void mask_exit(void *ctx)
{
    mask_ctx_t *c = ctx;
    hb_regex_free(&c->re);
    hb_buf_release(&c->text);
    free(c);
}

static int mask_unit(hb_stage_t *st, void *ctx, const hb_msg_t *m)
{
    static const char *const skip[] = {"v", "type", "text", NULL};
    mask_ctx_t *c = ctx;
    const char *s;
    size_t len, at = 0, copied = 0;
    if (hb_msg_str(m, "text", &s, &len) != 0 || !hb_utf8_valid(s, len, NULL))
        return HB_PASS;
    hb_buf_reset(&c->text);
    while (at < len && hb_regex_match(&c->re, s, len, at, 0) == 1) {
        PCRE2_SIZE *ov = hb_regex_ovector(&c->re);
        hb_buf_append(&c->text, s + copied, ov[0] - copied);
        bool digits = s[ov[0]] >= '0' && s[ov[0]] <= '9';
        for (size_t i = ov[0]; i < ov[1]; i++)
            if (((unsigned char)s[i] & 0xC0) != 0x80)
                hb_buf_puts(&c->text, digits ? "●" : "某");
        copied = at = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
    }
    if (copied == 0)
        return HB_PASS; /* nothing to mask: forwarded as it came */
    hb_buf_append(&c->text, s + copied, len - copied);
    hb_pack_t *p = hb_stage_pack(st);
    hb_pack_header(p, HB_T_UNIT, hb_msg_count_except(m, skip) + 1);
    hb_pack_copy_except(p, m, skip);
    hb_pack_kv_str(p, "text", c->text.data, c->text.len);
    return hb_stage_emit(st) ? HB_ERROR : HB_DROP;
}

static const char *const types[] = {HB_T_UNIT, NULL};

static const hb_filter_t mask_names = {
    .name = "mask-names",
    .summary = "Mask personal names and phone numbers in unit text.",
    .description = "Names after an official title or before 同志 become 某, phone numbers ●. "
                   "Run it after split, before classify.",
    .types = types,
    .init = mask_init,
    .on_message = mask_unit,
    .exit = mask_exit,
};

int main(int argc, char **argv)
{
    return hb_filter_main(&mask_names, argc, argv);
}
