/* Black-box tests of the JSON writer and reader, URL/query/cookie/route parsing, snapshots. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
#include "skew_test.h"
#include "fake_transport.h"

static void test_json_writer(void) {
    char b[128];
    CHECK_EQ_INT(skew_write_json_string(skew_str_c("a\"b\\c"), b, sizeof b), 9);
    CHECK_STR(b, "\"a\\\"b\\\\c\"");
    skew_write_json_string(STRV("\n\r\t\b\f\x01\x1f\x7f"), b, sizeof b);
    CHECK_STR(b, "\"\\n\\r\\t\\b\\f\\u0001\\u001f\\u007f\"");
    skew_write_json_string(STRV("nul\0x"), b, sizeof b);
    CHECK_STR(b, "\"nul\\u0000x\"");
    skew_write_json_string(skew_str_c("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), b, sizeof b);
    CHECK_STR(b, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    /* invalid UTF-8: one U+FFFD per maximal invalid subpart */
    skew_write_json_string(skew_str_c("a\xff" "b\xc3" "c\xe2\x82" "d\xed\xa0\x80" "e\xc0\xaf"), b, sizeof b);
    CHECK_STR(b, "\"a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd" "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                 "e\xef\xbf\xbd\xef\xbf\xbd\"");
    skew_write_json_string(skew_str_c("\xe2\x80\xa8\xe2\x80\xa9"), b, sizeof b);
    CHECK_STR(b, "\"\\u2028\\u2029\"");
    /* a truncated trailing sequence at the very end of the input */
    skew_write_json_string(skew_str_c("x\xf0\x9f\x98"), b, sizeof b);
    CHECK_STR(b, "\"x\xef\xbf\xbd\"");
    /* snprintf contract */
    CHECK_EQ_INT(skew_write_json_string(skew_str_c("abc"), NULL, 0), 5);
    memset(b, 'Z', sizeof b);
    CHECK_EQ_INT(skew_write_json_string(skew_str_c("abc"), b, 3), 5);
    CHECK_STR(b, "\"a");
    CHECK(b[3] == 'Z');
    CHECK_EQ_INT(skew_write_json_string(skew_str_c("abc"), b, 1), 5);
    CHECK_STR(b, "");
    CHECK_EQ_INT(skew_write_pong(b, sizeof b), 15);
    CHECK_STR(b, "{\"type\":\"pong\"}");
    skew_write_keepalive(18446744073709551615ull, b, sizeof b);
    CHECK_STR(b, "{\"type\":\"keepalive\",\"timestamp\":18446744073709551615}");
    skew_write_version(skew_str_c("v\"2"), true, b, sizeof b);
    CHECK_STR(b, "{\"type\":\"version\",\"version\":\"v\\\"2\",\"force\":true}");
    skew_write_version(skew_str_c("v2"), false, b, sizeof b);
    CHECK_STR(b, "{\"type\":\"version\",\"version\":\"v2\"}");
    skew_write_stats_unauthorized(b, sizeof b);
    CHECK_STR(b, "{\"type\":\"stats-unauthorized\"}");
    skew_write_connected(skew_str_c("v1"), skew_str_c("id"), 5, b, sizeof b);
    CHECK_STR(b, "{\"type\":\"connected\",\"version\":\"v1\",\"connectionId\":\"id\",\"timestamp\":5}");
    CHECK_EQ_INT(skew_write_sse_frame(skew_str_n("{}", 2), b, sizeof b), 10);
    CHECK_STR(b, "data: {}\n\n");
    CHECK_EQ_INT(skew_write_sse_frame(skew_str_n("{}", 2), NULL, 0), 10);
}

