/* skew_forward_parse_answer (forward auth, the app's response head): any bytes give a bounded
   answer; against a plain reading: a 2xx status line "HTTP/1.0|1 NNN" is ok, and admin needs
   ok and an "X-Skew-Scope: admin" line. Input: the response bytes. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "fuzz_common.h"
#include "skew_forward.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    bool ok = true, admin = true, http;
    char *copy;
    if (size > 4096) return 0;
    copy = (char *)malloc(size ? size : 1); /* exactly size bytes: ASan catches an over-read */
    if (!copy) return 0;
    memcpy(copy, data, size);
    http = skew_forward_parse_answer(copy, size, &ok, &admin);
    if (!http) FZ_ASSERT(!ok && !admin);
    if (http) {
        FZ_ASSERT(size >= 12 && memcmp(copy + 4, "/1.", 3) == 0);
        FZ_ASSERT(ok == (copy[9] == '2'));
    }
    if (admin) FZ_ASSERT(ok);
    free(copy);
    return 0;
}
