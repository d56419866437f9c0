/* skew_person_crypto.c - the parsers and checks behind skew_person.h: base64url, iron seals
   (h3's sealSession), compact JWS (JWT) and JWKS. Crypto from OpenSSL's libcrypto only.

   Iron "Fe26.2" (iron-webcrypto 1.2, as h3 1.15 uses it), eight fields split by '*':
     Fe26.2 * passwordId * encSalt * ivB64 * encryptedB64 * expiration * macSalt * macB64
   mac = HMAC-SHA256(PBKDF2-SHA1(password, macSalt, 1 iteration, 32 bytes), fields 1..6 joined
   by '*'); encrypted = AES-256-CBC(PBKDF2-SHA1(password, encSalt, 1, 32), iv, JSON). The salts
   are hex text used as their bytes; base64 is unpadded base64url; expiration is ms since the
   epoch or empty. */
#include "skew_person.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>

/* ======================================================================================
   >>b64url
   ====================================================================================== */

static int b64url_val(unsigned char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

skew_result skew_person_b64url_decode(skew_str in, unsigned char *out, size_t cap, size_t *out_len) {
    size_t i, n = 0, need;
    uint32_t acc = 0;
    unsigned bits = 0;
    if (out_len) *out_len = 0;
    if (in.len % 4 == 1) return SKEW_ERR_INVALID; /* 6 bits cannot end a byte */
    need = in.len / 4 * 3 + (in.len % 4 ? in.len % 4 - 1 : 0);
    if (need > cap) return SKEW_ERR_TOO_LONG;
    for (i = 0; i < in.len; i++) {
        int v = b64url_val((unsigned char)in.ptr[i]);
        if (v < 0) return SKEW_ERR_INVALID;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1u;
        }
    }
    if (acc != 0) return SKEW_ERR_INVALID; /* non-zero leftover bits: not the canonical text */
    if (out_len) *out_len = n;
    return SKEW_OK;
}

/* ======================================================================================
   >>iron
   ====================================================================================== */

/* PBKDF2-SHA1, one iteration, 32 bytes: iron's key from a password and a salt text. */
static bool iron_key(const char *password, skew_str salt, unsigned char key[32]) {
    return PKCS5_PBKDF2_HMAC(password, (int)strlen(password), (const unsigned char *)salt.ptr, (int)salt.len, 1,
                             EVP_sha1(), 32, key) == 1;
}

/* AES-256-CBC with PKCS#7 padding; false on a bad key/padding. */
static bool aes_cbc_decrypt(const unsigned char key[32], const unsigned char iv[16], const unsigned char *in,
                            size_t len, unsigned char *out, size_t *out_len) {
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n1 = 0, n2 = 0;
    bool ok = c && EVP_DecryptInit_ex(c, EVP_aes_256_cbc(), NULL, key, iv) == 1 &&
              EVP_DecryptUpdate(c, out, &n1, in, (int)len) == 1 && EVP_DecryptFinal_ex(c, out + n1, &n2) == 1;
    EVP_CIPHER_CTX_free(c);
    *out_len = ok ? (size_t)n1 + (size_t)n2 : 0;
    return ok;
}

typedef struct iron_seal {
    skew_str f[8]; /* the eight fields */
    skew_str mac_base; /* fields 0..5 with their '*' */
    unsigned char iv[16], mac[32];
} iron_seal;

static skew_person_err iron_split(skew_str s, iron_seal *z) {
    size_t i, k = 0, start = 0;
    size_t n;
    for (i = 0; i <= s.len; i++) {
        if (i < s.len && s.ptr[i] != '*') continue;
        if (k == 8) return SKEW_PERSON_MALFORMED;
        z->f[k].ptr = s.ptr + start;
        z->f[k].len = i - start;
        if (k == 5) z->mac_base = skew_str_n(s.ptr, i);
        k++;
        start = i + 1;
    }
    if (k != 8 || z->f[0].len != 6 || memcmp(z->f[0].ptr, "Fe26.2", 6) != 0) return SKEW_PERSON_MALFORMED;
    for (i = 0; i < z->f[1].len; i++) { /* a password id is \w+ */
        unsigned char c = (unsigned char)z->f[1].ptr[i];
        if (!(c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))) return SKEW_PERSON_MALFORMED;
    }
    for (i = 0; i < z->f[5].len; i++)
        if (z->f[5].ptr[i] < '0' || z->f[5].ptr[i] > '9' || i >= 16) return SKEW_PERSON_MALFORMED;
    if (z->f[2].len == 0 || z->f[6].len == 0) return SKEW_PERSON_MALFORMED; /* salts */
    if (skew_person_b64url_decode(z->f[3], z->iv, sizeof z->iv, &n) != SKEW_OK || n != 16) return SKEW_PERSON_MALFORMED;
    if (skew_person_b64url_decode(z->f[7], z->mac, sizeof z->mac, &n) != SKEW_OK || n != 32) return SKEW_PERSON_MALFORMED;
    return SKEW_PERSON_OK;
}

