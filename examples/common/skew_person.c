/* skew_person.c - the app's own admins (skew_person.h): options, secrets, rules, the check.
   The parsers and the crypto live in skew_person_crypto.c. */
#include "skew_person.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

static const char *const person_err_text[] = {
#define SKEW_PERSON__TEXT(name, text) text,
    SKEW_PERSON_ERRS(SKEW_PERSON__TEXT)
#undef SKEW_PERSON__TEXT
};

const char *skew_person_err_str(skew_person_err e) {
    return (unsigned)e < SKEW_PERSON_ERR_COUNT ? person_err_text[e] : "unknown";
}

/* ======================================================================================
   >>options
   ====================================================================================== */

#define P ((skew_person *)ctx)

static bool add_to(const char **list, size_t *n, const char *v, const char **why) {
    *why = "at most " "16" " of them";
    if (*n >= SKEW_PERSON_MAX_LIST || !v[0]) return false;
    list[(*n)++] = v;
    return true;
}
static bool set_session_cookie(void *ctx, const char *v, const char **why) {
    *why = "1..128 of [A-Za-z0-9._-]";
    if (!skew_ex_name_ok(v, 128)) return false;
    P->session_cookie = v;
    return true;
}
static bool set_password_env(void *ctx, const char *v, const char **why) {
    return add_to(P->password_envs, &P->npassword_envs, v, why);
}
static bool set_password_file(void *ctx, const char *v, const char **why) {
    (void)why;
    P->password_file = v;
    return v[0] != '\0';
}
static bool set_admin_email(void *ctx, const char *v, const char **why) {
    if (!strchr(v, '@')) {
        *why = "an email address";
        return false;
    }
    return add_to(P->admin_emails, &P->nadmin_emails, v, why);
}
static bool set_admin_claim(void *ctx, const char *v, const char **why) {
    const char *eq = strchr(v, '=');
    if (!eq || eq == v || eq[-1] == '.' || v[0] == '.') {
        *why = "PATH=VALUE, e.g. user.role=admin";
        return false;
    }
    return add_to(P->admin_claims, &P->nadmin_claims, v, why);
}
static bool set_person_scope(void *ctx, const char *v, const char **why) {
    *why = "stats or admin";
    if (strcmp(v, "stats") && strcmp(v, "admin")) return false;
    P->scope_admin = v[0] == 'a';
    return true;
}
static bool set_session_max_age(void *ctx, const char *v, const char **why) {
    *why = "1..315360000 seconds";
    return skew_ex_parse_u64(v, 1, 315360000u, &P->session_max_age_s);
}
static bool set_jwt_cookie(void *ctx, const char *v, const char **why) {
    *why = "1..128 of [A-Za-z0-9._-]";
    if (!skew_ex_name_ok(v, 128)) return false;
    P->jwt_cookie = v;
    return true;
}
#define SKEW_PERSON__PATH_SETTER(fn, field)                            \
    static bool fn(void *ctx, const char *v, const char **why) {    \
        (void)why;                                                  \
        P->field = v;                                               \
        return v[0] != '\0';                                        \
    }
SKEW_PERSON__PATH_SETTER(set_jwt_secret_file, jwt_secret_file)
SKEW_PERSON__PATH_SETTER(set_jwt_key_file, jwt_key_file)
SKEW_PERSON__PATH_SETTER(set_jwks_file, jwks_file)
SKEW_PERSON__PATH_SETTER(set_jwt_issuer, jwt_issuer)
SKEW_PERSON__PATH_SETTER(set_jwt_audience, jwt_audience)

