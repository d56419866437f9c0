// The app's one rule for who sees live stats, shared by the skew:authorize-stats hook
// (server/plugins/skew-auth.ts) and the forward-auth route (server/api/skew-auth.get.ts).
export const SKEW_TEST_ADMIN_EMAIL = 'admin@example.com'

export function isSkewAdmin(session: { user?: { email?: string, role?: string } } | null | undefined): boolean {
  return session?.user?.role === 'admin'
}
