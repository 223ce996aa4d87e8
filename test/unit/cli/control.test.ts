import t from 'tap'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { main } from '../../../runtime/cli/main.ts'
import { formatRecord, isHaEvent } from '../../../runtime/cli/events.ts'
import { fakeControl, memIo } from './fake-control.ts'

t.test('status prints a table of actors from GET /status', async (t) => {
  const fake = await fakeControl(t)
  const io = memIo()
  t.equal(await main(['status', '--data-dir', fake.dataDir], io), 0)
  const lines = io.text().split('\n')
  t.match(lines[0], /^ACTOR\s+THREAD\s+STATE\s+RESTARTS\s+READY\s+INFO$/)
  t.match(lines[1], /^etcd-main-0\s+etcd-main-0\s+running\s+0\s+yes\s+leader=true term=3$/)
  t.match(lines[3], /^scheduler-0\s+scheduler-0\s+restarting\s+2\s+-$/)
  t.match(lines[4], /^kubelet@node-0\s+nodes-0\s+running\s+0\s+no\s+pods=4$/)
  t.match(io.text(), /4 actors \(3 running\), 1 threads \(1 running, 1 thread restarts\)/)
  t.same(fake.requests.map((r) => `${r.method} ${r.path}`), ['GET /status'])

  const json = memIo({ env: { ACTORKUBE_DATA_DIR: fake.dataDir } })
  t.equal(await main(['status', '--json'], json), 0, 'data dir from $ACTORKUBE_DATA_DIR')
  t.equal(JSON.parse(json.text()).actors.length, 4)
})

