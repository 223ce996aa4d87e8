// A Deployment on the real simulated stack while the leading scheduler and controller-manager
// crash and restart; then a rolling update held to maxSurge/maxUnavailable at every event; then a
// node whose kubelet dies for good: the node goes Unknown and its pods are replaced elsewhere.
import t from 'tap'
import { clusterSeeds, eventually, leaderOf, settle, spawnTestClient, startSimCluster } from '../../helpers/sim-cluster.ts'
import type { Deployment, Node, Pod } from '../../../protocols/k8s.ts'
import { R } from '../../../protocols/resources.ts'

const NODES = 5
const REPLICAS = 20
const topology = `apiVersion: actorkube/v1
kind: Topology
nodes: { count: ${NODES} }
addons: { dns: { enabled: false }, dashboard: { enabled: false } }
`

const active = (p: Pod): boolean => !p.metadata.deletionTimestamp
const ready = (p: Pod): boolean => p.status?.phase === 'Running' && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
const ownerRS = (p: Pod): string => p.metadata.ownerReferences?.find((o) => o.kind === 'ReplicaSet')?.name ?? ''

for (const seed of clusterSeeds([7, 1107])) {
  t.test(`deployment through scheduler/controller-manager failover, node loss (seed ${seed})`, async (t) => {
    t.comment(`seed ${seed} (replay with SEED=${seed})`)
    const started = Date.now()
    const { sim, ids } = await startSimCluster(topology, { seed, traceDeliveries: false })
    const apiservers = ids.filter((id) => id.startsWith('apiserver-'))
    const c = spawnTestClient(sim, 'client-test', apiservers)
    const api = c.api

    const nodesReady = async () => (await api.list<Node>(R.nodes, undefined)).items.filter((n) => n.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).length === NODES
    t.ok(await eventually(sim, nodesReady, 60_000), `${NODES} nodes Ready`)
    t.ok(await eventually(sim, () => leaderOf(sim, 'scheduler-') !== undefined && leaderOf(sim, 'controller-manager-') !== undefined, 30_000), 'leaders elected')

    // Every pod event: active pods per ReplicaSet, and the whole Deployment's active and ready pods.
    const pods = c.informer<Pod>(R.pods, { namespace: 'default', labelSelector: 'app=web' })
    let maxPerRS = 0
    let rolling = false
    let maxTotal = 0
    let minReadyDuringRoll = Infinity
    const check = () => {
      const all = pods.list().filter(active)
      const per = new Map<string, number>()
      for (const p of all) per.set(ownerRS(p), (per.get(ownerRS(p)) ?? 0) + 1)
      for (const n of per.values()) maxPerRS = Math.max(maxPerRS, n)
      if (rolling) {
        maxTotal = Math.max(maxTotal, all.length)
        minReadyDuringRoll = Math.min(minReadyDuringRoll, all.filter(ready).length)
      }
    }
    pods.addHandler({ onAdd: check, onUpdate: check, onDelete: check })

    const dep: Deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: REPLICAS, selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
        template: { metadata: { labels: { app: 'web' } }, spec: {
          containers: [{ name: 'web', image: 'nginx:1.25' }],
          // The API server defaults these to 300 s whatever podEvictionTimeoutMs says; 10 s here
          // keeps the node-loss phase short in virtual and real time.
          tolerations: ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'].map((key) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 })),
        } },
      },
    }
    await settle(sim, api.create(R.deployments, 'default', dep))

    // Crash both leaders once the first pods exist, and restart them a second later.
    t.ok(await sim.runUntil(() => pods.list().length >= 3, 30_000), 'first pods created')
    const sched = leaderOf(sim, 'scheduler-')!
    const cm = leaderOf(sim, 'controller-manager-')!
    const boundBefore = pods.list().filter((p) => p.spec.nodeName).length
    t.comment(`crash ${sched} and ${cm} at ${pods.list().length} pods, ${boundBefore} bound`)
    sim.crash(sched)
    sim.crash(cm)
    sim.at(1000, () => {
      sim.restart(sched)
      sim.restart(cm)
    })

    const allRunning = (image: string) => () => {
      const a = pods.list().filter(active)
      return a.length === REPLICAS && a.every((p) => ready(p) && p.spec.nodeName && p.spec.containers[0]?.image === image)
    }
    t.ok(await eventually(sim, allRunning('nginx:1.25'), 60_000, 200), `all ${REPLICAS} pods bound and Running after failover (seed ${seed})`)
    t.ok(maxPerRS <= REPLICAS, `never more than ${REPLICAS} pods for the ReplicaSet (max ${maxPerRS})`)
    t.not(leaderOf(sim, 'scheduler-'), undefined, 'a scheduler leads again')
    t.comment(`rollout at ${(sim.now() - 1_700_000_000_000) / 1000} s virtual`)

    // Rolling update: maxSurge 5, maxUnavailable 5 of 20.
    rolling = true
    await settle(sim, api.patch(R.deployments, 'default', 'web', 'json', [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.26' }]))
    t.ok(await eventually(sim, allRunning('nginx:1.26'), 120_000, 200), `rolling update completes (seed ${seed})`)
    rolling = false
    t.ok(maxTotal <= REPLICAS + 5, `at most replicas + maxSurge pods during the roll (max ${maxTotal})`)
    t.ok(minReadyDuringRoll >= REPLICAS - 5, `at least replicas - maxUnavailable ready during the roll (min ${minReadyDuringRoll})`)
    const rsList = (await settle(sim, api.list(R.replicasets, 'default'))).items as Array<{ spec: { replicas?: number } }>
    t.equal(rsList.filter((r) => (r.spec.replicas ?? 0) > 0).length, 1, 'one ReplicaSet scaled up, the old one at 0')

    // Node loss: the kubelet of the busiest node dies for good.
    const byNode = new Map<string, number>()
    for (const p of pods.list().filter(active)) byNode.set(p.spec.nodeName!, (byNode.get(p.spec.nodeName!) ?? 0) + 1)
    const [victim] = [...byNode.entries()].sort((a, b) => b[1] - a[1])[0]!
    t.comment(`kubelet of ${victim} dies with ${byNode.get(victim)} pods`)
    sim.crash(`kubelet@${victim}`)
    const nodeState = async () => (await api.get<Node>(R.nodes, undefined, victim))?.status?.conditions?.find((x) => x.type === 'Ready')?.status
    t.ok(await eventually(sim, async () => (await nodeState()) === 'Unknown', 30_000), `${victim} goes Ready=Unknown`)
    t.comment(`node lost at virtual ${((sim.now() - 1_700_000_000_000) / 1000).toFixed(1)} s, real ${((Date.now() - started) / 1000).toFixed(1)} s`)
    const replaced = () => {
      const a = pods.list().filter(active)
      return a.length === REPLICAS && a.every((p) => ready(p) && p.spec.nodeName !== victim)
    }
    t.ok(await eventually(sim, replaced, 60_000, 500), `its pods are replaced on other nodes (seed ${seed})`)
    const node = await settle(sim, api.get<Node>(R.nodes, undefined, victim))
    if (process.env.DEBUG_CLUSTER) {
      console.error(JSON.stringify(node?.spec), JSON.stringify(pods.list().filter((p) => p.spec.nodeName === victim).map((p) => [p.metadata.name, p.metadata.deletionTimestamp, p.spec.tolerations, p.status?.phase])))
      console.error(sim.trace.filter((l) => /controller-manager|evict|taint/i.test(l)).slice(-40).join('\n'))
    }
    t.ok(node?.spec?.taints?.some((x) => x.key.startsWith('node.kubernetes.io/')), 'the lost node is tainted')
    t.ok(maxPerRS <= REPLICAS, `never more than ${REPLICAS} active pods per ReplicaSet (max ${maxPerRS})`)
    t.comment(`virtual ${((sim.now() - 1_700_000_000_000) / 1000).toFixed(1)} s, real ${((Date.now() - started) / 1000).toFixed(1)} s`)
    pods.stop()
  })
}
