# First run of the build (tests/firstrun/check.sh): the mongoose skip line, no empty folder after
# an offline download. The first-run line of the servers is in tests/e2e/embed.test.mjs.
TEST_STEPS += step-first-run
.PHONY: step-first-run
step-first-run:
	@MAKE="$(MAKE)" tests/run_step.sh first-run tests/firstrun/check.sh