static void test_json_reader(void) {
    char b[64];
    size_t n = 99;
    CHECK_RES(skew_json_get_string(skew_str_c("{\"a\":1,\"k\":\"v\\\"\\\\\\/\\n\\u00e9\\ud83d\\ude00\"}"), "k", b, sizeof b, &n), SKEW_OK);
    CHECK_STR(b, "v\"\\/\n\xc3\xa9\xf0\x9f\x98\x80");
    CHECK_EQ_INT(n, 11);
    /* lone surrogate -> U+FFFD */
    CHECK_RES(skew_json_get_string(skew_str_c("{\"k\":\"\\ud800x\"}"), "k", b, sizeof b, &n), SKEW_OK);
    CHECK_STR(b, "\xef\xbf\xbdx");
    CHECK_RES(skew_json_get_string(skew_str_c("{\"k\":1}"), "k", b, sizeof b, &n), SKEW_ERR_NOT_FOUND);
    CHECK_RES(skew_json_get_string(skew_str_c("{\"j\":\"x\"}"), "k", b, sizeof b, &n), SKEW_ERR_NOT_FOUND);
    CHECK_RES(skew_json_get_string(skew_str_c("[\"k\"]"), "k", b, sizeof b, &n), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_get_string(skew_str_c("{\"k\":\"x\"} junk"), "k", b, sizeof b, &n), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_get_string(skew_str_c("{\"k\":\"x\",}"), "k", b, sizeof b, &n), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_get_string(skew_str_c("{\"k\":\"a\tb\"}"), "k", b, sizeof b, &n), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_get_string(skew_str_c("{\"k\":\"\\x\"}"), "k", b, sizeof b, &n), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_get_string(skew_str_c("{\"k\":\"\\u12\"}"), "k", b, sizeof b, &n), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_get_string(skew_str_c("{\"k\":\"x\",\"k\":\"y\"}"), "k", b, sizeof b, &n), SKEW_OK);
    CHECK_STR(b, "x"); /* the first of duplicate keys */
    CHECK_RES(skew_json_get_string(skew_str_c("{\"o\":{\"k\":\"in\"},\"k\":\"top\"}"), "k", b, sizeof b, &n), SKEW_OK);
    CHECK_STR(b, "top");
    CHECK_RES(skew_json_get_string(skew_str_c("{\"k\":\"0123456789\"}"), "k", b, 11, &n), SKEW_OK);
    CHECK_RES(skew_json_get_string(skew_str_c("{\"k\":\"0123456789\"}"), "k", b, 10, &n), SKEW_ERR_TOO_LONG);
    CHECK_RES(skew_json_validate(skew_str_c("{}")), SKEW_OK);
    CHECK_RES(skew_json_validate(skew_str_c(" [1, -2.5e+3, true, false, null, \"s\", {\"a\": []}] ")), SKEW_OK);
    CHECK_RES(skew_json_validate(skew_str_c("[01]")), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_validate(skew_str_c("[1.]")), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_validate(skew_str_c("[tru]")), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_validate(skew_str_c("")), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_validate(skew_str_c("[1 2]")), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_validate(skew_str_c("{\"a\" 1}")), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_validate(skew_str_c("{1:2}")), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_validate(skew_str_c("[}")), SKEW_ERR_INVALID);
    /* depth: exactly SKEW_JSON_MAX_DEPTH levels pass, one more fails */
    {
        char d[2 * SKEW_JSON_MAX_DEPTH + 3];
        int i;
        for (i = 0; i < SKEW_JSON_MAX_DEPTH; i++) {
            d[i] = '[';
            d[SKEW_JSON_MAX_DEPTH + i] = ']';
        }
        CHECK_RES(skew_json_validate(skew_str_n(d, 2 * SKEW_JSON_MAX_DEPTH)), SKEW_OK);
        memmove(d + 1, d, 2 * SKEW_JSON_MAX_DEPTH);
        d[0] = '[';
        d[2 * SKEW_JSON_MAX_DEPTH + 1] = ']';
        CHECK_RES(skew_json_validate(skew_str_n(d, 2 * SKEW_JSON_MAX_DEPTH + 2)), SKEW_ERR_INVALID);
    }
}

