/* Villages a unit names: real lines from the seed reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "places.h"

static hb_places_t *places;

static void expect(const char *text, const char *const *want, size_t nwant)
{
    hb_place_t out[HB_MAX_PLACES];
    size_t n = hb_places_extract(places, text, strlen(text), out, HB_MAX_PLACES);
    for (size_t i = 0; i < n && i < nwant; i++) {
        assert_int_equal(out[i].len, strlen(want[i]));
        assert_memory_equal(out[i].s, want[i], out[i].len);
    }
    assert_int_equal(n, nwant);
}

static void test_names_in_a_list(void **state)
{
    (void)state;
    const char *const w[] = {"百安村", "新田村", "龙田村"};
    expect("百安村争取上级资金330万元对原道路扩宽；新田村筹集40多万元；龙田村完成硬底化。", w, 3);
}

static void test_preposition_is_not_part_of_the_name(void **state)
{
    (void)state;
    const char *const w[] = {"芷溪村", "杨龙村"};
    expect("在芷溪村开展试点，对杨龙村实施改造。", w, 2);
}

static void test_repeats_counted_once_and_communities(void **state)
{
    (void)state;
    const char *const w[] = {"小渔溪村", "木叶溪社区"};
    expect("在小渔溪村开展积分制试点，木叶溪社区发展香菇，小渔溪村集体增收。", w, 2);
}

static void test_kinds_and_words_are_not_names(void **state)
{
    (void)state;
    expect("创建省级示范村，全镇贫困村全部出列，各村两委换届，推行村级治理，强化村党组织，"
           "完成村道路硬化，我镇从村民中选出代表。",
           NULL, 0);
}

/* Committees as the official list names them: the village is the name. */
static void test_committees_name_their_village(void **state)
{
    (void)state;
    const char *const w[] = {"南丰村", "百安村", "木叶溪社区"};
    expect("南丰村民委员会、百安村委会和木叶溪社区居民委员会完成换届。", w, 3);
}

static void test_empty(void **state)
{
    (void)state;
    expect("", NULL, 0);
}

static int setup(void **state)
{
    (void)state;
    places = hb_places_new();
    return places ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    hb_places_free(places);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_in_a_list),
        cmocka_unit_test(test_preposition_is_not_part_of_the_name),
        cmocka_unit_test(test_repeats_counted_once_and_communities),
        cmocka_unit_test(test_kinds_and_words_are_not_names),
        cmocka_unit_test(test_committees_name_their_village),
        cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
