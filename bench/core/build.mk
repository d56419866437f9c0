# Core benchmark: open+close, route update, stats JSON, memory per connection.
$(eval $(call bench_c,core))
$(BUILD)/bench_core: bench/core/bench_req.h
# make bench-core-compare: open+close at 1k/10k/100k live, defaults and tracking (300 browser UAs of
# tests/data/ua-browsers.txt in turn), at 100k also one UA and the bot cache off, this tree against
# 8008716 side by side in one run (bench/core/compare.sh [RUNS] [REV]...; not part of make bench:
# it checks out the old commit in a temporary git worktree).
.PHONY: bench-core-compare
bench-core-compare:
	@bench/core/compare.sh 3 8008716
