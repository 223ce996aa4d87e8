// Time as the pod workers and runtimes see it: injected, so the actor shell backs it with
// ctx.after and unit tests with a virtual clock.
export interface Clock {
  now(): number
  /** Run `fn` after `ms`; returns a cancel function. */
  schedule(ms: number, fn: () => void): () => void
}

export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    clock.schedule(ms, resolve)
  })
}
