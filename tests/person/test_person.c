/* skew_person (examples/common/skew_person.h) against credentials made by the real npm h3
   (sealSession) and jose: tests/e2e/person_vectors.mjs writes DIR/vectors.json and the key
   files; this program reads them (with the tracker's own JSON path reader) and checks every
   verdict, plus the boundaries of base64url, the scopes, rotation, key confusion and reload.
   Usage: test_person DIR */
#include "skew_person.h"
#include "skew_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char vdir[512];
static char *vjson;
static size_t vjson_len;
static uint64_t vnow;

static uint64_t fixed_now(void *ctx) {
    (void)ctx;
    return vnow;
}

static int log_lines;
static char last_log[600];
static void count_log(void *ctx, const char *line) {
    (void)ctx;
    log_lines++;
    snprintf(last_log, sizeof last_log, "%s", line);
}

static const char *file_in(const char *name) {
    static char buf[4][600];
    static int k;
    k = (k + 1) & 3;
    snprintf(buf[k], sizeof buf[k], "%s/%s", vdir, name);
    return buf[k];
}

/* A request with one Cookie and one Authorization header (either may be NULL). */
typedef struct fake_req {
    const char *cookie, *authorization;
} fake_req;

static skew_str fake_header(void *ctx, const char *name) {
    const fake_req *f = (const fake_req *)ctx;
    if (!strcmp(name, "cookie")) return skew_str_c(f->cookie);
    if (!strcmp(name, "authorization")) return skew_str_c(f->authorization);
    return skew_str_n(NULL, 0);
}

static skew_auth_result check(skew_person *p, const char *cookie, const char *authorization, skew_auth_scope scope,
                       char *who, size_t cap) {
    fake_req f;
    skew_request req;
    f.cookie = cookie;
    f.authorization = authorization;
    memset(&req, 0, sizeof req);
    req.method = skew_str_c("GET");
    req.path = skew_str_c("/__skew/ws");
    req.header = fake_header;
    req.header_ctx = &f;
    return skew_person_check(p, &req, scope, who, cap);
}

/* The configuration person_vectors.mjs's verdicts assume (its personArgs). */
static bool configure(skew_person *p) {
    memset(p, 0, sizeof *p);
    p->prog = "test_person";
    p->session_cookie = "nuxt-session";
    p->password_file = file_in("passwords");
    p->admin_emails[p->nadmin_emails++] = "admin@example.com";
    p->admin_claims[p->nadmin_claims++] = "user.role=admin";
    p->session_max_age_s = 86400;
    p->jwt_secret_file = file_in("hs.secret");
    p->jwks_file = file_in("jwks.json");
    p->jwt_audience = "skew";
    p->jwt_issuer = "https://app.example";
    p->jwt_cookie = "skew-jwt";
    p->now_ms = fixed_now;
    p->log = count_log;
    return skew_person_load(p);
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *b;
    long n;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    b = (char *)malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) b[n] = '\0';
    *len = (size_t)n;
    return b;
}

/* Vector i's field: "kind", "value", "name", "who"; NULL past the end. */
static char *vfield(size_t i, const char *field, char *buf, size_t cap) {
    char path[64];
    snprintf(path, sizeof path, "items.%zu.%s", i, field);
    return skew_json_get_path_string(skew_str_n(vjson, vjson_len), path, buf, cap, NULL) == SKEW_OK ? buf : NULL;
}

static bool vgranted(size_t i) {
    char path[64];
    skew_str v;
    snprintf(path, sizeof path, "items.%zu.granted", i);
    return skew_json_get_path_raw(skew_str_n(vjson, vjson_len), path, &v) == SKEW_OK && v.len == 4;
}