/* Nested reads by path (skew_json_get_path_raw, _path_string, _path_int): what a session or JWT check needs. */
static void test_json_path(void) {
    const char *doc = "{\"id\":\"s1\",\"createdAt\":1700000000123,\"data\":{\"user\":{\"email\":\"a@x\",\"n\":-7.9,"
                      "\"roles\":[\"viewer\",\"admin\"],\"ok\":true}},\"aud\":[\"a\",\"b\"],\"big\":9223372036854775807,"
                      "\"neg\":-9223372036854775808,\"over\":9223372036854775808,\"e\":1e3,\"d.k\":\"dot\","
                      "\"o\":{\"k\":\"first\",\"k\":\"second\"}}";
    skew_str j = skew_str_c(doc), v;
    char b[16];
    size_t n = 99;
    int64_t i = 5;
    CHECK_RES(skew_json_get_path_string(j, "data.user.email", b, sizeof b, &n), SKEW_OK);
    CHECK_STR(b, "a@x");
    CHECK_EQ_INT(n, 3);
    CHECK_RES(skew_json_get_path_string(j, "id", b, sizeof b, &n), SKEW_OK); /* a one-segment path is a top-level key */
    CHECK_STR(b, "s1");
    CHECK_RES(skew_json_get_path_string(j, "data.user.roles.1", b, sizeof b, &n), SKEW_OK);
    CHECK_STR(b, "admin");
    CHECK_RES(skew_json_get_path_string(j, "aud.0", b, sizeof b, &n), SKEW_OK);
    CHECK_STR(b, "a");
    CHECK_RES(skew_json_get_path_string(j, "aud.2", b, sizeof b, &n), SKEW_ERR_NOT_FOUND); /* one past the end */
    CHECK_RES(skew_json_get_path_string(j, "aud.x", b, sizeof b, &n), SKEW_ERR_NOT_FOUND); /* a name into an array */
    CHECK_RES(skew_json_get_path_string(j, "data.0", b, sizeof b, &n), SKEW_ERR_NOT_FOUND); /* an index into an object */
    CHECK_RES(skew_json_get_path_string(j, "data.user.email.x", b, sizeof b, &n), SKEW_ERR_NOT_FOUND); /* into a string */
    CHECK_RES(skew_json_get_path_string(j, "data.user", b, sizeof b, &n), SKEW_ERR_NOT_FOUND); /* not a string */
    CHECK_RES(skew_json_get_path_string(j, "data.nobody", b, sizeof b, &n), SKEW_ERR_NOT_FOUND);
    CHECK_RES(skew_json_get_path_string(j, "d.k", b, sizeof b, &n), SKEW_ERR_NOT_FOUND); /* '.' always splits */
    CHECK_RES(skew_json_get_path_string(j, "o.k", b, sizeof b, &n), SKEW_OK);
    CHECK_STR(b, "first"); /* the first of duplicate names, as skew_json_get_string */
    CHECK_RES(skew_json_get_path_string(j, "data.user.roles.1", b, 5, &n), SKEW_ERR_TOO_LONG);
    CHECK_EQ_INT(n, 5);
    CHECK_RES(skew_json_get_path_string(j, "data.user.roles.1", b, 6, &n), SKEW_OK);
    /* raw values */
    CHECK_RES(skew_json_get_path_raw(j, "aud", &v), SKEW_OK);
    CHECK(v.len == 9 && memcmp(v.ptr, "[\"a\",\"b\"]", 9) == 0);
    CHECK_RES(skew_json_get_path_raw(j, "data.user.ok", &v), SKEW_OK);
    CHECK(v.len == 4 && memcmp(v.ptr, "true", 4) == 0);
    CHECK_RES(skew_json_get_path_raw(j, "", &v), SKEW_OK); /* the empty path: the whole document */
    CHECK_EQ_INT(v.len, strlen(doc));
    CHECK_RES(skew_json_get_path_raw(j, "nothing", &v), SKEW_ERR_NOT_FOUND);
    CHECK(v.ptr == NULL && v.len == 0);
    /* integers: range boundaries, fractions dropped, exponents refused */
    CHECK_RES(skew_json_get_path_int(j, "createdAt", &i), SKEW_OK);
    CHECK(i == 1700000000123ll);
    CHECK_RES(skew_json_get_path_int(j, "big", &i), SKEW_OK);
    CHECK(i == INT64_MAX);
    CHECK_RES(skew_json_get_path_int(j, "neg", &i), SKEW_OK);
    CHECK(i == INT64_MIN);
    CHECK_RES(skew_json_get_path_int(j, "over", &i), SKEW_ERR_TOO_LONG);
    CHECK_RES(skew_json_get_path_int(j, "data.user.n", &i), SKEW_OK);
    CHECK(i == -7);
    CHECK_RES(skew_json_get_path_int(j, "e", &i), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_get_path_int(j, "id", &i), SKEW_ERR_NOT_FOUND);
    CHECK(i == 0);
    /* the document is validated whole, even past the value asked for */
    CHECK_RES(skew_json_get_path_string(skew_str_c("{\"a\":\"x\",\"b\":}"), "a", b, sizeof b, &n), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_get_path_int(skew_str_c("[1,2"), "0", &i), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_get_path_int(skew_str_c("[1,2]"), "1", &i), SKEW_OK);
    CHECK(i == 2);
    CHECK_RES(skew_json_get_path_raw(skew_str_c(" [ ] "), "0", &v), SKEW_ERR_NOT_FOUND);
    CHECK_RES(skew_json_get_path_raw(skew_str_c("{ }"), "a", &v), SKEW_ERR_NOT_FOUND);
    /* a 63-byte name is found, a 64-byte one never (the key buffer) */
    {
        char d[200], name[70];
        memset(name, 'k', sizeof name);
        name[63] = '\0';
        snprintf(d, sizeof d, "{\"%s\":1}", name);
        CHECK_RES(skew_json_get_path_int(skew_str_c(d), name, &i), SKEW_OK);
        name[63] = 'k';
        name[64] = '\0';
        snprintf(d, sizeof d, "{\"%s\":1}", name);
        CHECK_RES(skew_json_get_path_int(skew_str_c(d), name, &i), SKEW_ERR_NOT_FOUND);
    }
}

