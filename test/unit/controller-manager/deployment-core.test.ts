import t from 'tap'
import { decideDeployment, computeStatus, historyToDelete, maxSurgeAndUnavailable, REVISION, type DeploymentAction } from '../../../actors/controller-manager/deployment-core.ts'
import { podTemplateHash } from '../../../actors/controller-manager/hash.ts'
import { deployment, pod, rs, T0 } from './fixtures.ts'

const scales = (as: DeploymentAction[]) => as.filter((a) => a.type === 'scale').map((a) => a.type === 'scale' ? `${a.name}:${a.from}->${a.to}` : '')

t.test('maxSurge / maxUnavailable resolution', async (t) => {
  const table: Array<[Parameters<typeof deployment>[0], { surge: number; unavailable: number }]> = [
    [{ replicas: 10 }, { surge: 3, unavailable: 2 }],
    [{ replicas: 4, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }, { surge: 1, unavailable: 0 }],
    [{ replicas: 4, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }, { surge: 0, unavailable: 1 }],
    [{ replicas: 5, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '50%', maxUnavailable: '50%' } } }, { surge: 3, unavailable: 2 }],
    [{ replicas: 5, strategy: { type: 'Recreate' } }, { surge: 0, unavailable: 5 }],
  ]
  for (const [o, want] of table) t.same(maxSurgeAndUnavailable(deployment(o)), want, JSON.stringify(o))
})

t.test('a new deployment creates its ReplicaSet with hash, revision 1 and full replicas', async (t) => {
  const d = deployment({ replicas: 3 })
  const dec = decideDeployment(d, [], [], T0)
  t.equal(dec.actions.length, 1)
  const a = dec.actions[0]
  if (a.type !== 'create') return t.fail('expected create')
  const hash = podTemplateHash(d.spec.template)
  t.equal(a.rs.metadata.name, `web-${hash}`)
  t.equal(a.rs.metadata.annotations?.[REVISION], '1')
  t.equal(a.rs.spec.replicas, 3)
  t.equal(a.rs.spec.selector.matchLabels?.['pod-template-hash'], hash)
  t.equal(a.rs.spec.template.metadata?.labels?.['pod-template-hash'], hash)
  t.equal(a.rs.metadata.ownerReferences?.[0].uid, 'uid-web')
  t.equal(dec.status.conditions?.find((c) => c.type === 'Progressing')?.reason, 'NewReplicaSetCreated')
})

t.test('hash ignores the pod-template-hash label and changes with the template', async (t) => {
  const a = deployment().spec.template
  const b = structuredClone(a)
  b.metadata!.labels!['pod-template-hash'] = 'xyz'
  t.equal(podTemplateHash(a), podTemplateHash(b))
  t.not(podTemplateHash(a), podTemplateHash(deployment({ image: 'nginx:2' }).spec.template))
  t.match(podTemplateHash(a), /^[bcdfghjklmnpqrstvwxz2456789]+$/)
})

function newRsFor(d: ReturnType<typeof deployment>, o: Parameters<typeof rs>[1]) {
  const hash = podTemplateHash(d.spec.template)
  const r = rs(`web-${hash}`, { owner: 'web', hash, ...o })
  r.spec.template = structuredClone(d.spec.template)
  r.spec.template.metadata!.labels!['pod-template-hash'] = hash
  return r
}

t.test('rolling update steps stay within maxSurge and maxUnavailable', async (t) => {
  // 4 replicas, maxSurge 1, maxUnavailable 1: total <= 5 and available >= 3 at every step.
  const d = deployment({ replicas: 4, image: 'nginx:2', strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } })
  const old = rs('web-old', { owner: 'web', replicas: 4, revision: 1, image: 'nginx:1', created: T0 - 1000 })
  // Step 1: create the new set at 1 (surge).
  let dec = decideDeployment(d, [old], [], T0)
  const c = dec.actions[0]
  t.equal(c.type, 'create')
  if (c.type === 'create') {
    t.equal(c.rs.spec.replicas, 1)
    t.equal(c.rs.metadata.annotations?.[REVISION], '2')
  }
  // Step 2: new set exists at 1 (not available): old may drop by maxScaledDown = 5 - 3 - 1 = 1.
  let nrs = newRsFor(d, { replicas: 1, available: 0, revision: 2 })
  dec = decideDeployment(d, [old, nrs], [], T0)
  t.same(scales(dec.actions), ['web-old:4->3'])
  // Step 3: old at 3, new at 1 unavailable: total 4 < 5, new grows to 2.
  const old3 = rs('web-old', { owner: 'web', replicas: 3, revision: 1, image: 'nginx:1', created: T0 - 1000 })
  dec = decideDeployment(d, [old3, nrs], [], T0)
  t.same(scales(dec.actions), [`${nrs.metadata.name}:1->2`])
  // Step 4: new at 2 none available, old at 3: 5 - 3 - 2 = 0, no scale down: waits.
  nrs = newRsFor(d, { replicas: 2, available: 0, revision: 2 })
  dec = decideDeployment(d, [old3, nrs], [], T0)
  t.same(scales(dec.actions), [])
  // Step 5: new pods available: old can drop by 2 (available 5 - minAvailable 3).
  nrs = newRsFor(d, { replicas: 2, available: 2, revision: 2 })
  dec = decideDeployment(d, [old3, nrs], [], T0)
  t.same(scales(dec.actions), ['web-old:3->1'])
  // Done: new at 4 available, old at 0: complete status.
  nrs = newRsFor(d, { replicas: 4, available: 4, revision: 2 })
  const old0 = rs('web-old', { owner: 'web', replicas: 0, revision: 1, image: 'nginx:1', created: T0 - 1000, statusReplicas: 0, available: 0 })
  dec = decideDeployment(d, [old0, nrs], [], T0)
  t.same(scales(dec.actions), [])
  t.equal(dec.status.updatedReplicas, 4)
  t.equal(dec.status.replicas, 4)
  t.equal(dec.status.availableReplicas, 4)
  t.equal(dec.status.conditions?.find((x) => x.type === 'Progressing')?.reason, 'NewReplicaSetAvailable')
  t.equal(dec.status.conditions?.find((x) => x.type === 'Available')?.status, 'True')
})

