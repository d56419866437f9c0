/* skew_person.h - the app's own admins, recognized the way the Nuxt app recognizes them.

   The Nuxt module sends live stats only to connections that pass the app's
   `skew:authorize-stats` hook, typically a check of the nuxt-auth-utils session. This module
   lets the C servers authorize the same people the same way, without asking the app:

     - nuxt-auth-utils sessions: the `nuxt-session` cookie (--session-cookie) sealed by h3's
       sealSession (iron "Fe26.2": AES-256-CBC and HMAC-SHA256 with PBKDF2-SHA1 keys from the
       app's NUXT_SESSION_PASSWORD). The HMAC is checked first (constant time), then the seal's
       expiry (iron's 60 s skew), then --session-max-age against the session's createdAt, then
       the rules on the session's `data`.
     - JWTs: "Authorization: Bearer <jwt>" or the cookie --jwt-cookie; HS256/384/512 with the
       secret of --jwt-secret-file, RS256 and ES256 with a PEM public key (--jwt-key-file) or a
       JWKS (--jwks-file); exp and nbf with SKEW_PERSON_LEEWAY_S of leeway, iss and aud when
       --jwt-issuer / --jwt-audience are given. "alg":"none", an algorithm the configured keys
       do not give (an RSA public key is never an HMAC secret) and malformed tokens are refused.

   Rules (OR): --admin-email ADDR matches the email (a session's user.email, a JWT's email;
   ASCII case-insensitive), --admin-claim PATH=VALUE a value anywhere (user.role=admin: a
   string equal to VALUE, an array holding it, or a number/true/false written as VALUE). PATHs
   are relative to the session's `data` or to the JWT's claims. A person who matches gets the
   stats scope; --person-scope admin gives the admin endpoints too.

   Secrets never come from argv: passwords from environment variables (--session-password-env,
   default NUXT_SESSION_PASSWORD; repeatable) or a file (--session-password-file, one a line);
   several passwords are tried in turn, so rotating the app's password keeps admins signed in.

   This header is free of crypto and I/O (skew_person.c does both with OpenSSL's libcrypto);
   the server calls skew_person_check from its authorize hook. A session cookie is a cookie
   credential: it only counts once the request passed the server's Origin check.

   Not thread-safe: one skew_person per server thread (the servers are single-threaded). */
#ifndef SKEW_PERSON_H
#define SKEW_PERSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "skew_tracker.h"
#include "skew_options.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SKEW_PERSON_MAX_LIST      16    /* each repeatable flag: emails, claims, password envs */
#define SKEW_PERSON_MAX_PASSWORDS 16    /* session passwords kept at once */
#define SKEW_PERSON_MAX_KEYS      16    /* public keys (PEM and JWKS) */
#define SKEW_PERSON_MAX_TOKEN     8192  /* longest sealed cookie or JWT looked at */
#define SKEW_PERSON_MAX_JSON      6144  /* longest session or claims JSON once decoded */
#define SKEW_PERSON_MAX_FILE      65536 /* longest key, secret, password or JWKS file */
#define SKEW_PERSON_MIN_PASSWORD  32    /* iron's minimum password length */
#define SKEW_PERSON_LEEWAY_S      30    /* clock leeway for a JWT's exp and nbf */
#define SKEW_PERSON_SEAL_SKEW_S   60    /* iron's timestampSkewSec for the seal's expiry */

/* Why a credential was refused (or SKEW_PERSON_OK). */
#define SKEW_PERSON_ERRS(X)                                          \
    X(SKEW_PERSON_OK, "ok")                                          \
    X(SKEW_PERSON_MALFORMED, "malformed")                            \
    X(SKEW_PERSON_TOO_LONG, "too long")                              \
    X(SKEW_PERSON_BAD_MAC, "bad mac (tampered, or another password)") \
    X(SKEW_PERSON_BAD_SIGNATURE, "bad signature")                    \
    X(SKEW_PERSON_EXPIRED, "expired")                                \
    X(SKEW_PERSON_NOT_YET, "not valid yet")                          \
    X(SKEW_PERSON_TOO_OLD, "session older than --session-max-age")   \
    X(SKEW_PERSON_BAD_ALG, "algorithm not allowed")                  \
    X(SKEW_PERSON_NO_KEY, "no key for it")                           \
    X(SKEW_PERSON_WRONG_ISSUER, "wrong issuer")                      \
    X(SKEW_PERSON_WRONG_AUDIENCE, "wrong audience")                  \
    X(SKEW_PERSON_NO_MATCH, "no admin rule matches")                 \
    X(SKEW_PERSON_INTERNAL, "crypto library error")

typedef enum skew_person_err {
#define SKEW_PERSON__ENUM(name, text) name,
    SKEW_PERSON_ERRS(SKEW_PERSON__ENUM)
#undef SKEW_PERSON__ENUM
    SKEW_PERSON_ERR_COUNT
} skew_person_err;

/* The text of an error; never NULL. */
const char *skew_person_err_str(skew_person_err e);

typedef enum skew_person_key_kind { SKEW_PERSON_KEY_RSA = 1, SKEW_PERSON_KEY_EC_P256 } skew_person_key_kind;

