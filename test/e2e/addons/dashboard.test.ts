/// <reference lib="dom" />
// The dashboard in real headless Chromium: the page loads and goes live, a Deployment applied
// with kubectl shows its pods on the page through the API's watch, and the "kill scheduler
// leader" button (relayed to the control endpoint) makes the HA panel show a new leader.
// A screenshot is kept under test/artifacts/.
import t from 'tap'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hasChromium, launchBrowser } from '../../helpers/browser.ts'
import { startLocalControl } from '../../helpers/local-control.ts'
import { addonTopology, startAddonCluster } from './addon-cluster.ts'

const ARTIFACTS = 'test/artifacts'

t.test('the dashboard shows pods live and a scheduler failover after a chaos click', { timeout: 150_000, skip: hasChromium() ? false : 'chromium is not installed' }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'actorkube-dashboard-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const { k, addonInfo, sys } = await startAddonCluster(t, addonTopology({ dashboard: true, schedulers: 2, runtime: 'sim' }), {
    beforeSpawn: async (sys, actors) => {
      // Restart later than the lease lasts, so the standby takes over before the old leader returns.
      const ctl = await startLocalControl(sys, { dataDir, actors: () => actors, restartDelayMs: 3000 })
      t.teardown(() => ctl.close())
      return ctl.server.url
    },
  })
  const url = String(addonInfo('dashboard-0').url)
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/, 'the dashboard reports its loopback URL')
  t.ok(await sys.waitFor(() => ['scheduler-0', 'scheduler-1'].some((id) => sys.reports.get(id)?.info?.leader === true), 15_000), 'a scheduler leads')

  const browser = await launchBrowser()
  t.teardown(() => browser.close())
  const page = await browser.context.newPage()
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(String(e)))
  await page.goto(url, { timeout: 15_000 })
  t.equal(await page.title(), 'actorkube dashboard', 'the page loads')
  await page.waitForSelector('#conn.ok', { timeout: 10_000 })
  t.equal(await page.textContent('#conn'), 'live', 'the event stream is connected')
  await page.waitForSelector('[data-node="node-0"]', { timeout: 10_000 })
  t.equal(await page.locator('[data-node]').count(), 2, 'both nodes are shown')

  const applied = await k.run(['apply', '-f', 'docs/examples/nginx-deployment.yaml'])
  t.equal(applied.code, 0, applied.stderr)
  await page.waitForFunction(() => document.querySelectorAll('[data-node] [data-pod^="default/nginx-deployment-"]').length === 3, undefined, { timeout: 30_000 })
  t.pass('the three nginx pods appear under their nodes')
  await page.waitForFunction(() => document.querySelectorAll('[data-pod^="default/nginx-deployment-"].ok').length === 3, undefined, { timeout: 30_000 })
  t.pass('the pods turn Running and ready')
  await page.waitForFunction(() => /default\/nginx-deployment\s*3\/3/.test(document.querySelector('#workloads')?.textContent ?? ''), undefined, { timeout: 20_000 })
  t.pass('the workload row shows 3/3 ready')
  t.match(await page.textContent('#events'), /ScalingReplicaSet/, 'the event stream shows the Deployment events')

  const leader = page.locator('[data-leader="kube-scheduler"]')
  await leader.waitFor({ timeout: 10_000 })
  // The Lease holder is the leader's identity: its actor name, then "_" and a per-start id.
  const actorOf = (identity: string) => identity.split('_')[0] ?? ''
  const before = (await leader.textContent())?.trim() ?? ''
  t.match(actorOf(before), /^scheduler-[01]$/, `the HA panel shows the scheduler leader (${before})`)
  await page.waitForFunction(() => document.querySelectorAll('#actors tbody tr').length > 0, undefined, { timeout: 10_000 })
  t.match(await page.textContent('#actors'), /scheduler-1/, 'the actors panel lists the actors from the control endpoint')

  await page.click('#kill-scheduler-leader')
  await page.waitForFunction(() => /"targets"/.test(document.querySelector('#chaos-result')?.textContent ?? ''), undefined, { timeout: 10_000 })
  t.match(await page.textContent('#chaos-result'), new RegExp(`"targets":\\["${actorOf(before)}"\\]`), 'the control endpoint killed the leader')
  await page.waitForFunction((old) => {
    const s = document.querySelector('[data-leader="kube-scheduler"]')?.textContent?.trim() ?? ''
    return /^scheduler-\d(_|$)/.test(s) && s.split('_')[0] !== old
  }, actorOf(before), { timeout: 20_000 })
  const after = (await leader.textContent())?.trim() ?? ''
  t.not(actorOf(after), actorOf(before), `the HA panel shows the new scheduler leader (${before} -> ${after})`)
  await page.waitForFunction(() => /scheduler/.test(document.querySelector('#failovers tbody')?.textContent ?? ''), undefined, { timeout: 15_000 })
  t.match(await page.textContent('#failovers'), new RegExp(`${actorOf(before)} → ${actorOf(after)}`), 'the failover is listed with its gap')

  await page.click('#fail-node')
  await page.waitForFunction(() => /kubelet@/.test(document.querySelector('#chaos-result')?.textContent ?? ''), undefined, { timeout: 10_000 })
  t.match(await page.textContent('#chaos-result'), /"targets":\["kubelet@node-[01]","kube-proxy@node-[01]"\]/, '"fail a node" kills the node agents of one node')

  mkdirSync(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true })
  t.same(pageErrors, [], 'no script errors on the page')
})