t.test('Recreate: old sets to zero, wait for old pods, then the new set', async (t) => {
  const d = deployment({ replicas: 2, image: 'nginx:2', strategy: { type: 'Recreate' } })
  const old = rs('web-old', { owner: 'web', replicas: 2, revision: 1, image: 'nginx:1' })
  let dec = decideDeployment(d, [old], [], T0)
  const c = dec.actions[0]
  t.ok(c.type === 'create' && c.rs.spec.replicas === 0, 'new set created at 0')
  const nrs = newRsFor(d, { replicas: 0, available: 0, revision: 2, statusReplicas: 0 })
  dec = decideDeployment(d, [old, nrs], [], T0)
  t.same(scales(dec.actions), ['web-old:2->0'])
  const old0 = rs('web-old', { owner: 'web', replicas: 0, revision: 1, image: 'nginx:1', statusReplicas: 1, available: 0 })
  const oldPod = pod('web-old-a', { owner: { kind: 'ReplicaSet', name: 'web-old', uid: 'uid-web-old' } })
  dec = decideDeployment(d, [old0, nrs], [oldPod], T0)
  t.same(scales(dec.actions), [], 'waits while an old pod runs')
  dec = decideDeployment(d, [old0, nrs], [], T0)
  t.same(scales(dec.actions), [`${nrs.metadata.name}:0->2`])
})

t.test('rollback to an old template re-uses its ReplicaSet with a new revision', async (t) => {
  const d = deployment({ replicas: 2, image: 'nginx:1' })
  const v1 = newRsFor(d, { replicas: 0, available: 0, statusReplicas: 0, revision: 1 })
  const v2 = rs('web-v2', { owner: 'web', replicas: 2, revision: 2, image: 'nginx:2' })
  const dec = decideDeployment(d, [v1, v2], [], T0)
  const ann = dec.actions.find((a) => a.type === 'annotate')
  t.ok(ann && ann.type === 'annotate' && ann.name === v1.metadata.name && ann.annotations[REVISION] === '3')
  t.notOk(dec.actions.some((a) => a.type === 'create'), 'no new set')
  t.same(scales(dec.actions), [`${v1.metadata.name}:0->1`], 'then rolls forward to it within maxSurge')
})

t.test('paused: no new ReplicaSet, scaling still applies', async (t) => {
  const d = deployment({ replicas: 5, image: 'nginx:2', paused: true })
  const old = rs('web-old', { owner: 'web', replicas: 3, revision: 1, image: 'nginx:1' })
  const dec = decideDeployment(d, [old], [], T0)
  t.notOk(dec.actions.some((a) => a.type === 'create'))
  t.same(scales(dec.actions), ['web-old:3->5'])
  t.equal(dec.status.conditions?.find((c) => c.type === 'Progressing')?.reason, 'DeploymentPaused')
})

t.test('revision history limit deletes the oldest idle sets', async (t) => {
  const d = deployment({ history: 1 })
  const olds = [1, 2, 3].map((r) => rs(`web-r${r}`, { owner: 'web', replicas: 0, statusReplicas: 0, available: 0, revision: r }))
  t.same(historyToDelete(d, olds), ['web-r1', 'web-r2'])
  t.same(historyToDelete(deployment({ history: 5 }), olds), [])
})

t.test('status: observedGeneration and availability', async (t) => {
  const d = deployment({ replicas: 4, generation: 7 })
  const nrs = newRsFor(d, { replicas: 4, available: 2, revision: 1 })
  const s = computeStatus(d, [nrs], nrs, T0, false)
  t.equal(s.observedGeneration, 7)
  t.equal(s.unavailableReplicas, 2)
  t.equal(s.conditions?.find((c) => c.type === 'Available')?.status, 'False', '2 < 4 - 1')
  t.equal(s.conditions?.find((c) => c.type === 'Progressing')?.reason, 'ReplicaSetUpdated')
})
