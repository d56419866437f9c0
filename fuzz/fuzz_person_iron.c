/* skew_person_unseal (iron "Fe26.2", h3's sealSession): any text gives one of the
   skew_person_err codes, never a crash or an over-read; an accepted seal gives valid JSON. With
   bit 0 of byte 0 set, the target first replaces the seal's MAC with the right one for its
   password (so the search gets past the integrity check into expiry, decryption and JSON);
   bit 1 picks a clock far in the future (expiry). The corpus holds seals made by npm h3 with
   this password (tests/e2e/person_vectors.mjs). */
#define SKEW_TRACKER_IMPLEMENTATION
#include "fuzz_common.h"
#include "skew_person.h"
#include "fuzz_b64url.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

static char pw1[] = "app-session-password-0123456789-abcdef";
static char pw2[] = "the-previous-session-password-9876543210";
static char json[SKEW_PERSON_MAX_JSON];
static char buf[SKEW_PERSON_MAX_TOKEN + 200];

/* Cut at the 7th '*' and append "*salt*<right mac>" for pw1. */
static size_t fz_remac(const uint8_t *d, size_t n) {
    size_t i, stars = 0, o;
    unsigned char key[32], mac[32];
    unsigned ml = 32;
    for (i = 0; i < n && stars < 6; i++) stars += d[i] == '*';
    if (stars < 6 || n > SKEW_PERSON_MAX_TOKEN) return 0;
    o = i - 1; /* the base string: up to (not incl.) the 6th '*' */
    memcpy(buf, d, o);
    PKCS5_PBKDF2_HMAC(pw1, (int)strlen(pw1), (const unsigned char *)"ab", 2, 1, EVP_sha1(), 32, key);
    HMAC(EVP_sha256(), key, 32, (const unsigned char *)buf, o, mac, &ml);
    memcpy(buf + o, "*ab*", 4);
    o += 4;
    return o + fz_b64url_encode(mac, 32, buf + o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    skew_person_secrets sec;
    skew_person_err e;
    size_t n = 99;
    uint64_t now;
    skew_str s;
    if (!size || size > SKEW_PERSON_MAX_TOKEN + 100) return 0;
    memset(&sec, 0, sizeof sec);
    sec.passwords[0] = pw2;
    sec.passwords[1] = pw1;
    sec.npasswords = 2;
    now = data[0] & 2 ? UINT64_C(4102444800000) : UINT64_C(1700000000000);
    s = skew_str_n((const char *)data + 1, size - 1);
    if (data[0] & 1) {
        size_t m = fz_remac(data + 1, size - 1);
        if (!m) return 0;
        s = skew_str_n(buf, m);
    }
    e = skew_person_unseal(&sec, s, now, json, sizeof json, &n);
    FZ_ASSERT((unsigned)e < SKEW_PERSON_ERR_COUNT);
    if (e == SKEW_PERSON_OK) {
        FZ_ASSERT(n < sizeof json && json[n] == '\0');
        FZ_ASSERT(skew_json_validate(skew_str_n(json, n)) == SKEW_OK);
    } else {
        FZ_ASSERT(n == 0 && json[0] == '\0');
    }
    return 0;
}
