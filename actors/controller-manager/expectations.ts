// ControllerExpectations: creations and deletions a controller has asked for but not yet seen
// through its informer, so a pod created but not yet observed is never created twice.
// Pure: time is passed in. Expectations expire after ttlMs (client-go: 5 minutes).

interface Entry {
  add: number
  del: number
  at: number
}

export class Expectations {
  private readonly m = new Map<string, Entry>()
  constructor(private readonly ttlMs = 5 * 60_000) {}

  expect(key: string, adds: number, dels: number, now: number): void {
    this.m.set(key, { add: adds, del: dels, at: now })
  }

  creationObserved(key: string): void {
    const e = this.m.get(key)
    if (e) e.add--
  }

  deletionObserved(key: string): void {
    const e = this.m.get(key)
    if (e) e.del--
  }

  /** Lower what is expected when a request failed (it will never be observed). */
  lower(key: string, adds: number, dels: number): void {
    const e = this.m.get(key)
    if (e) {
      e.add -= adds
      e.del -= dels
    }
  }

  /** True when nothing is outstanding, the entry expired, or there never was one. */
  satisfied(key: string, now: number): boolean {
    const e = this.m.get(key)
    if (!e) return true
    if (e.add <= 0 && e.del <= 0) return true
    return now - e.at > this.ttlMs
  }

  /** Forget everything (a new term of leadership starts from what the caches show). */
  clear(): void {
    this.m.clear()
  }

  delete(key: string): void {
    this.m.delete(key)
  }

  pending(key: string): { add: number; del: number } | undefined {
    const e = this.m.get(key)
    return e ? { add: e.add, del: e.del } : undefined
  }
}
