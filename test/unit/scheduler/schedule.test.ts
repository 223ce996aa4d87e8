import t from 'tap'
import type { Node, Pod } from '../../../protocols/k8s.ts'
import { buildNodeInfos } from '../../../actors/scheduler/node-info.ts'
import { failureMessage, numFeasibleNodesToFind, schedulePod } from '../../../actors/scheduler/schedule.ts'
import { milliCpu, parseQuantity } from '../../../protocols/quantity.ts'
import { node, pod } from './fixtures.ts'

function decide(p: Pod, nodes: Node[], existing: Pod[] = [], percentage = 100) {
  return schedulePod({ pod: p, nodes: buildNodeInfos(nodes, existing), percentageOfNodesToScore: percentage, startIndex: 0, random: () => 0.5 })
}

t.test('quantities', async (t) => {
  t.equal(milliCpu('250m'), 250)
  t.equal(milliCpu('1.5'), 1500)
  t.equal(milliCpu(2), 2000)
  t.equal(parseQuantity('512Mi'), 512 * 2 ** 20)
  t.equal(parseQuantity('1G'), 1e9)
  t.throws(() => parseQuantity('12 bananas'), { code: 'QUANTITY_INVALID' })
})

const antiWeb = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } }

const filterTable: Array<{ name: string; pod: Pod; nodes: Node[]; existing?: Pod[]; want: string | undefined; message?: string }> = [
  { name: 'fits the only node', pod: pod('p', { cpu: '1' }), nodes: [node('n1')], want: 'n1' },
  { name: 'not ready node is skipped', pod: pod('p'), nodes: [node('n1', { ready: false }), node('n2')], want: 'n2' },
  { name: 'unschedulable node is skipped', pod: pod('p'), nodes: [node('n1', { unschedulable: true }), node('n2')], want: 'n2' },
  {
    name: 'cpu requests against allocatable minus bound', pod: pod('p', { cpu: '2' }),
    nodes: [node('n1', { cpu: '4' }), node('n2', { cpu: '4' })],
    existing: [pod('a', { cpu: '3', nodeName: 'n1' })], want: 'n2',
  },
  {
    name: 'memory requests', pod: pod('p', { memory: '3Gi' }),
    nodes: [node('n1', { memory: '4Gi' }), node('n2', { memory: '2Gi' })],
    existing: [pod('a', { memory: '2Gi', nodeName: 'n1' })], want: undefined,
    message: '0/2 nodes are available: 2 Insufficient memory.',
  },
  {
    name: 'pods capacity', pod: pod('p'), nodes: [node('n1', { pods: '1' }), node('n2', { pods: '2' })],
    existing: [pod('a', { nodeName: 'n1' })], want: 'n2',
  },
  { name: 'nodeSelector', pod: pod('p', { spec: { nodeSelector: { disk: 'ssd' } } }), nodes: [node('n1'), node('n2', { labels: { disk: 'ssd' } })], want: 'n2' },
  {
    name: 'required node affinity', pod: pod('p', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b', 'c'] }] }] } } } } }),
    nodes: [node('n1', { labels: { zone: 'a' } }), node('n2', { labels: { zone: 'c' } })], want: 'n2',
  },
  {
    name: 'untolerated NoSchedule taint', pod: pod('p'),
    nodes: [node('n1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }), node('n2')], want: 'n2',
  },
  {
    name: 'tolerated taint', pod: pod('p', { spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] } }),
    nodes: [node('n1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] })], want: 'n1',
  },
  {
    name: 'Exists toleration with no key tolerates everything', pod: pod('p', { spec: { tolerations: [{ operator: 'Exists' }] } }),
    nodes: [node('n1', { taints: [{ key: 'x', effect: 'NoExecute' }] })], want: 'n1',
  },
  {
    name: 'required pod anti-affinity on hostname', pod: pod('p', { labels: { app: 'web' }, spec: { affinity: antiWeb } }),
    nodes: [node('n1'), node('n2')], existing: [pod('a', { labels: { app: 'web' }, nodeName: 'n1' })], want: 'n2',
  },
  {
    name: "existing pod's anti-affinity repels the incoming pod", pod: pod('p', { labels: { app: 'web' } }),
    nodes: [node('n1'), node('n2', { cpu: '1' })], existing: [pod('a', { labels: { app: 'x' }, nodeName: 'n1', spec: { affinity: antiWeb } })], want: 'n2',
  },
  { name: 'host ports', pod: pod('p', { hostPort: 8080 }), nodes: [node('n1'), node('n2', { cpu: '1' })], existing: [pod('a', { hostPort: 8080, nodeName: 'n1' })], want: 'n2' },
  {
    name: 'failure message counts reasons per node, sorted', pod: pod('p', { cpu: '3' }),
    nodes: [node('n1', { taints: [{ key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' }] }), node('n2', { cpu: '2' }), node('n3', { cpu: '2' })],
    want: undefined, message: '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/master: }, 2 Insufficient cpu.',
  },
]

t.test('filters (table)', async (t) => {
  for (const c of filterTable) {
    const r = decide(c.pod, c.nodes, c.existing)
    t.equal(r.node, c.want, c.name)
    if (c.message) t.equal(failureMessage(c.nodes.length, r.reasons), c.message, `${c.name}: message`)
  }
})

const scoreTable: Array<{ name: string; pod: Pod; nodes: Node[]; existing?: Pod[]; want: string }> = [
  {
    name: 'least allocated prefers the emptier node', pod: pod('p', { cpu: '1', memory: '1Gi' }),
    nodes: [node('n1'), node('n2')], existing: [pod('a', { cpu: '2', memory: '4Gi', nodeName: 'n1' })], want: 'n2',
  },
  {
    name: 'prefers the node whose cpu and memory use stay balanced', pod: pod('p', { cpu: '1', memory: '1Gi' }),
    nodes: [node('n1', { cpu: '4', memory: '4Gi' }), node('n2', { cpu: '2', memory: '8Gi' })], want: 'n1',
  },
  {
    name: 'spreads pods of one owner', pod: pod('p', { owner: 'rs' }),
    nodes: [node('n1'), node('n2')], existing: [pod('a', { owner: 'rs', nodeName: 'n1' }), pod('b', { nodeName: 'n2' }), pod('c', { nodeName: 'n2' })], want: 'n2',
  },
  {
    name: 'preferred node affinity', pod: pod('p', { spec: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] } }] } } } }),
    nodes: [node('n1', { labels: { zone: 'a' } }), node('n2', { labels: { zone: 'b' } })], want: 'n2',
  },
  {
    name: 'PreferNoSchedule taint is avoided', pod: pod('p'),
    nodes: [node('n1', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] }), node('n2')], want: 'n2',
  },
]

