/* Cost of recognizing the app's admins per request (not a test): skew_person_check on session
   cookies sealed by npm h3 and JWTs signed by npm jose (tests/e2e/person_vectors.mjs writes
   them to DIR). CPU time per call in microseconds; asserts nothing about time.
   Run: make bench-person   (or: bench_person DIR) */
#define _POSIX_C_SOURCE 200809L
#include "skew_person.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: other processes do not count */
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

typedef struct hdr { const char *cookie, *auth; } hdr;
static skew_str get_header(void *ctx, const char *name) {
    const hdr *h = (const hdr *)ctx;
    if (!strcmp(name, "cookie")) return skew_str_c(h->cookie);
    if (!strcmp(name, "authorization")) return skew_str_c(h->auth);
    return skew_str_n(NULL, 0);
}
static const char *last_line = "";
static char last_buf[600];
static void quiet(void *ctx, const char *line) {
    (void)ctx;
    snprintf(last_buf, sizeof last_buf, "%s", line);
    last_line = last_buf;
}

static char *vjson;
static size_t vlen;
static char dir[400];

static const char *path_in(const char *name) {
    static char b[4][512]; /* the configuration keeps three of them */
    static int k;
    k = (k + 1) & 3;
    snprintf(b[k], sizeof b[k], "%s/%s", dir, name);
    return b[k];
}

static const char *vector(const char *want) {
    static char value[9000];
    char name[200], path[64];
    size_t i;
    for (i = 0;; i++) {
        snprintf(path, sizeof path, "items.%zu.name", i);
        if (skew_json_get_path_string(skew_str_n(vjson, vlen), path, name, sizeof name, NULL) != SKEW_OK) return NULL;
        if (strcmp(name, want)) continue;
        snprintf(path, sizeof path, "items.%zu.value", i);
        skew_json_get_path_string(skew_str_n(vjson, vlen), path, value, sizeof value, NULL);
        return value;
    }
}

/* Median of 9 rounds of n calls, in microseconds per call. */
static void run(skew_person *p, const char *label, const char *name, bool bearer, skew_auth_result want) {
    static char line[9100];
    const char *v = vector(name);
    hdr h = {NULL, NULL};
    skew_request req;
    double rounds[9], t;
    int r, i, n = 2000;
    char who[128];
    if (!v) {
        printf("%-44s (no vector \"%s\")\n", label, name);
        return;
    }
    snprintf(line, sizeof line, bearer ? "Bearer %s" : "theme=dark; nuxt-session=%s", v);
    if (bearer) h.auth = line; else h.cookie = line;
    memset(&req, 0, sizeof req);
    req.header = get_header;
    req.header_ctx = &h;
    if (skew_person_check(p, &req, SKEW_AUTH_SCOPE_STATS, who, sizeof who) != want) {
        printf("%-44s unexpected verdict (%s)\n", label, last_line);
        return;
    }
    for (r = 0; r < 9; r++) {
        t = now_ns();
        for (i = 0; i < n; i++) skew_person_check(p, &req, SKEW_AUTH_SCOPE_STATS, who, sizeof who);
        rounds[r] = (now_ns() - t) / n / 1000.0;
    }
    for (r = 1; r < 9; r++) /* insertion sort */
        for (i = r; i > 0 && rounds[i - 1] > rounds[i]; i--) t = rounds[i], rounds[i] = rounds[i - 1], rounds[i - 1] = t;
    printf("%-44s %8.2f us/request (median of 9 x %d)\n", label, rounds[4], n);
}

int main(int argc, char **argv) {
    skew_person p;
    FILE *f;
    long n;
    if (argc != 2) {
        fprintf(stderr, "usage: bench_person DIR (made by tests/e2e/person_vectors.mjs)\n");
        return 2;
    }
    snprintf(dir, sizeof dir, "%s", argv[1]);
    f = fopen(path_in("vectors.json"), "rb");
    if (!f) return 2;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    vjson = (char *)malloc((size_t)n + 1);
    vlen = fread(vjson, 1, (size_t)n, f);
    fclose(f);
    memset(&p, 0, sizeof p);
    p.prog = "bench_person";
    p.session_cookie = "nuxt-session";
    p.password_file = path_in("passwords");
    p.admin_emails[p.nadmin_emails++] = "admin@example.com";
    p.admin_claims[p.nadmin_claims++] = "user.role=admin";
    p.jwt_secret_file = path_in("hs.secret");
    p.jwks_file = path_in("jwks.json");
    p.jwt_audience = "skew";
    p.jwt_issuer = "https://app.example";
    p.log = quiet;
    if (!skew_person_load(&p)) return 1;
    printf("skew_person_check, CPU time per request (2 session passwords, HS secret, JWKS of 2 keys):\n");
    run(&p, "session cookie, admin (unseal + rules)", "session: valid admin (email rule)", false, SKEW_AUTH_RESULT_GRANTED);
    run(&p, "session cookie, another user", "session: another user (matches no rule)", false, SKEW_AUTH_RESULT_DENIED);
    run(&p, "session cookie, tampered (MAC refused)", "session: tampered (one byte of the mac)", false, SKEW_AUTH_RESULT_DENIED);
    run(&p, "JWT HS256 bearer", "jwt: HS256 valid", true, SKEW_AUTH_RESULT_GRANTED);
    run(&p, "JWT RS256 bearer (2048-bit)", "jwt: RS256 valid (JWKS, kid)", true, SKEW_AUTH_RESULT_GRANTED);
    run(&p, "JWT ES256 bearer", "jwt: ES256 valid (JWKS)", true, SKEW_AUTH_RESULT_GRANTED);
    run(&p, "JWT alg none (refused)", "jwt: alg none", true, SKEW_AUTH_RESULT_DENIED);
    skew_person_free(&p);
    free(vjson);
    return 0;
}
