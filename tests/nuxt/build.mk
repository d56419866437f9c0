# The Nuxt module's own browser client (tests/nuxt/): a Nuxt app with nuxt-skew-protection,
# served by each example server with --root and driven in Chromium. Included by tests/build.mk.
#   make step-nuxt-lws        build $(BUILD)/skew_server_lws and the app, run the test against it
#   make step-nuxt-mongoose   the same for mongoose; "skipped: mongoose not found" without mongoose
#   make nuxt-lws             the test against lws with its output on the terminal
include tests/lib/server_steps.mk
$(eval $(call server_steps,nuxt))
