# The Nuxt module's own browser client (tests/nuxt/): a Nuxt app with nuxt-skew-protection,
# served by each example server with --root and driven in Chromium. Included by tests/build.mk.
#   make step-nuxt-lws        build $(BUILD)/skew_server_lws and the app, run the test against it
#   make step-nuxt-mongoose   the same for mongoose; "skipped: mongoose not found" without mongoose
#   make nuxt-lws             the test against lws with its output on the terminal
TEST_STEPS += step-nuxt-lws step-nuxt-mongoose

.PHONY: step-nuxt-lws step-nuxt-mongoose nuxt-lws nuxt-mongoose
step-nuxt-lws:
	@BUILD=$(BUILD) MAKE="$(MAKE)" tests/run_step.sh nuxt-lws tests/nuxt/run.sh lws
step-nuxt-mongoose:
	@BUILD=$(BUILD) MAKE="$(MAKE)" tests/run_step.sh nuxt-mongoose tests/nuxt/run.sh mongoose
nuxt-lws nuxt-mongoose:
	@BUILD=$(BUILD) MAKE="$(MAKE)" tests/nuxt/run.sh $(patsubst nuxt-%,%,$@)
