// /metrics counts what the defences did (issue 17, item 17): five counters in Prometheus text
// after the tracker's own series, the same on both servers (examples/common/skew_defence.c).
// What bumps them is tested where each defence is (slow-requests-mongoose, framing-mongoose, ...).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withServer, request, TOKEN } from './lib/harness.mjs';

const NAMES = [
  'skew_defence_cross_origin_refused_total',
  'skew_defence_per_ip_refused_total',
  'skew_defence_slow_requests_reaped_total',
  'skew_defence_framing_refused_total',
  'skew_defence_relay_unavailable_total',
];

test('/metrics: the defence counters, each with HELP and TYPE counter, after the tracker\'s series', { timeout: 20000 }, () =>
  withServer({}, async (srv) => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const r = await request(srv, 'GET', srv.path('/metrics'), { headers: auth });
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/plain/);
    assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.text), 'Content-Length covers the counters');
    assert.ok(r.text.endsWith('\n'));
    const lines = r.text.split('\n');
    const firstDefence = lines.findIndex((l) => l.includes('skew_defence_'));
    assert.ok(firstDefence > 0, 'the tracker\'s series come first');
    assert.ok(!lines.slice(firstDefence).some((l) => /^skew_(?!defence_)/.test(l)), 'the defence lines come last');
    for (const n of NAMES) {
      assert.match(r.text, new RegExp(`^# HELP ${n} \\S.*$`, 'm'), `${n}: HELP`);
      assert.match(r.text, new RegExp(`^# TYPE ${n} counter$`, 'm'), `${n}: TYPE`);
      assert.match(r.text, new RegExp(`^${n} 0$`, 'm'), `${n}: 0 on a fresh server`);
    }
    // every sample line is "name value" (the text format a Prometheus scrape parses)
    for (const l of lines) if (l && !l.startsWith('#')) assert.match(l, /^[a-z_:][a-z0-9_:]*(\{[^}]*\})? -?[0-9.e+-]+$/i, l);
    // HEAD gives the same length; no counters without authorization
    const h = await request(srv, 'HEAD', srv.path('/metrics'), { headers: auth });
    assert.equal(h.status, 200);
    assert.equal(Number(h.headers['content-length']), Buffer.byteLength(r.text));
    const no = await request(srv, 'GET', srv.path('/metrics'));
    assert.equal(no.status, 401);
    assert.ok(!no.text.includes('skew_defence_'));
  }));
