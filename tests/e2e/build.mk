# End-to-end suite (tests/e2e/): node's test runner with ws, eventsource and playwright-core
# against each example server. Included by tests/build.mk.
#   make step-e2e-lws        build $(BUILD)/skew_server_lws and run the suite against it
#   make step-e2e-mongoose   the same for mongoose; "skipped: mongoose not found" without mongoose
#   make e2e-lws             the suite against lws with its output on the terminal
TEST_STEPS += step-e2e-lws step-e2e-mongoose

.PHONY: step-e2e-lws step-e2e-mongoose e2e-lws e2e-mongoose
step-e2e-lws:
	@BUILD=$(BUILD) MAKE="$(MAKE)" tests/run_step.sh e2e-lws tests/e2e/run.sh lws
step-e2e-mongoose:
	@BUILD=$(BUILD) MAKE="$(MAKE)" tests/run_step.sh e2e-mongoose tests/e2e/run.sh mongoose
e2e-lws e2e-mongoose:
	@BUILD=$(BUILD) MAKE="$(MAKE)" tests/e2e/run.sh $(patsubst e2e-%,%,$@)
