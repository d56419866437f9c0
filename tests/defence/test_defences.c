/* test_defences.c - the shared defences of the example servers (issue 17) without a server:
   the /metrics defence counters (skew_defence.c), the --ip-header flag and what it makes
   skew_get_client_ip believe (skew_ip_header.c), and the --root directory redirect that must never
   leave the origin (skew_example.c >>site). Built with ASan+UBSan by tests/defence/build.mk
   (step-defences). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "skew_defence.h"
#include "skew_example.h"
#include "skew_ip_header.h"
#include "skew_test.h"

static skew_str lv(const char *s) { return skew_str_n(s, strlen(s)); }

static void test_counters(void) {
    skew_ex_defences d;
    char buf[4096], small[40];
    size_t n, m;
    memset(&d, 0, sizeof d);
    skew_ex_defence_bump(&d, SKEW_EX_DEFENCE_SLOW_REQUEST);
    skew_ex_defence_bump(&d, SKEW_EX_DEFENCE_SLOW_REQUEST);
    skew_ex_defence_bump(&d, SKEW_EX_DEFENCE_FRAMING);
    skew_ex_defence_bump(&d, SKEW_EX_DEFENCE_COUNT); /* out of range: ignored */
    skew_ex_defence_bump(NULL, SKEW_EX_DEFENCE_FRAMING);
    CHECK_EQ_INT(d.n[SKEW_EX_DEFENCE_SLOW_REQUEST], 2);
    CHECK_EQ_INT(d.n[SKEW_EX_DEFENCE_FRAMING], 1);
    CHECK_EQ_INT(d.n[SKEW_EX_DEFENCE_CROSS_ORIGIN], 0);
    n = skew_ex_defences_text(&d, buf, sizeof buf);
    CHECK_EQ_INT(n, strlen(buf));
    CHECK(strstr(buf, "\nskew_defence_slow_requests_reaped_total 2\n") != NULL);
    CHECK(strstr(buf, "\nskew_defence_framing_refused_total 1\n") != NULL);
    CHECK(strstr(buf, "\nskew_defence_cross_origin_refused_total 0\n") != NULL);
    CHECK(strstr(buf, "\nskew_defence_per_ip_refused_total 0\n") != NULL);
    CHECK(strstr(buf, "\nskew_defence_relay_unavailable_total 0\n") != NULL);
    CHECK(strstr(buf, "# TYPE skew_defence_slow_requests_reaped_total counter\n") != NULL);
    CHECK(!strncmp(buf, "# HELP skew_defence_cross_origin_refused_total ", 47));
    CHECK(buf[n - 1] == '\n');
    /* snprintf contract: measure, cut with a NUL, never past cap */
    CHECK_EQ_INT(skew_ex_defences_text(&d, NULL, 0), n);
    memset(small, 'x', sizeof small);
    m = skew_ex_defences_text(&d, small, sizeof small);
    CHECK_EQ_INT(m, n);
    CHECK_EQ_INT(strlen(small), sizeof small - 1);
    CHECK(!strncmp(small, buf, sizeof small - 1));
}

static void test_ip_header_parse(void) {
    uint8_t m = 0;
    CHECK(skew_ex_ip_header_parse("x-forwarded-for", &m));
    CHECK_EQ_INT(m, SKEW_IP_HDR_X_FORWARDED_FOR);
    m = 0;
    CHECK(skew_ex_ip_header_parse("X-Real-IP, forwarded", &m));
    CHECK_EQ_INT(m, SKEW_IP_HDR_X_REAL_IP | SKEW_IP_HDR_FORWARDED);
    CHECK(skew_ex_ip_header_parse("CF-Connecting-IP", &m)); /* ORed in */
    CHECK_EQ_INT(m, SKEW_IP_HDR_X_REAL_IP | SKEW_IP_HDR_FORWARDED | SKEW_IP_HDR_CF_CONNECTING_IP);
    m = 0;
    CHECK(skew_ex_ip_header_parse("all", &m));
    CHECK_EQ_INT(m, 0x0f);
    {
        static const char *const bad[] = {"", ",", "x-forwarded-for,", ",x-real-ip", "x-forwarded", "forwarded-for",
                                          "x-forwarded-for x-real-ip", "true-client-ip", "x-forwarded-for,,x-real-ip"};
        size_t i;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            m = SKEW_IP_HDR_FORWARDED;
            CHECK(!skew_ex_ip_header_parse(bad[i], &m));
            CHECK_EQ_INT(m, SKEW_IP_HDR_FORWARDED); /* unchanged */
        }
    }
    CHECK(!skew_ex_ip_header_parse(NULL, &m));
}

