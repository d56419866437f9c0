# Fuzzing (fuzz/): libFuzzer targets for every parser, a plain replay driver, seed corpora.
#   make fuzz                     every target for FUZZ_SECONDS (default 600) each, one after the
#                                 other, new inputs in $(BUILD)/fuzz-work/<target>, crashes in
#                                 $(BUILD)/fuzz-artifacts/; FUZZ_TARGETS="ws snapshot" picks some,
#                                 FUZZ_RUNS=10000000 stops each after that many executions
#   make fuzz-replay              the committed corpora through gcc ASan/UBSan builds
#   make step-fuzz-replay         the same as a test step
#   make step-fuzz-smoke          each target for FUZZ_SMOKE_SECONDS (default 10) with libFuzzer;
#                                 "skipped: libFuzzer not available" when clang cannot link it
#   replay and smoke build all targets with make -j and run FUZZ_JOBS targets at once (default:
#   the number of cores; FUZZ_JOBS=1: one after the other, as make fuzz always does)
# A target is fuzz/fuzz_<name>.c; its corpus fuzz/corpus/<name>/; the dictionary fuzz/skew.dict.

FUZZ_TARGETS       ?= $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_SECONDS       ?= 600
FUZZ_SMOKE_SECONDS ?= 10 # 18 targets: CI stays under 30 minutes; long runs are fuzz.sh run
FUZZ_DEPS          := $(HDR_DEPS) fuzz/fuzz_common.h
FUZZ_CFLAGS        := $(CSTD) $(WARN_C) -O2 -g -fno-omit-frame-pointer -I. -Ifuzz
FUZZ_SAN           := -fsanitize=address,undefined -fno-sanitize-recover=all

# libFuzzer builds (clang) and replay builds (gcc, also ASan/UBSan)
$(BUILD)/fuzz/%: fuzz/fuzz_%.c $(FUZZ_DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ $<
$(BUILD)/fuzz-replay/%: fuzz/fuzz_%.c fuzz/replay.c $(FUZZ_DEPS)
	@mkdir -p $(@D)
	$(GCC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -o $@ $< fuzz/replay.c

# fuzz_framing.c includes the lws example's framing checks
$(BUILD)/fuzz/framing $(BUILD)/fuzz-replay/framing: examples/common/skew_framing.c examples/common/skew_framing.h

TEST_STEPS += step-fuzz-replay step-fuzz-smoke

.PHONY: fuzz fuzz-replay step-fuzz-replay step-fuzz-smoke
fuzz:
	@BUILD=$(BUILD) MAKE="$(MAKE)" CLANG="$(CLANG)" FUZZ_RUNS="$(FUZZ_RUNS)" fuzz/fuzz.sh long $(FUZZ_SECONDS) $(FUZZ_TARGETS)
fuzz-replay:
	@BUILD=$(BUILD) MAKE="$(MAKE)" CLANG="$(CLANG)" fuzz/fuzz.sh replay 0 $(FUZZ_TARGETS)
step-fuzz-replay:
	@BUILD=$(BUILD) MAKE="$(MAKE)" CLANG="$(CLANG)" tests/run_step.sh fuzz-replay fuzz/fuzz.sh replay 0 $(FUZZ_TARGETS)
step-fuzz-smoke:
	@BUILD=$(BUILD) MAKE="$(MAKE)" CLANG="$(CLANG)" tests/run_step.sh fuzz-smoke fuzz/fuzz.sh smoke $(FUZZ_SMOKE_SECONDS) $(FUZZ_TARGETS)

# The admins' parsers (fuzz/fuzz_person_*.c: base64url, iron seals, JWT, JWKS, the forward-auth
# answer) link
# examples/common/skew_person*.c and OpenSSL libcrypto; the shorter stem makes these rules win.
FUZZ_PERSON_SRCS := examples/common/skew_person.c examples/common/skew_person_crypto.c examples/common/skew_options.c \
                    examples/common/skew_forward.c examples/common/skew_posix.c
FUZZ_PERSON_DEPS := $(FUZZ_DEPS) $(FUZZ_PERSON_SRCS) examples/common/skew_person.h examples/common/skew_forward.h fuzz/fuzz_b64url.h
$(BUILD)/fuzz/person_%: fuzz/fuzz_person_%.c $(FUZZ_PERSON_DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -D_POSIX_C_SOURCE=200809L -Iexamples/common -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=all -o $@ $< $(FUZZ_PERSON_SRCS) -lcrypto
$(BUILD)/fuzz-replay/person_%: fuzz/fuzz_person_%.c fuzz/replay.c $(FUZZ_PERSON_DEPS)
	@mkdir -p $(@D)
	$(GCC) $(FUZZ_CFLAGS) -D_POSIX_C_SOURCE=200809L -Iexamples/common $(FUZZ_SAN) -o $@ $< fuzz/replay.c \
	  $(FUZZ_PERSON_SRCS) -lcrypto

# fuzz_view.c includes the cluster view (examples/common/skcl_view.c: the aggregator's merge and
# every reader's apply)
$(BUILD)/fuzz/view $(BUILD)/fuzz-replay/view: examples/common/skcl_view.c examples/common/skcl_view.h
