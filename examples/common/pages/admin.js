/* admin.js - the live dashboard: totals, rollout progress, rollout timeline, versions, routes,
 * connections.
 *
 * It is itself a connection (route /admin) that subscribes to stats. The token is never kept
 * here: the form (or a first-run #token= link) posts it once to {base}/admin/login, which sets
 * an HttpOnly session cookie (scripts cannot read it) that the WebSocket handshake, the
 * EventSource and the admin requests carry; "Log out" ends the session on the server.
 */
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const base = SkewClient.meta('skew-base', '/__skew');
  let serverVersion = null;
  let last = null; // the last stats message

  function text(id, value) { $(id).textContent = value; }

  const cell = SkewClient.cell;

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

  // ---- rollout timeline: GET {base}/admin/stats every sample period, drawn as inline SVG ----
  // (the stats pushes stay lean: the history is only in admin/stats, see skew_tracker.h >>timeline)
  const SVGNS = 'http://www.w3.org/2000/svg';
  const PALETTE = ['#2f6fde', '#c2410c', '#15803d', '#7c3aed', '#b91c1c', '#0e7490', '#a16207', '#be185d'];
  const OTHER_COLOR = '#9ca3af';
  const timeline = { running: false, timer: null, colors: new Map(), last: null };

  function svg(name, attrs, parent) {
    const node = document.createElementNS(SVGNS, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (parent) parent.appendChild(node);
    return node;
  }

  // A colour per version that stays while the version is on the chart.
  function seriesColor(name, live) {
    if (name === '(other)') return OTHER_COLOR;
    for (const k of [...timeline.colors.keys()]) if (!live.includes(k)) timeline.colors.delete(k);
    if (!timeline.colors.has(name)) {
      const used = new Set(timeline.colors.values());
      timeline.colors.set(name, PALETTE.find((c) => !used.has(c)) || PALETTE[timeline.colors.size % PALETTE.length]);
    }
    return timeline.colors.get(name);
  }

  function niceMax(v) {
    if (v <= 1) return 1;
    const p = 10 ** Math.floor(Math.log10(v));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
    return 10 * p;
  }

  function duration(ms) {
    if (ms >= 3600000 && ms % 3600000 === 0) return `${ms / 3600000} h`;
    if (ms >= 60000) return `${Math.round(ms / 60000)} min`;
    if (ms >= 1000) return `${Math.round(ms / 100) / 10} s`;
    return `${ms} ms`;
  }

  function clock(t, withSeconds) {
    return new Date(t).toLocaleTimeString([], withSeconds
      ? { hour: '2-digit', minute: '2-digit', second: '2-digit' } : { hour: '2-digit', minute: '2-digit' });
  }

  function drawTimeline(tl) {
    const W = 800, H = 240, L = 48, R = 14, T = 12, B = 34;
    const samples = tl.samples || [];
    const names = tl.series || [];
    const span = tl.periodMs * Math.max(tl.capacity - 1, 1);
    const end = samples.length ? samples[samples.length - 1][0] : Date.now();
    const start = end - span;
    let max = 0;
    for (const s of samples) for (let i = 1; i < s.length; i++) max = Math.max(max, s[i]);
    const top = niceMax(max);
    const x = (t) => L + Math.max(0, (t - start) / span) * (W - L - R);
    const y = (v) => T + (1 - v / top) * (H - T - B);
    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'Connections per version over time' });
    // grid and y axis labels
    for (const v of top >= 2 ? [0, top / 2, top] : [0, top]) {
      svg('line', { class: 'grid', x1: L, x2: W - R, y1: y(v), y2: y(v) }, root);
      svg('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end' }, root).textContent = String(v);
    }
    svg('text', { x: 12, y: T + (H - T - B) / 2, 'text-anchor': 'middle', transform: `rotate(-90 12 ${T + (H - T - B) / 2})` }, root)
      .textContent = 'connections';
    // x axis: five times across the window
    svg('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B }, root);
    svg('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - B }, root);
    for (let i = 0; i <= 4; i++) {
      const t = start + (span * i) / 4;
      svg('line', { class: 'axis', x1: x(t), x2: x(t), y1: H - B, y2: H - B + 4 }, root);
      svg('text', { x: x(t), y: H - B + 16, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle' }, root)
        .textContent = clock(t, span < 600000);
    }
    svg('text', { x: (L + W - R) / 2, y: H - 2, 'text-anchor': 'middle' }, root).textContent = 'time';
    // one line per series, a dot on its latest value
    const legend = $('timeline-legend');
    legend.replaceChildren();
    names.forEach((name, j) => {
      const color = seriesColor(name, names);
      const g = svg('g', { 'data-series': name }, root);
      if (samples.length) {
        svg('polyline', { class: 'series', stroke: color,
          points: samples.map((s) => `${x(s[0]).toFixed(1)},${y(s[j + 1]).toFixed(1)}`).join(' ') }, g);
        const lastS = samples[samples.length - 1];
        svg('circle', { cx: x(lastS[0]), cy: y(lastS[j + 1]), r: 3, fill: color }, g);
      }
      const li = document.createElement('li');
      li.dataset.series = name;
      if (name === serverVersion) li.classList.add('latest');
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = color;
      const now = samples.length ? samples[samples.length - 1][j + 1] : 0;
      li.append(sw, `${name} `);
      const n = document.createElement('span');
      n.className = 'muted';
      n.textContent = `(${now})`;
      li.append(n);
      legend.appendChild(li);
    });
    if (!samples.length) {
      svg('text', { x: (L + W - R) / 2, y: T + (H - T - B) / 2, 'text-anchor': 'middle' }, root).textContent = 'no samples yet';
    }
    $('timeline').replaceChildren(root);
    $('timeline').dataset.samples = String(samples.length);
    text('timeline-range', `(last ${duration(span)}, one sample every ${duration(tl.periodMs)})`);
    $('timeline-off').hidden = true;
    timeline.last = tl;
  }

  function timelineOff(why) {
    $('timeline').replaceChildren();
    $('timeline-legend').replaceChildren();
    text('timeline-range', '');
    $('timeline-off').textContent = why;
    $('timeline-off').hidden = false;
  }

  // One poll; returns the delay to the next one.
  async function timelineFetch() {
    try {
      const res = await fetch(`${base}/admin/stats`, { credentials: 'same-origin', cache: 'no-store' });
      if (!res.ok) {
        timelineOff(`The timeline needs a login (admin/stats answered ${res.status}).`);
        return 10000;
      }
      const st = await res.json();
      if (!st.timeline) {
        timelineOff('This server keeps no timeline (start it with --timeline-samples N).');
        return 30000;
      }
      drawTimeline(st.timeline);
      return Math.min(10000, Math.max(250, st.timeline.periodMs));
    } catch (err) {
      timelineOff(`Timeline: ${err.message}`);
      return 10000;
    }
  }

  function timelineStart() {
    if (timeline.running) return;
    timeline.running = true;
    const loop = async () => {
      const next = await timelineFetch();
      if (timeline.running) timeline.timer = setTimeout(loop, next);
    };
    loop();
  }

  function timelineStop() {
    timeline.running = false;
    clearTimeout(timeline.timer);
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
        timelineStart();
        render();
        if (window.skewClusterPanel) window.skewClusterPanel(msg); // cluster-panel.js
        break;
      case 'stats-unauthorized':
        timelineStop();
        setAuth('not authorized', loggedIn
          ? 'The session ended (logout, expiry or a token rotation): log in again.'
          : 'Log in with the admin or stats token the server was started with.');
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
  let loggedIn = false;

  // The token goes to the server once; what comes back is an HttpOnly session cookie.
  async function login(t) {
    try {
      const res = await fetch(`${base}/admin/login`, {
        method: 'POST', credentials: 'same-origin', cache: 'no-store',
        headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: t }),
      });
      loggedIn = res.ok;
      if (!res.ok) setAuth('not authorized', res.status === 401 ? 'The token was refused.' : `Login answered ${res.status}.`);
      return res.ok;
    } catch (err) {
      setAuth('not authorized', `Login: ${err.message}`);
      return false;
    }
  }

  $('token-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const t = $('token').value.trim();
    $('token').value = '';
    if (!t) return;
    setAuth('pending');
    if (await login(t)) client.restart();
  });

  $('token-clear').addEventListener('click', async () => {
    try {
      await fetch(`${base}/admin/logout`, { method: 'POST', credentials: 'same-origin', cache: 'no-store' });
    } catch { /* the server is away: the session ends with its expiry */ }
    document.cookie = 'skew_admin=; Path=/; SameSite=Strict; Max-Age=0'; // an old dashboard's cookie
    loggedIn = false;
    last = null;
    timelineStop();
    setAuth('pending');
    client.restart();
  });

  async function adminPost(path, body) {
    const headers = { 'content-type': 'application/json' };
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
  window.skewClient = client; // for the console and browser tests

  // A first-run link (server start-up line) carries the token in the fragment, which never
  // reaches a server: it leaves the address bar and history at once, is exchanged for a
  // session, and is kept nowhere.
  const fromLink = /(?:^#|&)token=([\x21-\x7e]+)/.exec(location.hash);
  if (fromLink) {
    history.replaceState(null, '', location.pathname + location.search);
    let t = fromLink[1];
    try { t = decodeURIComponent(t); } catch { /* not percent-encoded: as it is */ }
    login(t).finally(() => client.start());
  } else {
    client.start();
  }
})();
