// A Logger that turns records into plain, cloneable objects and hands them to a sink (a worker's
// batched forwarder to the main thread).
import type { Logger } from '../actor.ts'
import type { WireLog } from './protocol.ts'

export function plain(obj: object): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(obj, (_k, v: unknown) => {
      if (v instanceof Error) return { __error: true, type: v.name, message: v.message, code: (v as { code?: unknown }).code, stack: v.stack }
      if (typeof v === 'bigint') return v.toString()
      return v
    })) as Record<string, unknown>
  } catch {
    return { unserializable: true }
  }
}

export type WireLevel = WireLog['level'] | 'silent'

const RANK: Record<WireLevel, number> = { debug: 20, info: 30, warn: 40, error: 50, silent: 100 }

/** The wire level for a pino level: records below it are not worth sending. */
export function wireLevel(pinoLevel: string): WireLevel {
  if (pinoLevel === 'trace' || pinoLevel === 'debug') return 'debug'
  if (pinoLevel === 'info' || pinoLevel === 'warn' || pinoLevel === 'error') return pinoLevel
  return pinoLevel === 'fatal' ? 'error' : 'silent'
}

/**
 * Records below `min` are dropped where they are made, unless they carry an `event` (HA and
 * lifecycle events feed the supervisor's event stream whatever the log level).
 */
export function wireLogger(sink: (r: WireLog) => void, bindings: Record<string, unknown>, now: () => number, min: WireLevel = 'debug'): Logger {
  const at = (level: WireLog['level']) => {
    const wanted = RANK[level] >= RANK[min]
    return (obj: object, msg?: string) => {
      if (!wanted && typeof (obj as { event?: unknown }).event !== 'string') return
      sink({ level, time: now(), bindings, obj: plain(obj), msg })
    }
  }
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => wireLogger(sink, { ...bindings, ...more }, now, min),
  }
}

/** Turn errors flattened by plain() back into Error objects, for pino's error serializer. */
export function revive(obj: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined
  for (const [k, v] of Object.entries(obj)) {
    if (v && typeof v === 'object' && (v as { __error?: unknown }).__error === true) {
      const w = v as { type: string; message: string; code?: unknown; stack?: string }
      const e = Object.assign(new Error(w.message), w.code === undefined ? {} : { code: w.code })
      e.name = w.type
      if (w.stack !== undefined) e.stack = w.stack
      out ??= { ...obj }
      out[k] = e
    }
  }
  return out ?? obj
}

/**
 * Damps repeated log records on their way out of a thread: of the records alike (same level,
 * message and error code) at most `perWindow` go out per window; the rest are counted and go
 * out as one record at the window's end, with `repeated: n`. Thousands of agents on one thread
 * retrying against a busy apiserver would otherwise send the main thread tens of thousands of
 * identical warnings a second. Records with an `event` are never held back (they feed the
 * supervisor's event stream).
 */
export class LogDamper {
  private windowStart = 0
  private readonly seen = new Map<string, { sent: number; held: number; last?: WireLog }>()

  constructor(private readonly perWindow = 10, readonly windowMs = 1000) {}

  /** Whether `r` goes out now; if not, it is counted for take(). */
  admit(r: WireLog, now: number): boolean {
    if (typeof r.obj.event === 'string') return true
    if (now - this.windowStart >= this.windowMs && this.heldCount() === 0) {
      this.seen.clear()
      this.windowStart = now
    }
    const err = r.obj.err as { code?: unknown } | undefined
    const key = `${r.level}\u0000${r.msg ?? ''}\u0000${String(err?.code ?? '')}`
    let s = this.seen.get(key)
    if (!s) this.seen.set(key, (s = { sent: 0, held: 0 }))
    if (s.sent < this.perWindow) {
      s.sent++
      return true
    }
    s.held++
    s.last = r
    return false
  }

  /** Records held back this window, summed up one per kind (`repeated`); starts a new window. */
  take(now: number): WireLog[] {
    const out: WireLog[] = []
    for (const s of this.seen.values()) {
      if (s.held > 0 && s.last) out.push({ ...s.last, time: now, obj: { ...s.last.obj, repeated: s.held } })
    }
    this.seen.clear()
    this.windowStart = now
    return out
  }

  private heldCount(): number {
    let n = 0
    for (const s of this.seen.values()) n += s.held
    return n
  }
}
