# Benchmarks (not tests): make bench runs them all and prints figures.
BENCH_TARGETS :=
# $(eval $(call bench_c,NAME)) in a fragment: make bench-NAME builds the one-file C benchmark
# bench/NAME/bench_NAME.c to build/bench_NAME and runs it (the fragment may add headers of its
# own as prerequisites of $(BUILD)/bench_NAME).
define bench_c
BENCH_TARGETS += bench-$(1)
$$(BUILD)/bench_$(1): bench/$(1)/bench_$(1).c bench/bench_common.h $$(HDR_DEPS)
	@mkdir -p $$(@D)
	$$(GCC) $$(CSTD) $$(WARN_C) -O2 -DNDEBUG -I. -o $$@ $$<
bench-$(1): $$(BUILD)/bench_$(1)
	$$(BUILD)/bench_$(1)
endef
include $(wildcard bench/*/build.mk)
.PHONY: bench
bench: $(BENCH_TARGETS)