/* The password whose MAC matches, or NULL. Every password is tried (no early exit leaks which). */
static const char *iron_password(const skew_person_secrets *sec, const iron_seal *z) {
    const char *hit = NULL;
    size_t i;
    for (i = 0; i < sec->npasswords; i++) {
        unsigned char key[32], mac[EVP_MAX_MD_SIZE];
        unsigned maclen = 0;
        bool ok = iron_key(sec->passwords[i], z->f[6], key) &&
                  HMAC(EVP_sha256(), key, sizeof key, (const unsigned char *)z->mac_base.ptr, z->mac_base.len, mac,
                       &maclen) != NULL;
        OPENSSL_cleanse(key, sizeof key);
        if (!ok) continue;
        if (maclen == 32 && CRYPTO_memcmp(mac, z->mac, 32) == 0 && !hit) hit = sec->passwords[i];
    }
    return hit;
}

skew_person_err skew_person_unseal(const skew_person_secrets *sec, skew_str sealed, uint64_t now_ms, char *json,
                                   size_t cap, size_t *json_len) {
    iron_seal z;
    unsigned char ct[SKEW_PERSON_MAX_TOKEN], key[32];
    size_t ctlen = 0, ptlen = 0, i;
    uint64_t exp = 0;
    const char *password;
    skew_person_err e;
    if (json_len) *json_len = 0;
    if (cap) json[0] = '\0';
    if (sealed.len > SKEW_PERSON_MAX_TOKEN) return SKEW_PERSON_TOO_LONG;
    if ((e = iron_split(sealed, &z)) != SKEW_PERSON_OK) return e;
    if (skew_person_b64url_decode(z.f[4], ct, sizeof ct, &ctlen) != SKEW_OK || ctlen == 0 || ctlen % 16)
        return SKEW_PERSON_MALFORMED;
    if (!(password = iron_password(sec, &z))) return SKEW_PERSON_BAD_MAC;
    for (i = 0; i < z.f[5].len; i++) exp = exp * 10u + (uint64_t)(z.f[5].ptr[i] - '0');
    if (z.f[5].len && exp + (uint64_t)SKEW_PERSON_SEAL_SKEW_S * 1000u <= now_ms) return SKEW_PERSON_EXPIRED; /* iron's rule */
    if (ctlen > cap) return SKEW_PERSON_TOO_LONG; /* the plaintext is at most ctlen - 1 bytes */
    if (!iron_key(password, z.f[2], key)) return SKEW_PERSON_INTERNAL;
    if (!aes_cbc_decrypt(key, z.iv, ct, ctlen, (unsigned char *)json, &ptlen)) {
        OPENSSL_cleanse(key, sizeof key);
        json[0] = '\0'; /* no partial plaintext left behind */
        return SKEW_PERSON_MALFORMED; /* the MAC held: only a bug on the app's side gets here */
    }
    OPENSSL_cleanse(key, sizeof key);
    json[ptlen] = '\0';
    if (skew_json_validate(skew_str_n(json, ptlen)) != SKEW_OK) {
        json[0] = '\0';
        return SKEW_PERSON_MALFORMED;
    }
    if (json_len) *json_len = ptlen;
    return SKEW_PERSON_OK;
}

/* ======================================================================================
   >>jwks  RSA and EC P-256 public keys from JWK members
   ====================================================================================== */

/* Decode the base64url string member `name` of a JWK into out. */
static bool jwk_bytes(skew_str jwk, const char *name, unsigned char *out, size_t cap, size_t *n) {
    char b64[1400];
    size_t len;
    if (skew_json_get_path_string(jwk, name, b64, sizeof b64, &len) != SKEW_OK) return false;
    return skew_person_b64url_decode(skew_str_n(b64, len), out, cap, n) == SKEW_OK && *n > 0;
}

static EVP_PKEY *pkey_from_params(const char *type, OSSL_PARAM_BLD *bld) {
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1) EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pkey;
}

