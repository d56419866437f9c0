/* Config matrix, SKEW_ENABLE_BOT_TABLE 0 and SKEW_ENABLE_IP 0 together: without the table only
   an empty User-Agent is a bot and the run-time patterns still work; without the IP module the
   proxy headers are never read (the socket peer is the client), while the address parsers and
   formatting stay available. The tracker runs the same with both modules out. */
#define SKEW_ENABLE_BOT_TABLE 0
#define SKEW_ENABLE_IP 0
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
#include "skew_test.h"
#include "test_hooks.h"

static const char *GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
static const char *BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";

typedef struct hdr { const char *ua, *xff; } hdr; /* the headers h_fn answers */
static skew_str h_fn(void *ctx, const char *name) {
    const hdr *h = (const hdr *)ctx;
    if (strcmp(name, "user-agent") == 0 && h->ua) return skew_str_c(h->ua);
    if (strcmp(name, "x-forwarded-for") == 0 && h->xff) return skew_str_c(h->xff);
    if (strcmp(name, "cf-connecting-ip") == 0 && h->xff) return skew_str_c(h->xff);
    return skew_str_n(NULL, 0);
}

static char last[1024];
static skew_result m_send(void *ud, const skew_conn *c, const char *msg, size_t len) {
    (void)ud;
    (void)c;
    th_keep(last, sizeof last, msg, len);
    return SKEW_OK;
}

static void test_bots(void) {
    skew_bot_filter f;
    CHECK(!skew_is_bot(skew_str_c(GOOGLEBOT)));
    CHECK(!skew_is_bot(STRV("curl/8.4.0")));
    CHECK(!skew_is_bot(skew_str_c(BROWSER)));
    CHECK(skew_is_bot(STRV("")));
    CHECK(skew_is_bot(STRV(" \t")));
    CHECK(skew_is_bot(skew_str_n(NULL, 0)));
    skew_bot_filter_init(&f);
    CHECK_RES(skew_bot_filter_add(&f, STRV("GoogleBot"), false), SKEW_OK);
    CHECK_RES(skew_bot_filter_add(&f, STRV("friendly"), true), SKEW_OK);
    CHECK(skew_bot_filter_is_bot(&f, skew_str_c(GOOGLEBOT)));
    CHECK(!skew_bot_filter_is_bot(&f, STRV("friendly googlebot")));
    CHECK(!skew_bot_filter_is_bot(&f, skew_str_c(BROWSER)));
    f.allow_empty = true;
    CHECK(!skew_bot_filter_is_bot(&f, STRV("")));
}

static void test_ip(void) {
    skew_ip ip, out;
    skew_cidr cidr;
    skew_ip_policy pol;
    skew_request req;
    skew_ip_source src;
    hdr h;
    char txt[SKEW_IP_STR_MAX];
    /* the parsers and the formatter stay */
    CHECK_RES(skew_ip_parse(STRV("2001:db8::1"), &ip), SKEW_OK);
    CHECK_EQ_INT(skew_ip_format(&ip, txt, sizeof txt), 11);
    CHECK_STR(txt, "2001:db8::1");
    CHECK_RES(skew_ip_parse_loose(STRV("[::1]:80"), &ip), SKEW_OK);
    CHECK_RES(skew_cidr_parse(STRV("10.0.0.0/8"), &cidr), SKEW_OK);
    /* but headers are never believed, even from a trusted peer */
    memset(&pol, 0, sizeof pol);
    pol.trust_all = true;
    memset(&req, 0, sizeof req);
    h.ua = BROWSER;
    h.xff = "203.0.113.7";
    req.header = h_fn;
    req.header_ctx = &h;
    req.peer.family = 4;
    req.peer.bytes[0] = 127;
    req.peer.bytes[3] = 1;
    CHECK_RES(skew_get_client_ip(&pol, &req, &out, &src), SKEW_OK);
    CHECK_EQ_INT(src, SKEW_IP_SOURCE_PEER);
    CHECK(skew_ip_equal(&out, &req.peer));
    req.peer.family = 0;
    CHECK_RES(skew_get_client_ip(&pol, &req, &out, &src), SKEW_ERR_NOT_FOUND);
    CHECK_EQ_INT(src, SKEW_IP_SOURCE_NONE);
}

static void test_tracker(void) {
    skew_config c;
    skew_tracker *t = NULL;
    skew_request req;
    hdr h;
    skew_handle a = 0, b = 0;
    static const char *const pats[] = {"googlebot"};
    memset(&c, 0, sizeof c);
    c.ip_tracking = true;
    c.hooks.send = m_send;
    c.hooks.authorize = th_auth_granted;
    c.stats_interval_ms = SKEW_STATS_IMMEDIATE;
    CHECK_RES(skew_tracker_create(&t, &c), SKEW_OK);
    if (!t) return;
    req = th_request(STRV("GET"), STRV("/__skew/ws"), h_fn, &h);
    req.upgrade = true;
    th_loopback4(&req.peer);
    h.ua = GOOGLEBOT; /* no table: tracked like a browser */
    h.xff = "203.0.113.7";
    CHECK_RES(skew_open(t, &req, NULL, &a), SKEW_OK);
    h.ua = "";
    CHECK_RES(skew_open(t, &req, NULL, &b), SKEW_ERR_BOT);
    CHECK_RES(skew_ws_message(t, a, skew_str_n("{\"type\":\"subscribe-stats\"}", 26)), SKEW_OK);
    CHECK(strstr(last, "\"ip\":\"127.0.0.1\"") != NULL); /* the peer, not the header */
    CHECK(strstr(last, "203.0.113.7") == NULL);
    skew_tracker_destroy(t);

    /* the run-time pattern list is how a build without the table refuses bots */
    t = NULL;
    c.bot_patterns = pats;
    c.bot_pattern_count = 1;
    CHECK_RES(skew_tracker_create(&t, &c), SKEW_OK);
    if (!t) return;
    h.ua = GOOGLEBOT;
    CHECK_RES(skew_open(t, &req, NULL, &a), SKEW_ERR_BOT);
    h.ua = BROWSER;
    CHECK_RES(skew_open(t, &req, NULL, &a), SKEW_OK);
    CHECK_EQ_INT(skew_get_total(t), 1);
    skew_tracker_destroy(t);
}

int main(void) {
    test_bots();
    test_ip();
    test_tracker();
    TEST_MAIN_END();
}
