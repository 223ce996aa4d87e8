import t from 'tap'
import { humanDuration, age } from '../../../actors/apiserver/http/age.ts'
import { PRINTERS, selectorString } from '../../../actors/apiserver/http/printers.ts'
import { toTable, wantsTable } from '../../../actors/apiserver/http/table.ts'

const NOW = Date.parse('2026-01-01T12:00:00Z')
const ago = (s: number) => new Date(NOW - s * 1000).toISOString()

t.test('human durations as kubectl prints them', async (t) => {
  t.equal(humanDuration(5_000), '5s')
  t.equal(humanDuration(119_000), '119s')
  t.equal(humanDuration(150_000), '2m30s')
  t.equal(humanDuration(600_000), '10m')
  t.equal(humanDuration(3 * 3600_000 + 60_000), '3h1m')
  t.equal(humanDuration(10 * 3600_000), '10h')
  t.equal(humanDuration(3 * 86400_000 + 3600_000), '3d1h')
  t.equal(humanDuration(-5_000), '<invalid>')
  t.equal(age(undefined, NOW), '<unknown>')
  t.equal(age(ago(42), NOW), '42s')
})

t.test('pods: ready, status, restarts', async (t) => {
  const pod = (status: any, extra: any = {}) => ({ metadata: { name: 'p', creationTimestamp: ago(30), ...extra }, spec: { containers: [{ name: 'a' }, { name: 'b' }], nodeName: 'n1' }, status })
  const running = { phase: 'Running', podIP: '127.244.0.5', containerStatuses: [{ name: 'a', ready: true, restartCount: 0, state: { running: {} } }, { name: 'b', ready: true, restartCount: 2, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: ago(60) } } }] }
  t.same(PRINTERS.pods.cells(pod(running), NOW), ['p', '2/2', 'Running', '2 (60s ago)', '30s', '127.244.0.5', 'n1', '<none>', '<none>'])
  const crash = { phase: 'Running', containerStatuses: [{ name: 'a', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }
  t.equal(PRINTERS.pods.cells(pod(crash), NOW)[2], 'CrashLoopBackOff')
  t.equal(PRINTERS.pods.cells(pod(running, { deletionTimestamp: ago(1) }), NOW)[2], 'Terminating')
  t.equal(PRINTERS.pods.cells(pod({ phase: 'Pending' }), NOW)[1], '0/2')
  const init = { phase: 'Pending', initContainerStatuses: [{ name: 'i', restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }] }
  const withInit = { ...pod(init), spec: { containers: [{ name: 'a' }], initContainers: [{ name: 'i' }] } }
  t.equal(PRINTERS.pods.cells(withInit, NOW)[2], 'Init:0/1')
  const done = { phase: 'Succeeded', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }
  t.equal(PRINTERS.pods.cells(pod(done), NOW)[2], 'Completed')
})

t.test('workloads, services, nodes, events, leases', async (t) => {
  const d = { metadata: { name: 'web', creationTimestamp: ago(10) }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1' }] } } }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } }
  t.same(PRINTERS.deployments.cells(d, NOW), ['web', '2/3', 3, 2, '10s', 'nginx', 'nginx:1', 'app=web'])
  t.same(PRINTERS.deployments.columns.map((c) => c.name), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector'])
  t.same(PRINTERS.deployments.columns.map((c) => c.priority), [0, 0, 0, 0, 0, 1, 1, 1])
  const svc = { metadata: { name: 's', creationTimestamp: ago(5) }, spec: { type: 'NodePort', clusterIP: '127.96.0.10', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { app: 'x' } } }
  t.same(PRINTERS.services.cells(svc, NOW), ['s', 'NodePort', '127.96.0.10', '<none>', '80:30080/TCP,53/UDP', '5s', 'app=x'])
  t.equal(PRINTERS.services.cells({ metadata: {}, spec: { type: 'LoadBalancer' } }, NOW)[3], '<pending>')
  const node = { metadata: { name: 'n1', creationTimestamp: ago(100), labels: { 'node-role.kubernetes.io/control-plane': '' } }, spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.32.0' } } }
  t.same(PRINTERS.nodes.cells(node, NOW).slice(0, 5), ['n1', 'Ready,SchedulingDisabled', 'control-plane', '100s', 'v1.32.0'])
  const ev = { metadata: { name: 'e1' }, involvedObject: { kind: 'Pod', name: 'web-1' }, type: 'Normal', reason: 'Scheduled', message: 'assigned ', count: 3, firstTimestamp: ago(600), lastTimestamp: ago(10) }
  t.same(PRINTERS.events.cells(ev, NOW).slice(0, 4), ['10s (x3 over 10m)', 'Normal', 'Scheduled', 'pod/web-1'])
  t.equal(PRINTERS.events.cells(ev, NOW)[6], 'assigned')
  t.same(PRINTERS.events.columns.filter((c) => !c.priority).map((c) => c.name), ['Last Seen', 'Type', 'Reason', 'Object', 'Message'])
  t.same(PRINTERS.leases.cells({ metadata: { name: 'kube-scheduler', creationTimestamp: ago(3) }, spec: { holderIdentity: 'scheduler-1' } }, NOW), ['kube-scheduler', 'scheduler-1', '3s'])
  t.equal(selectorString({ matchLabels: { a: 'b' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['y', 'x'] }] }), 'a=b,tier in (x,y)')
  t.equal(PRINTERS.jobs.cells({ metadata: { name: 'j' }, spec: { completions: 1 }, status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }], startTime: ago(20), completionTime: ago(5) } }, NOW).slice(0, 4).join('|'), 'j|Complete|1/1|15s')
  for (const [plural, p] of Object.entries(PRINTERS)) {
    t.equal(p.cells({ metadata: {} }, NOW).length, p.columns.length, `${plural}: a cell per column, even for an empty object`)
  }
})

t.test('tables', async (t) => {
  t.ok(wantsTable('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'))
  t.notOk(wantsTable('application/json'))
  const tbl = toTable('leases', [{ metadata: { name: 'l', namespace: 'kube-system', resourceVersion: '7', managedFields: [{}] }, spec: { holderIdentity: 'h' } } as any], '9', NOW) as any
  t.equal(tbl.kind, 'Table')
  t.same(tbl.metadata, { resourceVersion: '9' })
  t.same(tbl.columnDefinitions.map((c: any) => c.name), ['Name', 'Holder', 'Age'])
  t.same(tbl.rows[0].object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'l', namespace: 'kube-system', resourceVersion: '7' } })
  t.same((toTable('leases', [], '9', NOW, 'Metadata', true) as any).columnDefinitions, [])
  t.equal((toTable('widgets', [{ metadata: { name: 'w' } } as any], '1', NOW) as any).columnDefinitions[0].name, 'Name')
})
