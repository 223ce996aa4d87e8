// The shape shared by every controller: handlers enqueue keys (always registered, so standbys
// keep caches warm), the queue and its workers exist only while this instance leads.
import type { KObject } from '../../protocols/k8s.ts'
import type { Controller, ControllerDeps, Queue, Recorder } from './deps.ts'
import { keyOf } from './keys.ts'
import { canonical } from './hash.ts'

/** The event source component of each controller, as Kubernetes names them. */
const EVENT_SOURCE: Record<string, string> = {
  replicaset: 'replicaset-controller',
  replicationcontroller: 'replication-controller',
  deployment: 'deployment-controller',
  endpoints: 'endpoint-controller',
  'node-lifecycle': 'node-controller',
  'garbage-collector': 'garbage-collector-controller',
  job: 'job-controller',
  daemonset: 'daemonset-controller',
  statefulset: 'statefulset-controller',
  namespace: 'namespace-controller',
  'persistentvolume-binder': 'persistentvolume-controller',
}

export abstract class BaseController implements Controller {
  private queue: Queue | undefined
  protected readonly recorder: Recorder

  constructor(readonly name: string, protected readonly d: ControllerDeps, private readonly workers = 2) {
    this.recorder = d.newRecorder?.(EVENT_SOURCE[name] ?? name) ?? d.recorder
  }

  /** Keys to reconcile when leadership starts (every primary object in the cache). */
  protected abstract initialKeys(): string[]
  protected abstract reconcile(key: string): Promise<void>

  get active(): boolean {
    return this.queue !== undefined
  }

  enqueue(key: string): void {
    this.queue?.add(key)
  }

  enqueueObj(obj: KObject): void {
    this.queue?.add(keyOf(obj))
  }

  enqueueAfter(key: string, ms: number): void {
    this.queue?.addAfter(key, Math.max(0, Math.ceil(ms)))
  }

  start(): void {
    if (this.queue) return
    const q = this.d.newQueue(this.name)
    this.queue = q
    for (const k of this.initialKeys()) q.add(k)
    q.run(this.workers, async (key) => {
      if (this.queue !== q) return
      await this.reconcile(key)
    })
    this.d.ctx.log.info({ controller: this.name }, 'controller started')
  }

  stop(): void {
    const q = this.queue
    if (!q) return
    this.queue = undefined
    q.shutDown()
    this.d.ctx.log.info({ controller: this.name }, 'controller stopped')
  }
}

/** Objects from a list have no kind; events and owner references need it. */
export function withKind<T extends KObject>(obj: T, apiVersion: string, kind: string): T {
  return obj.kind ? obj : { ...obj, apiVersion, kind }
}

export function errCode(err: unknown): string | undefined {
  return err && typeof err === 'object' && 'code' in err ? String((err as { code: unknown }).code) : undefined
}

export function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** Deep equality ignoring key order (status comparisons against what the server stored). */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a ?? {}) === canonical(b ?? {})
}
