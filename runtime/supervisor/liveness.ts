// Is a host thread hung? A pure judgement over what the supervisor has heard from it.
//
// A thread that is loading modules (starting up, or importing an actor kind for the first time)
// may not answer for a long while: under load, tsx compiles and links a large module graph
// synchronously. While it loads, missed heartbeats do not count; only the longer start-up
// timeout does, measured from when the loading began, so a thread that never finishes loading
// is still found. Once it has loaded, silence longer than the hang timeout means hung, if the
// thread spent that silence running: where the OS tells a thread's CPU time (Linux), a thread
// that was silent but used less than half the hang timeout of CPU meanwhile is waiting for a
// core on a saturated machine, not stuck, and is left alone up to a longer limit. Killing it
// would only add its restart to the load.

export interface Liveness {
  /** True from the task's start until it reports it has loaded, and again while it loads a module. */
  loading: boolean
  /** When the current loading phase began (the task's start, or the thread's `loading` report). */
  loadingSince: number
  /** When the supervisor last heard anything from the thread. */
  lastSeen: number
  /** CPU time the thread used while silent (ms), where the OS tells; undefined elsewhere. */
  cpuWhileSilentMs?: number
}

export interface LivenessLimits {
  hangTimeoutMs: number
  startTimeoutMs: number
  /** Silence after which a thread is hung whatever CPU it used (blocked, or starved for long). */
  silentLimitMs?: number
}

export type LivenessVerdict =
  | { hung: false }
  | { hung: true; phase: 'start' | 'run'; silentMs: number; cpuMs?: number }

export function judgeLiveness(l: Liveness, now: number, limits: LivenessLimits): LivenessVerdict {
  if (l.loading) {
    if (now - l.loadingSince > limits.startTimeoutMs) return { hung: true, phase: 'start', silentMs: now - l.lastSeen }
    return { hung: false }
  }
  const silentMs = now - l.lastSeen
  if (silentMs <= limits.hangTimeoutMs) return { hung: false }
  const cpu = l.cpuWhileSilentMs
  if (cpu === undefined) return { hung: true, phase: 'run', silentMs }
  if (cpu >= limits.hangTimeoutMs / 2 || silentMs > (limits.silentLimitMs ?? defaultSilentLimitMs(limits.hangTimeoutMs))) return { hung: true, phase: 'run', silentMs, cpuMs: cpu }
  return { hung: false }
}

/** How long a silent thread that is not using CPU may stay silent. */
export function defaultSilentLimitMs(hangTimeoutMs: number): number {
  return Math.max(5000, 10 * hangTimeoutMs)
}

/** The start-up timeout when the plan gives none: generous, since loading is slow on a busy machine. */
export function defaultStartTimeoutMs(hangTimeoutMs: number): number {
  return Math.max(60_000, 20 * hangTimeoutMs)
}
