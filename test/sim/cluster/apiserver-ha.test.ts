// Two API servers on the real simulated stack: conflicting writers through different instances
// (exactly one wins per resourceVersion, the other gets 409), and a watcher whose API server
// crashes mid-stream resumes on the other one with no event lost or duplicated.
import t from 'tap'
import { clusterSeeds, settle, spawnTestClient, startSimCluster } from '../../helpers/sim-cluster.ts'
import type { ConfigMap, Status } from '../../../protocols/k8s.ts'
import type { WatchEvent } from '../../../protocols/api.ts'
import { R } from '../../../protocols/resources.ts'
import type { ApiErrorLike } from '../../../actors/client/types.ts'

const topology = `apiVersion: actorkube/v1
kind: Topology
nodes: { count: 0 }
scheduler: { count: 0 }
controllerManager: { count: 0 }
addons: { dns: { enabled: false }, dashboard: { enabled: false } }
`

const cm = (name: string, v: string, rv?: string): ConfigMap => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', ...(rv ? { resourceVersion: rv } : {}) }, data: { v },
})

for (const seed of clusterSeeds([3, 1003])) {
  t.test(`API server HA (seed ${seed})`, async (t) => {
    t.comment(`seed ${seed} (replay with SEED=${seed})`)
    const { sim, ids } = await startSimCluster(topology, { seed, traceDeliveries: false })
    const apiservers = ids.filter((id) => id.startsWith('apiserver-'))
    t.same(apiservers, ['apiserver-0', 'apiserver-1'])
    await sim.runUntil(() => apiservers.every((a) => sim.reports.get(a)?.ready === true), 30_000)
    const a = spawnTestClient(sim, 'client-a', ['apiserver-0'])
    const b = spawnTestClient(sim, 'client-b', ['apiserver-1'])

    await t.test('conflicting writers: one wins per resourceVersion', async (t) => {
      let cur = await settle(sim, a.api.create<ConfigMap>(R.configmaps, 'default', cm('race', 'init')))
      const winners: string[] = []
      for (let round = 0; round < 20; round++) {
        const rv = cur.metadata.resourceVersion!
        const pa = a.api.update<ConfigMap>(R.configmaps, 'default', cm('race', `a${round}`, rv))
        const pb = b.api.update<ConfigMap>(R.configmaps, 'default', cm('race', `b${round}`, rv))
        const [ra, rb] = await settle(sim, Promise.allSettled([pa, pb]))
        const ok = [ra, rb].filter((r) => r.status === 'fulfilled')
        const lost = [ra, rb].filter((r): r is PromiseRejectedResult => r.status === 'rejected')
        t.equal(ok.length, 1, `round ${round}: exactly one update wins (seed ${seed})`)
        t.equal((lost[0]?.reason as ApiErrorLike | undefined)?.status?.code, 409, `round ${round}: the other gets 409`)
        cur = (ok[0] as PromiseFulfilledResult<ConfigMap>).value
        winners.push(cur.data?.v ?? '')
        const stored = await settle(sim, b.api.get<ConfigMap>(R.configmaps, 'default', 'race'))
        t.equal(stored?.data?.v, cur.data?.v, `round ${round}: the stored value is the winner's`)
        t.equal(stored?.metadata.resourceVersion, cur.metadata.resourceVersion)
      }
      t.ok(winners.some((w) => w.startsWith('a')) || winners.some((w) => w.startsWith('b')))
      t.comment(`winners ${winners.join(' ')}`)
    })

    await t.test('a watcher fails over when its API server crashes', async (t) => {
      const w = spawnTestClient(sim, 'client-watch', ['apiserver-0', 'apiserver-1'])
      const start = await settle(sim, w.api.list<ConfigMap>(R.configmaps, 'default'))
      const seen: WatchEvent[] = []
      let lastRV = start.metadata.resourceVersion ?? ''
      let closes = 0
      const relistRVs: number[] = []
      const state = new Map<string, string>()
      let gone = 0
      const open = () => {
        w.api.watch(R.configmaps, 'default', { resourceVersion: lastRV, allowWatchBookmarks: true }, {
          onEvent: (ev) => {
            if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') {
              if (ev.type === 'BOOKMARK') lastRV = (ev.object as ConfigMap).metadata.resourceVersion ?? lastRV
              return
            }
            seen.push(ev)
            state.set((ev.object as ConfigMap).metadata.name!, (ev.object as ConfigMap).metadata.resourceVersion!)
            lastRV = (ev.object as ConfigMap).metadata.resourceVersion ?? lastRV
          },
          onClose: (info: { gone: boolean; status?: Status }) => {
            closes++
            if (!info.gone) {
              sim.at(50, open)
              return
            }
            // 410 Gone (a restarted instance's watch cache starts at its own list): re-list, as an
            // informer does, and watch on from the list.
            gone++
            void w.api.list<ConfigMap>(R.configmaps, 'default').then((l) => {
              relistRVs.push(Number(l.metadata.resourceVersion))
              for (const o of l.items) state.set(o.metadata.name!, o.metadata.resourceVersion!)
              lastRV = l.metadata.resourceVersion ?? lastRV
              open()
            }, () => sim.at(200, () => open()))
          },
        })
      }
      open()
      await sim.run(200)
      t.equal(w.api.current, 'apiserver-0', 'the watcher starts on apiserver-0')

      // A writer that fails over too. Phase 1: apiserver-0 (the watcher's) is down for 6 s.
      // Phase 2: apiserver-1 (now the watcher's) crashes and is back 300 ms later, before any
      // ping finds it dead: its watches are gone although it answers again.
      const writer = spawnTestClient(sim, 'client-writer', ['apiserver-1', 'apiserver-0'])
      for (let i = 0; i < 7; i++) await settle(sim, writer.api.create(R.configmaps, 'default', cm(`w${i}`, 'new')))
      const acked: Array<{ name: string; rv: string }> = []
      for (let i = 0; i < 80; i++) {
        if (i === 20) {
          sim.crash('apiserver-0')
          sim.at(6000, () => sim.restart('apiserver-0'))
        }
        if (i === 50) {
          await sim.runUntil(() => w.api.current === 'apiserver-1' && sim.reports.get('apiserver-0')?.ready === true && closes >= 1 && seen.length >= acked.length + 7, 15_000)
          t.equal(w.api.current, 'apiserver-1', 'the watcher failed over to apiserver-1')
          t.equal(seen.length, acked.length + 7, 'the resumed watch caught up with every write so far (7 creates, then updates)')
          sim.crash('apiserver-1')
          sim.at(300, () => sim.restart('apiserver-1'))
        }
        const name = `w${i % 7}`
        const out = await settle(sim, writer.api.update<ConfigMap>(R.configmaps, 'default', cm(name, String(i))))
        acked.push({ name, rv: out.metadata.resourceVersion! })
        await sim.run(100)
      }
      const lastAcked = Number(acked.at(-1)!.rv)
      const caughtUp = await sim.runUntil(() => seen.some((e) => Number((e.object as ConfigMap).metadata.resourceVersion) >= lastAcked), 40_000)
      t.ok(caughtUp, `the watcher sees the last write (seed ${seed})`)
      t.ok(closes >= 2, `the watch closed and was resumed after each crash (${closes} closes, ${gone} gone)`)
      t.comment(`${sim.trace.filter((l) => l.includes('watch silent')).length} watches ended for silence, ${sim.trace.filter((l) => l.includes('api client failed over')).length} client failovers`)
      t.comment(`${closes} closes, ${gone} answered 410 Gone and re-listed at ${relistRVs.join(', ')}`)
      // Every acknowledged write is an event, or is covered by a re-list after a 410.
      const seenRVs = new Set(seen.map((e) => (e.object as ConfigMap).metadata.resourceVersion))
      const missing = acked.filter((x) => !seenRVs.has(x.rv) && !relistRVs.some((r) => r >= Number(x.rv)))
      t.same(missing, [], `every acknowledged write seen (seed ${seed})`)
      const rvs = seen.map((e) => Number((e.object as ConfigMap).metadata.resourceVersion))
      t.same(rvs, [...rvs].sort((x, y) => x - y), 'events in resourceVersion order')
      t.equal(new Set(rvs).size, rvs.length, `no event duplicated (seed ${seed})`)
      const final = await settle(sim, w.api.list<ConfigMap>(R.configmaps, 'default'))
      for (const o of final.items.filter((x) => x.metadata.name?.startsWith('w'))) t.equal(state.get(o.metadata.name!), o.metadata.resourceVersion, `${o.metadata.name}: the watcher's state matches the final state`)
    })
  })
}
