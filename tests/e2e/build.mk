# End-to-end suite (tests/e2e/): node's test runner with ws, eventsource and playwright-core
# against each example server. Included by tests/build.mk.
#   make step-e2e-lws        build $(BUILD)/skew_server_lws and run the suite against it
#   make step-e2e-mongoose   the same for mongoose; "skipped: mongoose not found" without mongoose
#   make e2e-lws             the suite against lws with its output on the terminal
include tests/lib/server_steps.mk
$(eval $(call server_steps,e2e))
