// Feeds an HaTracker from a supervisor's 'report' and 'event' streams (real threads) and logs
// each failover or overlap it derives as a structured HA event (ha.failover, ha.overlap) into the
// cluster's log. The Simulation feeds the same tracker through SimOptions.onReport (run-sim.ts).
import type { ActorReport } from '../actor.ts'
import { HaTracker, type HaEvent } from './ha-tracker.ts'

export interface HaSource {
  on(event: 'event', fn: (rec: { time: number; event: string; [k: string]: unknown }) => void): unknown
  on(event: 'report', fn: (id: string, report: ActorReport) => void): unknown
}

export interface HaLogger {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
}

/** Lifecycle events after which an actor no longer leads anything. */
export const DOWN_EVENTS = new Set(['actor.crashed', 'actor.terminated', 'actor.stopped'])

/** The log record of a derived HA event: the stable fields of docs/ha-events.md. */
export function haRecord(ev: HaEvent): Record<string, unknown> {
  const key = ev.component.startsWith('etcd/') ? 'shard' : 'component'
  const name = key === 'shard' ? ev.component.slice(5) : ev.component
  return { event: ev.event, [key]: name, from: ev.from ?? null, to: ev.to, gapMs: Math.round(ev.gapMs), ...(ev.term !== undefined ? { term: ev.term } : {}) }
}

/** Feed `tracker` from `source`; log derived events; `onHa` also gets each one (reports, tests). */
export function attachHaLog(source: HaSource, log: HaLogger, opts: { now?: () => number; tracker?: HaTracker; onHa?: (ev: HaEvent) => void } = {}): HaTracker {
  const tracker = opts.tracker ?? new HaTracker()
  const now = opts.now ?? Date.now
  const emit = (ev: HaEvent | undefined) => {
    if (!ev) return
    if (ev.event === 'ha.overlap') log.warn(haRecord(ev), ev.event)
    else log.info(haRecord(ev), ev.event)
    opts.onHa?.(ev)
  }
  source.on('report', (id, report) => {
    const leader = report.info?.leader
    if (typeof leader === 'boolean') emit(tracker.leadership(id, leader, now(), report.info))
  })
  source.on('event', (rec) => {
    if (DOWN_EVENTS.has(rec.event) && typeof rec.actor === 'string') tracker.down(rec.actor, rec.time)
  })
  return tracker
}
