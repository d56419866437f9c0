/* skew-client.js - one live connection to a skew server (PROTOCOL.md at the top of the repository).
 *
 * WebSocket first. When a WebSocket cannot be opened at all, the client falls back to an
 * EventSource (SSE) and sends route changes and stats subscriptions as POSTs to
 * {base}/route and {base}/subscribe-stats. Lost connections are retried with backoff.
 *
 *   const c = new SkewClient({ base: '/__skew', route: '/', onMessage(msg) {}, onState(state, transport) {} });
 *   c.start(); c.setRoute('/products'); c.subscribeStats(); c.restart(); c.stop();
 *
 * States: 'connecting', 'open', 'reconnecting', 'closed'. Transports: 'websocket', 'sse'.
 */
'use strict';

(function (global) {
  function meta(name, fallback) {
    const el = document.querySelector(`meta[name="${name}"]`);
    return el ? el.getAttribute('content') : fallback;
  }

  function cookie(name) {
    for (const part of document.cookie.split(';')) {
      const i = part.indexOf('=');
      if (i < 0) continue;
      if (part.slice(0, i).trim() !== name) continue;
      const raw = part.slice(i + 1).trim().replace(/^"(.*)"$/, '$1');
      try { return decodeURIComponent(raw); } catch (e) { return raw; }
    }
    return null;
  }

  class SkewClient {
    constructor(opts) {
      this.base = opts.base;
      this.route = opts.route || '/';
      this.onMessage = opts.onMessage || function () {};
      this.onState = opts.onState || function () {};
      this.state = 'closed';
      this.transport = null;
      this.id = null;
      this.wantStats = false;
      this.wsFailed = false;     // a WebSocket never opened: use SSE until SSE fails too
      this.ws = null;
      this.es = null;
      this.urlRoute = null;      // the route in the current SSE URL (EventSource reuses it)
      this.retry = 0;
      this.timer = null;
      this.stopped = true;
    }

    start() {
      this.stopped = false;
      this.connect();
    }

    stop() {
      this.stopped = true;
      clearTimeout(this.timer);
      this.teardown();
      this.setState('closed');
    }

    /* Reconnect now, e.g. after the admin token cookie changed (the WebSocket handshake
       carries the cookies the server authorizes with). */
    restart() {
      clearTimeout(this.timer);
      this.teardown();
      this.retry = 0;
      this.wsFailed = false;
      this.stopped = false;
      this.connect();
    }

    setRoute(route) {
      this.route = route;
      if (this.ws && this.ws.readyState === WebSocket.OPEN) {
        this.ws.send(JSON.stringify({ type: 'route-update', route }));
      } else if (this.es && this.id) {
        this.post('/route', { connectionId: this.id, route });
      }
    }

    subscribeStats() {
      this.wantStats = true;
      if (this.ws && this.ws.readyState === WebSocket.OPEN) {
        this.ws.send(JSON.stringify({ type: 'subscribe-stats' }));
      } else if (this.es && this.id) {
        this.post('/subscribe-stats', { connectionId: this.id });
      }
    }

    /* --- internals --- */

    setState(state) {
      this.state = state;
      this.onState(state, this.transport);
    }

    url(kind, route) {
      const path = `${this.base}/${kind}?route=${encodeURIComponent(route)}`;
      if (kind === 'sse') return path;
      return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${path}`;
    }

    connect() {
      if (this.stopped) return;
      this.id = null;
      this.setState(this.retry ? 'reconnecting' : 'connecting');
      if (!this.wsFailed && 'WebSocket' in global) this.connectWs();
      else this.connectSse();
    }

    connectWs() {
      let opened = false;
      let ws;
      try {
        ws = new WebSocket(this.url('ws', this.route));
      } catch (e) { // blocked or unsupported: SSE it is
        this.wsFailed = true;
        this.connectSse();
        return;
      }
      this.ws = ws;
      ws.onopen = () => {
        opened = true;
        this.transport = 'websocket';
        this.retry = 0;
        this.setState('open');
        if (this.wantStats) ws.send(JSON.stringify({ type: 'subscribe-stats' }));
      };
      ws.onmessage = (e) => this.message(typeof e.data === 'string' ? e.data : '');
      ws.onclose = () => {
        if (this.ws !== ws) return;
        this.ws = null;
        if (!opened) this.wsFailed = true; // refused or unsupported: try SSE next
        this.lost();
      };
    }

    connectSse() {
      const es = new EventSource(this.url('sse', this.route));
      this.es = es;
      this.urlRoute = this.route;
      es.onopen = () => {
        this.transport = 'sse';
        this.retry = 0;
        this.setState('open');
      };
      es.onmessage = (e) => this.message(e.data);
      es.onerror = () => {
        if (this.es !== es) return;
        if (es.readyState === EventSource.CLOSED) { // refused (204, 503, ...): start over
          this.es = null;
          this.wsFailed = false;
          this.lost();
        } else {
          this.id = null;
          this.setState('reconnecting'); // EventSource retries by itself
        }
      };
    }

    message(text) {
      let msg;
      try { msg = JSON.parse(text); } catch (e) { return; }
      if (!msg || typeof msg !== 'object') return;
      if (msg.type === 'connected') {
        this.id = msg.connectionId;
        if (this.es) {
          // EventSource reconnects with its original URL: bring the server up to date
          if (this.route !== this.urlRoute) this.post('/route', { connectionId: this.id, route: this.route });
          if (this.wantStats) this.post('/subscribe-stats', { connectionId: this.id });
        }
      }
      this.onMessage(msg);
    }

    lost() {
      this.teardown();
      if (this.stopped) return;
      this.setState('reconnecting');
      const delay = Math.min(10000, 500 * 2 ** Math.min(this.retry, 5)) + Math.floor(Math.random() * 250);
      this.retry++;
      this.timer = setTimeout(() => this.connect(), delay);
    }

    teardown() {
      const ws = this.ws, es = this.es;
      this.ws = null;
      this.es = null;
      this.id = null;
      if (ws) { ws.onclose = null; ws.onmessage = null; ws.close(1000); }
      if (es) es.close();
    }

    post(path, body, headers) {
      return fetch(this.base + path, {
        method: 'POST',
        credentials: 'same-origin',
        headers: Object.assign({ 'content-type': 'application/json' }, headers || {}),
        body: JSON.stringify(body),
      }).catch(() => null);
    }
  }

  // A table cell holding value as text (never HTML), appended to tr: the dashboard's tables.
  function cell(tr, value, cls) {
    const td = document.createElement('td');
    td.textContent = value;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  SkewClient.meta = meta;
  SkewClient.cookie = cookie;
  SkewClient.cell = cell;
  global.SkewClient = SkewClient;
})(window);
