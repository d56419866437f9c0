/* admin.js - the live dashboard: totals, rollout progress, versions, routes, connections.
 *
 * It is itself a connection (route /admin) that subscribes to stats. The server authorizes the
 * subscription with the admin token, which browsers can only send on a WebSocket handshake or
 * an EventSource as a cookie: the token form stores it as cookie skew_admin and reconnects.
 */
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const base = SkewClient.meta('skew-base', '/__skew');
  let serverVersion = null;
  let last = null; // the last stats message

  function text(id, value) { $(id).textContent = value; }

  function cell(tr, value, cls) {
    const td = document.createElement('td');
    td.textContent = value;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  function sortedEntries(map) {
    return Object.entries(map || {}).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  }

  function render() {
    if (!last) return;
    const total = last.total;
    const current = serverVersion !== null && last.versions ? (last.versions[serverVersion] || 0) : 0;
    const percent = total ? Math.round((current / total) * 100) : 100;
    text('total', String(total));
    text('current', String(current));
    text('outdated', String(total - current));
    text('progress', `${percent}%`);
    $('progress-bar').style.width = `${percent}%`;
    $('progress-track').setAttribute('aria-valuenow', String(percent));
    text('your-id', last.yourId || '–');
    text('updated', new Date().toLocaleTimeString());

    const vb = $('versions-body');
    vb.replaceChildren();
    for (const [version, count] of sortedEntries(last.versions)) {
      const tr = document.createElement('tr');
      tr.dataset.version = version;
      const td = cell(tr, version);
      if (version === serverVersion) {
        const tag = document.createElement('span');
        tag.className = 'tag';
        tag.textContent = 'latest';
        td.append(' ', tag);
        tr.classList.add('latest');
      }
      cell(tr, String(count), 'num');
      cell(tr, total ? `${Math.round((count / total) * 100)}%` : '–', 'num');
      vb.appendChild(tr);
    }

    const hasRoutes = last.routes !== undefined;
    $('routes').hidden = !hasRoutes;
    $('routes-off').hidden = hasRoutes;
    const rb = $('routes-body');
    rb.replaceChildren();
    for (const [route, count] of sortedEntries(last.routes)) {
      const tr = document.createElement('tr');
      tr.dataset.route = route;
      cell(tr, route, 'mono');
      cell(tr, String(count), 'num');
      rb.appendChild(tr);
    }

    const list = last.connections || [];
    const hasIp = list.some((c) => c.ip !== undefined);
    $('connections').classList.toggle('no-ip', !hasIp);
    $('connections').classList.toggle('no-route', !hasRoutes);
    const cb = $('connections-body');
    cb.replaceChildren();
    for (const c of list) {
      const tr = document.createElement('tr');
      tr.dataset.id = c.id;
      tr.dataset.testid = 'connection';
      const idCell = cell(tr, c.id, 'mono');
      if (c.id === last.yourId) {
        tr.classList.add('you');
        const tag = document.createElement('span');
        tag.className = 'tag';
        tag.textContent = 'you';
        idCell.append(' ', tag);
      }
      cell(tr, c.version, c.version === serverVersion ? 'good' : 'warn');
      cell(tr, c.route !== undefined ? c.route : '', 'mono col-route');
      cell(tr, c.ip !== undefined ? c.ip : '', 'mono col-ip');
      cb.appendChild(tr);
    }
    text('conn-count', list.length < total ? `(showing ${list.length} of ${total})` : `(${total})`);
  }

  function setAuth(state, hint) {
    const el = $('auth-state');
    el.textContent = state;
    el.dataset.state = state;
    text('auth-hint', hint || '');
  }

  function onMessage(msg) {
    switch (msg.type) {
      case 'connected':
        serverVersion = msg.version;
        text('server-version', serverVersion);
        break;
      case 'version':
        serverVersion = msg.version;
        text('server-version', serverVersion);
        render();
        break;
      case 'stats':
        last = msg;
        setAuth('authorized');
        render();
        if (window.skewClusterPanel) window.skewClusterPanel(msg); // cluster-panel.js
        break;
      case 'stats-unauthorized':
        setAuth('not authorized', SkewClient.cookie('skew_admin') === null
          ? 'Enter the admin token the server was started with (--admin-token).'
          : 'The saved token was refused.');
        break;
      default:
        break;
    }
  }

  function onState(state, transport) {
    const el = $('state');
    el.textContent = state;
    el.dataset.state = state;
    text('transport', state === 'open' ? `via ${transport}` : '');
  }

  const client = new SkewClient({ base, route: '/admin', onMessage, onState });

  function token() { return SkewClient.cookie('skew_admin'); }

  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const t = $('token').value.trim();
    if (!t) return;
    if (!/^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]+$/.test(t)) {
      setAuth('not authorized', 'This token has characters a cookie cannot carry.');
      return;
    }
    document.cookie = `skew_admin=${t}; Path=/; SameSite=Strict`;
    $('token').value = '';
    setAuth('pending');
    client.restart();
  });

  $('token-clear').addEventListener('click', () => {
    document.cookie = 'skew_admin=; Path=/; SameSite=Strict; Max-Age=0';
    last = null;
    setAuth('pending');
    client.restart();
  });

  async function adminPost(path, body) {
    const headers = { 'content-type': 'application/json' };
    const t = token();
    if (t) headers.authorization = `Bearer ${t}`;
    const out = $('admin-result');
    try {
      const res = await fetch(base + path, { method: 'POST', credentials: 'same-origin', headers, body: JSON.stringify(body) });
      const reply = await res.text();
      out.textContent = `${path}: ${res.status} ${reply}`;
      out.dataset.status = String(res.status);
    } catch (err) {
      out.textContent = `${path}: ${err.message}`;
      out.dataset.status = 'error';
    }
  }

  $('version-form').addEventListener('submit', (e) => {
    e.preventDefault();
    adminPost('/admin/version', { version: $('version-input').value.trim() });
  });

  $('invalidate-form').addEventListener('submit', (e) => {
    e.preventDefault();
    adminPost('/admin/invalidate', { route: $('invalidate-input').value.trim() });
  });

  client.subscribeStats(); // sent on every (re)connect
  client.start();
  window.skewClient = client; // for the console and browser tests
})();
