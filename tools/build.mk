# Sources of generated files. tools/bots/rules.txt is the source of the bot table in
# skew_tracker.h (the >>bot-table block); tools/bots/gen-table.js turns it into C (no packages).
# tools/bots/build-corpus.js rebuilds tests/data/ua-bots.txt and ua-browsers.txt from npm lists
# (cd tools/bots && npm ci && node build-corpus.js).
#   make bot-table        regenerate the block after editing the rules
#   make step-bot-table   test step: the header's block is what the rules give
.PHONY: bot-table step-bot-table
bot-table:
	node tools/bots/gen-table.js

TEST_STEPS += step-bot-table
step-bot-table:
	@tests/run_step.sh bot-table sh -c 'if ! command -v node >/dev/null; then echo "skipped: node not found"; \
	  else node tools/bots/gen-table.js --check; fi'
