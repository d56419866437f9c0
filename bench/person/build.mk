# The admins' check per request (skew_person_check): session unseal, JWT HS256/RS256/ES256.
# Credentials from npm h3 and jose (tests/e2e/person_vectors.mjs, needs tests/e2e/node_modules).
BENCH_TARGETS += bench-person
BENCH_PERSON_SRCS := bench/person/bench_person.c examples/common/skew_person.c examples/common/skew_person_crypto.c \
                     examples/common/skew_options.c examples/common/skew_tracker_impl.c
$(BUILD)/bench_person: $(BENCH_PERSON_SRCS) examples/common/skew_person.h $(HDR_DEPS)
	@mkdir -p $(@D)
	$(GCC) $(CSTD) $(WARN_C) -O2 -DNDEBUG -D_POSIX_C_SOURCE=200809L -I. -Iexamples/common -o $@ $(BENCH_PERSON_SRCS) -lcrypto
.PHONY: bench-person
bench-person: $(BUILD)/bench_person
	@d=$$(mktemp -d) && trap 'rm -rf $$d' EXIT && node tests/e2e/person_vectors.mjs $$d >/dev/null && $(BUILD)/bench_person $$d

# Forward-auth latency (--auth-url) through a server: p50/p99 of subscribe-stats -> stats.
BENCH_TARGETS += bench-forward
.PHONY: bench-forward
bench-forward: $(BUILD)/skew_server_lws
	@SKEW_SERVER=$(abspath $(BUILD)/skew_server_lws) node bench/person/forward_latency.mjs
