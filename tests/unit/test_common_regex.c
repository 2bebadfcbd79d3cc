/* hb_regex: a match that would backtrack without end gives up, is said
 * once naming the subject and the rule, and counts as no match. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hb_test.h"

#include "hb_log.h"
#include "hb_regex.h"

/* (a+)+$ on a run of a's that does not end the text: 2^n ways to fail. */
#define EVIL "(a+)+$"
static const char *const evil_text = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab";

static int count(const char *s, const char *what)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

static void test_gives_up_named_once_per_subject(void **state)
{
    (void)state;
    hb_regex_t re;
    assert_int_equal(hb_regex_compile(&re, EVIL, 0, "rules.conf:7"), 0);
    capture_t c;
    capture_start(&c);
    hb_regex_subject("reports/a.txt");
    assert_int_equal(hb_regex_match(&re, evil_text, strlen(evil_text), 0, 0), -1);
    /* Given up on this subject: not tried again, not said again. */
    assert_int_equal(hb_regex_match(&re, "aaa", 3, 0, 0), -1);
    assert_int_equal(hb_regex_match(&re, evil_text, strlen(evil_text), 1, 0), -1);
    hb_regex_subject("reports/b.txt"); /* the next document: tried again */
    assert_int_equal(hb_regex_match(&re, "aaa", 3, 0, 0), 1);
    assert_int_equal(hb_regex_match(&re, evil_text, strlen(evil_text), 0, 0), -1);
    char *err = capture_end(&c);
    assert_int_equal(count(err, "gave up matching"), 2);
    assert_non_null(strstr(err, "reports/a.txt: rules.conf:7: pattern " EVIL ": gave up matching "
                                "at byte 0 of 50"));
    assert_non_null(strstr(err, "reports/b.txt: rules.conf:7"));
    assert_int_equal(re.gave_up, 2);
    free(err);
    hb_regex_free(&re);
}

static void test_unnamed_said_once_and_still_tried(void **state)
{
    (void)state;
    hb_regex_t re;
    assert_int_equal(hb_regex_compile(&re, EVIL, 0, "figures.conf"), 0);
    capture_t c;
    capture_start(&c);
    hb_regex_subject(NULL);
    for (int i = 0; i < 3; i++)
        assert_int_equal(hb_regex_match(&re, evil_text, strlen(evil_text), 0, 0), -1);
    assert_int_equal(hb_regex_match(&re, "aaa", 3, 0, 0), 1);
    char *err = capture_end(&c);
    assert_int_equal(count(err, "gave up matching"), 1);
    assert_non_null(strstr(err, "a text: figures.conf: pattern"));
    free(err);
    hb_regex_free(&re);
}

/* A long pattern is named by its head, cut on a character boundary. */
static void test_rule_names_pattern_head(void **state)
{
    (void)state;
    hb_regex_t re;
    assert_int_equal(hb_regex_compile(&re, "一二三四五六七八九十一二三四五六七八九十", 0, "x"), 0);
    assert_string_equal(re.rule, "x: pattern 一二三四五六七八九十一二三四五六…");
    hb_regex_free(&re);
}

int main(void)
{
    hb_log_init("test_common_regex");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gives_up_named_once_per_subject),
        cmocka_unit_test(test_unnamed_said_once_and_still_tried),
        cmocka_unit_test(test_rule_names_pattern_head),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
