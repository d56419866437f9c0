// Credentials made by the real libraries the app uses: session cookies sealed by npm h3's
// sealSession (what nuxt-auth-utils sets as nuxt-session) and JWTs signed by npm jose, with the
// verdict the C side must give for each under the configuration written next to them.
//
// Usage: node tests/e2e/person_vectors.mjs DIR   (writes DIR/vectors.json and the key files)
// Also imported by person.test.mjs (makeVectors).
//
// The configuration the verdicts assume (what the C unit test and the e2e test pass):
//   --session-password-file DIR/passwords (PASSWORD and ROTATED, one a line)
//   --admin-email admin@example.com  --admin-claim user.role=admin  --session-max-age 86400
//   --jwt-secret-file DIR/hs.secret  --jwks-file DIR/jwks.json  --jwt-audience skew  --jwt-issuer https://app.example
//   JWT cookie: skew-jwt
// vectors.json: { now_ms, items: [{ name, kind: "session"|"jwt", value, granted, who? }] }
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sealSession } from 'h3';
import * as jose from 'jose';

export const PASSWORD = 'app-session-password-0123456789-abcdef';
export const ROTATED = 'the-previous-session-password-9876543210';
export const WRONG = 'not-the-app-session-password-0123456789';
export const HS_SECRET = 'jwt-hmac-secret-for-the-skew-e2e-0123456789';
export const ADMIN = 'admin@example.com';
export const JWT_COOKIE = 'skew-jwt';

async function seal(password, session, { maxAge, offsetMs = 0 } = {}) {
  const event = { context: { sessions: { 'nuxt-session': session } } };
  return sealSession(event, { name: 'nuxt-session', password, maxAge, seal: { localtimeOffsetMsec: offsetMs } });
}

const session = (user, createdAt = Date.now()) => ({ id: crypto.randomUUID(), createdAt, data: { user } });

function flip(s, at) { // one character changed, still base64url
  const c = s[at];
  return s.slice(0, at) + (c === 'A' ? 'B' : 'A') + s.slice(at + 1);
}