t.test('scores (table)', async (t) => {
  for (const c of scoreTable) t.equal(decide(c.pod, c.nodes, c.existing).node, c.want, c.name)
})

t.test('percentageOfNodesToScore samples large clusters and rotates the start', async (t) => {
  t.equal(numFeasibleNodesToFind(50, 10), 50)
  t.equal(numFeasibleNodesToFind(1000, 100), 1000)
  t.equal(numFeasibleNodesToFind(1000, 0), 420)
  t.equal(numFeasibleNodesToFind(5000, 0), 500)
  t.equal(numFeasibleNodesToFind(1000, 5), 100)
  const nodes = Array.from({ length: 1000 }, (_, i) => node(`n${i}`))
  const infos = buildNodeInfos(nodes, [])
  const r1 = schedulePod({ pod: pod('p'), nodes: infos, percentageOfNodesToScore: 10, startIndex: 0, random: () => 0 })
  t.equal(r1.evaluated, 100)
  t.equal(r1.feasible, 100)
  t.equal(r1.nextStartIndex, 100)
  t.ok(Number(r1.node!.slice(1)) < 100, 'picked from the sampled window')
  const r2 = schedulePod({ pod: pod('p'), nodes: infos, percentageOfNodesToScore: 10, startIndex: r1.nextStartIndex, random: () => 0 })
  t.ok(Number(r2.node!.slice(1)) >= 100 && Number(r2.node!.slice(1)) < 200, 'next window')
  // When few nodes fit, every node is examined.
  const some = buildNodeInfos(nodes.map((n, i) => (i % 100 === 7 ? n : node(n.metadata.name!, { ready: false }))), [])
  const r3 = schedulePod({ pod: pod('p'), nodes: some, percentageOfNodesToScore: 10, startIndex: 0, random: () => 0 })
  t.equal(r3.evaluated, 1000)
  t.equal(r3.feasible, 10)
  t.equal(r3.reasons.get('node(s) were not ready'), 990)
})

t.test('ties are broken by the random source', async (t) => {
  const nodes = [node('n1'), node('n2'), node('n3')]
  const picks = new Set<string>()
  for (const x of [0, 0.34, 0.67, 0.99]) {
    let calls = 0
    const r = schedulePod({ pod: pod('p'), nodes: buildNodeInfos(nodes, []), percentageOfNodesToScore: 100, startIndex: 0, random: () => (calls++ === 0 ? 0.99 : x) })
    picks.add(r.node!)
  }
  t.ok(picks.size >= 2, `different tie picks: ${[...picks].join(',')}`)
})