/* Every vector, through the check, as a cookie and (JWTs) as a bearer. */
static void test_vectors(void) {
    skew_person p;
    static char value[9000], cookie[9100], auth[9100];
    char name[200], kind[16], who[128], want_who[128];
    size_t i, n = 0;
    CHECK(configure(&p));
    for (i = 0; vfield(i, "value", value, sizeof value); i++, n++) {
        bool granted = vgranted(i), session;
        skew_auth_result a;
        int before = log_lines;
        vfield(i, "name", name, sizeof name);
        vfield(i, "kind", kind, sizeof kind);
        session = !strcmp(kind, "session");
        snprintf(cookie, sizeof cookie, "theme=dark; %s=%s; other=1", session ? "nuxt-session" : "skew-jwt", value);
        a = check(&p, cookie, NULL, SKEW_AUTH_SCOPE_STATS, who, sizeof who);
        if (a != (granted ? SKEW_AUTH_RESULT_GRANTED : SKEW_AUTH_RESULT_DENIED))
            fprintf(stderr, "vector: %s (%d) %s\n", name, (int)a, log_lines > before ? last_log : "");
        CHECK_EQ_INT(a, granted ? SKEW_AUTH_RESULT_GRANTED : SKEW_AUTH_RESULT_DENIED);
        if (granted && vfield(i, "who", want_who, sizeof want_who)) CHECK_STR(who, want_who);
        if (!granted) CHECK_STR(who, "");
        /* a refusal is one log line; a valid credential of someone else is none */
        CHECK_EQ_INT(log_lines - before, granted || strstr(name, "not an admin") || strstr(name, "another user") ? 0 : 1);
        if (!session) {
            snprintf(auth, sizeof auth, "Bearer %s", value);
            /* a bearer without two dots is not a JWT (it may be the admin token): not ours */
            CHECK_EQ_INT(check(&p, NULL, auth, SKEW_AUTH_SCOPE_STATS, who, sizeof who),
                         granted ? SKEW_AUTH_RESULT_GRANTED : strstr(name, "two parts") ? SKEW_AUTH_RESULT_UNAVAILABLE : SKEW_AUTH_RESULT_DENIED);
        }
        /* the admin scope needs --person-scope admin */
        CHECK_EQ_INT(check(&p, cookie, NULL, SKEW_AUTH_SCOPE_ADMIN, who, sizeof who), SKEW_AUTH_RESULT_DENIED);
        p.scope_admin = true;
        CHECK_EQ_INT(check(&p, cookie, NULL, SKEW_AUTH_SCOPE_ADMIN, who, sizeof who),
                     granted ? SKEW_AUTH_RESULT_GRANTED : SKEW_AUTH_RESULT_DENIED);
        p.scope_admin = false;
    }
    CHECK(n >= 20);
    /* nothing present: UNAVAILABLE (the admin token decides); an admin token is not a JWT */
    CHECK_EQ_INT(check(&p, "theme=dark", NULL, SKEW_AUTH_SCOPE_STATS, who, sizeof who), SKEW_AUTH_RESULT_UNAVAILABLE);
    CHECK_EQ_INT(check(&p, NULL, "Bearer e2e-admin-token", SKEW_AUTH_SCOPE_STATS, who, sizeof who), SKEW_AUTH_RESULT_UNAVAILABLE);
    CHECK_EQ_INT(check(&p, "nuxt-session=", NULL, SKEW_AUTH_SCOPE_STATS, who, sizeof who), SKEW_AUTH_RESULT_UNAVAILABLE);
    /* a bad credential does not hide a good one: refused session + good bearer */
    vfield(0, "value", value, sizeof value);
    for (i = 0; vfield(i, "name", name, sizeof name); i++)
        if (!strcmp(name, "jwt: HS256 valid")) break;
    vfield(i, "value", auth + 7, sizeof auth - 7);
    memcpy(auth, "Bearer ", 7);
    CHECK_EQ_INT(check(&p, "nuxt-session=Fe26.2**a", auth, SKEW_AUTH_SCOPE_STATS, who, sizeof who), SKEW_AUTH_RESULT_GRANTED);
    CHECK_STR(who, "user-1");
    /* the clock: the same valid token two hours later is expired */
    vnow += 2 * 3600 * 1000u;
    CHECK_EQ_INT(check(&p, NULL, auth, SKEW_AUTH_SCOPE_STATS, who, sizeof who), SKEW_AUTH_RESULT_DENIED);
    vnow -= 2 * 3600 * 1000u;
    skew_person_free(&p);
}

