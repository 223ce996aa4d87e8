// Log records and runtime events: the HA filter and a one-line human format.

/** Event names that make up the HA timeline (`actorkube logs --ha`). */
export const HA_EVENTS: ReadonlySet<string> = new Set([
  'raft.leader.elected', 'raft.leader.lost', 'lease.acquired', 'lease.lost', 'lease.renew-failed', 'ha.failover', 'ha.overlap',
  'apiserver.client.failover', 'watch.relisted', 'actor.crashed', 'actor.restarted', 'node.not-ready', 'node.ready',
  'pod.evicted', 'fault.injected', 'fault.healed',
])

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' }

/** The stable event name of a record: its `event` field, else its message with spaces as dots. */
export function eventName(rec: Record<string, unknown>): string {
  if (typeof rec.event === 'string') return rec.event
  if (typeof rec.msg === 'string') return rec.msg.trim().replace(/\s+/g, '.')
  return ''
}

export function isHaEvent(rec: Record<string, unknown>): boolean {
  return HA_EVENTS.has(eventName(rec))
}

const HIDDEN = new Set(['level', 'time', 'msg', 'event', 'pid', 'hostname', 'actor', 'v'])

function value(v: unknown): string {
  if (typeof v === 'string') return /\s/.test(v) || v === '' ? JSON.stringify(v) : v
  return JSON.stringify(v) ?? String(v)
}

/** "21:04:05.123 INFO  actor.crashed scheduler-0 reason=boom" */
export function formatRecord(rec: Record<string, unknown>): string {
  const t = typeof rec.time === 'number' ? new Date(rec.time).toISOString().slice(11, 23) : typeof rec.time === 'string' ? rec.time : ''
  const level = typeof rec.level === 'number' ? LEVELS[rec.level] ?? String(rec.level) : typeof rec.level === 'string' ? rec.level.toUpperCase() : 'INFO'
  const name = eventName(rec)
  const msg = typeof rec.event === 'string' && typeof rec.msg === 'string' && rec.msg !== rec.event ? ` ${value(rec.msg)}` : ''
  const actor = typeof rec.actor === 'string' ? ` ${rec.actor}` : ''
  const fields = Object.entries(rec)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => ` ${k}=${value(v)}`)
    .join('')
  return `${t} ${level.padEnd(5)} ${name}${actor}${msg}${fields}`.trimEnd()
}
