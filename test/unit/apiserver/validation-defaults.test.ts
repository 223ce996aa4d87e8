import t from 'tap'
import { validate } from '../../../actors/apiserver/validation.ts'
import { addDefaultTolerations, applyDefaults } from '../../../actors/apiserver/defaults.ts'
import type { KObject } from '../../../protocols/k8s.ts'

const podObj = (spec: Record<string, unknown>, name = 'web'): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec })

t.test('validation names each bad field', async (t) => {
  const table: Array<[string, string, KObject, string]> = [
    ['bad name', 'pods', podObj({ containers: [{ name: 'c', image: 'i' }] }, 'Web_1'), 'metadata.name'],
    ['missing name', 'configmaps', { metadata: {} }, 'metadata.name'],
    ['no containers', 'pods', podObj({ containers: [] }), 'spec.containers'],
    ['container without image', 'pods', podObj({ containers: [{ name: 'c' }] }), 'spec.containers[0].image'],
    ['duplicate container', 'pods', podObj({ containers: [{ name: 'c', image: 'i' }, { name: 'c', image: 'i' }] }), 'spec.containers[1].name'],
    ['bad restartPolicy', 'pods', podObj({ containers: [{ name: 'c', image: 'i' }], restartPolicy: 'Sometimes' }), 'spec.restartPolicy'],
    ['port out of range', 'pods', podObj({ containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 70000 }] }] }), 'spec.containers[0].ports[0].containerPort'],
    ['wrong type', 'pods', podObj({ containers: [{ name: 'c', image: 'i', ports: [{ containerPort: '80' }] }] }), 'spec.containers[0].ports[0].containerPort'],
    ['service without ports', 'services', { metadata: { name: 's' }, spec: {} }, 'spec.ports'],
    ['service name must be a label', 'services', { metadata: { name: 'a.b' }, spec: { ports: [{ port: 80 }] } }, 'metadata.name'],
    ['bad service type', 'services', { metadata: { name: 's' }, spec: { type: 'Magic', ports: [{ port: 80 }] } }, 'spec.type'],
    ['deployment selector mismatch', 'deployments', { metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } }, 'spec.template.metadata.labels'],
    ['negative replicas', 'replicasets', { metadata: { name: 'r' }, spec: { replicas: -1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } }, 'spec.replicas'],
    ['bad label value', 'configmaps', { metadata: { name: 'c', labels: { a: 'no spaces' } } }, 'metadata.labels'],
    ['configmap key', 'configmaps', { metadata: { name: 'c' }, data: { 'a b': 'x' } }, 'data[a b]'],
    ['event type', 'events', { metadata: { name: 'e' }, involvedObject: { kind: 'Pod' }, type: 'Odd' }, 'type'],
  ]
  for (const [name, res, obj, field] of table) {
    const r = validate(res, obj, res !== 'nodes')
    t.ok(r.causes.some((c) => c.field === field), `${name}: ${JSON.stringify(r.causes)}`)
  }
  t.same(validate('pods', podObj({ containers: [{ name: 'c', image: 'i' }] }), true).causes, [], 'a good pod passes')
})

t.test('unknown fields are reported with their path', async (t) => {
  const r = validate('pods', { ...podObj({ containers: [{ name: 'c', image: 'i', imagePolicy: 'x' }], nodeSelectr: {} }), extra: 1 }, true)
  t.same(r.unknownFields.sort(), ['extra', 'spec.containers[0].imagePolicy', 'spec.nodeSelectr'])
})

t.test('defaults as kube-apiserver applies them', async (t) => {
  const p = podObj({ containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }, { name: 'd', image: 'busybox:1.36' }] })
  applyDefaults('pods', p)
  const s = p.spec as Record<string, any>
  t.equal(s.restartPolicy, 'Always')
  t.equal(s.dnsPolicy, 'ClusterFirst')
  t.equal(s.schedulerName, 'default-scheduler')
  t.equal(s.terminationGracePeriodSeconds, 30)
  t.equal(s.serviceAccountName, 'default')
  t.equal(s.containers[0].imagePullPolicy, 'Always', ':latest (no tag) pulls always')
  t.equal(s.containers[1].imagePullPolicy, 'IfNotPresent')
  t.equal(s.containers[0].terminationMessagePath, '/dev/termination-log')
  t.equal(s.containers[0].terminationMessagePolicy, 'File')
  t.equal(s.containers[0].ports[0].protocol, 'TCP')
  t.equal(s.tolerations, undefined, 'default tolerations are admission, not defaulting')
  addDefaultTolerations(s)
  t.ok(s.tolerations.some((x: any) => x.key === 'node.kubernetes.io/not-ready' && x.tolerationSeconds === 300))
  const own = { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }] } as Record<string, any>
  addDefaultTolerations(own, 10)
  t.same(own.tolerations.map((x: any) => [x.key, x.tolerationSeconds]), [['node.kubernetes.io/unreachable', 5], ['node.kubernetes.io/not-ready', 10]], 'a pod that says otherwise keeps its own; the configured default fills the rest')
  t.equal((p.status as any).qosClass, 'BestEffort')

  const svc: KObject = { metadata: { name: 's' }, spec: { ports: [{ port: 8080 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }] } }
  applyDefaults('services', svc)
  const ss = svc.spec as Record<string, any>
  t.equal(ss.type, 'ClusterIP')
  t.equal(ss.sessionAffinity, 'None')
  t.same(ss.ports, [{ port: 8080, protocol: 'TCP', targetPort: 8080 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }])

  const d: KObject = { metadata: { name: 'd' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } }
  applyDefaults('deployments', d)
  const ds = d.spec as Record<string, any>
  t.equal(ds.replicas, 1)
  t.same(ds.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } })
  t.equal(ds.revisionHistoryLimit, 10)
  t.equal(ds.progressDeadlineSeconds, 600)
  t.equal(ds.template.spec.restartPolicy, 'Always')

  const j: KObject = { metadata: { name: 'j' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'i' }], restartPolicy: 'Never' } } } }
  applyDefaults('jobs', j)
  t.equal((j.spec as any).backoffLimit, 6)
  t.equal((j.spec as any).completions, 1)

  const ns: KObject = { metadata: { name: 'team' } }
  applyDefaults('namespaces', ns)
  t.same((ns.spec as any).finalizers, ['kubernetes'])
  t.equal(ns.metadata.labels?.['kubernetes.io/metadata.name'], 'team')
})