static const char *vector_value(const char *want, char *buf, size_t cap) {
    char name[200];
    size_t i;
    for (i = 0; vfield(i, "name", name, sizeof name); i++)
        if (!strcmp(name, want)) return vfield(i, "value", buf, cap);
    return NULL;
}

/* Nothing configured, rules without keys, rotation, key confusion, reload. */
static void test_config(void) {
    skew_person p;
    static char v[9000], cookie[9100];
    char who[64];
    FILE *f;
    memset(&p, 0, sizeof p);
    setenv("NUXT_SESSION_PASSWORD", "short", 1); /* the app's env, but no admin flags: not read */
    CHECK(skew_person_load(&p)); /* nothing asked for: fine, and nothing to check */
    unsetenv("NUXT_SESSION_PASSWORD");
    CHECK(!skew_person_configured(&p));
    CHECK_EQ_INT(check(&p, "nuxt-session=x", NULL, SKEW_AUTH_SCOPE_STATS, who, sizeof who), SKEW_AUTH_RESULT_UNAVAILABLE);
    p.admin_emails[p.nadmin_emails++] = "admin@example.com";
    p.password_envs[p.npassword_envs++] = "SKEW_TEST_PERSON_NO_SUCH_VAR";
    CHECK(!skew_person_load(&p)); /* a rule but no credential: refused at start */
    memset(&p, 0, sizeof p);
    p.jwt_secret_file = file_in("rsa.pem");
    p.admin_emails[p.nadmin_emails++] = "admin@example.com";
    CHECK(!skew_person_load(&p)); /* a PEM key is never taken as an HMAC secret */
    memset(&p, 0, sizeof p);
    p.jwt_key_file = file_in("rsa.pem");
    CHECK(!skew_person_load(&p)); /* a key without a rule */
    /* the PEM key alone: RS256 tokens verify, the PEM used as an HS256 secret does not */
    p.admin_emails[p.nadmin_emails++] = "admin@example.com";
    p.admin_claims[p.nadmin_claims++] = "user.role=admin";
    p.now_ms = fixed_now;
    p.log = count_log;
    CHECK(skew_person_load(&p));
    snprintf(cookie, sizeof cookie, "Bearer %s", vector_value("jwt: RS256 valid (JWKS, kid)", v, sizeof v));
    CHECK_EQ_INT(check(&p, NULL, cookie, SKEW_AUTH_SCOPE_STATS, who, sizeof who), SKEW_AUTH_RESULT_GRANTED);
    snprintf(cookie, sizeof cookie, "Bearer %s", vector_value("jwt: RS256 public key used as an HS256 secret", v, sizeof v));
    CHECK_EQ_INT(check(&p, NULL, cookie, SKEW_AUTH_SCOPE_STATS, who, sizeof who), SKEW_AUTH_RESULT_DENIED);
    CHECK(strstr(last_log, "no key") != NULL);
    snprintf(cookie, sizeof cookie, "Bearer %s", vector_value("jwt: alg none", v, sizeof v));
    CHECK_EQ_INT(check(&p, NULL, cookie, SKEW_AUTH_SCOPE_STATS, who, sizeof who), SKEW_AUTH_RESULT_DENIED);
    CHECK(strstr(last_log, "algorithm not allowed") != NULL);
    skew_person_free(&p);

    /* rotation: only the current password; then reload with both */
    memset(&p, 0, sizeof p);
    p.password_file = file_in("one-password");
    f = fopen(p.password_file, "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs("app-session-password-0123456789-abcdef\n", f);
    fclose(f);
    p.session_cookie = "nuxt-session";
    p.admin_emails[p.nadmin_emails++] = "ADMIN@example.com"; /* case-insensitive */
    p.now_ms = fixed_now;
    p.log = count_log;
    CHECK(skew_person_load(&p));
    snprintf(cookie, sizeof cookie, "nuxt-session=%s", vector_value("session: sealed with the rotated (older) password", v, sizeof v));
    CHECK_EQ_INT(check(&p, cookie, NULL, SKEW_AUTH_SCOPE_STATS, who, sizeof who), SKEW_AUTH_RESULT_DENIED);
    f = fopen(p.password_file, "w");
    if (f) {
        fputs("app-session-password-0123456789-abcdef\r\nthe-previous-session-password-9876543210\n", f);
        fclose(f);
    }
    skew_person_reload(&p);
    CHECK_EQ_INT(p.sec.npasswords, 2);
    CHECK_EQ_INT(check(&p, cookie, NULL, SKEW_AUTH_SCOPE_STATS, who, sizeof who), SKEW_AUTH_RESULT_GRANTED);
    CHECK_STR(who, "admin@example.com");
    /* a reload that fails (a short password) keeps the old set, with one log line */
    f = fopen(p.password_file, "w");
    if (f) {
        fputs("short\n", f);
        fclose(f);
    }
    log_lines = 0;
    skew_person_reload(&p);
    CHECK_EQ_INT(log_lines, 1);
    CHECK_EQ_INT(p.sec.npasswords, 2);
    CHECK_EQ_INT(check(&p, cookie, NULL, SKEW_AUTH_SCOPE_STATS, who, sizeof who), SKEW_AUTH_RESULT_GRANTED);
    /* a percent-encoded cookie value (cookie-es decodes it too) */
    {
        static char enc[9300];
        const char *s = strchr(cookie, '=') + 1;
        size_t k = 0;
        k += (size_t)snprintf(enc, sizeof enc, "nuxt-session=");
        for (; *s && k + 4 < sizeof enc; s++) k += (size_t)snprintf(enc + k, sizeof enc - k, *s == '*' ? "%%2A" : "%c", *s);
        CHECK_EQ_INT(check(&p, enc, NULL, SKEW_AUTH_SCOPE_STATS, who, sizeof who), SKEW_AUTH_RESULT_GRANTED);
    }
    skew_person_free(&p);
}

static void test_b64url(void) {
    unsigned char out[8];
    size_t n = 9;
    CHECK_RES(skew_person_b64url_decode(skew_str_c(""), out, 0, &n), SKEW_OK);
    CHECK_EQ_INT(n, 0);
    CHECK_RES(skew_person_b64url_decode(skew_str_c("QQ"), out, 1, &n), SKEW_OK);
    CHECK(n == 1 && out[0] == 'A');
    CHECK_RES(skew_person_b64url_decode(skew_str_c("QUI"), out, 2, &n), SKEW_OK);
    CHECK(n == 2 && out[1] == 'B');
    CHECK_RES(skew_person_b64url_decode(skew_str_c("QUJD"), out, 3, &n), SKEW_OK);
    CHECK_RES(skew_person_b64url_decode(skew_str_c("QUJD"), out, 2, &n), SKEW_ERR_TOO_LONG); /* cap one short */
    CHECK_RES(skew_person_b64url_decode(skew_str_c("QR"), out, sizeof out, &n), SKEW_ERR_INVALID); /* bits left */
    CHECK_RES(skew_person_b64url_decode(skew_str_c("Q"), out, sizeof out, &n), SKEW_ERR_INVALID);
    CHECK_RES(skew_person_b64url_decode(skew_str_c("QQ=="), out, sizeof out, &n), SKEW_ERR_INVALID);
    CHECK_RES(skew_person_b64url_decode(skew_str_c("+/8"), out, sizeof out, &n), SKEW_ERR_INVALID); /* base64, not -url */
    CHECK_RES(skew_person_b64url_decode(skew_str_c("-_8"), out, sizeof out, &n), SKEW_OK);
    CHECK(n == 2 && out[0] == 0xfb && out[1] == 0xff);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: test_person DIR (made by tests/e2e/person_vectors.mjs)\n");
        return 2;
    }
    snprintf(vdir, sizeof vdir, "%s", argv[1]);
    vjson = slurp(file_in("vectors.json"), &vjson_len);
    if (!vjson) {
        fprintf(stderr, "test_person: cannot read %s\n", file_in("vectors.json"));
        return 2;
    }
    {
        int64_t t = 0;
        CHECK_RES(skew_json_get_path_int(skew_str_n(vjson, vjson_len), "now_ms", &t), SKEW_OK);
        vnow = (uint64_t)t;
    }
    SUBTEST("b64url", test_b64url);
    SUBTEST("vectors", test_vectors);
    SUBTEST("config", test_config);
    free(vjson);
    TEST_MAIN_END();
}