typedef struct skew_person_key {
    skew_person_key_kind kind;
    void *pkey;       /* EVP_PKEY *, owned */
    char kid[64];     /* JWKS "kid" ("" for the PEM key or none) */
    char alg[8];      /* JWKS "alg" ("" when the key does not say) */
} skew_person_key;

/* What skew_person_load/reload read: the secrets, owned. */
typedef struct skew_person_secrets {
    char *passwords[SKEW_PERSON_MAX_PASSWORDS];
    size_t npasswords;
    unsigned char *hs_secret;  /* --jwt-secret-file's bytes, NULL without one */
    size_t hs_secret_len;
    skew_person_key keys[SKEW_PERSON_MAX_KEYS];
    size_t nkeys;
} skew_person_secrets;

typedef struct skew_person {
    /* options: skew_person_opt_group fills them (strings point into argv or the config file) */
    const char *session_cookie;                            /* default "nuxt-session" */
    const char *password_envs[SKEW_PERSON_MAX_LIST];       /* none given: NUXT_SESSION_PASSWORD */
    size_t npassword_envs;
    const char *password_file;
    const char *admin_emails[SKEW_PERSON_MAX_LIST];
    size_t nadmin_emails;
    const char *admin_claims[SKEW_PERSON_MAX_LIST];        /* "PATH=VALUE" */
    size_t nadmin_claims;
    bool scope_admin;                                      /* --person-scope admin */
    uint64_t session_max_age_s;                            /* 0: not checked */
    const char *jwt_cookie;
    const char *jwt_secret_file, *jwt_key_file, *jwks_file;
    const char *jwt_issuer, *jwt_audience;
    /* what was loaded */
    skew_person_secrets sec;
    /* hooks; NULL: the system clock, stderr */
    uint64_t (*now_ms)(void *ctx);                         /* the wall clock, ms since the epoch */
    void (*log)(void *ctx, const char *line);              /* one line, no newline */
    void *hook_ctx;
    const char *prog;                                      /* names the server in messages */
} skew_person;

/* The option group (skew_options.h): defaults, the flags above, and a finish that loads the
   secrets (skew_person_load). Zero-initialize p first. */
skew_ex_opt_group skew_person_opt_group(skew_person *p);

/* Read the passwords, the secret, the key and the JWKS the options name. false: a message went
   to stderr (an unreadable file, a short password, rules without a credential, ...). */
bool skew_person_load(skew_person *p);
/* Read them again (SIGHUP): on success the new set replaces the old; on failure the old set
   stays and one log line says why. */
void skew_person_reload(skew_person *p);
/* Free what was loaded (the options stay). */
void skew_person_free(skew_person *p);
/* Is anything to check configured: a credential (password, secret or key) and a rule? */
bool skew_person_configured(const skew_person *p);

/* The authorize seam. Looks at the session cookie, the JWT cookie and "Authorization: Bearer"
   (only when it looks like a JWT). GRANTED when one of them names a person the rules accept,
   for scope STATS, or for ADMIN with --person-scope admin; who (if who_cap > 0) gets the
   session's email or the JWT's sub (else its email). DENIED when a credential was present but
   refused (one log line says why, except for a valid one that matches no rule) or the scope is
   not granted. UNAVAILABLE when nothing is configured or no credential is present. */
skew_auth_result skew_person_check(skew_person *p, const skew_request *req, skew_auth_scope scope, char *who,
                            size_t who_cap);

/* ---- the parsers, for tests, fuzz targets and the bench ---- */

/* Decode unpadded base64url (RFC 4648 section 5; '=' padding is refused, so is a final
   character whose unused bits are not zero). SKEW_ERR_INVALID, SKEW_ERR_TOO_LONG (out too
   small). */
skew_result skew_person_b64url_decode(skew_str in, unsigned char *out, size_t cap, size_t *out_len);
/* Unseal an iron "Fe26.2" seal with each password in turn: MAC, then expiry (now_ms), then
   decryption. json gets the sealed JSON (NUL-terminated, validated). */
skew_person_err skew_person_unseal(const skew_person_secrets *sec, skew_str sealed, uint64_t now_ms, char *json,
                                   size_t cap, size_t *json_len);
/* Check a compact JWS: algorithm, signature, exp/nbf (now_ms), iss and aud (p's options).
   payload gets the claims JSON (validated). */
skew_person_err skew_person_jwt_verify(const skew_person *p, skew_str token, uint64_t now_ms, char *payload,
                                       size_t cap, size_t *payload_len);
/* Add the keys of a JWKS ({"keys":[...]}: RSA, and EC P-256; others skipped) to sec.
   SKEW_ERR_INVALID (not a JWKS, a bad key), SKEW_ERR_FULL (over SKEW_PERSON_MAX_KEYS). */
skew_result skew_person_jwks_add(skew_person_secrets *sec, skew_str jwks);
/* The rules on a session's or a JWT's JSON: root "data." for a session, "" for a JWT.
   SKEW_PERSON_OK (who gets the email, else sub) or SKEW_PERSON_NO_MATCH. */
skew_person_err skew_person_match(const skew_person *p, skew_str json, const char *root, char *who, size_t who_cap);
/* Free a secrets set (passwords, secret, keys) and zero it. */
void skew_person_secrets_free(skew_person_secrets *sec);

#ifdef __cplusplus
}
#endif
#endif /* SKEW_PERSON_H */
