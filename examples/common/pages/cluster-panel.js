/* cluster-panel.js - the dashboard's instances panel: one row per server instance of the
 * cluster (id, build, connections, age of its last snapshot), from the "instances" and
 * "cluster" fields of each stats message. Hidden when the server runs alone ("cluster" absent
 * or "off"). admin.js calls window.skewClusterPanel(msg) for every stats message.
 */
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);

  const cell = SkewClient.cell;

  function age(ms) {
    if (typeof ms !== 'number' || !(ms >= 0)) return '–';
    return ms < 10000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
  }

  window.skewClusterPanel = function (msg) {
    const section = $('cluster');
    if (!section) return;
    const state = msg.cluster;
    section.hidden = state === undefined || state === 'off';
    if (section.hidden) return;
    const pill = $('cluster-state');
    pill.textContent = state;
    pill.dataset.state = state;
    pill.classList.toggle('warn', state !== 'ok');
    const list = (msg.instances || []).slice().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    $('cluster-count').textContent = `(${list.length})`;
    const tb = $('cluster-instances');
    tb.replaceChildren();
    for (const inst of list) {
      const tr = document.createElement('tr');
      tr.dataset.instance = inst.id;
      const idCell = cell(tr, inst.id, 'mono');
      if (inst.self) {
        tr.classList.add('you');
        const tag = document.createElement('span');
        tag.className = 'tag';
        tag.textContent = 'this one';
        idCell.append(' ', tag);
      }
      cell(tr, inst.build !== undefined ? inst.build : inst.version, 'mono');
      cell(tr, String(inst.total), 'num');
      cell(tr, inst.self ? 'now' : age(inst.ageMs), 'num');
      tb.appendChild(tr);
    }
  };
})();
