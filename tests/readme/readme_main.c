/* Compiles the README quick start (extracted by tests/readme/extract.sh) and drives it like a
   server would: a stream opens and gets `connected`, an SSE stream after its head, a ping gets a
   pong, the app's own pages are left alone, health answers, a bot is refused without a head, the
   stream closes. */
#include "quickstart.c"
#include "skew_test.h"

int skew_start(const char *build_id);
int skew_on_request(const skew_request *req, void *conn, skew_handle *handle, char *body, size_t cap);
void skew_on_ws_text(skew_handle h, const char *data, size_t len);
void skew_on_socket_closed(skew_handle h);
unsigned skew_on_timer(uint64_t now_ms);

static char last[512];
static int writes;

static char queued[2048]; /* what one connection has queued */
static size_t queued_len;

int my_write(void *conn, skew_transport transport, const char *msg, size_t len) {
    (void)conn;
    (void)transport;
    writes++;
    if (queued_len + len < sizeof queued) {
        memcpy(queued + queued_len, msg, len);
        queued_len += len;
        queued[queued_len] = '\0';
    }
    if (len >= sizeof last) len = sizeof last - 1;
    memcpy(last, msg, len);
    last[len] = '\0';
    return 0;
}
void my_discard(void *conn) {
    (void)conn;
    queued_len = 0;
    queued[0] = '\0';
}

static const char *ua = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15";
static skew_str header(void *ctx, const char *name) {
    skew_str s = {NULL, 0};
    (void)ctx;
    if (strcmp(name, "user-agent") == 0) s = skew_str_c(ua);
    return s;
}

static skew_request request(const char *method, const char *path, bool upgrade) {
    skew_request r;
    memset(&r, 0, sizeof r);
    r.method = skew_str_c(method);
    r.path = skew_str_c(path);
    r.header = header;
    r.upgrade = upgrade;
    return r;
}

int main(void) {
    skew_handle h = 0;
    char body[1024];
    skew_request r;
    int conn = 0;
    CHECK_EQ_INT(skew_start("v7"), 0);
    r = request("GET", "/index.html", false);
    CHECK_EQ_INT(skew_on_request(&r, &conn, &h, body, sizeof body), 0);
    r = request("GET", "/__skew/ws", true);
    CHECK_EQ_INT(skew_on_request(&r, &conn, &h, body, sizeof body), 200);
    CHECK(strncmp(last, "{\"type\":\"connected\",\"version\":\"v7\",\"connectionId\":\"", 51) == 0);
    skew_on_ws_text(h, "ping", 4);
    CHECK_STR(last, "{\"type\":\"pong\"}");
    r = request("GET", "/__skew/health", false);
    CHECK_EQ_INT(skew_on_request(&r, &conn, &h, body, sizeof body), 200);
    CHECK(strncmp(body, "{\"ok\":true,\"version\":\"v7\"", 25) == 0);
    CHECK_EQ_INT(skew_get_total(tracker), 1);
    /* SSE: the head is queued first, `connected` right behind it */
    my_discard(&conn);
    r = request("GET", "/__skew/sse", false);
    {
        skew_handle sse = 0;
        const char *data;
        CHECK_EQ_INT(skew_on_request(&r, &conn, &sse, body, sizeof body), 200);
        data = strstr(queued, "data: {\"type\":\"connected\"");
        CHECK(strncmp(queued, SKEW_SSE_RESPONSE_HEAD, sizeof SKEW_SSE_RESPONSE_HEAD - 1) == 0);
        CHECK(data == queued + sizeof SKEW_SSE_RESPONSE_HEAD - 1);
        skew_on_socket_closed(sse);
    }
    ua = "curl/8.5.0";
    my_discard(&conn);
    r = request("GET", "/__skew/sse", false);
    {
        skew_handle bot = 0;
        CHECK_EQ_INT(skew_on_request(&r, &conn, &bot, body, sizeof body), 204);
        CHECK_EQ_INT(bot, 0);
        CHECK_EQ_INT(queued_len, 0); /* the refused open left no head behind */
    }
    CHECK(skew_on_timer(0) > 0);
    skew_on_socket_closed(h);
    CHECK_EQ_INT(skew_get_total(tracker), 0);
    CHECK_EQ_INT(writes, 5); /* connected, pong; SSE head, connected; the bot's head */
    skew_tracker_destroy(tracker);
    TEST_MAIN_END();
}