static skew_str proxy_headers(void *ctx, const char *name) {
    skew_str none = {NULL, 0};
    (void)ctx;
    if (!strcmp(name, "cf-connecting-ip")) return lv("198.51.100.66"); /* forged: passed through */
    if (!strcmp(name, "x-forwarded-for")) return lv("203.0.113.9");  /* set by the proxy */
    return none;
}

/* argv for the option parser from literals (-Wwrite-strings: argv is char **). */
static char arg_store[8][64];
static char *arg_ptrs[9];
static char **args_of(const char *const *in, int *argc) {
    int i;
    for (i = 0; in[i] && i < 8; i++) {
        snprintf(arg_store[i], sizeof arg_store[i], "%s", in[i]);
        arg_ptrs[i] = arg_store[i];
    }
    arg_ptrs[i] = NULL;
    *argc = i;
    return arg_ptrs;
}

/* The client skew_get_client_ip finds under the options argv gives (peer 10.1.2.3, a proxy). */
static void client_under(const char *const *in, const char *want, uint8_t want_mask) {
    skew_ex_options o;
    skew_ex_opt_group g[2];
    skew_request req;
    skew_ip ip;
    char txt[64];
    int argc;
    char **argv = args_of(in, &argc);
    g[0] = skew_ex_server_opt_group(&o);
    g[1] = skew_ex_ip_header_opt_group(&o);
    CHECK_EQ_INT(skew_ex_opts_parse(g, 2, argc, argv, "test"), SKEW_EX_ARGS_OK);
    CHECK_EQ_INT(o.ip_policy.headers, want_mask);
    memset(&req, 0, sizeof req);
    req.header = proxy_headers;
    skew_ip_parse(lv("10.1.2.3"), &req.peer);
    CHECK_RES(skew_get_client_ip(&o.ip_policy, &req, &ip, NULL), SKEW_OK);
    skew_ip_format(&ip, txt, sizeof txt);
    CHECK_STR(txt, want);
}

static void test_ip_header_flag(void) {
    static const char *const a1[] = {"prog", "--trust-proxy", "10.0.0.0/8", NULL};
    static const char *const a2[] = {"prog", "--ip-header", "x-forwarded-for", "--trust-proxy", "10.0.0.0/8", NULL};
    static const char *const a3[] = {"prog", "--trust-proxy", "10.0.0.0/8", "--ip-header=x-real-ip",
                                     "--ip-header", "X-Forwarded-For", NULL};
    static const char *const a4[] = {"prog", "--ip-header", "cf-connecting-ip", "--trust-proxy", "10.0.0.0/8", NULL};
    static const char *const bad[] = {"prog", "--ip-header", "x-forwarded", NULL};
    skew_ex_options o;
    skew_ex_opt_group g[2];
    int argc;
    char **argv;
    /* today's order without the flag: the forged CF-Connecting-IP wins */
    client_under(a1, "198.51.100.66", 0);
    /* the flag before --trust-proxy (which starts a new policy) still holds */
    client_under(a2, "203.0.113.9", SKEW_IP_HDR_X_FORWARDED_FOR);
    client_under(a3, "203.0.113.9", SKEW_IP_HDR_X_FORWARDED_FOR | SKEW_IP_HDR_X_REAL_IP);
    client_under(a4, "198.51.100.66", SKEW_IP_HDR_CF_CONNECTING_IP);
    g[0] = skew_ex_server_opt_group(&o);
    g[1] = skew_ex_ip_header_opt_group(&o);
    argv = args_of(bad, &argc);
    CHECK_EQ_INT(skew_ex_opts_parse(g, 2, argc, argv, "test"), SKEW_EX_ARGS_ERROR);
}

