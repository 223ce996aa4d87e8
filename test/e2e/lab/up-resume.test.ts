// `actorkube up` as users run it (what `npm start` runs): start on worker threads with durable
// etcd, apply the example Deployment with kubectl, stop with Ctrl-C (SIGINT) cleanly, start
// again from the same data dir and find the objects and the pods back.
import t from 'tap'
import type * as Tap from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { eventually, kubectlFor, type Kubectl } from '../../helpers/kubectl.ts'

const TOPOLOGY = `apiVersion: actorkube/v1
kind: Topology
metadata: { name: resume-e2e }
etcd:
  shards:
    - { name: main, replicas: 3 }
    - { name: events, replicas: 1, resources: [events] }
apiservers: { count: 2, http: { port: 0 } }
scheduler: { count: 2 }
controllerManager: { count: 2 }
nodes: { count: 2 }
addons:
  dns: { enabled: false }
  dashboard: { enabled: false }
storage: { mode: disk, fsync: true }
`

interface Up {
  proc: ChildProcess
  output: () => string
  exited: Promise<number | null>
}

function startUp(dir: string, dataDir: string): Up {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'runtime/cli/main.ts', 'up', join(dir, 'topology.yaml'), '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  proc.stdout?.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-100_000)))
  proc.stderr?.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-100_000)))
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)))
  return { proc, output: () => out, exited }
}

async function kubectlOf(t: Tap.Test, up: Up, dataDir: string): Promise<Kubectl | undefined> {
  const ready = await eventually(() => /running; Ctrl-C to stop/.test(up.output()), 120_000)
  if (!t.ok(ready, `up reports the cluster running:\n${up.output().slice(-3000)}`)) return undefined
  const server = /server: (http:\/\/[^\s]+)/.exec(readFileSync(join(dataDir, 'kubeconfig'), 'utf8'))?.[1] ?? ''
  const k = await kubectlFor(Number(new URL(server).port))
  t.teardown(() => k.cleanup())
  return k
}

async function stop(t: Tap.Test, up: Up): Promise<void> {
  up.proc.kill('SIGINT')
  const code = await Promise.race([up.exited, delay(30_000, 'timeout' as const, { ref: false })])
  t.equal(code, 0, `Ctrl-C stops cleanly with exit code 0:\n${up.output().slice(-2000)}`)
  t.match(up.output(), /actorkube: stopped/)
  t.notMatch(up.output(), /lease release failed/, 'components stop before the apiservers, so leaders release their leases')
}

t.test('up, apply, Ctrl-C, up again from the same data dir: the cluster resumes with its objects', { timeout: 420_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'actorkube-resume-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'topology.yaml'), TOPOLOGY)
  const dataDir = join(dir, 'data')

  const first = startUp(dir, dataDir)
  t.teardown(() => void first.proc.kill('SIGKILL'))
  const k1 = await kubectlOf(t, first, dataDir)
  if (!k1) return
  const applied = await k1.run(['apply', '-f', 'docs/examples/nginx-deployment.yaml'])
  t.equal(applied.code, 0, applied.stderr)
  const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: kept }\ndata: { answer: "42" }\n'
  const created = await k1.run(['apply', '-f', '-'], { stdin: cm })
  t.equal(created.code, 0, created.stderr)
  let pods = ''
  t.ok(await eventually(async () => {
    pods = (await k1.run(['get', 'pods', '-l', 'app=nginx'])).stdout
    return (pods.match(/ 1\/1 +Running /g) ?? []).length === 3
  }, 90_000), `the example app runs:\n${pods}`)
  await stop(t, first)

  const second = startUp(dir, dataDir)
  t.teardown(() => void second.proc.kill('SIGKILL'))
  const k2 = await kubectlOf(t, second, dataDir)
  if (!k2) return
  const kept = await k2.run(['get', 'configmap', 'kept', '-o', 'jsonpath={.data.answer}'])
  t.equal(kept.stdout, '42', `the ConfigMap written before the stop is back: ${kept.stderr}`)
  const dep = await k2.run(['get', 'deployment', 'nginx-deployment', '-o', 'jsonpath={.spec.replicas}'])
  t.equal(dep.stdout, '3', `the Deployment is back: ${dep.stderr}`)
  t.ok(await eventually(async () => {
    pods = (await k2.run(['get', 'pods', '-l', 'app=nginx'])).stdout
    return (pods.match(/ 1\/1 +Running /g) ?? []).length === 3
  }, 90_000), `its pods run again:\n${pods}`)
  await stop(t, second)
})
