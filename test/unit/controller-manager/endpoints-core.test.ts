import t from 'tap'
import { desiredSubsets, resolveTargetPort } from '../../../actors/controller-manager/endpoints-core.ts'
import type { Service } from '../../../protocols/k8s.ts'
import { pod } from './fixtures.ts'

function svc(ports: NonNullable<Service['spec']['ports']>, selector: Record<string, string> | undefined = { app: 'web' }): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector, ports } }
}
const named = [{ name: 'http', containerPort: 8080 }]

t.test('ready pods in addresses, not-ready apart, others left out', async (t) => {
  const pods = [
    pod('b', { ip: '127.244.0.3', ready: true, node: 'n1', ports: named }),
    pod('a', { ip: '127.244.0.2', ready: true, node: 'n2', ports: named }),
    pod('c', { ip: '127.244.0.4', ready: false, ports: named }),
    pod('no-ip', { ready: true, ports: named }),
    pod('terminating', { ip: '127.244.0.5', ready: true, deleting: true, ports: named }),
    pod('done', { ip: '127.244.0.6', phase: 'Succeeded', ports: named }),
    pod('other-app', { ip: '127.244.0.7', ready: true, labels: { app: 'db' }, ports: named }),
    pod('other-ns', { ip: '127.244.0.8', ready: true, ns: 'x', ports: named }),
  ]
  const subsets = desiredSubsets(svc([{ name: 'http', port: 80, targetPort: 'http' }]), pods)!
  t.equal(subsets.length, 1)
  t.same(subsets[0]!.addresses!.map((a) => a.ip), ['127.244.0.2', '127.244.0.3'], 'sorted by ip')
  t.same(subsets[0]!.notReadyAddresses!.map((a) => a.ip), ['127.244.0.4'])
  t.same(subsets[0]!.ports, [{ port: 8080, protocol: 'TCP', name: 'http' }])
  t.same(subsets[0]!.addresses![0]!.targetRef, { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' })
  t.equal(subsets[0]!.addresses![0]!.nodeName, 'n2')
})

t.test('target ports: number, numeric string, name, missing name', async (t) => {
  const p = pod('a', { ports: named })
  t.equal(resolveTargetPort({ port: 80 }, p), 80, 'defaults to port')
  t.equal(resolveTargetPort({ port: 80, targetPort: 9000 }, p), 9000)
  t.equal(resolveTargetPort({ port: 80, targetPort: '9001' }, p), 9001)
  t.equal(resolveTargetPort({ port: 80, targetPort: 'http' }, p), 8080)
  t.equal(resolveTargetPort({ port: 80, targetPort: 'grpc' }, p), undefined)
})

t.test('pods with different resolved ports land in different subsets', async (t) => {
  const pods = [
    pod('a', { ip: '127.244.0.2', ready: true, ports: [{ name: 'http', containerPort: 8080 }] }),
    pod('b', { ip: '127.244.0.3', ready: true, ports: [{ name: 'http', containerPort: 9090 }] }),
    pod('c', { ip: '127.244.0.4', ready: true, ports: [] }),
  ]
  const subsets = desiredSubsets(svc([{ name: 'http', port: 80, targetPort: 'http' }]), pods)!
  t.equal(subsets.length, 2, 'pod c lacks the named port and is left out')
  t.same(subsets.map((s) => s.ports![0]!.port).sort(), [8080, 9090])
})

t.test('a service without a selector is left alone; no pods gives empty subsets', async (t) => {
  t.equal(desiredSubsets(svc([{ port: 80 }], {}), [pod('a', { ip: '127.244.0.2', ready: true })]), undefined)
  t.same(desiredSubsets(svc([{ port: 80 }]), []), [])
})
