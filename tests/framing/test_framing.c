/* Request framing checks (examples/common/skew_framing.c) at their boundaries: RFC 9112 §6.1,
   §6.3 and RFC 9110 §8.6. */
#include "skew_test.h"
#include "skew_framing.h"

static skew_framing of(const char *cl1, const char *cl2, const char *te, uint64_t *len) {
    const char *cl[2];
    size_t lens[2], n = 0;
    if (cl1) cl[n] = cl1, lens[n++] = strlen(cl1);
    if (cl2) cl[n] = cl2, lens[n++] = strlen(cl2);
    return skew_framing_of(cl, lens, n, te, te ? strlen(te) : 0, len);
}

static void test_content_length(void) {
    uint64_t len = 99;
    CHECK(of(NULL, NULL, NULL, &len) == SKEW_FRAMING_NO_BODY && len == 0);
    CHECK(of("0", NULL, NULL, &len) == SKEW_FRAMING_LENGTH && len == 0);
    CHECK(of("42", NULL, NULL, &len) == SKEW_FRAMING_LENGTH && len == 42);
    CHECK(of(" 42\t", NULL, NULL, &len) == SKEW_FRAMING_LENGTH && len == 42); /* OWS around */
    CHECK(of("42, 42", NULL, NULL, &len) == SKEW_FRAMING_LENGTH && len == 42); /* a list of equal values */
    CHECK(of("42", "42", NULL, &len) == SKEW_FRAMING_LENGTH && len == 42);     /* repeated, equal */
    CHECK(of("999999999999999", NULL, NULL, &len) == SKEW_FRAMING_LENGTH && len == 999999999999999u); /* 15 digits */
    CHECK(of("1000000000000000", NULL, NULL, &len) == SKEW_FRAMING_BAD); /* 16 digits */
    CHECK(of("42", "43", NULL, &len) == SKEW_FRAMING_BAD);
    CHECK(of("42, 43", NULL, NULL, &len) == SKEW_FRAMING_BAD);
    CHECK(of("0x10", NULL, NULL, &len) == SKEW_FRAMING_BAD);
    CHECK(of("1 0", NULL, NULL, &len) == SKEW_FRAMING_BAD);
    CHECK(of("+5", NULL, NULL, &len) == SKEW_FRAMING_BAD);
    CHECK(of("-1", NULL, NULL, &len) == SKEW_FRAMING_BAD);
    CHECK(of("", NULL, NULL, &len) == SKEW_FRAMING_BAD);
    CHECK(of("5,", NULL, NULL, &len) == SKEW_FRAMING_BAD);
    CHECK(of(",5", NULL, NULL, &len) == SKEW_FRAMING_BAD);
    CHECK(of("5;", NULL, NULL, &len) == SKEW_FRAMING_BAD);
}

static void test_transfer_encoding(void) {
    uint64_t len = 0;
    CHECK(of(NULL, NULL, "chunked", &len) == SKEW_FRAMING_CHUNKED);
    CHECK(of(NULL, NULL, "Chunked ", &len) == SKEW_FRAMING_CHUNKED);
    CHECK(of(NULL, NULL, "gzip, chunked", &len) == SKEW_FRAMING_CHUNKED);
    CHECK(of(NULL, NULL, "chunked, gzip", &len) == SKEW_FRAMING_BAD); /* chunked must be last */
    CHECK(of(NULL, NULL, "gzip", &len) == SKEW_FRAMING_BAD);
    CHECK(of(NULL, NULL, "chunkedx", &len) == SKEW_FRAMING_BAD);
    CHECK(of(NULL, NULL, "xchunked", &len) == SKEW_FRAMING_BAD);
    CHECK(of("2", NULL, "chunked", &len) == SKEW_FRAMING_BAD); /* both: refused (§6.1) */
    CHECK(of("0", NULL, "identity", &len) == SKEW_FRAMING_BAD);
}

int main(void) {
    SUBTEST("content-length", test_content_length);
    SUBTEST("transfer-encoding", test_transfer_encoding);
    TEST_MAIN_END();
}
