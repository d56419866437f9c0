// Issue 20 item 6: the least-privilege Redis ACL user of the README runs a whole cluster: only
// the cluster's keys (~skew:{NAME}:*) and channels (&skew:{NAME}:*), only the commands the link
// sends (no admin command, no KEYS, no CONFIG, no FLUSH*). The default user is switched off so
// nothing can fall back to it; ACL LOG must stay empty: no command was ever refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { withCluster, startInstance, clusterShows, request, sleep, eventually, respCommand, P } from './lib.mjs';

// The README's user, for cluster NAME (keep the two in step)
export const aclRules = (name, password) => ['on', `>${password}`, 'resetkeys', `~skew:{${name}}:*`, 'resetchannels',
  `&skew:{${name}}:*`, '-@all', '+auth', '+hello', '+ping', '+select', '+get', '+set', '+getrange', '+hget', '+hset',
  '+incr', '+del', '+pttl', '+zadd', '+zrem', '+zrangebyscore', '+zremrangebyscore', '+eval', '+publish', '+subscribe'];

test('the cluster runs under the least-privilege ACL user: nothing refused, nothing else allowed', { timeout: 90000 }, () =>
  withCluster({ password: 'admin-pass' }, async (redis, list, kinds) => {
    const admin = (...args) => respCommand(redis.port, args, 'admin-pass');
    // an admin user for the test itself, then the servers' user; the default user goes off
    await admin('ACL', 'SETUSER', 'root', 'on', '>root-pass', '~*', '&*', '+@all');
    await admin('ACL', 'SETUSER', 'skew-shop', ...aclRules('shop', 'shop-pass'));
    const asRoot = async (...args) => {
      // AUTH root then the command, on one connection
      const net = await import('node:net');
      return new Promise((resolve, reject) => {
        const sk = net.connect(redis.port, '127.0.0.1');
        const enc = (a) => `*${a.length}\r\n${a.map((x) => `$${Buffer.byteLength(String(x))}\r\n${x}\r\n`).join('')}`;
        let buf = '';
        sk.on('data', (d) => {
          buf += d;
          const i = buf.indexOf('\r\n');
          if (i >= 0 && buf.startsWith('+OK\r\n') && buf.length > 5) { sk.destroy(); resolve(buf.slice(5)); }
        });
        sk.on('error', reject);
        sk.write(enc(['AUTH', 'root', 'root-pass']) + enc(args));
      });
    };
    await admin('ACL', 'SETUSER', 'default', 'off');
    await admin('ACL', 'LOG', 'RESET').catch(() => {}); // the default user is off now: may be refused
    await asRoot('ACL', 'LOG', 'RESET');

    const url = `redis://skew-shop@127.0.0.1:${redis.port}`;
    const env = { SKEW_REDIS_PASSWORD: 'shop-pass' };
    for (let i = 0; i < 2; i++) list.push(await startInstance(kinds[i], url, { id: `acl${i}`, cluster: 'shop', env }));
    const [a, b] = list;
    const sse = await a.sse({ route: '/start' });
    await b.ws({ route: '/w' });
    await clusterShows(list, 2, 2);
    // build registration and an admin push (EVAL with HGET/HSET/INCR/SET/PUBLISH inside)
    const push = await b.admin('/admin/version', { version: 'v5' });
    assert.equal(push.status, 200, push.text);
    await eventually(async () => (await a.health()).json?.version === 'v5', { timeout: 3000, what: 'v5 on a' });
    // a relayed POST (PUBLISH on the instance channels)
    const r = await request(b, 'POST', b.path('/route'), { headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ connectionId: sse.id, route: '/moved' }) });
    assert.equal(r.status, 200, r.text);
    const u = await request(b, 'POST', b.path('/route'), { headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ connectionId: crypto.randomUUID(), route: '/x' }) });
    assert.equal(u.status, 404, u.text);
    // a clean stop (the leave script: GET, DEL, ZREM; PUBLISH)
    await a.terminate();
    await eventually(async () => (await asRoot('EXISTS', 'skew:{shop}:snap:acl0')).startsWith(':0'),
      { timeout: 3000, what: 'a\'s keys deleted' });
    await clusterShows([b], 1, 1);
    await sleep(3 * P);
    const log = await asRoot('ACL', 'LOG');
    assert.equal(log.trim(), '*0', `no command refused to the servers' user:\n${log.slice(0, 2000)}`);
    // and the user can do nothing else
    for (const cmd of [['CONFIG', 'GET', 'maxmemory'], ['KEYS', '*'], ['FLUSHALL'], ['GET', 'other:key'], ['DEBUG', 'SLEEP', '0']]) {
      const out = await new Promise((resolve) => {
        import('node:net').then((net) => {
          const sk = net.connect(redis.port, '127.0.0.1');
          const enc = (x) => `*${x.length}\r\n${x.map((y) => `$${Buffer.byteLength(String(y))}\r\n${y}\r\n`).join('')}`;
          let buf = '';
          sk.on('data', (d) => { buf += d; if (buf.split('\r\n').length >= 3) { sk.destroy(); resolve(buf); } });
          sk.write(enc(['AUTH', 'skew-shop', 'shop-pass']) + enc(cmd));
        });
      });
      assert.match(out, /^\+OK\r\n-NOPERM/, `${cmd.join(' ')} refused to the servers' user: ${out}`);
    }
  }));
