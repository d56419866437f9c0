# The whole production topology (tests/topology/): real nginx with deploy/nginx/skew.conf, the
# Nuxt app of tests/nuxt (node-server build), one lws and one mongoose instance on redis-server,
# three Chromium visitors. Included by tests/build.mk.
#   make step-topology    run it (builds both servers and, once, the Nuxt app)
include tests/lib/script_step.mk
$(eval $(call script_step,topology,tests/topology/run.sh))

# The README's nginx configuration is deploy/nginx/skew.conf (tests/topology/readme_nginx.sh).
TEST_STEPS += step-readme-nginx
.PHONY: step-readme-nginx
step-readme-nginx:
	@tests/run_step.sh readme-nginx tests/topology/readme_nginx.sh $(BUILD)/readme/nginx.conf

# The Nuxt app's own admins (nuxt-auth-utils sessions) authorized through nginx and both C
# servers, by the session cookie and by forward auth (tests/topology/app-admins.test.mjs).
#   make step-app-admins   run it (builds both servers and, once, the Nuxt app)
$(eval $(call script_step,app-admins,tests/topology/app-admins.sh))
