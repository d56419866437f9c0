# The whole production topology (tests/topology/): real nginx with deploy/nginx/skew.conf, the
# Nuxt app of tests/nuxt (node-server build), one lws and one mongoose instance on redis-server,
# three Chromium visitors. Included by tests/build.mk.
#   make step-topology    run it (builds both servers and, once, the Nuxt app)
TEST_STEPS += step-topology

.PHONY: step-topology
step-topology:
	@BUILD=$(BUILD) MAKE="$(MAKE)" tests/run_step.sh topology tests/topology/run.sh
