import t from 'tap'
import { buildSnapshot } from '../../../actors/addons/dashboard/state.ts'
import type { Deployment, KEvent, Lease, Node, Pod } from '../../../protocols/k8s.ts'

const node = (name: string, ready: 'True' | 'False' | 'Unknown'): Node => ({ metadata: { name }, spec: {}, status: { conditions: [{ type: 'Ready', status: ready }] } })
const pod = (name: string, nodeName: string | undefined, phase: 'Pending' | 'Running', ready: boolean, restarts = 0): Pod => ({
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'nginx' }], nodeName },
  status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }], containerStatuses: [{ name: 'c', image: 'nginx', imageID: '', ready, restartCount: restarts, state: {}, lastState: {} }] },
})

t.test('snapshot groups pods by node, lists unscheduled ones, summarises rollouts and leases', async (t) => {
  const d: Deployment = { metadata: { name: 'web', namespace: 'default', generation: 2 }, spec: { replicas: 3, selector: {}, template: { spec: { containers: [] } } }, status: { observedGeneration: 2, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 } }
  const leases: Lease[] = [
    { metadata: { name: 'kube-scheduler', namespace: 'kube-system' }, spec: { holderIdentity: 'scheduler-1', leaseTransitions: 3 } },
    { metadata: { name: 'node-1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'node-1' } },
  ]
  const ev: KEvent[] = [
    { metadata: { name: 'a' }, involvedObject: { kind: 'Pod', name: 'web-1' }, reason: 'Scheduled', lastTimestamp: '2026-01-01T00:00:01Z' },
    { metadata: { name: 'b' }, involvedObject: { kind: 'Pod', name: 'web-1' }, reason: 'Started', type: 'Normal', lastTimestamp: '2026-01-01T00:00:03Z', count: 2 },
  ]
  const s = buildSnapshot('2026-01-01T00:00:05Z', [node('node-2', 'Unknown'), node('node-1', 'True')], [pod('web-1', 'node-1', 'Running', true, 1), pod('web-2', undefined, 'Pending', false)], [d], leases, ev)
  t.same(s.nodes.map((n) => [n.name, n.ready, n.pods.map((p) => p.name)]), [['node-1', 'Ready', ['web-1']], ['node-2', 'Unknown', []]])
  t.same(s.nodes[0]!.pods[0], { ns: 'default', name: 'web-1', phase: 'Running', ready: true, restarts: 1 })
  t.same(s.unscheduled, [{ ns: 'default', name: 'web-2', phase: 'Pending' }])
  t.same(s.workloads[0], { ns: 'default', name: 'web', replicas: 3, updated: 3, ready: 2, available: 2, generation: 2, observed: 2 })
  t.same(s.leases, [{ ns: 'kube-system', name: 'kube-scheduler', holder: 'scheduler-1', transitions: 3, renewTime: '' }], 'node leases are left out of the HA panel')
  t.same(s.events.map((e) => e.reason), ['Started', 'Scheduled'], 'newest event first')
  t.equal(s.events[0]!.object, 'pod/web-1')
})
