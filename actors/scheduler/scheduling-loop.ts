// The active scheduler's loop: takes pending pods from a work queue, decides with
// schedulePod(), assumes the pod on the chosen node and binds it asynchronously; unschedulable
// pods wait until the cluster changes (a node appears or changes, a bound pod goes away) or a
// periodic flush, then are tried again.
import type { Ctx } from '../../runtime/actor.ts'
import type { Pod, PodCondition } from '../../protocols/k8s.ts'
import { R } from '../../protocols/resources.ts'
import type { ApiClient } from '../client/types.ts'
import type { EventRecorder } from '../client/event-recorder.ts'
import type { Informer } from '../client/informer.ts'
import { isApiError } from '../client/errors.ts'
import { WorkQueue } from '../client/workqueue.ts'
import type { SchedulerCache } from './cache.ts'
import { podKey } from './node-info.ts'
import { failureMessage, schedulePod } from './schedule.ts'

export interface SchedulingLoopDeps {
  client: ApiClient
  cache: SchedulerCache
  pods: Informer<Pod>
  recorder: EventRecorder
  schedulerName: string
  percentageOfNodesToScore: number
  isLeader(): boolean
}

/** Unschedulable pods are retried at least this often even if nothing changed. */
export const UNSCHEDULABLE_FLUSH_MS = 30_000
/** An assumed pod whose binding the watch never shows is dropped after this. */
export const ASSUMED_TTL_MS = 30_000

export class SchedulingLoop {
  private readonly queue: WorkQueue
  private readonly unschedulable = new Set<string>()
  private startIndex = 0
  private running = false
  private flushPending = false
  scheduledCount = 0

  constructor(private readonly ctx: Ctx, private readonly d: SchedulingLoopDeps) {
    this.queue = new WorkQueue(ctx, { name: 'scheduler', baseDelayMs: 100, maxDelayMs: 10_000 })
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.ctx.log.info({ event: 'scheduler.active', scheduler: this.ctx.self }, 'scheduler active')
    this.queue.run(1, (key) => this.scheduleOne(key))
    void this.housekeeping()
  }

  stop(): void {
    this.running = false
    this.queue.shutDown()
  }

  enqueue(key: string): void {
    if (!this.running || this.unschedulable.has(key)) return
    this.queue.add(key)
  }

  /** The pod is bound or gone: stop tracking it. */
  scheduled(key: string): void {
    this.unschedulable.delete(key)
  }

  /** Something changed that may let unschedulable pods fit: retry them all (coalesced). */
  clusterChanged(): void {
    if (!this.running || this.unschedulable.size === 0 || this.flushPending) return
    this.flushPending = true
    void this.ctx.sleep(0).then(() => {
      this.flushPending = false
      this.flush()
    })
  }

  private flush(): void {
    const keys = [...this.unschedulable]
    this.unschedulable.clear()
    for (const k of keys) this.queue.add(k)
  }

  private async housekeeping(): Promise<void> {
    let sinceFlush = 0
    const tick = 1000
    while (this.running) {
      await this.ctx.sleep(tick)
      if (!this.running) return
      for (const key of this.d.cache.expireAssumed(this.ctx.now(), ASSUMED_TTL_MS)) this.queue.add(key)
      sinceFlush += tick
      if (sinceFlush >= UNSCHEDULABLE_FLUSH_MS) {
        sinceFlush = 0
        this.flush()
      }
    }
  }

  private async scheduleOne(key: string): Promise<void> {
    if (!this.running || !this.d.isLeader()) return
    const [ns, name] = splitKey(key)
    const pod = this.d.pods.get(ns, name)
    if (!pod || pod.spec.nodeName || pod.metadata.deletionTimestamp || (pod.spec.schedulerName ?? 'default-scheduler') !== this.d.schedulerName) {
      this.unschedulable.delete(key)
      return
    }
    // Assumed: a binding is in flight, maybe one sent before this leadership began; a loop that
    // has stopped does not requeue its pod when that binding fails, so look again later.
    if (this.d.cache.isAssumed(key)) {
      this.queue.addRateLimited(key)
      return
    }
    const nodes = this.d.cache.nodeList()
    const r = schedulePod({
      pod,
      nodes,
      percentageOfNodesToScore: this.d.percentageOfNodesToScore,
      startIndex: this.startIndex,
      random: () => this.ctx.random(),
    })
    this.startIndex = r.nextStartIndex
    if (!r.node) {
      this.unschedulable.add(key)
      const message = failureMessage(nodes.length, r.reasons)
      this.ctx.log.debug({ pod: key, message }, 'pod unschedulable')
      this.d.recorder.event(pod, 'Warning', 'FailedScheduling', message)
      void this.markUnschedulable(pod, message)
      return
    }
    this.d.cache.assume(pod, r.node, this.ctx.now())
    void this.bind(pod, r.node)
  }

  private async bind(pod: Pod, node: string): Promise<void> {
    const key = podKey(pod)
    const ns = pod.metadata.namespace
    const name = pod.metadata.name ?? ''
    if (!this.d.isLeader()) {
      this.d.cache.forget(key)
      return
    }
    try {
      await this.d.client.create(R.pods, ns, {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace: ns, ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}) },
        target: { apiVersion: 'v1', kind: 'Node', name: node },
      }, { name, subresource: 'binding' })
      this.scheduledCount++
      this.unschedulable.delete(key)
      this.d.recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${node}`)
    } catch (err) {
      this.d.cache.forget(key)
      if (isApiError(err, 'API_CONFLICT') || isApiError(err, 'API_NOT_FOUND')) {
        this.ctx.log.info({ pod: key, node, code: (err as { code: string }).code }, 'binding refused')
        return
      }
      this.ctx.log.warn({ err, pod: key, node }, 'binding failed')
      if (this.running) this.queue.addRateLimited(key)
    }
  }

  /** Set PodScheduled=False/Unschedulable on the pod, as kube-scheduler does (once per message). */
  private async markUnschedulable(pod: Pod, message: string): Promise<void> {
    const prev = pod.status?.conditions?.find((c) => c.type === 'PodScheduled')
    if (prev?.status === 'False' && prev.message === message) return
    const cond: PodCondition = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime: new Date(this.ctx.now()).toISOString() }
    const others = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled')
    try {
      await this.d.client.patch(R.pods, pod.metadata.namespace, pod.metadata.name ?? '', 'merge', { status: { conditions: [...others, cond] } }, { subresource: 'status' })
    } catch (err) {
      this.ctx.log.debug({ err, pod: podKey(pod) }, 'pod condition update failed')
    }
  }
}

function splitKey(key: string): [string | undefined, string] {
  const i = key.indexOf('/')
  return i < 0 ? [undefined, key] : [key.slice(0, i) || undefined, key.slice(i + 1)]
}
