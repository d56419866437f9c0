/* Compiles the README's "Writing an adapter" code (extracted by tests/readme/extract.sh) and
   runs it over a socketpair, reading the other end as a client would: the response head comes
   before `connected` (and a refused open leaves no head), cookies split into two fields count as
   the client's build, and a keepalive scheduled on the monotonic clock carries an epoch
   timestamp. */
#include "adapter.c"
#include "skew_test.h"

#include <poll.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/time.h>

static const char *BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";

static char got[8192];
static size_t got_len;

/* Everything the client end can read within ms (the adapter's queue is flushed first). */
static void drain(my_conn *c, int client, int ms) {
    struct pollfd p;
    CHECK_EQ_INT(my_on_writable(c), 0);
    p.fd = client;
    p.events = POLLIN;
    while (got_len + 1 < sizeof got && poll(&p, 1, ms) == 1) {
        ssize_t n = read(client, got + got_len, sizeof got - 1 - got_len);
        if (n <= 0) break;
        got_len += (size_t)n;
        ms = 0;
    }
    got[got_len] = '\0';
}

static uint64_t epoch_ms(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (uint64_t)tv.tv_sec * 1000u + (uint64_t)tv.tv_usec / 1000u;
}

static uint32_t version_count(const char *name) {
    skew_count vs[8];
    size_t i, n = skew_list_versions(tracker, vs, 8);
    for (i = 0; i < n && i < 8; i++)
        if (vs[i].name.len == strlen(name) && memcmp(vs[i].name.ptr, name, vs[i].name.len) == 0) return vs[i].count;
    return 0;
}

static void test_sse_stream(void) {
    static my_conn conn;
    static my_request req;
    my_field fields[3];
    int sv[2];
    const char *data, *ka;
    unsigned long long ts = 0;
    uint64_t deadline;

    CHECK_EQ_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    my_on_accept(&conn, sv[0]);
    memset(&req, 0, sizeof req);
    fields[0].name = "user-agent";
    fields[0].value = BROWSER;
    fields[1].name = "cookie"; /* an HTTP/2 split cookie, passed on as two fields */
    fields[1].value = "theme=dark";
    fields[2].name = "cookie";
    fields[2].value = "__nkpv=v1";
    req.method = "GET";
    req.path = "/__skew/sse";
    req.query = "route=%2Fdocs";
    req.body = "";
    req.fields = fields;
    req.field_count = 3;
    CHECK_EQ_INT(my_on_request(&conn, &req, NULL, 0), 200);
    drain(&conn, sv[1], 1000);

    /* head order: the status line first, the blank line, then `connected` as the first body bytes */
    CHECK(strncmp(got, "HTTP/1.1 200 OK\r\n", 17) == 0);
    CHECK(strstr(got, "\r\nContent-Type: text/event-stream\r\n") != NULL);
    data = strstr(got, "\r\n\r\n");
    CHECK(data != NULL && strncmp(data + 4, "data: {\"type\":\"connected\",\"version\":\"v2\",", 41) == 0);
    CHECK(data != NULL && strstr(data + 4, "}\n\n") != NULL);

    /* cookie rule: the two fields joined with "; " count as the client's build */
    CHECK_EQ_INT(version_count("v1"), 1);
    CHECK_EQ_INT(version_count("v2"), 0);

    /* clock rule: the keepalive is scheduled on the monotonic clock, stamped with epoch ms */
    got_len = 0;
    deadline = my_monotonic_ms() + 3000;
    while (!strstr(got, "keepalive") && my_monotonic_ms() < deadline) {
        unsigned wait = my_on_timer(&conn, 1);
        CHECK(wait <= 100);
        drain(&conn, sv[1], (int)(wait ? wait : 1));
    }
    ka = strstr(got, "data: {\"type\":\"keepalive\",\"timestamp\":");
    CHECK(ka != NULL);
    if (ka) ts = strtoull(ka + 38, NULL, 10);
    CHECK(ts + 60000 > epoch_ms() && ts < epoch_ms() + 60000);
    CHECK(ts > my_monotonic_ms() + 86400000ull); /* not the scheduling clock */

    /* the peer goes away: the adapter tells the tracker */
    my_on_closed(&conn, SKEW_CLOSE_REASON_CLIENT);
    CHECK(conn.closing && conn.handle == 0);
    CHECK_EQ_INT(skew_get_total(tracker), 0);
    close(sv[0]);
    close(sv[1]);
}

static void test_refusals_and_plain_answers(void) {
    static my_conn conn;
    static my_request req;
    my_field ua;
    int sv[2];
    CHECK_EQ_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    my_on_accept(&conn, sv[0]);
    memset(&req, 0, sizeof req);
    ua.name = "user-agent";
    ua.value = "curl/8.5.0";
    req.method = "GET";
    req.path = "/__skew/sse";
    req.query = "";
    req.body = "";
    req.fields = &ua;
    req.field_count = 1;
    got_len = 0;
    CHECK_EQ_INT(my_on_request(&conn, &req, NULL, 0), 204); /* a bot: no head, no stream */
    drain(&conn, sv[1], 200);
    CHECK(strncmp(got, "HTTP/1.1 204 \r\n", 15) == 0);
    CHECK(strstr(got, "event-stream") == NULL && strstr(got, "data:") == NULL);
    CHECK(strstr(got, "Content-Length") == NULL);

    ua.value = BROWSER;
    req.path = "/index.html";
    CHECK_EQ_INT(my_on_request(&conn, &req, NULL, 0), 0); /* the app's own page */
    req.path = "/__skew/health";
    got_len = 0;
    CHECK_EQ_INT(my_on_request(&conn, &req, NULL, 0), 200);
    drain(&conn, sv[1], 200);
    CHECK(strstr(got, "\r\n\r\n{\"ok\":true,\"version\":\"v2\"") != NULL);
    req.path = "/__skew/admin/stats"; /* no authorize hook: admin is not configured */
    CHECK_EQ_INT(my_on_request(&conn, &req, NULL, 0), 503);
    req.method = "POST";
    req.path = "/__skew/sse";
    got_len = 0;
    CHECK_EQ_INT(my_on_request(&conn, &req, NULL, 0), 405);
    drain(&conn, sv[1], 200);
    CHECK(strstr(got, "\r\nAllow: GET\r\n") != NULL);
    close(sv[0]);
    close(sv[1]);
}

int main(void) {
    CHECK_EQ_INT(my_start("v2", 100), 0);
    test_sse_stream();
    test_refusals_and_plain_answers();
    skew_tracker_destroy(tracker);
    TEST_MAIN_END();
}
