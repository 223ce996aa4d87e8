// `actorkube up` on real worker threads with stand-in actors (fixtures/registry.ts), then
// status, chaos and logs against it through the real control endpoint.
import t from 'tap'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defaultDeps, upCommand } from '../../../runtime/cli/up.ts'
import { main } from '../../../runtime/cli/main.ts'
import { memIo } from './fake-control.ts'

const topology = `apiVersion: actorkube/v1
kind: Topology
metadata: { name: threads }
etcd: { shards: [ { name: main, replicas: 1 } ] }
apiservers: { count: 1, http: { port: 0 } }
scheduler: { count: 1 }
controllerManager: { count: 1 }
nodes: { count: 2 }
addons: { dns: { enabled: false }, dashboard: { enabled: false } }
storage: { mode: memory, fsync: false }
`

async function until(what: string, cond: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

t.test('up on real threads; status, chaos crash, logs; clean stop', { timeout: 120_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ak-up-threads-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'topo.yaml'), topology)
  const real = defaultDeps()
  const registry = new URL('./fixtures/registry.ts', import.meta.url).href
  const abort = new AbortController()
  t.teardown(() => abort.abort())
  const io = memIo({ cwd: dir, signal: abort.signal })
  const running = upCommand(['topo.yaml', '--data-dir', 'd'], io, {
    ...real,
    createSupervisor: (plan, o) => real.createSupervisor(plan, { ...o, registry }),
  })
  running.catch(() => {})
  await until('up to be running', () => io.text().includes('actorkube: running'), 90_000)
  const dataDir = join(dir, 'd')
  t.match(io.text(), /\[8\/8\] /)
  t.match(io.text(), /export KUBECONFIG=.*\/d\/kubeconfig/)
  t.match(await readFile(join(dataDir, 'kubeconfig'), 'utf8'), /server: http:\/\/127\.0\.0\.1:\d+/)

  const status = memIo({ cwd: dir })
  t.equal(await main(['status', '--data-dir', 'd'], status), 0)
  t.match(status.text(), /scheduler-0\s+scheduler-0\s+running\s+0\s+yes\s+leader=true/)
  t.match(status.text(), /8 actors \(8 running\), 5 threads/)

  const chaos = memIo({ cwd: dir })
  t.equal(await main(['chaos', 'crash', 'scheduler-0', '--data-dir', 'd'], chaos), 0, chaos.errText())
  t.match(chaos.text(), /crash -> scheduler-0: fault f\d+/)
  await until('scheduler-0 to restart', async () => {
    const s = memIo({ cwd: dir })
    await main(['status', '--json', '--data-dir', 'd'], s)
    const a = (JSON.parse(s.text()).actors as Array<{ id: string; restarts: number; state: string }>).find((x) => x.id === 'scheduler-0')
    return a?.restarts === 1 && a.state === 'running'
  }, 30_000)

  const bad = memIo({ cwd: dir })
  t.equal(await main(['chaos', 'crash', 'nobody-0', '--data-dir', 'd'], bad), 2)
  t.match(bad.errText(), /unknown target "nobody-0" \(valid targets: etcd-main-0, apiserver-0, scheduler-0/)

  abort.abort()
  t.equal(await running, 0)
  await t.rejects(stat(join(dataDir, 'control.json')), 'control.json is gone after stop')
  const logs = memIo({ cwd: dir })
  t.equal(await main(['logs', '--ha', '--data-dir', 'd'], logs), 0)
  t.match(logs.text(), /fault\.injected/)
  t.match(logs.text(), /actor\.crashed scheduler-0/)
  t.match(logs.text(), /actor\.restarted scheduler-0/)
})
