// Is a host thread hung? A pure judgement over what the supervisor has heard from it.
//
// A thread that is loading modules (starting up, or importing an actor kind for the first time)
// may not answer for a long while: under load, tsx compiles and links a large module graph
// synchronously. While it loads, missed heartbeats do not count; only the longer start-up
// timeout does, measured from when the loading began, so a thread that never finishes loading
// is still found. Once it has loaded, silence longer than the hang timeout means hung.

export interface Liveness {
  /** True from the task's start until it reports it has loaded, and again while it loads a module. */
  loading: boolean
  /** When the current loading phase began (the task's start, or the thread's `loading` report). */
  loadingSince: number
  /** When the supervisor last heard anything from the thread. */
  lastSeen: number
}

export interface LivenessLimits {
  hangTimeoutMs: number
  startTimeoutMs: number
}

export type LivenessVerdict =
  | { hung: false }
  | { hung: true; phase: 'start' | 'run'; silentMs: number }

export function judgeLiveness(l: Liveness, now: number, limits: LivenessLimits): LivenessVerdict {
  if (l.loading) {
    if (now - l.loadingSince > limits.startTimeoutMs) return { hung: true, phase: 'start', silentMs: now - l.lastSeen }
    return { hung: false }
  }
  if (now - l.lastSeen > limits.hangTimeoutMs) return { hung: true, phase: 'run', silentMs: now - l.lastSeen }
  return { hung: false }
}

/** The start-up timeout when the plan gives none: generous, since loading is slow on a busy machine. */
export function defaultStartTimeoutMs(hangTimeoutMs: number): number {
  return Math.max(60_000, 20 * hangTimeoutMs)
}
