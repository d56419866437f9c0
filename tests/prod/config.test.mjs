// --config FILE (issue 19 item 8): "name = value" lines through the same option groups as the
// command line (every module's flags), command-line flags override the file, comments and
// blanks, and every error names FILE:LINE: unknown name, bad value, bad switch value, a line
// without '=', an over-long line; a missing file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { servers, kind, start, tmpdir, request, freePort, TOKEN } from './lib.mjs';

function conf(dir, name, text) {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}
/** Run the server expecting it to refuse to start: {status, stderr}. */
function refuses(bin, args) {
  const r = spawnSync(bin, ['--host', '127.0.0.1', '--port', '0', ...args], { timeout: 10000, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

for (const bin of servers()) {
  test(`${kind(bin)}: --config: every module's flags from the file, the command line overrides`, { timeout: 30000 },
    async () => {
      const dir = tmpdir('conf');
      const file = conf(dir, 'skew.conf', [
        '# a comment',
        '   # an indented comment',
        '',
        'build-id = from-file',
        '\tmax-connections\t=\t 1 \r',
        'route-tracking = true',
        'ip-tracking = false',
        'log-format = json',
        'drain-ms = 0',
        'instance-id = "cfg-7"',
        'timeline-samples=0',
        'verbose = yes',
      ].join('\n'));
      let srv = await start(bin, ['--config', file]);
      try {
        assert.equal((await srv.health()).json.version, 'from-file');
        await srv.ws({ route: '/a' });
        const second = await request(srv, 'GET', '/__skew/sse');
        assert.equal(second.status, 503, 'max-connections = 1 from the file');
        const st = (await srv.adminStats()).json;
        assert.deepEqual(Object.keys(st.routes || {}), ['/a'], 'route-tracking = true');
        assert.match(srv.output(), /\{"time":"[^"]+","level":"info","instance":"cfg-7"/, 'log-format, instance-id');
      } finally {
        await srv.stop();
      }
      srv = await start(bin, [`--config=${file}`, '--build-id', 'from-argv', '--max-connections', '5']);
      try {
        assert.equal((await srv.health()).json.version, 'from-argv', 'the command line wins');
        await srv.ws();
        await srv.ws();
        assert.equal(await srv.total(), 2, 'max-connections from argv');
      } finally {
        await srv.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
}

test('--config errors name the file and the line, and the server does not start', { timeout: 30000 }, () => {
  const bin = servers()[0];
  const dir = tmpdir('conferr');
  try {
    const cases = [
      ['unknown', 'port = 0\n# fine\nnope = 1\n', /unknown\.conf:3: unknown name 'nope'/],
      ['badvalue', '\nport = 99999\n', /badvalue\.conf:2: bad value for port: '99999' \(0\.\.65535\)/],
      ['badswitch', 'route-tracking = maybe\n', /badswitch\.conf:1: bad value for route-tracking: 'maybe' \(true or false\)/],
      ['noeq', 'host 127.0.0.1\n', /noeq\.conf:1: expected 'name = value'/],
      ['dashes', '--port = 1\n', /dashes\.conf:1: bad name/],
      ['nested', 'config = /etc/passwd\n', /nested\.conf:1: unknown name 'config'/],
      ['long', `# ok\nbuild-id = ${'x'.repeat(5000)}\n`, /long\.conf:2: line longer than 4096 bytes/],
      ['nul', 'port = 0\u0000\n', /a NUL byte/],
    ];
    for (const [name, text, want] of cases) {
      const r = refuses(bin, ['--config', conf(dir, `${name}.conf`, text)]);
      assert.equal(r.status, 2, `${name}: exit 2 (${r.stderr})`);
      assert.match(r.stderr, want, name);
    }
    const missing = refuses(bin, ['--config', path.join(dir, 'missing.conf')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--config .*missing\.conf: No such file or directory/);
    const isdir = refuses(bin, ['--config', dir]);
    assert.equal(isdir.status, 2);
    assert.match(isdir.stderr, /not a regular file/);
    const help = spawnSync(bin, ['--config', path.join(dir, 'missing.conf'), '--help'], { encoding: 'utf8', timeout: 10000 });
    assert.equal(help.status, 0, '--help needs no file');
    assert.match(help.stdout, /--config FILE/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a secret in the config file, not in argv: the admin token works and is nowhere in /proc/PID/cmdline',
  { timeout: 20000 }, async () => {
    const dir = tmpdir('secret');
    const file = conf(dir, 'skew.conf', `admin-token = ${TOKEN}\n`);
    fs.chmodSync(file, 0o600);
    const port = await freePort();
    const p = spawn(servers()[0], ['--config', file, '--host', '127.0.0.1', '--port', String(port), '--drain-ms', '0'],
      { stdio: 'ignore' });
    try {
      const fake = { port, path: (x) => `/__skew${x}` };
      let st = 0;
      for (let i = 0; i < 100 && st !== 200; i++) {
        await new Promise((r) => setTimeout(r, 50));
        st = (await request(fake, 'GET', '/__skew/admin/stats', { headers: { authorization: `Bearer ${TOKEN}` } })
          .catch(() => ({ status: 0 }))).status;
      }
      assert.equal(st, 200, 'the token from the file is the admin token');
      assert.ok(!fs.readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes(TOKEN), 'not in argv');
    } finally {
      p.kill('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
