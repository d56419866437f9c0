# Unit tests: every tests/test_*.c is a complete program that implements the header itself.
# Each runs in several builds: gcc C99, clang C99, g++ as C++, clang ASan+UBSan, valgrind.
UNIT_SRCS  := $(wildcard tests/test_*.c)
UNIT_NAMES := $(patsubst tests/%.c,%,$(UNIT_SRCS))
HDR_DEPS   := skew_tracker.h tests/skew_test.h tests/test_hooks.h

$(BUILD)/gcc/%: tests/%.c $(HDR_DEPS)
	@mkdir -p $(@D)
	$(GCC) $(CSTD) $(WARN_C) $(OPT) -I. -o $@ $< -lm
$(BUILD)/clang/%: tests/%.c $(HDR_DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(CSTD) $(WARN_C) $(OPT) -I. -o $@ $< -lm
$(BUILD)/cxx/%: tests/%.c $(HDR_DEPS)
	@mkdir -p $(@D)
	$(GXX) $(CXXSTD) $(WARN_COMMON) -Wno-missing-declarations $(OPT) -I. -o $@ $< -lm
$(BUILD)/asan/%: tests/%.c $(HDR_DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(CSTD) $(WARN_C) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	  -fno-omit-frame-pointer -I. -o $@ $< -lm
$(BUILD)/vg/%: tests/%.c $(HDR_DEPS)
	@mkdir -p $(@D)
	$(GCC) $(CSTD) $(WARN_C) -O1 -g -I. -o $@ $< -lm

UNIT_VARIANTS := gcc clang cxx asan
# Every unit binary is built first, UNIT_BUILD_JOBS (default: one per core) at a time, so each unit
# step below only runs its binary (CI has a time budget; the ~100 builds were one after the other).
# A build that fails fails this step, and its unit step builds it again and shows the error.
UNIT_BUILD_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
UNIT_BINS := $(foreach v,$(UNIT_VARIANTS) vg,$(foreach t,$(UNIT_NAMES),$(BUILD)/$(v)/$(t)))
TEST_STEPS += step-unit-builds
.PHONY: step-unit-builds
step-unit-builds:
	@tests/run_step.sh unit-builds $(MAKE) --no-print-directory -s -k -j$(UNIT_BUILD_JOBS) $(UNIT_BINS)
TEST_STEPS += $(foreach v,$(UNIT_VARIANTS),$(foreach t,$(UNIT_NAMES),step-$(v)-$(t)))
TEST_STEPS += $(foreach t,$(UNIT_NAMES),step-vg-$(t))

step-%:
	@v=$$(echo '$*' | cut -d- -f1); t=$$(echo '$*' | cut -d- -f2-); \
	case $$v in \
	  vg) tests/run_step.sh $* sh -c "$(MAKE) --no-print-directory -s $(BUILD)/vg/$$t && \
	        valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all $(BUILD)/vg/$$t";; \
	  gcc|clang|cxx|asan) tests/run_step.sh $* sh -c "$(MAKE) --no-print-directory -s $(BUILD)/$$v/$$t && $(BUILD)/$$v/$$t";; \
	  *) echo "unknown step $*"; exit 1;; \
	esac

# Sub-suites (tests/readme, tests/e2e, tests/portability, ...) add their steps after the unit tests.
include $(sort $(wildcard tests/*/build.mk))
