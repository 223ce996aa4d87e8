// startLoadBalancer: the proxy on 127.0.0.1:6443 (by default) plus /readyz probes of each
// instance every healthIntervalMs; an instance that goes down has its clients moved off.
import type { Logger } from '../actor.ts'
import { probeReady } from './health.ts'
import { BackendPool, type Backend } from './pool.ts'
import { LbProxy } from './proxy.ts'

export type { Backend } from './pool.ts'
export { selfSignedCert } from './tls.ts'

export interface LoadBalancerOptions {
  host?: string
  port?: number
  backends: Backend[]
  healthIntervalMs?: number
  probeTimeoutMs?: number
  maxBodyBytes?: number
  resumeWindowMs?: number
  /** Serve HTTPS (see tls.ts selfSignedCert); kubectl sends bearer tokens only over TLS. */
  tls?: { key: string; cert: string }
  log?: Logger
}

export interface LoadBalancer {
  readonly host: string
  readonly port: number
  readonly pool: BackendPool
  setBackends(backends: Backend[]): void
  close(): Promise<void>
}

export async function startLoadBalancer(opts: LoadBalancerOptions): Promise<LoadBalancer> {
  const host = opts.host ?? '127.0.0.1'
  const pool = new BackendPool(opts.backends)
  const proxy = new LbProxy({ pool, maxBodyBytes: opts.maxBodyBytes ?? 8 * 1024 * 1024, resumeWindowMs: opts.resumeWindowMs ?? 30_000, log: opts.log, tls: opts.tls })
  await new Promise<void>((resolve, reject) => {
    proxy.server.once('error', reject)
    proxy.server.listen(opts.port ?? 6443, host, () => {
      proxy.server.off('error', reject)
      resolve()
    })
  })
  const addr = proxy.server.address()
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? 6443)
  const interval = opts.healthIntervalMs ?? 1000
  let probing = false
  const timer = setInterval(async () => {
    if (probing) return
    probing = true
    try {
      await Promise.all(pool.all().map(async (b) => {
        const change = pool.report(b.id, await probeReady(b, opts.probeTimeoutMs ?? Math.min(1000, interval)))
        if (change === 'down') {
          opts.log?.warn({ instance: b.id }, 'lb instance down')
          proxy.cut(b.id)
        } else if (change === 'up') opts.log?.info({ instance: b.id }, 'lb instance up')
      }))
    } finally {
      probing = false
    }
  }, interval)
  timer.unref()
  opts.log?.info({ host, port, instances: opts.backends.length }, 'lb listening')
  return {
    host,
    port,
    pool,
    setBackends: (b) => pool.set(b),
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer)
        proxy.agent.destroy()
        proxy.server.close(() => resolve())
        proxy.server.closeAllConnections()
      }),
  }
}
