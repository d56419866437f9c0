// The module's own stats authorization, as its docs show: the nuxt-auth-utils session of an
// admin. Used when the app serves {base} itself; the C servers do the same check from the
// session cookie (--admin-claim user.role=admin) or ask server/api/skew-auth.get.ts.
// For a WebSocket the module passes no full H3 event, only { headers } (on the node server as
// on Cloudflare), so getUserSession() cannot read it: the cookie is unsealed by hand there,
// as the module's docs do ("Cloudflare with nuxt-auth-utils").
import { unsealSession } from 'h3'

export default defineNitroPlugin((nitroApp) => {
  nitroApp.hooks.hook('skew:authorize-stats', async ({ event, authorize }) => {
    const session = await getUserSession(event).catch(() => null)
    if (isSkewAdmin(session)) {
      authorize()
      return
    }
    const headers = (event as { headers?: unknown })?.headers
    if (!(headers instanceof Headers)) return
    const sealed = (headers.get('cookie') || '').match(/(?:^|;\s*)nuxt-session=([^;]+)/)?.[1]
    const password = useRuntimeConfig().session?.password || process.env.NUXT_SESSION_PASSWORD || ''
    if (!sealed || !password) return
    // unsealSession gives { data: { user } }, getUserSession { user }
    const unsealed = await unsealSession(null as never, { password }, decodeURIComponent(sealed)).catch(() => null)
    if (isSkewAdmin(unsealed?.data as Parameters<typeof isSkewAdmin>[0])) authorize()
  })
})
