// Loopback and waiting helpers shared by the node suites (tests/e2e/lib/harness.mjs, tests/tls/lib.mjs,
// which re-export them): plain node, no packages.
import net from 'node:net';

export const HOST = '127.0.0.1';

/** A free TCP port on HOST: the kernel picks one, the listener closes, the port is handed out. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, HOST, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Poll fn every interval ms until it returns a truthy value (a throw counts as not yet), for at
 *  most timeout ms; then throws failure(last): last is an Error for the last falsy value
 *  (`${got}got ...`) or the last throw. */
export async function pollUntil(fn, { timeout, interval, got = '', failure }) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = new Error(`${got}got ${JSON.stringify(v)}`);
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw failure(last);
    await sleep(interval);
  }
}
