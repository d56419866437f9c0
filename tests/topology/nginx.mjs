// nginx with deploy/nginx/skew.conf as shipped (only its @VARIABLES@ replaced), as a foreground
// process with its own prefix: shared by topology.test.mjs and app-admins.test.mjs.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, startProc } from '../tls/lib.mjs';

export const CONF = path.join(ROOT, 'deploy/nginx/skew.conf');

/** deploy/nginx/skew.conf with its variables replaced; every @VAR@ must be one we know. */
export function renderConf(vars) {
  let text = fs.readFileSync(CONF, 'utf8');
  for (const [k, v] of Object.entries(vars)) text = text.split(`@${k}@`).join(v);
  const left = text.replace(/^\s*#.*$/gm, '').match(/@[A-Z_]+@/g);
  if (left) throw new Error(`unreplaced variables in ${CONF}: ${left.join(' ')}`);
  return text;
}

/** nginx as a foreground process with its own prefix, temp dirs, pid and logs. */
export function startNginx(bin, dir, vars) {
  for (const d of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi', 'logs']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.writeFileSync(path.join(dir, 'skew.conf'), renderConf(vars));
  const user = process.getuid && process.getuid() === 0 ? 'user root;\n' : '';
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `${user}daemon off;
worker_processes 1;
worker_shutdown_timeout 3s;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log notice;
events { worker_connections 512; }
http {
    access_log ${dir}/logs/access.log;
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    include ${dir}/skew.conf;
}
`);
  const args = ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'logs/error.log')];
  execFileSync(bin, [...args, '-t'], { stdio: 'pipe' }); // the rendered config is valid
  const p = startProc(bin, args);
  p.reload = () => execFileSync(bin, [...args, '-s', 'reload'], { stdio: 'pipe' });
  p.errorLog = () => fs.readFileSync(path.join(dir, 'logs/error.log'), 'utf8');
  return p;
}
