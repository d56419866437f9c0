// Forward auth for the skew servers (--auth-url http://127.0.0.1:3000/api/skew-auth): the same
// check as the skew:authorize-stats hook. 200 grants live stats, 401 refuses.
export default defineEventHandler(async (event) => {
  const session = await getUserSession(event).catch(() => null)
  if (!isSkewAdmin(session)) throw createError({ statusCode: 401 })
  return ''
})
