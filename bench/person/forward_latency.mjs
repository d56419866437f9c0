// Forward-auth latency (not a test): time from a WebSocket's subscribe-stats to its `stats`,
// with --auth-url asking a local app (node http on loopback, answers at once) for each new
// cookie (no cache hit), against the same with the admin token (no forward request).
// Prints p50/p99 in ms. Run: make bench-forward (needs tests/e2e/node_modules).
import http from 'node:http';
import { startServer, HOST, TOKEN } from '../../tests/e2e/lib/harness.mjs';

const N = Number(process.env.N || 200);

async function measure(srv, headersFor) {
  const ms = [];
  for (let i = 0; i < N; i++) {
    const c = await srv.ws({ headers: headersFor(i) });
    const t0 = process.hrtime.bigint();
    c.send({ type: 'subscribe-stats' });
    const m = await c.inbox.next((x) => x.type === 'stats' || x.type === 'stats-unauthorized', 5000);
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (m.type !== 'stats') throw new Error(`not authorized: ${JSON.stringify(m)}`);
    await c.close();
  }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(N * 0.5)], p99: ms[Math.min(N - 1, Math.floor(N * 0.99))] };
}

const app = http.createServer((req, res) => { res.writeHead(/app-session=u\d+/.test(req.headers.cookie || '') ? 204 : 401); res.end(); });
await new Promise((r) => app.listen(0, HOST, r));
const url = `http://${HOST}:${app.address().port}/auth`;
const srv = await startServer({ adminToken: TOKEN, extraArgs: ['--auth-url', url] });
try {
  const base = await measure(srv, () => ({ authorization: `Bearer ${TOKEN}` }));
  const fwd = await measure(srv, (i) => ({ cookie: `app-session=u${i}` }));
  const f = (x) => x.toFixed(2).padStart(7);
  console.log(`subscribe-stats -> stats over WebSocket, ${N} connections each (${process.env.SKEW_SERVER || 'build/skew_server_lws'}):`);
  console.log(`  admin token (no forward request)     p50 ${f(base.p50)} ms   p99 ${f(base.p99)} ms`);
  console.log(`  --auth-url, a new cookie each time   p50 ${f(fwd.p50)} ms   p99 ${f(fwd.p99)} ms`);
} finally {
  await srv.stop();
  app.close();
}
