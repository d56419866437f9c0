# make bench-bots: accuracy and speed of skew_is_bot against isbot (node) on tests/data/ua-*.
BENCH_TARGETS += bench-bots
.PHONY: bench-bots

$(BUILD)/bench/skew_bot_bench: bench/bots/skew_bench.c skew_tracker.h
	@mkdir -p $(@D)
	$(GCC) $(CSTD) $(WARN_C) -O2 -I. -o $@ $<

bench-bots: $(BUILD)/bench/skew_bot_bench
	@bench/bots/run.sh $(BUILD)/bench/skew_bot_bench

# make bench-bots-pipe: build/skew_botcheck against isbot in node, end to end through a pipe
# (1M User-Agent lines, lines/s net of process start-up; bench/bots/pipe.sh).
BENCH_TARGETS += bench-bots-pipe
.PHONY: bench-bots-pipe bench-bots-pipe-sets
bench-bots-pipe: $(BUILD)/skew_botcheck
	@bench/bots/pipe.sh $(BUILD)/skew_botcheck
# the same on browser UAs only and on bot UAs only (the sets of make bench-bots)
bench-bots-pipe-sets: $(BUILD)/skew_botcheck
	@bench/bots/pipe.sh $(BUILD)/skew_botcheck 1000000 browsers
	@bench/bots/pipe.sh $(BUILD)/skew_botcheck 1000000 bots
