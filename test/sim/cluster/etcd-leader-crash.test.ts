// The etcd leader of shard main crashes under a write load through both API servers: writes
// resume once a new leader is elected, and every acknowledged write is readable at the end.
import t from 'tap'
import { clusterSeeds, leaderOf, settle, spawnTestClient, startSimCluster } from '../../helpers/sim-cluster.ts'
import type { ConfigMap } from '../../../protocols/k8s.ts'
import { R } from '../../../protocols/resources.ts'

const topology = `apiVersion: actorkube/v1
kind: Topology
nodes: { count: 0 }
scheduler: { count: 0 }
controllerManager: { count: 0 }
addons: { dns: { enabled: false }, dashboard: { enabled: false } }
`
const WRITERS = 4
const PER_WRITER = 40
const EPOCH = 1_700_000_000_000

for (const seed of clusterSeeds([5, 1005, 2005])) {
  t.test(`etcd leader crash under write load (seed ${seed})`, async (t) => {
    t.comment(`seed ${seed} (replay with SEED=${seed})`)
    const { sim, ids } = await startSimCluster(topology, { seed, traceDeliveries: false })
    const apiservers = ids.filter((id) => id.startsWith('apiserver-'))
    t.ok(await sim.runUntil(() => apiservers.every((a) => sim.reports.get(a)?.ready === true) && leaderOf(sim, 'etcd-main-') !== undefined, 30_000), 'API servers ready, main has a leader')

    const acked = new Map<string, { v: string; at: number }>()
    const failed: Array<{ name: string; at: number; code: string }> = []
    const writers = Array.from({ length: WRITERS }, (_, wi) => spawnTestClient(sim, `client-w${wi}`, wi % 2 ? [...apiservers].reverse() : apiservers))
    const loops = writers.map(async (w, wi) => {
      for (let i = 0; i < PER_WRITER; i++) {
        const name = `load-${wi}-${i}`
        try {
          await w.api.create(R.configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v: `${wi}:${i}` } } as ConfigMap)
          acked.set(name, { v: `${wi}:${i}`, at: sim.now() })
        } catch (e) {
          failed.push({ name, at: sim.now(), code: (e as { code?: string }).code ?? String(e) })
        }
      }
    })
    let done = false
    void Promise.all(loops).then(() => (done = true))

    // Crash the leader once a quarter of the writes are acknowledged; it comes back 2 s later.
    await sim.runUntil(() => acked.size >= (WRITERS * PER_WRITER) / 4, 30_000)
    const old = leaderOf(sim, 'etcd-main-')!
    const before = acked.size
    const crashAt = sim.now()
    t.comment(`crash ${old} at ${((crashAt - EPOCH) / 1000).toFixed(2)} s with ${before} writes acknowledged`)
    sim.crash(old)
    sim.at(Number(process.env.ETCD_RESTART_MS ?? 2000), () => sim.restart(old))
    t.ok(await sim.runUntil(() => { const l = leaderOf(sim, 'etcd-main-'); return l !== undefined && l !== old }, 10_000), 'a new leader is elected')
    const electedAt = sim.now()
    t.comment(`${leaderOf(sim, 'etcd-main-')} elected ${(electedAt - crashAt).toFixed(0)} ms after the crash`)

    t.ok(await sim.runUntil(() => done, 120_000), `the write load finishes (seed ${seed})`)
    const newLeader = leaderOf(sim, 'etcd-main-')
    t.ok(newLeader !== undefined, `main has a leader at the end (${newLeader})`)
    const after = [...acked.values()].filter((x) => x.at > electedAt).map((x) => x.at)
    t.ok(after.length > 0, `writes acknowledged after the election (${after.length})`)
    const resumedMs = Math.min(...after) - crashAt
    t.comment(`first write after the election acknowledged ${resumedMs.toFixed(0)} ms after the crash; ${acked.size} acknowledged, ${failed.length} failed (${[...new Set(failed.map((f) => f.code))].join(', ')})`)
    t.ok(resumedMs < 10_000, `writes resume within 10 s of the crash (${resumedMs.toFixed(0)} ms)`)
    t.ok(acked.size >= (WRITERS * PER_WRITER) / 2, 'most writes succeed')

    // Every acknowledged write is readable, through each API server.
    const reader = spawnTestClient(sim, 'client-reader', apiservers)
    const list = await settle(sim, reader.api.list<ConfigMap>(R.configmaps, 'default'))
    const stored = new Map(list.items.map((o) => [o.metadata.name!, o.data?.v]))
    const lost = [...acked.entries()].filter(([name, x]) => stored.get(name) !== x.v).map(([name]) => name)
    t.same(lost, [], `every acknowledged write is readable (seed ${seed})`)
    for (const a of apiservers) {
      const one = spawnTestClient(sim, `client-read-${a}`, [a])
      const l = await settle(sim, one.api.list<ConfigMap>(R.configmaps, 'default'))
      t.ok([...acked.keys()].every((n) => l.items.some((o) => o.metadata.name === n)), `${a} serves every acknowledged write`)
    }
    // The restarted replica caught up with the group.
    t.ok(await sim.runUntil(() => {
      const revs = ids.filter((id) => id.startsWith('etcd-main-')).map((id) => (sim.reports.get(id)?.info as { revision?: number } | undefined)?.revision)
      return revs.every((r) => r !== undefined && r === revs[0])
    }, 10_000), `${old} caught up with the other replicas`)
  })
}