static EVP_PKEY *jwk_rsa(skew_str jwk) {
    unsigned char n[1024], e[16];
    size_t nl, el;
    BIGNUM *bn = NULL, *be = NULL;
    OSSL_PARAM_BLD *bld;
    EVP_PKEY *pkey = NULL;
    if (!jwk_bytes(jwk, "n", n, sizeof n, &nl) || !jwk_bytes(jwk, "e", e, sizeof e, &el) || nl < 256) return NULL;
    bld = OSSL_PARAM_BLD_new();
    bn = BN_bin2bn(n, (int)nl, NULL);
    be = BN_bin2bn(e, (int)el, NULL);
    if (bld && bn && be && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) == 1 &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) == 1)
        pkey = pkey_from_params("RSA", bld);
    BN_free(bn);
    BN_free(be);
    OSSL_PARAM_BLD_free(bld);
    return pkey;
}

static EVP_PKEY *jwk_ec(skew_str jwk) {
    unsigned char pub[65];
    size_t xl, yl;
    char crv[16];
    OSSL_PARAM_BLD *bld;
    EVP_PKEY *pkey = NULL;
    if (skew_json_get_path_string(jwk, "crv", crv, sizeof crv, NULL) != SKEW_OK || strcmp(crv, "P-256") != 0) return NULL;
    pub[0] = 0x04; /* uncompressed point: 04 || x || y */
    if (!jwk_bytes(jwk, "x", pub + 1, 32, &xl) || !jwk_bytes(jwk, "y", pub + 33, 32, &yl) || xl != 32 || yl != 32)
        return NULL;
    bld = OSSL_PARAM_BLD_new();
    if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub) == 1)
        pkey = pkey_from_params("EC", bld);
    OSSL_PARAM_BLD_free(bld);
    return pkey;
}

skew_result skew_person_jwks_add(skew_person_secrets *sec, skew_str jwks) {
    skew_str keys, jwk;
    size_t i;
    char path[24];
    if (skew_json_get_path_raw(jwks, "keys", &keys) != SKEW_OK || keys.ptr[0] != '[') return SKEW_ERR_INVALID;
    for (i = 0;; i++) {
        char kty[8], use[8];
        skew_person_key *k;
        snprintf(path, sizeof path, "%zu", i);
        if (skew_json_get_path_raw(keys, path, &jwk) != SKEW_OK) return SKEW_OK;
        if (jwk.ptr[0] != '{' || skew_json_get_path_string(jwk, "kty", kty, sizeof kty, NULL) != SKEW_OK)
            return SKEW_ERR_INVALID;
        if (skew_json_get_path_string(jwk, "use", use, sizeof use, NULL) == SKEW_OK && strcmp(use, "sig") != 0) continue;
        if (strcmp(kty, "RSA") != 0 && strcmp(kty, "EC") != 0) continue; /* "oct", "OKP": not ours */
        if (sec->nkeys >= SKEW_PERSON_MAX_KEYS) return SKEW_ERR_FULL;
        k = &sec->keys[sec->nkeys];
        memset(k, 0, sizeof *k);
        k->kind = kty[0] == 'R' ? SKEW_PERSON_KEY_RSA : SKEW_PERSON_KEY_EC_P256;
        k->pkey = k->kind == SKEW_PERSON_KEY_RSA ? (void *)jwk_rsa(jwk) : (void *)jwk_ec(jwk);
        if (!k->pkey) return SKEW_ERR_INVALID;
        sec->nkeys++;
        if (skew_json_get_path_string(jwk, "kid", k->kid, sizeof k->kid, NULL) == SKEW_ERR_TOO_LONG) return SKEW_ERR_INVALID;
        if (skew_json_get_path_string(jwk, "alg", k->alg, sizeof k->alg, NULL) == SKEW_ERR_TOO_LONG) return SKEW_ERR_INVALID;
    }
}

/* ======================================================================================
   >>jwt
   ====================================================================================== */

typedef struct jwt_alg {
    const char *name;
    int kind;          /* 0 HMAC, else a skew_person_key_kind */
    const EVP_MD *(*md)(void);
} jwt_alg;

static const jwt_alg jwt_algs[] = {
    {"HS256", 0, EVP_sha256}, {"HS384", 0, EVP_sha384}, {"HS512", 0, EVP_sha512},
    {"RS256", SKEW_PERSON_KEY_RSA, EVP_sha256}, {"ES256", SKEW_PERSON_KEY_EC_P256, EVP_sha256},
};

static bool verify_pkey(EVP_PKEY *pkey, const EVP_MD *md, skew_str input, const unsigned char *sig, size_t siglen) {
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    bool ok = c && EVP_DigestVerifyInit(c, NULL, md, NULL, pkey) == 1 &&
              EVP_DigestVerify(c, sig, siglen, (const unsigned char *)input.ptr, input.len) == 1;
    EVP_MD_CTX_free(c);
    return ok;
}

