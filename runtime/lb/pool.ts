// Pure: the apiserver instances behind the load balancer, their health, round-robin choice.

export interface Backend {
  id: string
  host: string
  port: number
}

interface Entry extends Backend {
  up: boolean
  failures: number
}

export class BackendPool {
  private entries: Entry[] = []
  private cursor = 0

  constructor(backends: Backend[] = [], private readonly failuresToDown = 2) {
    this.set(backends)
  }

  /** Replace the instance list, keeping the health of instances that stay. */
  set(backends: Backend[]): void {
    const old = new Map(this.entries.map((e) => [e.id, e]))
    this.entries = backends.map((b) => ({ ...b, up: old.get(b.id)?.up ?? true, failures: old.get(b.id)?.failures ?? 0 }))
  }

  all(): Backend[] {
    return this.entries.map(({ id, host, port }) => ({ id, host, port }))
  }

  isUp(id: string): boolean {
    return this.entries.find((e) => e.id === id)?.up ?? false
  }

  /** The next live instance after the cursor, skipping `exclude`; undefined when none is live. */
  next(exclude: ReadonlySet<string> = new Set()): Backend | undefined {
    const n = this.entries.length
    for (let k = 0; k < n; k++) {
      const e = this.entries[(this.cursor + k) % n]
      if (e.up && !exclude.has(e.id)) {
        this.cursor = (this.cursor + k + 1) % n
        return { id: e.id, host: e.host, port: e.port }
      }
    }
    return undefined
  }

  /** A probe result. Returns 'down' or 'up' when the instance changed state. */
  report(id: string, ok: boolean): 'down' | 'up' | undefined {
    const e = this.entries.find((x) => x.id === id)
    if (!e) return undefined
    if (ok) {
      e.failures = 0
      if (!e.up) {
        e.up = true
        return 'up'
      }
      return undefined
    }
    e.failures++
    if (e.up && e.failures >= this.failuresToDown) {
      e.up = false
      return 'down'
    }
    return undefined
  }

  /** A connection was refused or reset: down at once. */
  fail(id: string): 'down' | undefined {
    const e = this.entries.find((x) => x.id === id)
    if (!e || !e.up) return undefined
    e.up = false
    e.failures = this.failuresToDown
    return 'down'
  }
}
