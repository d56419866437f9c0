/* demo.js - the demo app page: a live connection, pushState routes, the update banner.
 *
 * The page's own build is the __nkpv cookie the server set on this HTML response (as the
 * Nuxt middleware does). A `version` message, or a `connected` that names another version,
 * means a newer build is deployed: the banner offers a reload.
 */
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const base = SkewClient.meta('skew-base', '/__skew');
  const ui = SkewClient.meta('skew-ui', '');
  let pageVersion = SkewClient.cookie('__nkpv');

  function currentRoute() {
    let p = location.pathname;
    if (ui && p.startsWith(ui)) p = p.slice(ui.length) || '/';
    return p;
  }

  function showBanner(version, force) {
    $('banner-text').textContent = force
      ? `This page is out of date (version ${version} is required). Please reload.`
      : `A new version is available (${version}).`;
    $('banner').hidden = false;
    $('banner').dataset.version = version;
    document.body.classList.add('has-banner');
  }

  function log(msg) {
    const li = document.createElement('li');
    const type = document.createElement('strong');
    type.textContent = msg.type || '?';
    const body = document.createElement('code');
    body.textContent = JSON.stringify(msg);
    li.append(type, ' ', body);
    li.dataset.type = msg.type || '';
    const list = $('log');
    list.prepend(li);
    while (list.children.length > 30) list.lastChild.remove();
  }

  function onMessage(msg) {
    log(msg);
    if (msg.type === 'connected') {
      $('conn-id').textContent = msg.connectionId;
      $('server-version').textContent = msg.version;
      if (pageVersion === null) { // no cookie (blocked?): the first build we see is ours
        pageVersion = msg.version;
        $('page-version').textContent = pageVersion;
      } else if (msg.version !== pageVersion) {
        showBanner(msg.version, false);
      }
    } else if (msg.type === 'version') {
      $('server-version').textContent = msg.version;
      if (msg.force || msg.version !== pageVersion) showBanner(msg.version, !!msg.force);
    }
  }

  function onState(state, transport) {
    const el = $('state');
    el.textContent = state;
    el.dataset.state = state;
    $('transport').textContent = state === 'open' ? transport : '–';
    if (state !== 'open') $('conn-id').textContent = '–';
  }

  const client = new SkewClient({ base, route: currentRoute(), onMessage, onState });

  function navigate(route) {
    if (typeof route !== 'string' || route[0] !== '/') return;
    if (route !== currentRoute()) history.pushState({ route }, '', ui + route);
    $('route').textContent = route;
    client.setRoute(route);
  }

  for (const a of document.querySelectorAll('a[data-route]')) {
    a.href = ui + a.dataset.route;
    a.addEventListener('click', (e) => {
      e.preventDefault();
      navigate(a.dataset.route);
    });
  }
  $('route-form').addEventListener('submit', (e) => {
    e.preventDefault();
    navigate($('route-input').value.trim());
  });
  window.addEventListener('popstate', () => {
    $('route').textContent = currentRoute();
    client.setRoute(currentRoute());
  });
  $('reload').addEventListener('click', () => location.reload());

  $('page-version').textContent = pageVersion === null ? '(no cookie)' : pageVersion;
  $('route').textContent = currentRoute();
  client.start();
  window.skewClient = client; // for the console and browser tests
})();
