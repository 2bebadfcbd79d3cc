/* Unit tests for hb_script: telling traditional text from simplified, and
 * the simplified view that lines up with the text as written. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "hb_script.h"

static void test_detects_traditional(void **state)
{
    (void)state;
    const char *trad = "全鎮新建高標準農田1200畝，爭取項目資金350萬元。我們這個縣的農業發展很快。";
    const char *simp = "全镇新建高标准农田1200亩，争取项目资金350万元。我们这个县的农业发展很快。";
    assert_true(hb_script_traditional(trad, strlen(trad)));
    assert_false(hb_script_traditional(simp, strlen(simp)));
    assert_false(hb_script_traditional("", 0));
    assert_false(hb_script_traditional("abc 123", 7));
    /* a simplified report quoting a few traditional characters stays simplified */
    const char *mixed = "我们这个县的农业发展很快，全镇来说实现了国内产业区的开发（見《縣志》）。";
    assert_false(hb_script_traditional(mixed, strlen(mixed)));
}

static void test_simplified_view_lines_up(void **state)
{
    (void)state;
    hb_script_t *sc = hb_script_new();
    assert_non_null(sc);
    hb_buf_t out;
    hb_buf_init(&out);
    const char *trad = "全鎮新建高標準農田1200畝，爭取項目資金350萬元。\n計劃新增崗位300個。";
    assert_int_equal(hb_script_simplify(sc, trad, strlen(trad), &out), 0);
    assert_string_equal(out.data, "全镇新建高标准农田1200亩，争取项目资金350万元。\n计划新增岗位300个。");
    assert_true(hb_script_aligned(trad, out.data, strlen(trad)));
    /* a character of another length, or another ASCII byte, does not line up */
    assert_false(hb_script_aligned("a中", "ab\xe4\xb8", 4));
    assert_false(hb_script_aligned("ab", "ac", 2));
    hb_buf_release(&out);
    hb_script_free(sc);
    hb_script_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detects_traditional),
        cmocka_unit_test(test_simplified_view_lines_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