/* ES256 signatures are r || s (RFC 7518 3.4); OpenSSL verifies DER. */
static bool verify_es256(EVP_PKEY *pkey, skew_str input, const unsigned char *sig, size_t siglen) {
    ECDSA_SIG *es;
    unsigned char der[80], *p = der;
    int len;
    BIGNUM *r, *s;
    bool ok;
    if (siglen != 64 || !(es = ECDSA_SIG_new())) return false;
    r = BN_bin2bn(sig, 32, NULL);
    s = BN_bin2bn(sig + 32, 32, NULL);
    if (!r || !s || ECDSA_SIG_set0(es, r, s) != 1) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(es);
        return false;
    }
    len = i2d_ECDSA_SIG(es, NULL);
    ok = len > 0 && (size_t)len <= sizeof der && i2d_ECDSA_SIG(es, &p) == len &&
         verify_pkey(pkey, EVP_sha256(), input, der, (size_t)len);
    ECDSA_SIG_free(es);
    return ok;
}

/* The signature check for alg; kid narrows the keys (a JWKS). */
static skew_person_err jwt_signature(const skew_person_secrets *sec, const jwt_alg *a, const char *kid, skew_str input,
                                     const unsigned char *sig, size_t siglen) {
    size_t i;
    bool tried = false;
    if (a->kind == 0) {
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned maclen = 0;
        if (!sec->hs_secret) return SKEW_PERSON_NO_KEY; /* never a public key as an HMAC secret */
        if (!HMAC(a->md(), sec->hs_secret, (int)sec->hs_secret_len, (const unsigned char *)input.ptr, input.len, mac,
                  &maclen))
            return SKEW_PERSON_INTERNAL;
        return maclen == siglen && CRYPTO_memcmp(mac, sig, siglen) == 0 ? SKEW_PERSON_OK : SKEW_PERSON_BAD_SIGNATURE;
    }
    for (i = 0; i < sec->nkeys; i++) {
        const skew_person_key *k = &sec->keys[i];
        if ((int)k->kind != a->kind || (k->alg[0] && strcmp(k->alg, a->name) != 0)) continue;
        if (kid[0] && k->kid[0] && strcmp(kid, k->kid) != 0) continue;
        tried = true;
        if (a->kind == SKEW_PERSON_KEY_EC_P256 ? verify_es256((EVP_PKEY *)k->pkey, input, sig, siglen)
                                               : verify_pkey((EVP_PKEY *)k->pkey, a->md(), input, sig, siglen))
            return SKEW_PERSON_OK;
    }
    return tried ? SKEW_PERSON_BAD_SIGNATURE : SKEW_PERSON_NO_KEY;
}

/* The JOSE header: a known alg (never "none"), no "crit" we would have to understand. */
static skew_person_err jwt_header(skew_str b64, const jwt_alg **alg, char *kid, size_t kid_cap) {
    char hdr[1024], name[16];
    size_t n, i;
    skew_str crit;
    if (skew_person_b64url_decode(b64, (unsigned char *)hdr, sizeof hdr - 1, &n) != SKEW_OK) return SKEW_PERSON_MALFORMED;
    hdr[n] = '\0';
    if (skew_json_validate(skew_str_n(hdr, n)) != SKEW_OK || hdr[0] != '{') return SKEW_PERSON_MALFORMED;
    if (skew_json_get_path_string(skew_str_n(hdr, n), "alg", name, sizeof name, NULL) != SKEW_OK) return SKEW_PERSON_BAD_ALG;
    if (skew_json_get_path_raw(skew_str_n(hdr, n), "crit", &crit) == SKEW_OK) return SKEW_PERSON_BAD_ALG;
    if (skew_json_get_path_string(skew_str_n(hdr, n), "kid", kid, kid_cap, NULL) == SKEW_ERR_TOO_LONG) return SKEW_PERSON_MALFORMED;
    for (i = 0; i < sizeof jwt_algs / sizeof jwt_algs[0]; i++)
        if (strcmp(name, jwt_algs[i].name) == 0) {
            *alg = &jwt_algs[i];
            return SKEW_PERSON_OK;
        }
    return SKEW_PERSON_BAD_ALG; /* "none", PS256, ... */
}

