# $(call server_steps,SUITE): the steps of a suite run against each example server by
# tests/SUITE/run.sh lws|mongoose: step-SUITE-lws and step-SUITE-mongoose (logged, counted) and
# SUITE-lws, SUITE-mongoose (output on the terminal). Used by tests/e2e and tests/nuxt.
ifndef SERVER_STEPS_MK_INCLUDED
SERVER_STEPS_MK_INCLUDED := 1
define server_steps
TEST_STEPS += step-$(1)-lws step-$(1)-mongoose
.PHONY: step-$(1)-lws step-$(1)-mongoose $(1)-lws $(1)-mongoose
step-$(1)-lws step-$(1)-mongoose:
	@BUILD=$$(BUILD) MAKE="$$(MAKE)" tests/run_step.sh $$(patsubst step-%,%,$$@) tests/$(1)/run.sh $$(patsubst step-$(1)-%,%,$$@)
$(1)-lws $(1)-mongoose:
	@BUILD=$$(BUILD) MAKE="$$(MAKE)" tests/$(1)/run.sh $$(patsubst $(1)-%,%,$$@)
endef
endif
