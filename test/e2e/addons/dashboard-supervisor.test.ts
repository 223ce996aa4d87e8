/// <reference lib="dom" />
// The dashboard of a cluster started with `actorkube up` (the supervisor, every component on
// worker threads), in real headless Chromium: pods of a kubectl-applied Deployment appear, the
// HA panel shows the etcd leaders from the control endpoint, and "kill etcd leader" (relayed by
// the dashboard to the supervisor) makes the panel show another leader of the shard.
import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { hasChromium, launchBrowser } from '../../helpers/browser.ts'
import { eventually, kubectlFor } from '../../helpers/kubectl.ts'

const ARTIFACTS = 'test/artifacts'
const TOPOLOGY = `apiVersion: actorkube/v1
kind: Topology
metadata: { name: dashboard-e2e }
etcd:
  shards:
    - { name: main, replicas: 3 }
    - { name: events, replicas: 1, resources: [events] }
apiservers: { count: 1, http: { port: 0 } }
scheduler: { count: 1 }
controllerManager: { count: 1 }
nodes: { count: 2 }
addons:
  dns: { enabled: false }
  dashboard: { enabled: true, port: 0 }
storage: { mode: memory, fsync: false }
`

interface Status { actors: Array<{ id: string; state: string; report: { ready?: boolean; info?: Record<string, unknown> } }> }

t.test('the dashboard of `actorkube up` follows the cluster and its chaos buttons reach the supervisor', { timeout: 240_000, skip: hasChromium() ? false : 'chromium is not installed' }, async (t) => {
  const t0 = Date.now()
  const dir = mkdtempSync(join(tmpdir(), 'actorkube-dash-up-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'topology.yaml'), TOPOLOGY)
  const dataDir = join(dir, 'data')
  const up = spawn(process.execPath, ['--import', 'tsx', 'runtime/cli/main.ts', 'up', join(dir, 'topology.yaml'), '--data-dir', dataDir, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  up.stdout.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-200_000)))
  up.stderr.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-200_000)))
  const exited = new Promise<void>((r) => up.once('exit', () => r()))
  t.teardown(async () => {
    up.kill('SIGTERM')
    const stopped = await Promise.race([exited.then(() => true), delay(10_000, false, { ref: false })])
    if (!stopped) up.kill('SIGKILL')
  })

  const controlFile = join(dataDir, 'control.json')
  if (!t.ok(await eventually(() => existsSync(controlFile), 30_000), `the control endpoint is up:\n${out.slice(-3000)}`)) return
  const control = (JSON.parse(readFileSync(controlFile, 'utf8')) as { url: string }).url
  let status: Status = { actors: [] }
  const ready = await eventually(async () => {
    try {
      status = (await (await fetch(`${control}/status`)).json()) as Status
    } catch {
      return false
    }
    return ['apiserver-0', 'dashboard-0', 'kubelet@node-0', 'kubelet@node-1'].every((id) => status.actors.some((a) => a.id === id && a.report.ready === true)) && status.actors.some((a) => a.id.startsWith('etcd-main-') && a.report.info?.leader === true)
  }, 100_000)
  if (!t.ok(ready, `the API server, the nodes and the dashboard report ready, etcd/main has a leader: ${JSON.stringify(status.actors.map((a) => [a.id, a.state, a.report.ready]))}\n${out.slice(-3000)}`)) return
  const url = String(status.actors.find((a) => a.id === 'dashboard-0')?.report.info?.url)
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/, 'dashboard-0 reports its URL')
  // `up` writes the kubeconfig once the whole cluster is ready, which may be after these actors report.
  t.ok(await eventually(() => existsSync(join(dataDir, 'kubeconfig')), 60_000), 'up writes the kubeconfig')
  const server = /server: (http:\/\/[^\s]+)/.exec(readFileSync(join(dataDir, 'kubeconfig'), 'utf8'))?.[1] ?? ''
  const k = await kubectlFor(Number(new URL(server).port))
  t.teardown(() => k.cleanup())

  const browser = await launchBrowser()
  t.teardown(() => browser.close())
  const page = await browser.context.newPage()
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(String(e)))
  await page.goto(url, { timeout: 15_000 })
  await page.waitForSelector('#conn.ok', { timeout: 10_000 })
  t.pass('the page loads and its event stream is live')
  t.comment(`cluster and page up after ${Date.now() - t0} ms`)

  const applied = await k.run(['apply', '-f', 'docs/examples/nginx-deployment.yaml'])
  t.equal(applied.code, 0, applied.stderr)
  await page.waitForFunction(() => document.querySelectorAll('[data-node] [data-pod^="default/nginx-deployment-"].ok').length === 3, undefined, { timeout: 40_000 })
  t.pass('the three nginx pods appear Running under their nodes')

  const etcdLeader = page.locator('[data-leader="etcd/main"]')
  await etcdLeader.waitFor({ timeout: 10_000 })
  const before = (await etcdLeader.textContent())?.trim() ?? ''
  t.match(before, /^etcd-main-[0-2]$/, `the HA panel shows the etcd/main leader (${before})`)
  t.match(await page.textContent('[data-leader="kube-scheduler"]') ?? '', /^scheduler-0(_|$)/, 'the HA panel shows the scheduler leader')

  await page.click('#kill-etcd-leader')
  await page.waitForFunction(() => /"targets"/.test(document.querySelector('#chaos-result')?.textContent ?? ''), undefined, { timeout: 10_000 })
  t.match(await page.textContent('#chaos-result') ?? '', new RegExp(`"targets":\\["thread:${before}"\\]`), 'the supervisor killed the leader\'s thread')
  await page.waitForFunction((old) => {
    const s = document.querySelector('[data-leader="etcd/main"]')?.textContent?.trim() ?? ''
    return /^etcd-main-\d$/.test(s) && s !== old
  }, before, { timeout: 20_000 })
  const after = (await etcdLeader.textContent())?.trim() ?? ''
  t.not(after, before, `the HA panel shows a new etcd/main leader (${before} -> ${after})`)
  await page.waitForFunction((id) => [...document.querySelectorAll('#actors tbody tr')].some((tr) => tr.textContent?.startsWith(id) && /1$/.test(tr.textContent.trim())), before, { timeout: 15_000 })
  t.pass('the actors panel counts the restart of the killed replica')

  t.comment(`failover seen after ${Date.now() - t0} ms`)
  mkdirSync(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-supervisor.png'), fullPage: true })
  t.same(pageErrors, [], 'no script errors on the page')
})