export async function makeVectors(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const now = Date.now();
  const items = [];
  const add = (name, kind, value, granted, who) => items.push({ name, kind, value, granted, ...(who ? { who } : {}) });

  // --- sessions (h3 sealSession, as nuxt-auth-utils' setUserSession) ---
  const admin = await seal(PASSWORD, session({ email: ADMIN, name: 'Ada' }), { maxAge: 604800 });
  add('session: valid admin (email rule)', 'session', admin, true, ADMIN);
  add('session: admin by claim user.role=admin', 'session',
    await seal(PASSWORD, session({ email: 'ops@example.com', role: 'admin' })), true, 'ops@example.com');
  add('session: sealed with the rotated (older) password', 'session',
    await seal(ROTATED, session({ email: ADMIN })), true, ADMIN);
  add('session: another user (matches no rule)', 'session',
    await seal(PASSWORD, session({ email: 'bob@example.com', role: 'viewer' })), false);
  add('session: expired seal (ttl over, beyond the 60 s skew)', 'session',
    await seal(PASSWORD, session({ email: ADMIN }), { maxAge: 60, offsetMs: -3600 * 1000 }), false);
  add('session: older than --session-max-age', 'session',
    await seal(PASSWORD, session({ email: ADMIN }, now - 2 * 86400 * 1000)), false);
  const parts = admin.split('*');
  parts[4] = flip(parts[4], 5);
  add('session: tampered (one byte of the ciphertext)', 'session', parts.join('*'), false);
  const macParts = admin.split('*');
  macParts[7] = flip(macParts[7], 0);
  add('session: tampered (one byte of the mac)', 'session', macParts.join('*'), false);
  add('session: wrong password', 'session', await seal(WRONG, session({ email: ADMIN })), false);
  add('session: truncated', 'session', admin.slice(0, admin.length - 10), false);
  add('session: not a seal', 'session', 'Fe26.2**x*y*z**a*b', false);

  // --- JWTs (jose) ---
  const hs = new TextEncoder().encode(HS_SECRET);
  const claims = { email: ADMIN, sub: 'user-1' };
  const base = (c = claims) => new jose.SignJWT(c).setIssuedAt().setIssuer('https://app.example').setAudience('skew');
  add('jwt: HS256 valid', 'jwt', await base().setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(hs), true, 'user-1');
  add('jwt: HS512 valid, aud an array', 'jwt', await new jose.SignJWT(claims).setIssuer('https://app.example')
    .setAudience(['other', 'skew']).setProtectedHeader({ alg: 'HS512' }).setExpirationTime('1h').sign(hs), true, 'user-1');
  add('jwt: HS256 expired', 'jwt', await base().setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime(Math.floor(now / 1000) - 3600).sign(hs), false);
  add('jwt: HS256 not before an hour from now', 'jwt', await base().setProtectedHeader({ alg: 'HS256' })
    .setNotBefore(Math.floor(now / 1000) + 3600).setExpirationTime('2h').sign(hs), false);
  add('jwt: wrong aud', 'jwt', await new jose.SignJWT(claims).setIssuer('https://app.example').setAudience('another-app')
    .setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(hs), false);
  add('jwt: wrong iss', 'jwt', await new jose.SignJWT(claims).setIssuer('https://evil.example').setAudience('skew')
    .setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(hs), false);
  add('jwt: valid but not an admin', 'jwt', await base({ email: 'bob@example.com', sub: 'bob' })
    .setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(hs), false);
  add('jwt: alg none', 'jwt', new jose.UnsecuredJWT(claims).setIssuer('https://app.example').setAudience('skew')
    .setExpirationTime('1h').encode(), false);

  const rsa = await jose.generateKeyPair('RS256', { extractable: true });
  const ec = await jose.generateKeyPair('ES256', { extractable: true });
  const rsaJwk = { ...(await jose.exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' };
  const ecJwk = { ...(await jose.exportJWK(ec.publicKey)), kid: 'ec-1' };
  const rsaPem = await jose.exportSPKI(rsa.publicKey);
  fs.writeFileSync(path.join(dir, 'jwks.json'), JSON.stringify({ keys: [{ kty: 'oct', k: 'AAAA' }, rsaJwk, ecJwk] }));
  fs.writeFileSync(path.join(dir, 'rsa.pem'), rsaPem);
  add('jwt: RS256 valid (JWKS, kid)', 'jwt', await base({ sub: 'user-1', email: 'x@y', user: { role: 'admin' } })
    .setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).setExpirationTime('1h').sign(rsa.privateKey), true, 'user-1');
  add('jwt: ES256 valid (JWKS)', 'jwt', await base().setProtectedHeader({ alg: 'ES256', kid: 'ec-1' })
    .setExpirationTime('1h').sign(ec.privateKey), true, 'user-1');
  add('jwt: RS256 public key used as an HS256 secret', 'jwt', await base()
    .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' }).setExpirationTime('1h').sign(new TextEncoder().encode(rsaPem)), false);
  const good = await base().setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).setExpirationTime('1h').sign(rsa.privateKey);
  const [h, p, s] = good.split('.');
  add('jwt: RS256 signature of another payload', 'jwt',
    `${h}.${Buffer.from(JSON.stringify({ ...claims, email: 'x@y' })).toString('base64url')}.${s}`, false);
  add('jwt: malformed (two parts)', 'jwt', `${h}.${p}`, false);
  add('jwt: malformed (not base64url)', 'jwt', `${h}.${p}!.${s}`, false);

  fs.writeFileSync(path.join(dir, 'passwords'), `${PASSWORD}\n${ROTATED}\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'hs.secret'), `${HS_SECRET}\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'vectors.json'), JSON.stringify({ now_ms: now, items }, null, 1));
  return { now, items, dir };
}

/** The server flags the verdicts assume. */
export function personArgs(dir) {
  return [
    '--session-password-file', path.join(dir, 'passwords'),
    '--admin-email', ADMIN, '--admin-claim', 'user.role=admin', '--session-max-age', '86400',
    '--jwt-secret-file', path.join(dir, 'hs.secret'), '--jwks-file', path.join(dir, 'jwks.json'),
    '--jwt-audience', 'skew', '--jwt-issuer', 'https://app.example', '--jwt-cookie', JWT_COOKIE,
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!process.argv[2]) {
    console.error('usage: node person_vectors.mjs DIR');
    process.exit(2);
  }
  const v = await makeVectors(process.argv[2]);
  console.log(`${v.items.length} vectors in ${v.dir}`);
}