t.test('chaos posts the fault and prints what, to whom and when', async (t) => {
  const fake = await fakeControl(t)
  const io = memIo()
  t.equal(await main(['chaos', 'pause', 'scheduler-0', '--for', '3s', '--data-dir', fake.dataDir], io), 0)
  t.same(fake.requests.at(-1), { method: 'POST', path: '/faults', body: { kind: 'pause', target: 'scheduler-0', durationMs: 3000 } })
  t.match(io.text(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z pause -> scheduler-0 \(for 3000ms\): fault f1, active \(heal with: actorkube chaos heal f1\)\n$/)

  const crash = memIo()
  t.equal(await main(['chaos', 'crash', 'leader:etcd', '--data-dir', fake.dataDir], crash), 0)
  t.match(crash.text(), /crash -> etcd-main-0: fault f1\n$/, 'dynamic targets are resolved by the endpoint')
})

t.test('chaos partition <target> --rest cuts it off from every other running actor', async (t) => {
  const fake = await fakeControl(t)
  const io = memIo()
  t.equal(await main(['chaos', 'partition', 'etcd-main-0', '--data-dir', fake.dataDir], io), 0)
  t.same(fake.requests.at(-1)!.body, { kind: 'partition', a: ['etcd-main-0'], b: ['apiserver-0', 'scheduler-0', 'kubelet@node-0'] })
})

t.test('chaos with an unknown actor lists the valid targets, exit 2, nothing injected', async (t) => {
  const fake = await fakeControl(t)
  const io = memIo()
  t.equal(await main(['chaos', 'crash', 'sheduler-0', '--data-dir', fake.dataDir], io), 2)
  t.match(io.errText(), /unknown target "sheduler-0" \(valid targets: etcd-main-0, apiserver-0, scheduler-0, kubelet@node-0; or leader:<role>/)
  t.notOk(fake.requests.some((r) => r.method === 'POST'))
  const io2 = memIo()
  t.equal(await main(['chaos', 'delay', '--from', 'apiserver-0', '--to', 'nope-1', '--ms', '5', '--data-dir', fake.dataDir], io2), 2)
  t.match(io2.errText(), /unknown target "nope-1"/)
})

t.test("the endpoint's typed rejection is printed with exit 2", async (t) => {
  const fake = await fakeControl(t)
  const io = memIo()
  t.equal(await main(['chaos', 'kill', 'leader:nobody', '--data-dir', fake.dataDir], io), 2)
  t.equal(io.errText(), 'actorkube: target: no actor of role nobody currently reports leader\n')
})

t.test('chaos heal: one fault by id, or all', async (t) => {
  const fake = await fakeControl(t)
  const one = memIo()
  t.equal(await main(['chaos', 'heal', 'f7', '--data-dir', fake.dataDir], one), 0)
  t.same(fake.requests.at(-1), { method: 'DELETE', path: '/faults/f7', body: undefined })
  t.match(one.text(), /healed pause f7 on scheduler-0\n$/)
  const all = memIo()
  t.equal(await main(['chaos', 'heal', '--all', '--data-dir', fake.dataDir], all), 0)
  t.same(fake.requests.at(-1), { method: 'DELETE', path: '/faults', body: undefined })
  t.equal(all.text().trim().split('\n').length, 2)
  const actor = memIo()
  t.equal(await main(['chaos', 'heal', 'kubelet@node-0', '--data-dir', fake.dataDir], actor), 0)
  t.same(fake.requests.filter((r) => r.method === 'DELETE').slice(-2).map((r) => r.path), ['/faults/f4', '/faults/f5'], 'heal <actor> heals the faults that touch it')
  const missing = memIo()
  t.equal(await main(['chaos', 'heal', 'nope', '--data-dir', fake.dataDir], missing), 2)
  t.equal(missing.errText(), 'actorkube: no active fault nope\n')
})

t.test('a stale control.json (process gone) is reported as not running', async (t) => {
  const fake = await fakeControl(t)
  await writeFile(join(fake.dataDir, 'control.json'), JSON.stringify({ url: fake.url, pid: 2 ** 22 + 12345 }))
  const io = memIo()
  t.equal(await main(['status', '--data-dir', fake.dataDir], io), 1)
  t.match(io.errText(), /is not running \(process \d+ is gone\)/)
})

t.test('an unreachable endpoint is exit 1 with its URL', async (t) => {
  const fake = await fakeControl(t)
  await writeFile(join(fake.dataDir, 'control.json'), JSON.stringify({ url: 'http://127.0.0.1:1', pid: process.pid }))
  const io = memIo()
  t.equal(await main(['status', '--data-dir', fake.dataDir], io), 1)
  t.match(io.errText(), /cannot reach the control endpoint at http:\/\/127\.0\.0\.1:1/)
})

const LOG = [
  { level: 30, time: Date.UTC(2026, 0, 1, 10, 0, 0, 5), event: 'actor.started', actor: 'scheduler-0', thread: 'scheduler-0', msg: 'actor.started' },
  { level: 50, time: Date.UTC(2026, 0, 1, 10, 0, 1), event: 'actor.crashed', actor: 'scheduler-0', reason: 'boom here', msg: 'actor.crashed' },
  { level: 30, time: Date.UTC(2026, 0, 1, 10, 0, 2), actor: 'etcd-main-1', term: 4, msg: 'raft leader elected' },
  { level: 30, time: Date.UTC(2026, 0, 1, 10, 0, 3), actor: 'apiserver-0', msg: 'watch cache warmed' },
]

t.test('logs reads the JSON log file; --ha keeps HA events; --json keeps the raw lines', async (t) => {
  const fake = await fakeControl(t)
  await mkdir(join(fake.dataDir, 'logs'))
  await writeFile(join(fake.dataDir, 'logs', 'actorkube.ndjson'), LOG.map((l) => JSON.stringify(l)).join('\n') + '\nnot json\n')
  const all = memIo()
  t.equal(await main(['logs', '--data-dir', fake.dataDir], all), 0)
  t.same(all.text().split('\n'), [
    '10:00:00.005 INFO  actor.started scheduler-0 thread=scheduler-0',
    '10:00:01.000 ERROR actor.crashed scheduler-0 reason="boom here"',
    '10:00:02.000 INFO  raft.leader.elected etcd-main-1 term=4',
    '10:00:03.000 INFO  watch.cache.warmed apiserver-0',
    '',
  ])
  const ha = memIo()
  t.equal(await main(['logs', '--ha', '--data-dir', fake.dataDir], ha), 0)
  t.same(ha.text().trim().split('\n').map((l) => l.split(/\s+/)[2]), ['actor.crashed', 'raft.leader.elected'])
  const json = memIo()
  t.equal(await main(['logs', '--ha', '--json', '--data-dir', fake.dataDir], json), 0)
  t.same(json.text().trim().split('\n').map((l) => JSON.parse(l)), [LOG[1], LOG[2]])
})

t.test('logs --follow streams the endpoint events, filtered, skipping torn lines', async (t) => {
  const fake = await fakeControl(t)
  fake.events.push(
    { time: Date.UTC(2026, 0, 1, 10, 0, 0), event: 'fault.injected', kind: 'crash', targets: ['scheduler-0'] },
    { time: Date.UTC(2026, 0, 1, 10, 0, 1), event: 'actor.started', actor: 'scheduler-0' },
    { time: Date.UTC(2026, 0, 1, 10, 0, 2), event: 'lease.acquired', actor: 'scheduler-1', holder: 'scheduler-1' },
  )
  const io = memIo()
  t.equal(await main(['logs', '-f', '--ha', '--data-dir', fake.dataDir], io), 0)
  t.same(io.text().trim().split('\n'), [
    '10:00:00.000 INFO  fault.injected kind=crash targets=["scheduler-0"]',
    '10:00:02.000 INFO  lease.acquired scheduler-1 holder=scheduler-1',
  ])
})

t.test('HA filter and formatting', async (t) => {
  for (const e of ['raft.leader.elected', 'raft.leader.lost', 'lease.acquired', 'lease.lost', 'lease.renew-failed', 'ha.failover', 'apiserver.client.failover', 'watch.relisted', 'actor.crashed', 'actor.restarted', 'node.not-ready', 'node.ready', 'pod.evicted', 'fault.injected', 'fault.healed']) {
    t.ok(isHaEvent({ event: e }), e)
  }
  t.notOk(isHaEvent({ event: 'actor.started' }))
  t.notOk(isHaEvent({ msg: 'hello' }))
  t.equal(formatRecord({ level: 40, time: Date.UTC(2026, 0, 1, 1, 2, 3, 4), event: 'lease.lost', msg: 'lost the lease', actor: 'scheduler-0' }),
    '01:02:03.004 WARN  lease.lost scheduler-0 "lost the lease"')
})
