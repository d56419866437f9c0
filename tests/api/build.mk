# The shape of the public API (issue 21): tests/api/sections.sh checks that every public function
# of skew_tracker.h is declared and defined under the same >>section and that the SECTIONS list
# in the header's top comment is true. Included by tests/build.mk.
#   make step-api-sections    (well under a second)
TEST_STEPS += step-api-sections
.PHONY: step-api-sections
step-api-sections:
	@tests/run_step.sh api-sections tests/api/sections.sh skew_tracker.h

# No function over 100 lines in examples/ (tests/api/function_length.sh prints the ten longest).
#   make step-api-function-length    (well under a second)
TEST_STEPS += step-api-function-length
.PHONY: step-api-function-length
step-api-function-length:
	@tests/run_step.sh api-function-length tests/api/function_length.sh examples 100