/* aud: a string, or an array of strings; one must equal want. */
static bool jwt_audience_ok(skew_str claims, const char *want) {
    char v[256], path[24];
    size_t i;
    skew_str raw;
    if (skew_json_get_path_raw(claims, "aud", &raw) != SKEW_OK) return false;
    if (raw.ptr[0] == '"') return skew_json_get_path_string(claims, "aud", v, sizeof v, NULL) == SKEW_OK && !strcmp(v, want);
    for (i = 0; i < 64; i++) {
        skew_result r;
        snprintf(path, sizeof path, "aud.%zu", i);
        r = skew_json_get_path_string(claims, path, v, sizeof v, NULL);
        if (r == SKEW_OK && !strcmp(v, want)) return true;
        if (r != SKEW_OK && r != SKEW_ERR_TOO_LONG) {
            skew_str el;
            if (skew_json_get_path_raw(claims, path, &el) != SKEW_OK) return false; /* past the end */
        }
    }
    return false;
}

static skew_person_err jwt_claims(const skew_person *p, skew_str claims, uint64_t now_ms) {
    int64_t t, now = (int64_t)(now_ms / 1000u);
    char v[256];
    skew_str raw;
    skew_result r;
    if (claims.ptr[0] != '{') return SKEW_PERSON_MALFORMED;
    r = skew_json_get_path_int(claims, "exp", &t);
    if (r == SKEW_OK && now > t && now - t > SKEW_PERSON_LEEWAY_S) return SKEW_PERSON_EXPIRED;
    if (r != SKEW_OK && r != SKEW_ERR_NOT_FOUND) return SKEW_PERSON_MALFORMED;
    if (r == SKEW_ERR_NOT_FOUND && skew_json_get_path_raw(claims, "exp", &raw) == SKEW_OK) return SKEW_PERSON_MALFORMED; /* not a number */
    r = skew_json_get_path_int(claims, "nbf", &t);
    if (r == SKEW_OK && t > now && t - now > SKEW_PERSON_LEEWAY_S) return SKEW_PERSON_NOT_YET;
    if (r != SKEW_OK && r != SKEW_ERR_NOT_FOUND) return SKEW_PERSON_MALFORMED;
    if (p->jwt_issuer &&
        (skew_json_get_path_string(claims, "iss", v, sizeof v, NULL) != SKEW_OK || strcmp(v, p->jwt_issuer) != 0))
        return SKEW_PERSON_WRONG_ISSUER;
    if (p->jwt_audience && !jwt_audience_ok(claims, p->jwt_audience)) return SKEW_PERSON_WRONG_AUDIENCE;
    return SKEW_PERSON_OK;
}

skew_person_err skew_person_jwt_verify(const skew_person *p, skew_str token, uint64_t now_ms, char *payload,
                                       size_t cap, size_t *payload_len) {
    const char *d1, *d2;
    const jwt_alg *alg = NULL;
    char kid[64] = "";
    unsigned char sig[600];
    size_t siglen, n;
    skew_str input;
    skew_person_err e;
    if (payload_len) *payload_len = 0;
    if (cap) payload[0] = '\0';
    if (token.len > SKEW_PERSON_MAX_TOKEN) return SKEW_PERSON_TOO_LONG;
    d1 = token.len ? (const char *)memchr(token.ptr, '.', token.len) : NULL;
    d2 = d1 ? (const char *)memchr(d1 + 1, '.', token.len - (size_t)(d1 + 1 - token.ptr)) : NULL;
    if (!d2 || memchr(d2 + 1, '.', token.len - (size_t)(d2 + 1 - token.ptr))) return SKEW_PERSON_MALFORMED;
    if ((e = jwt_header(skew_str_n(token.ptr, (size_t)(d1 - token.ptr)), &alg, kid, sizeof kid)) != SKEW_PERSON_OK)
        return e;
    if (skew_person_b64url_decode(skew_str_n(d2 + 1, token.len - (size_t)(d2 + 1 - token.ptr)), sig, sizeof sig,
                                  &siglen) != SKEW_OK || siglen == 0)
        return SKEW_PERSON_MALFORMED;
    input = skew_str_n(token.ptr, (size_t)(d2 - token.ptr));
    if ((e = jwt_signature(&p->sec, alg, kid, input, sig, siglen)) != SKEW_PERSON_OK) return e;
    if (cap == 0) return SKEW_PERSON_TOO_LONG;
    if (skew_person_b64url_decode(skew_str_n(d1 + 1, (size_t)(d2 - d1 - 1)), (unsigned char *)payload, cap - 1, &n) !=
        SKEW_OK)
        return SKEW_PERSON_MALFORMED;
    payload[n] = '\0';
    if (skew_json_validate(skew_str_n(payload, n)) != SKEW_OK) return SKEW_PERSON_MALFORMED;
    if ((e = jwt_claims(p, skew_str_n(payload, n), now_ms)) != SKEW_PERSON_OK) return e;
    if (payload_len) *payload_len = n;
    return SKEW_PERSON_OK;
}