static const skew_ex_opt person_opts[] = {
    {"--admin-email", "ADDR", "an admin of the app (session user.email, JWT email); repeatable", set_admin_email},
    {"--admin-claim", "PATH=VALUE",
     "an admin by a value of the session's data or the JWT's claims\n"
     "(user.role=admin; an array holding VALUE matches); repeatable", set_admin_claim},
    {"--person-scope", "SCOPE", "what a matching person gets: stats (default) or admin\n(admin endpoints too)",
     set_person_scope},
    {"--session-cookie", "NAME", "the nuxt-auth-utils session cookie (default nuxt-session)", set_session_cookie},
    {"--session-password-env", "VAR",
     "environment variable holding the app's session password\n"
     "(default NUXT_SESSION_PASSWORD); repeatable (rotation)", set_password_env},
    {"--session-password-file", "FILE", "session passwords, one a line (rotation)", set_password_file},
    {"--session-max-age", "SECONDS", "refuse sessions created longer ago (the app's maxAge)", set_session_max_age},
    {"--jwt-cookie", "NAME", "also read a JWT from this cookie (besides Authorization: Bearer)", set_jwt_cookie},
    {"--jwt-secret-file", "FILE", "HS256/384/512 secret (the file's bytes, one final newline cut)",
     set_jwt_secret_file},
    {"--jwt-key-file", "FILE", "RS256 or ES256 public key (PEM)", set_jwt_key_file},
    {"--jwks-file", "FILE", "RS256/ES256 public keys as a JWKS (JSON)", set_jwks_file},
    {"--jwt-issuer", "ISS", "required JWT iss", set_jwt_issuer},
    {"--jwt-audience", "AUD", "required JWT aud (or one of its array)", set_jwt_audience},
};
#undef P

static void person_defaults(void *ctx) {
    skew_person *p = (skew_person *)ctx;
    if (!p->session_cookie) p->session_cookie = "nuxt-session";
}

static bool person_finish(void *ctx, const char *prog) {
    skew_person *p = (skew_person *)ctx;
    if (!p->prog) p->prog = prog;
    return skew_person_load(p);
}

skew_ex_opt_group skew_person_opt_group(skew_person *p) {
    skew_ex_opt_group g;
    memset(&g, 0, sizeof g);
    g.title = "Admins of the app (nuxt-auth-utils sessions, JWT)";
    g.opts = person_opts;
    g.count = sizeof person_opts / sizeof person_opts[0];
    g.ctx = p;
    g.defaults = person_defaults;
    g.finish = person_finish;
    return g;
}

/* ======================================================================================
   >>secrets
   ====================================================================================== */

