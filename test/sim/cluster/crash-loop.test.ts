// A crash-looping sim pod on the real stack backs off on schedule in virtual time: each restart
// waits crashLoopBackoff.initialMs doubling up to maxMs (from the topology), restartCount grows,
// the container waits in CrashLoopBackOff, and the kubelet writes BackOff events.
import t from 'tap'
import { clusterSeeds, eventually, settle, spawnTestClient, startSimCluster } from '../../helpers/sim-cluster.ts'
import type { KObject, Node, Pod } from '../../../protocols/k8s.ts'
import { R } from '../../../protocols/resources.ts'

const topology = `apiVersion: actorkube/v1
kind: Topology
nodes:
  count: 2
  timings: { crashLoopBackoff: { initialMs: 1s, maxMs: 8s, resetMs: 60s } }
addons: { dns: { enabled: false }, dashboard: { enabled: false } }
`
const EXPECTED = [1000, 2000, 4000, 8000, 8000, 8000]

interface Ev extends KObject { reason?: string; count?: number; involvedObject?: { name?: string }; type?: string; series?: { count?: number } }

for (const seed of clusterSeeds([13, 1013])) {
  t.test(`CrashLoopBackOff on schedule (seed ${seed})`, async (t) => {
    t.comment(`seed ${seed} (replay with SEED=${seed})`)
    const { sim, ids } = await startSimCluster(topology, { seed, traceDeliveries: false })
    const c = spawnTestClient(sim, 'client-test', ids.filter((id) => id.startsWith('apiserver-')))
    t.ok(await eventually(sim, async () => (await c.api.list<Node>(R.nodes, undefined)).items.length === 2, 30_000), 'nodes registered')

    // Record every (restartCount, started, last finished) the pod's status shows.
    const pods = c.informer<Pod>(R.pods, { namespace: 'default' })
    const gaps = new Map<number, number>()
    let waitingSeen = false
    const observe = (p: Pod) => {
      const cs = p.status?.containerStatuses?.[0]
      if (!cs) return
      if (cs.state?.waiting?.reason === 'CrashLoopBackOff') waitingSeen = true
      const started = cs.state?.running?.startedAt
      const finished = cs.lastState?.terminated?.finishedAt
      if (cs.restartCount > 0 && started && finished && !gaps.has(cs.restartCount)) gaps.set(cs.restartCount, Date.parse(started) - Date.parse(finished))
    }
    pods.addHandler({ onAdd: observe, onUpdate: (_o, n) => observe(n) })

    const pod: Pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'crasher', namespace: 'default' },
      spec: { containers: [{ name: 'app', image: 'actorkube/sim:crash-every-1s' }] },
    }
    await settle(sim, c.api.create(R.pods, 'default', pod))
    const runs = EXPECTED.length
    // 1 s runs plus the delays: about 37 s of virtual time.
    t.ok(await sim.runUntil(() => gaps.size >= runs, 120_000), `${runs} restarts seen (seed ${seed})`)
    for (let k = 1; k <= runs; k++) {
      const gap = gaps.get(k)!
      const want = EXPECTED[k - 1]!
      t.ok(gap >= want && gap <= want + 500, `restart ${k} came ${gap} ms after the exit (back-off ${want} ms) (seed ${seed})`)
    }
    t.ok(waitingSeen, 'the container waited in CrashLoopBackOff')
    const cur = pods.get('default', 'crasher')!
    t.equal(cur.status?.phase, 'Running', 'the pod stays Running')
    t.ok((cur.status?.containerStatuses?.[0]?.restartCount ?? 0) >= runs, 'restartCount grows')
    t.equal(cur.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode, 1, 'last exit code 1')

    await sim.run(2000)
    const evs = (await settle(sim, c.api.list<Ev>(R.events, 'default'))).items.filter((e) => e.involvedObject?.name === 'crasher')
    const backoff = evs.filter((e) => e.reason === 'BackOff')
    const total = backoff.reduce((n, e) => n + (e.series?.count ?? e.count ?? 1), 0)
    t.ok(backoff.length > 0 && backoff.every((e) => e.type === 'Warning'), 'BackOff Warning events')
    t.ok(total >= runs - 1, `BackOff events counted for each back-off (${total})`)
    t.comment(`restart gaps ${[...gaps.entries()].map(([k, g]) => `${k}:${g}`).join(' ')}; BackOff count ${total}; reasons ${[...new Set(evs.map((e) => e.reason))].join(',')}`)
    pods.stop()
  })
}
