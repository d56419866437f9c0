# make bench-bots: accuracy and speed of skew_is_bot against isbot (node) on tests/data/ua-*.
BENCH_TARGETS += bench-bots
.PHONY: bench-bots

$(BUILD)/bench/skew_bot_bench: bench/bots/skew_bench.c skew_tracker.h
	@mkdir -p $(@D)
	$(GCC) $(CSTD) $(WARN_C) -O2 -I. -o $@ $<

bench-bots: $(BUILD)/bench/skew_bot_bench
	@bench/bots/run.sh $(BUILD)/bench/skew_bot_bench
