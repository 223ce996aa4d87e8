// Keeps one TCP listener per ClusterIP:port (TCP rules only) and picks the backend of each
// connection from the rule as it is at that moment, so endpoint changes apply at once.
import type { Logger } from '../../runtime/actor.ts'
import type { TcpIo, TcpProxyListener } from '../../runtime/io/tcp.ts'
import type { Balancer } from './balancer.ts'
import type { ServiceRule } from './rules.ts'

interface Slot {
  /** The rule key this VIP:port serves now. */
  ruleKey: string
  listener?: TcpProxyListener
  opening?: Promise<void>
  closed?: boolean
}

export class TcpForwarder {
  private readonly slots = new Map<string, Slot>()
  /** VIP:ports whose listen failed before (their later failures are logged at debug level). */
  private readonly failed = new Set<string>()
  /** After closeAll, no listener opens again (a late watch event must not reopen one). */
  private stopped = false

  constructor(
    private readonly tcp: TcpIo,
    private readonly balancer: Balancer,
    private readonly rule: (key: string) => ServiceRule | undefined,
    private readonly log: Logger,
  ) {}

  /** Open listeners for new VIP:ports, close those whose service went away. */
  sync(rules: ServiceRule[]): void {
    if (this.stopped) return
    const want = new Map<string, ServiceRule>()
    for (const r of rules) if (r.protocol === 'TCP') want.set(`${r.vip}:${r.port}`, r)
    for (const [addr, slot] of this.slots) {
      if (!want.has(addr)) {
        slot.closed = true
        this.slots.delete(addr)
        void (slot.opening ?? Promise.resolve()).then(() => slot.listener?.close())
      }
    }
    for (const [addr, r] of want) {
      const existing = this.slots.get(addr)
      if (existing) {
        existing.ruleKey = r.key
        continue
      }
      const slot: Slot = { ruleKey: r.key }
      this.slots.set(addr, slot)
      slot.opening = this.tcp
        .proxy(
          { host: r.vip, port: r.port },
          () => {
            const ep = this.balancer.pick(this.rule(slot.ruleKey))
            return ep ? { host: ep.ip, port: ep.port } : undefined
          },
          (b) => this.balancer.release({ ip: b.host, port: b.port }),
        )
        .then((l) => {
          slot.listener = l
          this.failed.delete(addr)
          if (slot.closed) void l.close()
          else this.log.info({ vip: r.vip, port: r.port, service: r.service }, 'kube-proxy listening')
        })
        .catch((err: unknown) => {
          // Several nodes' kube-proxies share one host: the first to bind a VIP:port carries it,
          // the others retry on later syncs (taking over if it goes). Said once per VIP:port.
          const code = (err as { code?: string } | undefined)?.code
          const fields = { err, vip: r.vip, port: r.port, service: r.service }
          if (this.failed.has(addr)) this.log.debug(fields, 'kube-proxy listen failed')
          else if (code === 'EADDRINUSE') this.log.info(fields, 'kube-proxy: VIP:port already carried on this host')
          else this.log.warn(fields, code === 'EACCES' ? 'kube-proxy listen failed: a privileged port needs root' : 'kube-proxy listen failed')
          this.failed.add(addr)
          if (this.slots.get(addr) === slot) this.slots.delete(addr)
        })
    }
  }

  listening(): string[] {
    return [...this.slots.entries()].filter(([, s]) => s.listener).map(([a]) => a)
  }

  /** Resolves when every pending listener has opened (tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.slots.values()].map((s) => s.opening))
  }

  async closeAll(): Promise<void> {
    this.stopped = true
    const slots = [...this.slots.values()]
    this.slots.clear()
    for (const s of slots) s.closed = true
    await Promise.all(slots.map(async (s) => {
      await s.opening
      await s.listener?.close()
    }))
  }
}
