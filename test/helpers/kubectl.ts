// Run the real /usr/bin/kubectl against a test server: a kubeconfig of its own and a fresh
// --cache-dir per helper, so discovery is never read from ~/.kube/cache.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeKubeconfig } from '../../runtime/kubeconfig.ts'

export const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl'

export interface KubectlResult {
  code: number
  stdout: string
  stderr: string
}

export interface Kubectl {
  dir: string
  kubeconfig: string
  run(args: string[], opts?: { stdin?: string; timeoutMs?: number }): Promise<KubectlResult>
  /** Start a long-running kubectl (get --watch, logs -f); collect stdout as it arrives. */
  spawn(args: string[]): { proc: ChildProcess; output: () => string; stop: () => void }
  cleanup(): Promise<void>
}

export async function kubectlFor(port: number, opts: { token?: string; host?: string; https?: boolean } = {}): Promise<Kubectl> {
  const dir = await mkdtemp(join(tmpdir(), 'actorkube-kubectl-'))
  const { path } = await writeKubeconfig(dir, { port, host: opts.host, token: opts.token, https: opts.https })
  const env = { ...process.env, KUBECONFIG: path, HOME: dir }
  const base = ['--cache-dir', join(dir, 'cache')]
  const children = new Set<ChildProcess>()
  return {
    dir,
    kubeconfig: path,
    run(args, o = {}) {
      return new Promise((resolve) => {
        const child = execFile(KUBECTL, [...base, ...args], { env, timeout: o.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0
          resolve({ code, stdout: String(stdout), stderr: String(stderr) })
        })
        if (o.stdin !== undefined) child.stdin?.end(o.stdin)
      })
    },
    spawn(args) {
      const proc = spawn(KUBECTL, [...base, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
      children.add(proc)
      let out = ''
      proc.stdout?.on('data', (c: Buffer) => (out += c.toString()))
      proc.stderr?.on('data', (c: Buffer) => (out += c.toString()))
      proc.on('exit', () => children.delete(proc))
      return { proc, output: () => out, stop: () => void proc.kill('SIGTERM') }
    },
    async cleanup() {
      for (const c of children) c.kill('SIGKILL')
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** Poll `pred` every 50 ms until it holds or `timeoutMs` passes. */
export async function eventually(pred: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (await pred()) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return pred()
}

/**
 * The real API server actors (over fake etcd replicas) in a LocalSystem on free ports, each
 * with its HTTP gateway, behind the load balancer. For e2e tests until the whole cluster exists.
 */
export async function startRealApiServers(n = 2, opts: { tokens?: Array<{ token: string; user: string; uid: string; groups: string[] }> } = {}) {
  const { LocalSystem } = await import('../../runtime/local.ts')
  const { nodeHttp } = await import('../../runtime/io/http-node.ts')
  const { createApiServer } = await import('../../actors/apiserver/actor.ts')
  const { FakeEtcdStore, createFakeEtcd } = await import('./fake-etcd.ts')
  const { startLoadBalancer } = await import('../../runtime/lb/index.ts')
  const sys = new LocalSystem({ io: { http: nodeHttp() } })
  const shards: Record<string, string[]> = {}
  for (const shard of ['main', 'events']) {
    const store = new FakeEtcdStore(shard)
    shards[shard] = []
    for (let i = 0; i < 3; i++) {
      const id = `etcd-${shard}-${i}`
      shards[shard].push(id)
      sys.spawn(id, (ctx) => createFakeEtcd(ctx, { store, progressMs: 200 }))
    }
  }
  const factory = createApiServer()
  for (let i = 0; i < n; i++) {
    sys.spawn(`apiserver-${i}`, (ctx) => factory(ctx, { index: i, shards, resourceShards: { events: 'events' }, defaultShard: 'main', serviceCIDR: '127.96.0.0/16', watchCacheSize: 1000, requestTimeoutMs: 5000, http: { host: '127.0.0.1', port: 0 }, tokens: opts.tokens }))
  }
  const ready = await sys.waitFor(() => [...Array(n).keys()].every((i) => sys.reports.get(`apiserver-${i}`)?.ready === true && typeof sys.reports.get(`apiserver-${i}`)?.info?.port === 'number'), 15_000)
  if (!ready) {
    await sys.shutdown()
    throw new Error(`apiservers not ready: ${JSON.stringify([...sys.reports])} ${JSON.stringify(sys.crashes)}`)
  }
  const backends = [...Array(n).keys()].map((i) => ({ id: `apiserver-${i}`, host: '127.0.0.1', port: sys.reports.get(`apiserver-${i}`)!.info!.port as number }))
  const lb = await startLoadBalancer({ port: 0, backends, healthIntervalMs: 300 })
  return {
    sys,
    lb,
    backends,
    async close() {
      await lb.close()
      await sys.shutdown()
    },
  }
}
