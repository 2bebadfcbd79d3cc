/* Unit tests for hb_metrics: the exposition lines, the addresses it takes
 * and refuses, and one scrape over a real socket, its request in pieces. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hb_metrics.h"

static void test_exposition_lines(void **state)
{
    (void)state;
    hb_buf_t b;
    hb_buf_init(&b);
    hb_metrics_family(&b, "huibao_x_total", "counter", "Things.");
    hb_metrics_sample(&b, "huibao_x_total", NULL, NULL, 42);
    hb_metrics_sample(&b, "huibao_x_total", "worker", "a\"b\\c\nd", 0.25);
    hb_metrics_sample(&b, "huibao_x_total", "worker", "", 1e20);
    assert_string_equal(b.data, "# HELP huibao_x_total Things.\n"
                                "# TYPE huibao_x_total counter\n"
                                "huibao_x_total 42\n"
                                "huibao_x_total{worker=\"a\\\"b\\\\c\\nd\"} 0.25\n"
                                "huibao_x_total{worker=\"\"} 1e+20\n");
    hb_buf_release(&b);
}

static void test_bad_addresses(void **state)
{
    (void)state;
    const char *bad[] = {"nonsense", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
                         "127.0.0.1:80x", ":-1", "[::1]"};
    char why[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why[0] = '\0';
        assert_null(hb_metrics_listen(bad[i], why, sizeof why));
        assert_non_null(strstr(why, "is not HOST:PORT"));
    }
    assert_null(hb_metrics_listen("no-such-host.invalid:9464", why, sizeof why));
    assert_non_null(strstr(why, "cannot resolve"));
    hb_metrics_free(NULL);
    assert_int_equal(hb_metrics_items(NULL, NULL), 0);
}

static void render(void *arg, hb_buf_t *out)
{
    (*(int *)arg)++;
    hb_metrics_family(out, "huibao_up", "gauge", "Up.");
    hb_metrics_sample(out, "huibao_up", NULL, NULL, 1);
}

/* Sends req in two pieces, serving between them; returns what came back. */
static void scrape(hb_metrics_t *m, int port, const char *req, char *resp, size_t len, int *calls)
{
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(connect(c, (struct sockaddr *)&sa, sizeof sa), 0);
    size_t half = strlen(req) / 2, got = 0;
    assert_int_equal(send(c, req, half, 0), (ssize_t)half);
    for (int round = 0; round < 200; round++) {
        zmq_pollitem_t items[HB_METRICS_FDS];
        int n = hb_metrics_items(m, items);
        assert_true(zmq_poll(items, n, 20) >= 0);
        hb_metrics_serve(m, items, n, render, calls);
        if (round == 5)
            assert_int_equal(send(c, req + half, strlen(req) - half, 0),
                             (ssize_t)(strlen(req) - half));
        ssize_t r = recv(c, resp + got, len - 1 - got, MSG_DONTWAIT);
        if (r > 0)
            got += (size_t)r;
        if (r == 0)
            break; /* answered and closed */
    }
    resp[got] = '\0';
    close(c);
}

static void test_one_scrape(void **state)
{
    (void)state;
    int s = socket(AF_INET, SOCK_STREAM, 0); /* a free port */
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t sl = sizeof sa;
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &sl), 0);
    int port = ntohs(sa.sin_port);
    close(s);
    char addr[64], why[256], resp[4096];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
    hb_metrics_t *m = hb_metrics_listen(addr, why, sizeof why);
    assert_non_null(m);
    assert_null(hb_metrics_listen(addr, why, sizeof why)); /* in use */
    assert_non_null(strstr(why, "Address already in use"));
    int calls = 0;
    scrape(m, port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", resp, sizeof resp, &calls);
    assert_int_equal(calls, 1);
    assert_non_null(strstr(resp, "HTTP/1.0 200 OK\r\n"));
    assert_non_null(strstr(resp, "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
    assert_non_null(strstr(resp, "Content-Length: 56\r\n"));
    assert_non_null(strstr(resp, "\r\n\r\n# HELP huibao_up Up.\n# TYPE huibao_up gauge\nhuibao_up 1\n"));
    scrape(m, port, "GET /other HTTP/1.0\r\n\r\n", resp, sizeof resp, &calls);
    assert_non_null(strstr(resp, "HTTP/1.0 404 Not Found\r\n"));
    scrape(m, port, "POST /metrics HTTP/1.0\r\n\r\n", resp, sizeof resp, &calls);
    assert_non_null(strstr(resp, "HTTP/1.0 405 Method Not Allowed\r\n"));
    assert_int_equal(calls, 1); /* rendered for the scrape alone */
    hb_metrics_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exposition_lines),
        cmocka_unit_test(test_bad_addresses),
        cmocka_unit_test(test_one_scrape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