static void test_url_query_cookie_route(void) {
    char b[16];
    size_t n;
    skew_str v;
    CHECK_RES(skew_url_decode(skew_str_c("a%2Fb+c%zz"), true, b, sizeof b, &n), SKEW_ERR_INVALID);
    CHECK_RES(skew_url_decode(skew_str_c("a%2Fb+c"), true, b, sizeof b, &n), SKEW_OK);
    CHECK_STR(b, "a/b c");
    CHECK_RES(skew_url_decode(skew_str_c("a+c"), false, b, sizeof b, &n), SKEW_OK);
    CHECK_STR(b, "a+c");
    CHECK_RES(skew_url_decode(skew_str_c("%"), false, b, sizeof b, &n), SKEW_ERR_INVALID);
    CHECK_RES(skew_url_decode(skew_str_c("%4"), false, b, sizeof b, &n), SKEW_ERR_INVALID);
    CHECK_RES(skew_url_decode(skew_str_c("%41"), false, b, sizeof b, &n), SKEW_OK);
    CHECK_STR(b, "A");
    CHECK_RES(skew_url_decode(skew_str_c("123456789012345"), false, b, sizeof b, &n), SKEW_OK);
    CHECK_RES(skew_url_decode(skew_str_c("1234567890123456"), false, b, sizeof b, &n), SKEW_ERR_TOO_LONG);
    CHECK_RES(skew_get_query_param(skew_str_c("a=1&route=%2Fx&route=/y"), "route", &v), SKEW_OK);
    CHECK(v.len == 4 && memcmp(v.ptr, "%2Fx", 4) == 0);
    CHECK_RES(skew_get_query_param(skew_str_c("routes=1&xroute=2"), "route", &v), SKEW_ERR_NOT_FOUND);
    CHECK_RES(skew_get_query_param(skew_str_c("route"), "route", &v), SKEW_OK);
    CHECK_EQ_INT(v.len, 0);
    CHECK_RES(skew_get_query_param(skew_str_n(NULL, 0), "route", &v), SKEW_ERR_NOT_FOUND);
    CHECK_RES(skew_get_cookie(skew_str_c("x__nkpv=1; __nkpv = v2 ;y=3"), "__nkpv", &v), SKEW_OK);
    CHECK(v.len == 2 && memcmp(v.ptr, "v2", 2) == 0);
    CHECK_RES(skew_get_cookie(skew_str_c("a=b;;; ;=x"), "__nkpv", &v), SKEW_ERR_NOT_FOUND);
    CHECK_RES(skew_get_cookie(skew_str_c("__nkpv=\""), "__nkpv", &v), SKEW_OK);
    CHECK_EQ_INT(v.len, 1);
    CHECK_RES(skew_route_clean(skew_str_c("/a?b#c"), 2, &v), SKEW_OK);
    CHECK_EQ_INT(v.len, 2);
    CHECK_RES(skew_route_clean(skew_str_c("/ab?b#c"), 2, &v), SKEW_ERR_TOO_LONG);
    CHECK_RES(skew_route_clean(skew_str_c("a"), 2, &v), SKEW_ERR_INVALID);
    CHECK_RES(skew_route_clean(skew_str_c(""), 2, &v), SKEW_ERR_INVALID);
    CHECK_RES(skew_route_clean(skew_str_c("/\x7f"), 8, &v), SKEW_ERR_INVALID);
    CHECK_RES(skew_route_clean(skew_str_c("/#frag"), 8, &v), SKEW_OK);
    CHECK_EQ_INT(v.len, 1);
    { /* the end of the path at every offset of the 8-byte scan, among bytes next to '?' and '#' */
        static const char near[] = "\x3e\x40\x22\x24/a>@";
        char r[40];
        size_t at, k, i;
        int bad = 0;
        for (at = 1; at < 30; at++)
            for (k = 0; k < 3; k++) {
                r[0] = '/';
                for (i = 1; i < sizeof r; i++) r[i] = near[(i + k) % 8];
                r[at] = k == 1 ? '#' : '?';
                if (skew_route_clean(skew_str_n(r, k == 2 ? at + 1 : sizeof r), 64, &v) != SKEW_OK || v.len != at ||
                    v.ptr != r)
                    bad++;
            }
        CHECK_EQ_INT(bad, 0);
    }
}


int main(void) {
    SUBTEST("json_writer", test_json_writer);
    SUBTEST("json_reader", test_json_reader);
    SUBTEST("json_path", test_json_path);
    SUBTEST("url_query_cookie_route", test_url_query_cookie_route);
    TEST_MAIN_END();
}
