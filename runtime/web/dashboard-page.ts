// The dashboard add-on's page (actors/addons/dashboard serves it). Its script runs in the user's
// browser, never in an actor, so it lives outside actors/: one self-contained HTML document (no
// build step). Live cluster state arrives over server-sent events from /events;
// runtime state (actors, threads, etcd leaders, failovers) from the supervisor's control endpoint,
// relayed under /control/.
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>actorkube dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  :root { --bg:#0f1420; --panel:#171e2e; --fg:#dce3f0; --mut:#8a96ad; --ok:#3ecf8e; --warn:#f5b942; --bad:#ef5b5b; --acc:#5b9cf5; }
  * { box-sizing: border-box; }
  body { margin:0; font:13px/1.45 system-ui, sans-serif; background:var(--bg); color:var(--fg); }
  header { display:flex; align-items:center; gap:16px; padding:10px 16px; background:var(--panel); border-bottom:1px solid #26304a; }
  header h1 { font-size:16px; margin:0; }
  #conn { color:var(--mut); }
  main { display:grid; grid-template-columns: 1.3fr 1fr; gap:12px; padding:12px; }
  section { background:var(--panel); border:1px solid #26304a; border-radius:6px; padding:10px 12px; min-width:0; }
  h2 { font-size:13px; text-transform:uppercase; letter-spacing:.06em; color:var(--mut); margin:0 0 8px; }
  table { width:100%; border-collapse:collapse; }
  td, th { text-align:left; padding:3px 6px; border-bottom:1px solid #222b40; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; max-width:320px; }
  th { color:var(--mut); font-weight:500; }
  .node { border:1px solid #2a3552; border-radius:5px; padding:6px 8px; margin-bottom:8px; }
  .node .name { font-weight:600; }
  .pod { display:inline-block; margin:2px 4px 2px 0; padding:1px 6px; border-radius:10px; background:#22304d; font-size:12px; }
  .ok { color:var(--ok); } .warn { color:var(--warn); } .bad { color:var(--bad); }
  .pod.ok { background:#16382b; color:var(--ok); } .pod.warn { background:#3a321a; color:var(--warn); } .pod.bad { background:#3d1f22; color:var(--bad); }
  button { background:#243252; color:var(--fg); border:1px solid #3a4a72; border-radius:4px; padding:5px 10px; cursor:pointer; margin:0 6px 6px 0; }
  button:hover { background:#2e3f66; }
  button.danger { border-color:#7a3140; }
  #chaos-result { color:var(--mut); min-height:1.4em; }
  .wide { grid-column: 1 / -1; }
</style>
</head>
<body>
<header><h1>actorkube</h1><span id="conn">connecting…</span><span id="updated"></span></header>
<main>
  <section>
    <h2>Nodes and pods</h2>
    <div id="nodes"></div>
    <div id="unscheduled"></div>
  </section>
  <section>
    <h2>High availability</h2>
    <table id="ha"><thead><tr><th>component</th><th>leader</th><th>term / transitions</th></tr></thead><tbody></tbody></table>
    <h2 style="margin-top:12px">Recent failovers</h2>
    <table id="failovers"><thead><tr><th>time</th><th>component</th><th>from → to</th><th>gap</th></tr></thead><tbody></tbody></table>
    <h2 style="margin-top:12px">Chaos</h2>
    <div>
      <button class="danger" id="kill-scheduler-leader" data-fault='{"kind":"kill","target":"leader:scheduler"}'>kill scheduler leader</button>
      <button class="danger" id="kill-cm-leader" data-fault='{"kind":"kill","target":"leader:controller-manager"}'>kill controller-manager leader</button>
      <button class="danger" id="kill-etcd-leader" data-fault='{"kind":"kill","target":"leader:etcd/main"}'>kill etcd leader</button>
      <button class="danger" id="fail-node">fail a node</button>
      <button id="heal-all">heal all</button>
    </div>
    <div id="chaos-result"></div>
  </section>
  <section>
    <h2>Workloads</h2>
    <table id="workloads"><thead><tr><th>deployment</th><th>ready</th><th>up-to-date</th><th>available</th><th>rollout</th></tr></thead><tbody></tbody></table>
  </section>
  <section>
    <h2>Actors and threads</h2>
    <table id="actors"><thead><tr><th>actor</th><th>thread</th><th>state</th><th>restarts</th></tr></thead><tbody></tbody></table>
  </section>
  <section class="wide">
    <h2>Events</h2>
    <table id="events"><thead><tr><th>last seen</th><th>type</th><th>reason</th><th>object</th><th>message</th></tr></thead><tbody></tbody></table>
  </section>
</main>
<script>
const $ = (s) => document.querySelector(s)
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c])
const rows = (sel, list, f) => { $(sel + ' tbody').innerHTML = list.map((x) => '<tr>' + f(x).map((c) => '<td>' + c + '</td>').join('') + '</tr>').join('') }
const podClass = (p) => p.phase === 'Running' && p.ready ? 'ok' : p.phase === 'Failed' || p.restarts > 3 ? 'bad' : 'warn'
let snapshot = null, control = null
const failovers = []

function renderCluster(s) {
  $('#nodes').innerHTML = s.nodes.map((n) => '<div class="node" data-node="' + esc(n.name) + '"><span class="name">' + esc(n.name) + '</span> <span class="' + (n.ready === 'Ready' ? 'ok' : 'bad') + '">' + esc(n.ready) + '</span> · ' + n.pods.length + ' pods<div>' +
    n.pods.map((p) => '<span class="pod ' + podClass(p) + '" data-pod="' + esc(p.ns + '/' + p.name) + '" title="' + esc(p.phase + ' restarts=' + p.restarts) + '">' + esc(p.name) + '</span>').join('') + '</div></div>').join('')
  $('#unscheduled').innerHTML = s.unscheduled.length ? '<div class="node"><span class="name">unscheduled</span><div>' + s.unscheduled.map((p) => '<span class="pod warn" data-pod="' + esc(p.ns + '/' + p.name) + '">' + esc(p.name) + '</span>').join('') + '</div></div>' : ''
  rows('#workloads', s.workloads, (w) => [esc(w.ns + '/' + w.name), w.ready + '/' + w.replicas, w.updated, w.available,
    w.observed >= w.generation && w.updated === w.replicas && w.available === w.replicas ? '<span class="ok">complete</span>' : '<span class="warn">progressing</span>'])
  rows('#events', s.events, (e) => [esc(e.time), '<span class="' + (e.type === 'Warning' ? 'warn' : '') + '">' + esc(e.type) + '</span>', esc(e.reason), esc(e.object), esc(e.message) + (e.count > 1 ? ' (x' + e.count + ')' : '')])
  $('#updated').textContent = 'updated ' + new Date(s.at).toLocaleTimeString()
  renderHa()
}

function renderHa() {
  const ha = []
  for (const l of (snapshot ? snapshot.leases : [])) {
    if (l.name === 'kube-scheduler' || l.name === 'kube-controller-manager') ha.push([esc(l.name.replace('kube-', '')), '<span data-leader="' + esc(l.name) + '">' + esc(l.holder || '—') + '</span>', 'transitions ' + l.transitions])
  }
  for (const a of (control ? control.actors : [])) {
    const info = (a.report && a.report.info) || {}
    const shard = info.shard || (/^etcd-(.+)-\\d+$/.exec(a.id) || [])[1]
    if (shard && a.state === 'running' && info.leader === true) ha.push(['etcd/' + esc(shard), '<span data-leader="etcd/' + esc(shard) + '">' + esc(a.id) + '</span>', 'term ' + esc(info.term)])
  }
  rows('#ha', ha, (r) => r)
  rows('#failovers', failovers.slice(-10).reverse(), (f) => [esc(new Date(f.time).toLocaleTimeString()), esc(f.component || f.shard), esc((f.from || '—') + ' → ' + (f.to || '—')), esc(f.gapMs) + ' ms'])
  if (control) rows('#actors', control.actors, (a) => [esc(a.id), esc(a.thread), '<span class="' + (a.state === 'running' ? 'ok' : 'warn') + '">' + esc(a.state) + '</span>', esc(a.restarts)])
}

function connect() {
  const es = new EventSource('events')
  es.addEventListener('snapshot', (e) => { snapshot = JSON.parse(e.data); renderCluster(snapshot) })
  es.onopen = () => { $('#conn').textContent = 'live'; $('#conn').className = 'ok' }
  es.onerror = () => { $('#conn').textContent = 'reconnecting…'; $('#conn').className = 'warn' }
}

async function pollControl() {
  try {
    const r = await fetch('control/status')
    if (r.ok) { control = await r.json(); renderHa() }
  } catch {}
  setTimeout(pollControl, 1000)
}

async function followHaEvents() {
  try {
    const r = await fetch('control/events?follow=1')
    const reader = r.body.getReader()
    const dec = new TextDecoder()
    let buf = ''
    while (true) {
      const { value, done } = await reader.read()
      if (done) break
      buf += dec.decode(value, { stream: true })
      let i
      while ((i = buf.indexOf('\\n')) >= 0) {
        const line = buf.slice(0, i); buf = buf.slice(i + 1)
        try { const ev = JSON.parse(line); if (ev.event === 'ha.failover') { failovers.push(ev); renderHa() } } catch {}
      }
    }
  } catch {}
  setTimeout(followHaEvents, 2000)
}

async function chaos(body, method) {
  $('#chaos-result').textContent = '…'
  try {
    const r = await fetch('control/faults', { method: method || 'POST', headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined })
    const txt = await r.text()
    $('#chaos-result').textContent = (r.ok ? '' : 'error: ') + txt.slice(0, 300)
  } catch (e) { $('#chaos-result').textContent = 'error: ' + e }
}

for (const b of document.querySelectorAll('button[data-fault]')) b.addEventListener('click', () => chaos(JSON.parse(b.dataset.fault)))
$('#heal-all').addEventListener('click', () => chaos(undefined, 'DELETE'))
// "fail a node": kill the node agents (kubelet and kube-proxy) of a Ready node, picked at random.
$('#fail-node').addEventListener('click', () => {
  const ready = (snapshot ? snapshot.nodes : []).filter((n) => n.ready === 'Ready')
  if (!ready.length) { $('#chaos-result').textContent = 'error: no Ready node to fail'; return }
  chaos({ kind: 'kill', target: 'node:' + ready[Math.floor(Math.random() * ready.length)].name })
})
connect(); pollControl(); followHaEvents()
</script>
</body>
</html>
`