/* A whole file, NUL-terminated, at most SKEW_PERSON_MAX_FILE bytes. */
static char *read_file(const char *path, size_t *len, char *err, size_t cap) {
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;
    if (!f) {
        snprintf(err, cap, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    buf = (char *)malloc(SKEW_PERSON_MAX_FILE + 1);
    n = buf ? fread(buf, 1, SKEW_PERSON_MAX_FILE + 1, f) : 0;
    fclose(f);
    if (!buf || n > SKEW_PERSON_MAX_FILE) {
        snprintf(err, cap, "%s: %s", path, buf ? "too large" : "out of memory");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static bool add_password(skew_person_secrets *sec, const char *pw, size_t len, const char *from, char *err, size_t cap) {
    char *copy;
    if (len < SKEW_PERSON_MIN_PASSWORD) {
        snprintf(err, cap, "%s: a session password has at least %d characters", from, SKEW_PERSON_MIN_PASSWORD);
        return false;
    }
    if (sec->npasswords >= SKEW_PERSON_MAX_PASSWORDS || !(copy = (char *)malloc(len + 1))) {
        snprintf(err, cap, "%s: too many session passwords", from);
        return false;
    }
    memcpy(copy, pw, len);
    copy[len] = '\0';
    sec->passwords[sec->npasswords++] = copy;
    return true;
}

/* The passwords: every --session-password-env that is set, then the file's lines. */
static bool load_passwords(const skew_person *p, skew_person_secrets *sec, char *err, size_t cap) {
    size_t i, len;
    const char *def = "NUXT_SESSION_PASSWORD";
    const char *const *envs = p->npassword_envs ? p->password_envs : &def;
    size_t nenvs = p->npassword_envs ? p->npassword_envs : 1;
    char *text, *line, *next;
    for (i = 0; i < nenvs; i++) {
        const char *v = getenv(envs[i]);
        if (v && *v && !add_password(sec, v, strlen(v), envs[i], err, cap)) return false;
    }
    if (!p->password_file) return true;
    if (!(text = read_file(p->password_file, &len, err, cap))) return false;
    for (line = text; line && *line; line = next) {
        size_t n;
        next = strchr(line, '\n');
        n = next ? (size_t)(next - line) : strlen(line);
        if (next) next++;
        if (n && line[n - 1] == '\r') n--;
        if (n && !add_password(sec, line, n, p->password_file, err, cap)) break;
    }
    OPENSSL_cleanse(text, len);
    free(text);
    return err[0] == '\0';
}

static bool load_jwt_keys(const skew_person *p, skew_person_secrets *sec, char *err, size_t cap) {
    size_t len;
    char *text;
    if (p->jwt_secret_file) {
        if (!(text = read_file(p->jwt_secret_file, &len, err, cap))) return false;
        if (len && text[len - 1] == '\n') len--;
        if (len < 32 || strstr(text, "-----BEGIN")) { /* a PEM key is never an HMAC secret */
            snprintf(err, cap, "%s: an HMAC secret of at least 32 bytes (not a PEM key)", p->jwt_secret_file);
            OPENSSL_cleanse(text, len);
            free(text);
            return false;
        }
        sec->hs_secret = (unsigned char *)text;
        sec->hs_secret_len = len;
    }
    if (p->jwt_key_file) {
        BIO *bio = BIO_new_file(p->jwt_key_file, "r");
        EVP_PKEY *k = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
        BIO_free(bio);
        if (!k || (EVP_PKEY_base_id(k) != EVP_PKEY_RSA && !EVP_PKEY_is_a(k, "EC"))) {
            snprintf(err, cap, "%s: not a PEM RSA or EC public key", p->jwt_key_file);
            EVP_PKEY_free(k);
            return false;
        }
        memset(&sec->keys[0], 0, sizeof sec->keys[0]);
        sec->keys[0].kind = EVP_PKEY_base_id(k) == EVP_PKEY_RSA ? SKEW_PERSON_KEY_RSA : SKEW_PERSON_KEY_EC_P256;
        sec->keys[0].pkey = k;
        sec->nkeys = 1;
    }
    if (p->jwks_file) {
        skew_result r;
        if (!(text = read_file(p->jwks_file, &len, err, cap))) return false;
        r = skew_person_jwks_add(sec, skew_str_n(text, len));
        free(text);
        if (r != SKEW_OK) {
            snprintf(err, cap, "%s: %s", p->jwks_file, r == SKEW_ERR_FULL ? "too many keys" : "not a JWKS of RSA/EC P-256 keys");
            return false;
        }
    }
    return true;
}

void skew_person_secrets_free(skew_person_secrets *sec) {
    size_t i;
    for (i = 0; i < sec->npasswords; i++) {
        OPENSSL_cleanse(sec->passwords[i], strlen(sec->passwords[i]));
        free(sec->passwords[i]);
    }
    if (sec->hs_secret) OPENSSL_cleanse(sec->hs_secret, sec->hs_secret_len);
    free(sec->hs_secret);
    for (i = 0; i < sec->nkeys; i++) EVP_PKEY_free((EVP_PKEY *)sec->keys[i].pkey);
    memset(sec, 0, sizeof *sec);
}

static bool load_all(const skew_person *p, skew_person_secrets *sec, char *err, size_t cap) {
    memset(sec, 0, sizeof *sec);
    err[0] = '\0';
    if (load_passwords(p, sec, err, cap) && load_jwt_keys(p, sec, err, cap)) return true;
    skew_person_secrets_free(sec);
    return false;
}

static bool has_credential(const skew_person_secrets *sec) {
    return sec->npasswords || sec->hs_secret || sec->nkeys;
}

bool skew_person_configured(const skew_person *p) {
    return has_credential(&p->sec) && (p->nadmin_emails || p->nadmin_claims);
}

bool skew_person_load(skew_person *p) {
    char err[512];
    bool rules = p->nadmin_emails || p->nadmin_claims;
    bool named = p->password_file || p->npassword_envs || p->jwt_secret_file || p->jwt_key_file || p->jwks_file;
    const char *prog = p->prog ? p->prog : "skew";
    if (!p->session_cookie) p->session_cookie = "nuxt-session";
    skew_person_secrets_free(&p->sec);
    if (!rules && !named) return true; /* not asked for: NUXT_SESSION_PASSWORD alone is not read */
    if (!load_all(p, &p->sec, err, sizeof err)) {
        fprintf(stderr, "%s: %s\n", prog, err);
        return false;
    }
    if (rules && !has_credential(&p->sec)) {
        fprintf(stderr, "%s: --admin-email/--admin-claim need a session password (env %s) or a JWT key\n", prog,
                p->npassword_envs ? p->password_envs[0] : "NUXT_SESSION_PASSWORD");
        return false;
    }
    if (named && !rules) {
        fprintf(stderr, "%s: a session password or JWT key needs --admin-email or --admin-claim\n", prog);
        return false;
    }
    return true;
}

/* One line "admins: <a><b><c>". */
static void person_log(const skew_person *p, const char *a, const char *b, const char *c) {
    char line[600];
    snprintf(line, sizeof line, "admins: %s%s%s", a, b, c);
    if (p->log) p->log(p->hook_ctx, line);
    else fprintf(stderr, "%s: %s\n", p->prog ? p->prog : "skew", line);
}

void skew_person_reload(skew_person *p) {
    skew_person_secrets fresh;
    char err[512];
    if (!p->nadmin_emails && !p->nadmin_claims) return; /* nothing asked for */
    if (!load_all(p, &fresh, err, sizeof err)) {
        person_log(p, "reload failed, the old keys stay: ", err, "");
        return;
    }
    skew_person_secrets_free(&p->sec);
    p->sec = fresh;
}

void skew_person_free(skew_person *p) {
    skew_person_secrets_free(&p->sec);
}

/* ======================================================================================
   >>rules
   ====================================================================================== */

static bool eq_nocase(const char *a, const char *b) {
    for (; *a && *b; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z') x = (unsigned char)(x | 0x20);
        if (y >= 'A' && y <= 'Z') y = (unsigned char)(y | 0x20);
        if (x != y) return false;
    }
    return *a == *b;
}

/* Does the value at path equal want: a string, an array holding it, or a literal written so? */
static bool claim_equals(skew_str json, const char *path, const char *want) {
    char v[256], el[300];
    skew_str raw;
    size_t i;
    if (skew_json_get_path_raw(json, path, &raw) != SKEW_OK) return false;
    if (raw.ptr[0] == '"') return skew_json_get_path_string(json, path, v, sizeof v, NULL) == SKEW_OK && !strcmp(v, want);
    if (raw.ptr[0] != '[') return raw.len == strlen(want) && memcmp(raw.ptr, want, raw.len) == 0;
    for (i = 0; i < 64; i++) {
        skew_str item;
        snprintf(el, sizeof el, "%zu", i);
        if (skew_json_get_path_raw(raw, el, &item) != SKEW_OK) return false;
        if (item.ptr[0] == '"' && skew_json_get_path_string(raw, el, v, sizeof v, NULL) == SKEW_OK && !strcmp(v, want))
            return true;
    }
    return false;
}

static void copy_who(char *who, size_t cap, const char *s) {
    if (cap) snprintf(who, cap, "%s", s);
}

skew_person_err skew_person_match(const skew_person *p, skew_str json, const char *root, char *who, size_t who_cap) {
    char path[300], email[256] = "", sub[256] = "";
    size_t i;
    bool hit = false;
    snprintf(path, sizeof path, "%s%s", root, root[0] ? "user.email" : "email");
    skew_json_get_path_string(json, path, email, sizeof email, NULL);
    for (i = 0; i < p->nadmin_emails && email[0] && !hit; i++) hit = eq_nocase(email, p->admin_emails[i]);
    for (i = 0; i < p->nadmin_claims && !hit; i++) {
        const char *c = p->admin_claims[i], *eq = strchr(c, '=');
        if ((size_t)snprintf(path, sizeof path, "%s%.*s", root, (int)(eq - c), c) >= sizeof path) continue;
        hit = claim_equals(json, path, eq + 1);
    }
    if (!hit) return SKEW_PERSON_NO_MATCH;
    if (!root[0]) skew_json_get_path_string(json, "sub", sub, sizeof sub, NULL);
    copy_who(who, who_cap, sub[0] ? sub : email[0] ? email : root[0] ? "(session)" : "(jwt)");
    return SKEW_PERSON_OK;
}

/* ======================================================================================
   >>check
   ====================================================================================== */

static uint64_t person_now(const skew_person *p) {
    struct timespec ts;
    if (p->now_ms) return p->now_ms(p->hook_ctx);
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* A session cookie: unseal, max age, rules. */
static skew_person_err check_session(const skew_person *p, skew_str raw, uint64_t now, char *who, size_t who_cap) {
    char sealed[SKEW_PERSON_MAX_TOKEN + 1], json[SKEW_PERSON_MAX_JSON];
    size_t n, jn;
    skew_person_err e;
    int64_t created;
    if (raw.len > SKEW_PERSON_MAX_TOKEN) return SKEW_PERSON_TOO_LONG;
    if (skew_url_decode(raw, false, sealed, sizeof sealed, &n) != SKEW_OK) return SKEW_PERSON_MALFORMED;
    e = skew_person_unseal(&p->sec, skew_str_n(sealed, n), now, json, sizeof json, &jn);
    if (e != SKEW_PERSON_OK) return e;
    if (p->session_max_age_s) { /* h3: a session without createdAt is too old */
        if (skew_json_get_path_int(skew_str_n(json, jn), "createdAt", &created) != SKEW_OK || created < 0 ||
            ((uint64_t)created < now && now - (uint64_t)created > p->session_max_age_s * 1000u))
            return SKEW_PERSON_TOO_OLD;
    }
    return skew_person_match(p, skew_str_n(json, jn), "data.", who, who_cap);
}

static skew_person_err check_jwt(const skew_person *p, skew_str token, uint64_t now, char *who, size_t who_cap) {
    char claims[SKEW_PERSON_MAX_JSON];
    size_t n;
    skew_person_err e = skew_person_jwt_verify(p, token, now, claims, sizeof claims, &n);
    if (e != SKEW_PERSON_OK) return e;
    return skew_person_match(p, skew_str_n(claims, n), "", who, who_cap);
}

/* A bearer value that looks like a compact JWS (two dots); an admin token does not. */
static bool looks_like_jwt(skew_str s) {
    size_t i, dots = 0;
    for (i = 0; i < s.len; i++) dots += s.ptr[i] == '.';
    return dots == 2;
}

static skew_str bearer_of(const skew_request *req) {
    skew_str h = skew_get_header(req, "authorization");
    while (h.len && (*h.ptr == ' ' || *h.ptr == '\t')) h.ptr++, h.len--;
    if (h.len < 7 || strncasecmp(h.ptr, "bearer ", 7) != 0) return skew_str_n(NULL, 0);
    h.ptr += 7, h.len -= 7;
    while (h.len && (*h.ptr == ' ')) h.ptr++, h.len--;
    while (h.len && (h.ptr[h.len - 1] == ' ' || h.ptr[h.len - 1] == '\t')) h.len--;
    return h;
}

/* One credential's verdict: 1 a person the rules accept, 0 refused (logged unless merely no
   match), -1 not present. */
static int person_try(const skew_person *p, const char *what, skew_str cred, bool session, uint64_t now, char *who,
                      size_t who_cap) {
    skew_person_err e;
    if (!cred.ptr || !cred.len) return -1;
    e = session ? check_session(p, cred, now, who, who_cap) : check_jwt(p, cred, now, who, who_cap);
    if (e == SKEW_PERSON_OK) return 1;
    if (e != SKEW_PERSON_NO_MATCH) person_log(p, what, " refused: ", skew_person_err_str(e));
    return 0;
}

skew_auth_result skew_person_check(skew_person *p, const skew_request *req, skew_auth_scope scope, char *who,
                            size_t who_cap) {
    skew_str cookies = skew_get_header(req, "cookie"), v;
    bool jwt = p->sec.hs_secret || p->sec.nkeys;
    uint64_t now;
    int got = -1, r;
    if (who_cap) who[0] = '\0';
    if (!skew_person_configured(p)) return SKEW_AUTH_RESULT_UNAVAILABLE;
    now = person_now(p);
    if (p->sec.npasswords && skew_get_cookie(cookies, p->session_cookie, &v) == SKEW_OK)
        got = person_try(p, "session cookie", v, true, now, who, who_cap);
    if (got < 1 && jwt && p->jwt_cookie && skew_get_cookie(cookies, p->jwt_cookie, &v) == SKEW_OK &&
        (r = person_try(p, "JWT cookie", v, false, now, who, who_cap)) > got)
        got = r;
    if (got < 1 && jwt && looks_like_jwt(v = bearer_of(req)) && (r = person_try(p, "bearer JWT", v, false, now, who, who_cap)) > got)
        got = r;
    if (got < 0) return SKEW_AUTH_RESULT_UNAVAILABLE;
    if (got == 1 && (scope == SKEW_AUTH_SCOPE_STATS || p->scope_admin)) return SKEW_AUTH_RESULT_GRANTED;
    if (who_cap) who[0] = '\0';
    return SKEW_AUTH_RESULT_DENIED;
}