/* GET path under --root dir: what comes back. */
static void lookup(const skew_ex_site *site, const char *path, skew_ex_serve *out) {
    skew_ex_site_lookup(site, lv("GET"), skew_str_n(path, strlen(path)), lv("text/html"), out);
}

static void test_dir_redirect(void) {
    char dir[] = "/tmp/skew-defence-XXXXXX", sub[128];
    static const char *const dirs[] = {"evil.example", "docs", "\\evil.example", "a"};
    skew_ex_options o;
    skew_ex_site site;
    skew_ex_serve s;
    size_t i;
    CHECK(mkdtemp(dir) != NULL);
    for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(sub, sizeof sub, "%s/%s", dir, dirs[i]);
        CHECK(mkdir(sub, 0700) == 0);
    }
    snprintf(sub, sizeof sub, "%s/a/b", dir);
    CHECK(mkdir(sub, 0700) == 0);
    skew_ex_options_defaults(&o);
    o.root = dir;
    CHECK(skew_ex_site_init(&site, &o));
    lookup(&site, "/docs", &s); /* the ordinary redirect stays */
    CHECK_EQ_INT(s.kind, SKEW_EX_SERVE_REDIRECT);
    CHECK_STR(s.location, "/docs/");
    lookup(&site, "//evil.example", &s); /* was "//evil.example/": another host */
    CHECK_EQ_INT(s.kind, SKEW_EX_SERVE_REDIRECT);
    CHECK_STR(s.location, "/evil.example/");
    lookup(&site, "////evil.example", &s);
    CHECK_STR(s.location, "/evil.example/");
    lookup(&site, "/\\evil.example", &s); /* browsers read "/\" as "//" */
    CHECK_STR(s.location, "/%5Cevil.example/");
    lookup(&site, "//a//b", &s);
    CHECK_STR(s.location, "/a//b/");
    lookup(&site, "/docs/", &s); /* no index.html: nothing, and no redirect */
    CHECK(s.kind != SKEW_EX_SERVE_REDIRECT);
    { /* every path of up to 6 of '/', '\\', 'a', 'b': a redirect stays on this origin */
        static const char alphabet[4] = {'/', '\\', 'a', 'b'};
        char path[8];
        unsigned code, len, k, bad = 0, redirects = 0;
        for (len = 1; len <= 6; len++) {
            unsigned total = 1u << (2 * len);
            for (code = 0; code < total; code++) {
                path[0] = '/';
                for (k = 1; k < len; k++) path[k] = alphabet[(code >> (2 * k)) & 3];
                path[len] = '\0';
                lookup(&site, path, &s);
                if (s.kind != SKEW_EX_SERVE_REDIRECT) continue;
                redirects++;
                if (s.location[0] != '/' || s.location[1] == '/' || s.location[1] == '\\') bad++;
            }
        }
        CHECK(redirects > 0);
        CHECK_EQ_INT(bad, 0);
    }
    skew_ex_site_free(&site);
    for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(sub, sizeof sub, "%s/%s", dir, dirs[i]);
        if (i == 3) {
            char b[160];
            snprintf(b, sizeof b, "%s/b", sub);
            rmdir(b);
        }
        rmdir(sub);
    }
    rmdir(dir);
}

int main(void) {
    skew_ex_log_set_verbosity(0);
    SUBTEST("defence_counters", test_counters);
    SUBTEST("ip_header_parse", test_ip_header_parse);
    SUBTEST("ip_header_flag", test_ip_header_flag);
    SUBTEST("dir_redirect", test_dir_redirect);
    TEST_MAIN_END();
}
