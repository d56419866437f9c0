/* skew_person_jwks_add: any text is SKEW_OK, SKEW_ERR_INVALID or SKEW_ERR_FULL; at most
   SKEW_PERSON_MAX_KEYS keys are kept, each a real key of the kind it says; nothing leaks
   (every key freed). The corpus holds JWKS written by npm jose. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "fuzz_common.h"
#include "skew_person.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    skew_person_secrets sec;
    skew_result r;
    size_t i;
    if (size > 65536) return 0;
    memset(&sec, 0, sizeof sec);
    r = skew_person_jwks_add(&sec, skew_str_n((const char *)data, size));
    FZ_ASSERT(r == SKEW_OK || r == SKEW_ERR_INVALID || r == SKEW_ERR_FULL);
    FZ_ASSERT(sec.nkeys <= SKEW_PERSON_MAX_KEYS);
    for (i = 0; i < sec.nkeys; i++) {
        FZ_ASSERT(sec.keys[i].pkey != NULL);
        FZ_ASSERT(sec.keys[i].kind == SKEW_PERSON_KEY_RSA || sec.keys[i].kind == SKEW_PERSON_KEY_EC_P256);
        FZ_ASSERT(strlen(sec.keys[i].kid) < sizeof sec.keys[i].kid);
    }
    skew_person_secrets_free(&sec);
    return 0;
}
