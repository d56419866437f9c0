// Signs in the one test admin: the password comes from SKEW_TEST_ADMIN_PASSWORD in the server's
// environment (none set: nobody signs in). The session is nuxt-auth-utils' sealed cookie.
import { createHash, timingSafeEqual } from 'node:crypto'

const digest = (s: string) => createHash('sha256').update(s).digest()

export default defineEventHandler(async (event) => {
  const body = await readBody<{ email?: unknown, password?: unknown }>(event)
  const expected = process.env.SKEW_TEST_ADMIN_PASSWORD || ''
  const given = typeof body?.password === 'string' ? body.password : ''
  if (!expected || body?.email !== SKEW_TEST_ADMIN_EMAIL || !timingSafeEqual(digest(given), digest(expected)))
    throw createError({ statusCode: 401, statusMessage: 'bad credentials' })
  await setUserSession(event, { user: { email: SKEW_TEST_ADMIN_EMAIL, role: 'admin' } })
  return { ok: true }
})
