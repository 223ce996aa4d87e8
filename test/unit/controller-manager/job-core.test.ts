import t from 'tap'
import { decideJob } from '../../../actors/controller-manager/job-core.ts'
import type { Job } from '../../../actors/controller-manager/workload-types.ts'
import { iso, pod, T0 } from './fixtures.ts'

function job(spec: Partial<Job['spec']> = {}, status?: Job['status']): Job {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default', uid: 'uid-pi' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'Never' } }, ...spec }, status }
}
const owner = { kind: 'Job', name: 'pi', uid: 'uid-pi' }
const pods = (running: number, succeeded = 0, failed = 0) => [
  ...Array.from({ length: running }, (_, i) => pod(`r${i}`, { owner })),
  ...Array.from({ length: succeeded }, (_, i) => pod(`s${i}`, { owner, phase: 'Succeeded' })),
  ...Array.from({ length: failed }, (_, i) => pod(`f${i}`, { owner, phase: 'Failed' })),
]

t.test('completions and parallelism', async (t) => {
  const table: Array<[string, Partial<Job['spec']>, ReturnType<typeof pods>, number, number, string | undefined]> = [
    ['single pod job starts one', {}, pods(0), 1, 0, undefined],
    ['single pod running: wait', {}, pods(1), 0, 0, undefined],
    ['single pod succeeded: complete', {}, pods(0, 1), 0, 0, 'Complete'],
    ['5 completions, parallelism 2', { completions: 5, parallelism: 2 }, pods(0), 2, 0, undefined],
    ['4 of 5 done, 1 left: 1 pod only', { completions: 5, parallelism: 2 }, pods(0, 4), 1, 0, undefined],
    ['all 5 done', { completions: 5, parallelism: 2 }, pods(0, 5), 0, 0, 'Complete'],
    ['parallelism lowered: delete extra', { completions: 10, parallelism: 1 }, pods(3), 0, 2, undefined],
    ['work queue: one succeeded, none active: complete', { parallelism: 3 }, pods(0, 1), 0, 0, 'Complete'],
    ['work queue: one succeeded, others running: no new pods', { parallelism: 3 }, pods(2, 1), 0, 0, undefined],
    ['a failure within the backoff limit is replaced', { backoffLimit: 2 }, pods(0, 0, 1), 1, 0, undefined],
    ['failures past the backoff limit fail the job', { backoffLimit: 2, completions: 3, parallelism: 2 }, pods(1, 0, 3), 0, 1, 'Failed'],
  ]
  for (const [name, spec, ps, create, del, cond] of table) {
    const d = decideJob(job(spec), ps, T0)
    t.equal(d.create, create, `${name}: create`)
    t.equal(d.delete.length, del, `${name}: delete`)
    t.equal(d.finished?.type, cond, `${name}: finished`)
  }
})

t.test('status counts, startTime, completionTime, condition reasons', async (t) => {
  let d = decideJob(job({ completions: 2 }), pods(1, 1), T0)
  t.same({ active: d.status.active, succeeded: d.status.succeeded, failed: d.status.failed, startTime: d.status.startTime }, { active: 1, succeeded: 1, failed: 0, startTime: iso(T0) })
  d = decideJob(job({ completions: 2 }, { startTime: iso(T0 - 5000) }), pods(0, 2), T0)
  t.equal(d.status.completionTime, iso(T0))
  t.equal(d.status.startTime, iso(T0 - 5000), 'startTime kept')
  t.same(d.status.conditions?.map((c) => [c.type, c.status, c.reason]), [['Complete', 'True', 'Completed']])
  d = decideJob(job({ backoffLimit: 0 }), pods(0, 0, 1), T0)
  t.equal(d.status.conditions?.[0]?.reason, 'BackoffLimitExceeded')
})

t.test('activeDeadlineSeconds fails the job and deletes its running pods', async (t) => {
  const before = decideJob(job({ activeDeadlineSeconds: 10 }, { startTime: iso(T0) }), pods(1), T0 + 5000)
  t.equal(before.finished, undefined)
  t.equal(before.recheckAt, T0 + 10_000)
  const after = decideJob(job({ activeDeadlineSeconds: 10 }, { startTime: iso(T0) }), pods(1), T0 + 10_000)
  t.equal(after.finished?.reason, 'DeadlineExceeded')
  t.equal(after.delete.length, 1)
})

t.test('a finished job does nothing more', async (t) => {
  const done = job({}, { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] })
  const d = decideJob(done, pods(0, 1), T0)
  t.equal(d.create, 0)
  t.equal(d.finished, undefined)
})

t.test('a failed pod is replaced only after the backoff (10 s doubling)', async (t) => {
  const failedAt = (name: string, at: number) => {
    const p = pod(name, { owner, phase: 'Failed' })
    p.status!.containerStatuses = [{ name: 'c', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, finishedAt: iso(at) } }, lastState: {} }]
    return p
  }
  let d = decideJob(job({ backoffLimit: 6 }), [failedAt('f0', T0)], T0 + 5000)
  t.equal(d.create, 0, 'waits within the first 10 s')
  t.equal(d.recheckAt, T0 + 10_000)
  d = decideJob(job({ backoffLimit: 6 }), [failedAt('f0', T0)], T0 + 10_000)
  t.equal(d.create, 1, 'replaced after 10 s')
  d = decideJob(job({ backoffLimit: 6 }), [failedAt('f0', T0 - 30_000), failedAt('f1', T0)], T0 + 15_000)
  t.equal(d.create, 0, 'second failure: 20 s')
  t.equal(d.recheckAt, T0 + 20_000)
})
