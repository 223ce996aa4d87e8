// The Job controller: runs pods until completions succeed, within parallelism, and fails the
// job past backoffLimit or activeDeadlineSeconds.
import type { Pod } from '../../protocols/k8s.ts'
import { R } from '../../protocols/resources.ts'
import { BaseController, errCode, errMessage, sameJson, withKind } from './base.ts'
import { BY_OWNER, type ControllerDeps } from './deps.ts'
import { Expectations } from './expectations.ts'
import { decideJob } from './job-core.ts'
import { keyOf, splitKey } from './keys.ts'
import { controllerRef, ownerRefFor } from './owners.ts'
import { podFromTemplate, slowStartBatches } from './pods.ts'
import type { Job } from './workload-types.ts'

export class JobController extends BaseController {
  private readonly expectations = new Expectations()

  constructor(d: ControllerDeps) {
    super('job', d)
    d.informers.jobs.addHandler({ onAdd: (o) => this.enqueueObj(o), onUpdate: (_o, n) => this.enqueueObj(n), onDelete: (o) => this.enqueueObj(o) })
    const owner = (p: Pod) => {
      const r = controllerRef(p)
      return r?.kind === 'Job' ? `${p.metadata.namespace}/${r.name}` : undefined
    }
    d.informers.pods.addHandler({
      onAdd: (p) => { const k = owner(p as Pod); if (k) { this.expectations.creationObserved(k); this.enqueue(k) } },
      onUpdate: (_o, p) => { const k = owner(p as Pod); if (k) this.enqueue(k) },
      onDelete: (p) => { const k = owner(p as Pod); if (k) { this.expectations.deletionObserved(k); this.enqueue(k) } },
    })
  }

  start(): void {
    this.expectations.clear()
    super.start()
  }

  protected initialKeys(): string[] {
    return this.d.informers.jobs.list().map(keyOf)
  }

  protected async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key)
    const cached = this.d.informers.jobs.get(namespace, name) as Job | undefined
    if (!cached) {
      this.expectations.delete(key)
      return
    }
    const job = withKind(cached, 'batch/v1', 'Job')
    const now = this.d.ctx.now()
    if (!this.expectations.satisfied(key, now)) return
    const owned = this.d.informers.pods.byIndex(BY_OWNER, job.metadata.uid ?? '').filter((p) => controllerRef(p)?.uid === job.metadata.uid) as Pod[]
    const dec = decideJob(job, owned, now)
    const c = this.d.client
    if (dec.create > 0 && this.active) {
      this.expectations.expect(key, dec.create, 0, now)
      const ref = ownerRefFor(job, 'batch/v1', 'Job')
      const labels = { 'controller-uid': job.metadata.uid ?? '', 'job-name': name, 'batch.kubernetes.io/job-name': name }
      let left = dec.create
      for (const size of slowStartBatches(dec.create)) {
        const res = await Promise.all(Array.from({ length: size }, async () => {
          try {
            const p = await c.create<Pod>(R.pods, namespace, podFromTemplate(job.spec.template, namespace ?? 'default', `${name}-`, ref, labels))
            this.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${p.metadata.name}`)
            return true
          } catch (e) {
            this.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${errMessage(e)}`)
            return false
          }
        }))
        left -= size
        const failed = res.filter((x) => !x).length
        if (failed > 0) {
          this.expectations.lower(key, failed + left, 0)
          throw new Error(`job ${key}: ${failed} pod creations failed`)
        }
      }
    }
    if (dec.delete.length > 0 && this.active) {
      this.expectations.expect(key, 0, dec.delete.length, now)
      for (const p of dec.delete) {
        const gone = await c.delete(R.pods, namespace, p.metadata.name ?? '', { propagationPolicy: 'Background' })
        if (gone) this.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`)
        else this.expectations.lower(key, 0, 1)
      }
    }
    if (!sameJson(dec.status, job.status)) {
      await c.patch(R.jobs, namespace, name, 'merge', { status: dec.status }, { subresource: 'status' }).catch((e) => { if (errCode(e) !== 'API_NOT_FOUND') throw e })
    }
    if (dec.finished) {
      this.recorder.event(job, dec.finished.type === 'Complete' ? 'Normal' : 'Warning', dec.finished.reason, dec.finished.message)
    }
    if (dec.recheckAt !== undefined) this.enqueueAfter(key, dec.recheckAt - now + 1)
  }
}
