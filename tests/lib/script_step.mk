# $(eval $(call script_step,NAME,SCRIPT ARGS)): step-NAME, a test step (in TEST_STEPS) that runs
# SCRIPT with BUILD and MAKE through tests/run_step.sh (logged in build/logs/NAME.log, counted).
# Used by tests/prod and tests/topology.
ifndef SCRIPT_STEP_MK_INCLUDED
SCRIPT_STEP_MK_INCLUDED := 1
define script_step
TEST_STEPS += step-$(1)
.PHONY: step-$(1)
step-$(1):
	@BUILD=$$(BUILD) MAKE="$$(MAKE)" tests/run_step.sh $(1) $(2)
endef
endif
