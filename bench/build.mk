# Benchmarks (not tests): make bench runs them all and prints figures.
BENCH_TARGETS :=
include $(wildcard bench/*/build.mk)
.PHONY: bench
bench: $(BENCH_TARGETS)
