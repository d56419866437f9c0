// The smallest Nuxt app that runs nuxt-skew-protection's own browser client with live updates.
// SKEW_NUXT_STRATEGY picks the transport (sse or ws: one per build, as in the module) and
// SKEW_NUXT_WORK the directory for the build (WORK/.nuxt) and its output (WORK/output).
// It is a `nuxt build` with every page prerendered, not a `nuxt generate`: the module drops
// SSE/WS for polling when it detects static generation, while a server preset keeps them and
// still writes the prerendered pages and _nuxt/ to output/public/.
// nuxt-auth-utils gives the app its own admins (server/api/login.post.ts, the /admin page, the
// skew:authorize-stats hook in server/plugins/skew-auth.ts); the node server needs
// NUXT_SESSION_PASSWORD (32+ characters) and SKEW_TEST_ADMIN_PASSWORD in its environment.
const strategy = process.env.SKEW_NUXT_STRATEGY === 'ws' ? 'ws' : 'sse'
const work = process.env.SKEW_NUXT_WORK

export default defineNuxtConfig({
  compatibilityDate: '2025-07-15',
  modules: ['nuxt-auth-utils', 'nuxt-skew-protection'],
  devtools: { enabled: false },
  telemetry: false,
  skewProtection: {
    updateStrategy: strategy,
    connectionTracking: true,
    routeTracking: true,
    // no asset bundling across builds: each test build is a fresh deploy
    bundleAssets: false,
  },
  // nuxt 4.4.5 fails to prerender `/` with payload extraction outside `nuxt generate` (unstorage
  // rejects the cache key "/"); inline payloads avoid it
  experimental: { payloadExtraction: false },
  // the build runs inside `make test`: no source maps, no minification
  sourcemap: false,
  vite: { build: { minify: false } },
  site: { url: 'http://127.0.0.1', name: 'skew nuxt e2e' },
  robots: { enabled: false },
  nitro: {
    preset: 'node-server',
    experimental: { websocket: strategy === 'ws' },
    output: work ? { dir: `${work}/output` } : undefined,
    prerender: { routes: ['/', '/about'], crawlLinks: false },
  },
  buildDir: work ? `${work}/.nuxt` : undefined,
})
