// @kubernetes/client-node 1.4 (Node 20) against the gateway: list, get, watch, informer with
// re-list on 410, create, patch (merge, strategic), delete, bindings by both paths.
import t from 'tap'
import * as k8s from '@kubernetes/client-node'
import type { ApiCall } from '../../../actors/apiserver/types.ts'
import type { ApiReply } from '../../../protocols/api.ts'
import { eventually } from '../../helpers/kubectl.ts'
import { kubeconfigDocument } from '../../../runtime/kubeconfig.ts'
import { MemoryCore, startMemoryGateway } from '../../helpers/memory-core.ts'

class ListCountingCore extends MemoryCore {
  lists = 0
  override handle(req: ApiCall): Promise<ApiReply> {
    if (req.type === 'api.list') this.lists++
    return super.handle(req)
  }
}

const pod = (name: string): k8s.V1Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'cn' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } })

t.test('client-node', async (t) => {
  const core = new ListCountingCore()
  const gw = await startMemoryGateway({ core })
  t.teardown(() => gw.close())
  const kc = new k8s.KubeConfig()
  kc.loadFromString(JSON.stringify(kubeconfigDocument({ port: gw.port })))
  const coreApi = kc.makeApiClient(k8s.CoreV1Api)
  const apps = kc.makeApiClient(k8s.AppsV1Api)
  const namespace = 'default'

  await t.test('create, get, list', async (t) => {
    const created = await coreApi.createNamespacedPod({ namespace, body: pod('cn-0') })
    t.equal(created.metadata?.name, 'cn-0')
    t.ok(created.metadata?.uid)
    t.ok(created.metadata?.creationTimestamp instanceof Date, 'timestamps parse as dates')
    const got = await coreApi.readNamespacedPod({ namespace, name: 'cn-0' })
    t.equal(got.spec?.containers[0].image, 'busybox')
    const list = await coreApi.listNamespacedPod({ namespace, labelSelector: 'app=cn' })
    t.same(list.items.map((p) => p.metadata?.name), ['cn-0'])
    t.ok(list.metadata?.resourceVersion)
    const nss = await coreApi.listNamespace()
    t.ok(nss.items.some((n) => n.metadata?.name === 'kube-system'))
    await t.rejects(coreApi.readNamespacedPod({ namespace, name: 'nope' }), { code: 404 })
  })

  await t.test('patch: merge and strategic', async (t) => {
    const merged = await coreApi.patchNamespacedPod({ namespace, name: 'cn-0', body: { metadata: { labels: { merged: 'yes' } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch))
    t.equal(merged.metadata?.labels?.merged, 'yes')
    t.equal(merged.metadata?.labels?.app, 'cn')
    const strategic = await coreApi.patchNamespacedPod({ namespace, name: 'cn-0', body: { spec: { containers: [{ name: 'c', image: 'busybox:2' }] } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch))
    t.equal(strategic.spec?.containers.length, 1)
    t.equal(strategic.spec?.containers[0].image, 'busybox:2')
    const jsonPatched = await coreApi.patchNamespacedPod({ namespace, name: 'cn-0', body: [{ op: 'add', path: '/metadata/labels/jp', value: '1' }] })
    t.equal(jsonPatched.metadata?.labels?.jp, '1', 'default patch type is json-patch')
  })

  await t.test('bindings: both paths', async (t) => {
    await coreApi.createNamespacedPod({ namespace, body: pod('cn-1') })
    await coreApi.createNamespacedBinding({ namespace, body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'cn-0' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-a' } } })
    await coreApi.createNamespacedPodBinding({ namespace, name: 'cn-1', body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'cn-1' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-b' } } })
    t.equal((await coreApi.readNamespacedPod({ namespace, name: 'cn-0' })).spec?.nodeName, 'node-a')
    t.equal((await coreApi.readNamespacedPod({ namespace, name: 'cn-1' })).spec?.nodeName, 'node-b')
  })

  await t.test('watch', async (t) => {
    const seen: string[] = []
    const watch = new k8s.Watch(kc)
    const req = await watch.watch('/api/v1/namespaces/default/pods', { labelSelector: 'app=cn' }, (type, obj) => seen.push(`${type} ${obj.metadata?.name}`), () => {})
    t.teardown(() => req.abort())
    t.ok(await eventually(() => seen.includes('ADDED cn-0') && seen.includes('ADDED cn-1')), 'initial ADDED events')
    await coreApi.deleteNamespacedPod({ namespace, name: 'cn-1' })
    t.ok(await eventually(() => seen.includes('DELETED cn-1')), 'DELETED event')
  })

  await t.test('informer: list, watch, re-list on 410', async (t) => {
    const informer = k8s.makeInformer(kc, '/apis/apps/v1/namespaces/default/deployments', () => apps.listNamespacedDeployment({ namespace }))
    const names = new Set<string>()
    informer.on('add', (d) => names.add(d.metadata!.name!))
    informer.on('delete', (d) => names.delete(d.metadata!.name!))
    let stopped = false
    informer.on('error', () => {
      if (!stopped) setTimeout(() => void (stopped || informer.start()), 100)
    })
    await informer.start()
    t.teardown(async () => {
      stopped = true
      await informer.stop()
    })
    const dep = (name: string): k8s.V1Deployment => ({ metadata: { name }, spec: { selector: { matchLabels: { a: name } }, template: { metadata: { labels: { a: name } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } })
    await apps.createNamespacedDeployment({ namespace, body: dep('d0') })
    t.ok(await eventually(() => names.has('d0')), 'informer sees a create')
    const listsBefore = core.lists
    core.historyLimit = 1
    core.closeAllWatches({ apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message: 'too old resource version', reason: 'Expired', code: 410 })
    await apps.createNamespacedDeployment({ namespace, body: dep('d1') })
    await apps.createNamespacedDeployment({ namespace, body: dep('d2') })
    t.ok(await eventually(() => core.lists > listsBefore, 10_000), 're-listed after 410')
    t.ok(await eventually(() => names.has('d1') && names.has('d2'), 10_000), 'objects created meanwhile arrive')
    await apps.deleteNamespacedDeployment({ namespace, name: 'd0' })
    t.ok(await eventually(() => !names.has('d0'), 10_000), 'informer sees a delete after the re-list')
  })
})
