// EventRecorder: writes core/v1 Events for an object, aggregating repeats of the same
// (object, type, reason, message) into one Event with count, firstTimestamp, lastTimestamp,
// as client-go's event correlator does. Fire and forget: failures are logged, never thrown.
// As client-go's broadcaster, it writes a few at a time and holds a bounded backlog: past it,
// events are dropped (and counted in the log), so a burst of events never crowds the API out.
import type { Ctx } from '../../runtime/actor.ts'
import type { KEvent, KObject } from '../../protocols/k8s.ts'
import { R } from '../../protocols/resources.ts'
import { isApiError } from './errors.ts'
import type { ApiClient } from './types.ts'

export interface EventRecorderOptions {
  component: string
  host?: string
}

interface Seen {
  name: string
  namespace: string
  count: number
  firstTimestamp: string
}

/** Aggregation entries kept (oldest dropped first). */
const CACHE_SIZE = 4096
/** Event writes in flight at once per recorder. */
export const EVENT_WRITES_IN_FLIGHT = 8
/** Events waiting to be written beyond which new ones are dropped (client-go's maxQueuedEvents). */
export const EVENT_BACKLOG = 1000

export class EventRecorder {
  private readonly seen = new Map<string, Seen>()
  private readonly chains = new Map<string, Promise<void>>()
  /** Events accepted and not yet written; writes in flight; writers waiting for one of those. */
  private backlog = 0
  private writing = 0
  private readonly waiting: Array<() => void> = []
  /** Events dropped over the backlog since start. */
  dropped = 0

  constructor(private readonly ctx: Ctx, private readonly client: ApiClient, private readonly opts: EventRecorderOptions) {}

  event(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const md = obj.metadata
    const key = [obj.kind, md.namespace, md.name, md.uid, type, reason, message].join('\u0000')
    if (this.backlog >= EVENT_BACKLOG) {
      if (this.dropped++ % EVENT_BACKLOG === 0) this.ctx.log.warn({ dropped: this.dropped, backlog: this.backlog }, 'event backlog full, events dropped')
      return
    }
    this.backlog++
    const prev = this.chains.get(key) ?? Promise.resolve()
    const next = prev.then(() => this.inSlot(() => this.write(key, obj, type, reason, message))).finally(() => this.backlog--)
    this.chains.set(key, next)
    void next.then(() => {
      if (this.chains.get(key) === next) this.chains.delete(key)
    })
  }

  /** Runs `write` in one of EVENT_WRITES_IN_FLIGHT slots, in the order writes asked for one. */
  private async inSlot(write: () => Promise<void>): Promise<void> {
    if (this.writing < EVENT_WRITES_IN_FLIGHT) this.writing++
    else await new Promise<void>((go) => this.waiting.push(go))
    try {
      await write()
    } finally {
      const go = this.waiting.shift()
      if (go) go()
      else this.writing--
    }
  }

  private async write(key: string, obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const now = new Date(this.ctx.now()).toISOString()
    const s = this.seen.get(key)
    try {
      if (s) {
        const count = s.count + 1
        try {
          await this.client.patch(R.events, s.namespace, s.name, 'merge', { count, lastTimestamp: now })
          s.count = count
          this.touch(key, s)
          return
        } catch (e) {
          if (!isApiError(e, 'API_NOT_FOUND')) throw e
          this.seen.delete(key)
        }
      }
      const md = obj.metadata
      const namespace = md.namespace ?? 'default'
      const name = `${md.name ?? 'object'}.${this.ctx.now().toString(16)}${this.ctx.newId().replace(/[^a-z0-9]/g, '').slice(-6)}`
      const ev: KEvent = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: {
          kind: obj.kind,
          namespace: md.namespace,
          name: md.name,
          uid: md.uid,
          apiVersion: obj.apiVersion,
          resourceVersion: md.resourceVersion,
        },
        reason,
        message,
        type,
        source: { component: this.opts.component, ...(this.opts.host ? { host: this.opts.host } : {}) },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        reportingComponent: this.opts.component,
        reportingInstance: this.opts.host ?? this.ctx.self,
      }
      try {
        await this.client.create(R.events, namespace, ev)
      } catch (e) {
        // The name is this write's own: an earlier attempt (retried on another apiserver after
        // its answer was lost) already created it.
        if (!isApiError(e, 'API_ALREADY_EXISTS')) throw e
      }
      this.touch(key, { name, namespace, count: 1, firstTimestamp: now })
    } catch (err) {
      this.ctx.log.warn({ err, reason, object: obj.metadata.name }, 'event write failed')
    }
  }

  private touch(key: string, s: Seen): void {
    this.seen.delete(key)
    this.seen.set(key, s)
    if (this.seen.size > CACHE_SIZE) {
      const oldest = this.seen.keys().next().value as string
      this.seen.delete(oldest)
    }
  }
}
