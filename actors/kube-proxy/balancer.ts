// Pure: which ready endpoint a new connection goes to. `random` walks the rules as iptables
// does (each matches with its probability), `round-robin` cycles, `least-connections` takes
// the endpoint with the fewest open connections (which iptables cannot do).
import type { RuleEndpoint, ServiceRule } from './rules.ts'

export type ProxyMode = 'random' | 'round-robin' | 'least-connections'

const epKey = (e: { ip: string; port: number }): string => `${e.ip}:${e.port}`

export class Balancer {
  private readonly next = new Map<string, number>()
  private readonly open = new Map<string, number>()

  constructor(readonly mode: ProxyMode, private readonly random: () => number) {}

  pick(rule: ServiceRule | undefined): RuleEndpoint | undefined {
    if (!rule || rule.endpoints.length === 0) return undefined
    const eps = rule.endpoints
    let chosen: RuleEndpoint
    if (this.mode === 'random') {
      chosen = eps[eps.length - 1]!
      for (const e of eps) {
        if (this.random() < e.probability) {
          chosen = e
          break
        }
      }
    } else if (this.mode === 'round-robin') {
      const i = (this.next.get(rule.key) ?? 0) % eps.length
      this.next.set(rule.key, i + 1)
      chosen = eps[i]!
    } else {
      chosen = eps[0]!
      let best = this.open.get(epKey(chosen)) ?? 0
      for (const e of eps) {
        const n = this.open.get(epKey(e)) ?? 0
        if (n < best) {
          best = n
          chosen = e
        }
      }
    }
    this.open.set(epKey(chosen), (this.open.get(epKey(chosen)) ?? 0) + 1)
    return chosen
  }

  /** A connection to `e` closed. */
  release(e: { ip: string; port: number }): void {
    const n = (this.open.get(epKey(e)) ?? 0) - 1
    if (n <= 0) this.open.delete(epKey(e))
    else this.open.set(epKey(e), n)
  }

  openConnections(e: { ip: string; port: number }): number {
    return this.open.get(epKey(e)) ?? 0
  }
}
