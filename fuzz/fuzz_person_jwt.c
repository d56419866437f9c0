/* skew_person_jwt_verify and skew_person_match: any token gives one of the skew_person_err
   codes; an accepted one has validated claims JSON. With bit 0 of byte 0 set, the target signs
   the token's "header.payload" with its HS256 secret first (replacing the signature), so the
   search gets into the claims (exp, nbf, iss, aud, the rules). Keys: that secret and a JWKS
   (RSA and EC P-256) from tests/e2e/person_vectors.mjs, whose tokens seed the corpus. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "fuzz_common.h"
#include "skew_person.h"
#include "fuzz_b64url.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

static const char jwks[] = "{\"keys\":[{\"kty\":\"oct\",\"k\":\"AAAA\"},{\"kty\":\"RSA\",\"n\":\"qPs4vLhZFtbXcr71bDzpiqXaV6XO7iw63h-nJrEPPQ7GHIYsK27LWccS7lcsnRSNTYuSd8Pbre-Om1arbFUSr7Cg1a3ayKQ6Q34aL5yYsOPPYJLVU_zuTJpFm2g6ZyXGFIbDxPHkJXKTWo3UHWCOEIpgJv_VzGUb2xRVbTTsUrh6eJGSaPmYMyJFdOTAZMn1NtoEJlslE1V-jfqNf8Ah0YlB6ugMgbRyj55qoaDGd6ydaj78PXhI6qnAjiU8CGB0Ow2p9B8K3U5kBWcw8nWFmXkPfkF-_FI0n8UDwD_nc8uAlvuqnRBv6YtmYE5MXykYxFkpLvSlsD5zVn4UKRVPBQ\",\"e\":\"AQAB\",\"kid\":\"rsa-1\",\"alg\":\"RS256\",\"use\":\"sig\"},{\"kty\":\"EC\",\"x\":\"G2_BTPOyMsV8hqsPrm7aZ5722mEGDXldo_PJMWdhZHw\",\"y\":\"clCG0UXESkOeWXSMioVmMtZo7DOTTaHHJyZTKyqdcNc\",\"crv\":\"P-256\",\"kid\":\"ec-1\"}]}";
static char secret[] = "jwt-hmac-secret-for-the-skew-e2e-0123456789";
static char claims[SKEW_PERSON_MAX_JSON];
static char buf[SKEW_PERSON_MAX_TOKEN + 100];
static skew_person person;

static void fz_setup(void) {
    if (person.sec.hs_secret) return;
    person.sec.hs_secret = (unsigned char *)secret;
    person.sec.hs_secret_len = strlen(secret);
    FZ_ASSERT(skew_person_jwks_add(&person.sec, skew_str_c(jwks)) == SKEW_OK && person.sec.nkeys == 2);
    person.admin_emails[person.nadmin_emails++] = "admin@example.com";
    person.admin_claims[person.nadmin_claims++] = "user.role=admin";
    person.admin_claims[person.nadmin_claims++] = "groups=ops";
    person.jwt_audience = "skew";
    person.jwt_issuer = "https://app.example";
}

/* "header.payload" + "." + HS256 of it. */
static size_t fz_sign(const uint8_t *d, size_t n) {
    const uint8_t *dot1 = (const uint8_t *)memchr(d, '.', n), *dot2;
    size_t o;
    unsigned char mac[32];
    unsigned ml = 32;
    if (!dot1 || !(dot2 = (const uint8_t *)memchr(dot1 + 1, '.', n - (size_t)(dot1 + 1 - d)))) return 0;
    o = (size_t)(dot2 - d);
    if (o + 50 > sizeof buf) return 0;
    memcpy(buf, d, o);
    HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)buf, o, mac, &ml);
    buf[o++] = '.';
    return o + fz_b64url_encode(mac, 32, buf + o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    skew_person_err e;
    size_t n = 99;
    skew_str s;
    char who[64];
    if (!size || size > SKEW_PERSON_MAX_TOKEN + 50) return 0;
    fz_setup();
    s = skew_str_n((const char *)data + 1, size - 1);
    if (data[0] & 1) {
        size_t m = fz_sign(data + 1, size - 1);
        if (!m) return 0;
        s = skew_str_n(buf, m);
    }
    e = skew_person_jwt_verify(&person, s, data[0] & 2 ? UINT64_C(4102444800000) : UINT64_C(1700000000000), claims,
                               sizeof claims, &n);
    FZ_ASSERT((unsigned)e < SKEW_PERSON_ERR_COUNT);
    if (e != SKEW_PERSON_OK) return 0;
    FZ_ASSERT(n < sizeof claims && claims[n] == '\0' && skew_json_validate(skew_str_n(claims, n)) == SKEW_OK);
    e = skew_person_match(&person, skew_str_n(claims, n), "", who, sizeof who);
    FZ_ASSERT(e == SKEW_PERSON_OK || e == SKEW_PERSON_NO_MATCH);
    FZ_ASSERT(strlen(who) < sizeof who);
    return 0;
}
