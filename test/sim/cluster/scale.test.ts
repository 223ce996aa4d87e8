// Many sim pods on many nodes through the real stack. Default: 200 pods on 20 nodes (CI);
// CLUSTER_SCALE=full: 1,000 pods on 100 nodes. Prints the virtual and real time it took.
import t from 'tap'
import { clusterSeeds, eventually, settle, spawnTestClient, startSimCluster } from '../../helpers/sim-cluster.ts'
import type { Deployment, Node, Pod } from '../../../protocols/k8s.ts'
import { R } from '../../../protocols/resources.ts'

const full = process.env.CLUSTER_SCALE === 'full'
const NODES = full ? 100 : 20
const PODS = full ? 1000 : 200
const EPOCH = 1_700_000_000_000
const topology = `apiVersion: actorkube/v1
kind: Topology
nodes: { count: ${NODES} }
addons: { dns: { enabled: false }, dashboard: { enabled: false } }
`

for (const seed of clusterSeeds([11])) {
  t.test(`${PODS} pods on ${NODES} nodes reach Running (seed ${seed})`, async (t) => {
    t.comment(`seed ${seed} (replay with SEED=${seed})`)
    const t0 = Date.now()
    const { sim, ids } = await startSimCluster(topology, { seed, traceDeliveries: false })
    const apiservers = ids.filter((id) => id.startsWith('apiserver-'))
    const c = spawnTestClient(sim, 'client-test', apiservers, 10_000)
    const nodesReady = async () => (await c.api.list<Node>(R.nodes, undefined)).items.filter((n) => n.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).length === NODES
    t.ok(await eventually(sim, nodesReady, 120_000, 1000), `${NODES} nodes Ready`)
    const v0 = sim.now()
    const r0 = Date.now()
    t.comment(`nodes Ready at ${((v0 - EPOCH) / 1000).toFixed(1)} s virtual, ${((r0 - t0) / 1000).toFixed(1)} s real`)
    const dep = (i: number): Deployment => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `scale-${i}`, namespace: 'default' },
      spec: { replicas: PODS / 10, selector: { matchLabels: { app: `scale-${i}` } }, template: { metadata: { labels: { app: `scale-${i}`, tier: 'scale' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    })
    for (let i = 0; i < 10; i++) await settle(sim, c.api.create(R.deployments, 'default', dep(i)), 60_000)
    let running = 0
    let perNode = new Map<string, number>()
    const allRunning = async () => {
      const pods = (await c.api.list<Pod>(R.pods, 'default', { labelSelector: 'tier=scale' })).items
      const r = pods.filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp)
      running = r.length
      perNode = new Map()
      for (const p of r) perNode.set(p.spec.nodeName!, (perNode.get(p.spec.nodeName!) ?? 0) + 1)
      if (process.env.CLUSTER_VERBOSE) console.error(`${((sim.now() - v0) / 1000).toFixed(0)} s virtual, ${((Date.now() - r0) / 1000).toFixed(0)} s real: ${pods.length} pods, ${pods.filter((p) => p.spec.nodeName).length} bound, ${running} Running`)
      return pods.length === PODS && running === PODS
    }
    const ok = await eventually(sim, allRunning, 300_000, full ? 5000 : 1000)
    const virt = (sim.now() - v0) / 1000
    const real = (Date.now() - r0) / 1000
    t.ok(ok, `${PODS} pods Running (${running}) (seed ${seed})`)
    t.comment(`${PODS} pods Running ${virt.toFixed(1)} s virtual, ${real.toFixed(1)} s real after the Deployments; ${sim.delivered} messages delivered`)
    t.equal(perNode.size, NODES, 'pods spread over every node')
    t.ok(Math.max(...perNode.values()) <= Math.ceil(PODS / NODES) * 2, `spread evenly (max ${Math.max(...perNode.values())} per node)`)
  })
}
