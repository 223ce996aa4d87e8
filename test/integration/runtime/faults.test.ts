// Fault injection, ACL refusal, log forwarding and the control endpoint on real worker threads.
import t from 'tap'
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Message } from '../../../runtime/actor.ts'
import { Supervisor } from '../../../runtime/host/supervisor.ts'
import type { RuntimeEvent } from '../../../runtime/host/status.ts'
import { child, plan, registryPath, sup } from '../../fixtures/runtime/plan.ts'
import { memoryLogger, nextEvent, waitFor } from '../../fixtures/runtime/wait.ts'

const dataDir = mkdtempSync(join(tmpdir(), 'actorkube-faults-'))
const { logger, lines } = memoryLogger()
const s = new Supervisor(
  plan(
    sup('root', 'one_for_one', [
      child({ id: 'a-0', thread: 't0', args: { leader: true } }),
      child({ id: 'f-0', kind: 'blaster', thread: 't0' }),
      child({ id: 'b-0', thread: 't1' }),
      child({ id: 'c-0', kind: 'sink', thread: 't1' }),
      child({ id: 'd-0', kind: 'disky', thread: 't2', storage: 'disk' }),
      child({ id: 'e-0', kind: 'chatty', thread: 't2' }),
    ], 100, 60_000),
    { dataDir },
  ),
  { registry: registryPath, logger, control: {} },
)
const events: RuntimeEvent[] = []
s.on('event', (e: RuntimeEvent) => events.push(e))
t.teardown(async () => {
  await s.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

const state = (id: string) => s.status().find((a) => a.id === id)!
const ask = <R = Record<string, unknown>>(to: string, msg: Record<string, unknown>, ms = 3000) => s.ask(to, msg as unknown as Message, ms) as Promise<R & Message>
const relay = (from: string, to: string, msg: Record<string, unknown>, timeoutMs = 300) => ask(from, { type: 'relay', to, msg, timeoutMs }, 5000)
const count = async () => (await ask<{ n: number; seq: number[] }>('c-0', { type: 'count' }))
const reset = () => ask('c-0', { type: 'reset' })
const blast = (n: number) => ask('f-0', { type: 'blast', to: 'c-0', n, size: 10 })

t.before(async () => {
  await s.start()
})

t.test('cross-thread ask and the ACL', async (t) => {
  const r = await relay('a-0', 'b-0', { type: 'ping', n: 7 })
  t.same({ type: r.type, n: (r.reply as { n: number }).n, from: (r.reply as { from: string }).from }, { type: 'relayed', n: 7, from: 'b-0' })
  const denied = await relay('a-0', 'etcd-main-0', { type: 'ping' })
  t.same(denied, { type: 'relay.failed', code: 'ACL_DENIED' })
  await waitFor(() => s.aclDenied === 1, 10_000, 'denial counted')
  const ev = events.find((e) => e.event === 'acl.denied')!
  t.same([ev.from, ev.to, ev.type], ['a-0', 'etcd-main-0', 'ping'], 'logged with both addresses')
})

t.test('worker logs reach the main logger with actor bindings and event names', async (t) => {
  await ask('e-0', { type: 'log' })
  await waitFor(() => lines.some((l) => l.event === 'test.logged'), 10_000, 'forwarded log')
  const hello = lines.find((l) => l.event === 'test.hello')!
  t.match(hello, { actor: 'e-0', role: 'other', thread: 't2', n: 1, level: 30 })
  const logged = lines.find((l) => l.event === 'test.logged')!
  t.match(logged, { actor: 'e-0', level: 40, err: { type: 'Error', message: 'e1' } })
  t.ok(events.some((e) => e.event === 'test.hello' && e.actor === 'e-0'), 'HA/lifecycle events from workers are on the event stream')
})

t.test('crash: the actor throws and is restarted quickly', async (t) => {
  const restarted = nextEvent(s, (e) => e.event === 'actor.restarted' && e.actor === 'a-0', 15_000)
  const r = s.inject({ kind: 'crash', target: 'leader:other' })
  t.same(r.targets, ['a-0'], 'leader:<role> resolved from reports')
  const ev = await restarted
  // How soon is the runtime benchmark's business; here, that the event says how long it was down.
  t.ok(typeof ev.downtimeMs === 'number' && ev.downtimeMs >= 0, `downtime ${String(ev.downtimeMs)} ms`)
  t.match(state('a-0').lastCrash?.reason, /InjectedCrash/)
  t.equal((await ask('a-0', { type: 'ping', n: 1 })).type, 'pong')
})

t.test('pause holds the mailbox; resume delivers what was held', async (t) => {
  s.inject({ kind: 'pause', target: 'c-0' })
  await t.rejects(ask('c-0', { type: 'count' }, 300), { code: 'ASK_TIMEOUT' })
  s.inject({ kind: 'resume', target: 'c-0' })
  t.equal((await count()).n, 0)
})

t.test('link faults: drop, duplicate, delay, reorder, partition', async (t) => {
  await reset()
  const drop = s.inject({ kind: 'drop', from: ['f-0'], to: ['c-0'], probability: 1 })
  await blast(20)
  await new Promise((r) => setTimeout(r, 100))
  t.equal((await count()).n, 0, 'all dropped')
  s.heal(drop.id)
  const dup = s.inject({ kind: 'duplicate', to: ['c-0'], probability: 1 })
  await blast(20)
  await new Promise((r) => setTimeout(r, 100))
  t.equal((await count()).n, 40, 'each delivered twice')
  s.heal(dup.id)
  await reset()
  s.inject({ kind: 'delay', from: ['f-0'], to: ['c-0'], ms: 400, durationMs: 5000 })
  await blast(10)
  t.equal((await count()).n, 0, 'nothing yet')
  await new Promise((r) => setTimeout(r, 700))
  t.equal((await count()).n, 10, 'all arrived after the delay')
  s.heal()
  await reset()
  s.inject({ kind: 'reorder', from: ['f-0'], to: ['c-0'], windowMs: 200 })
  await blast(50)
  await new Promise((r) => setTimeout(r, 500))
  const { n, seq } = await count()
  t.equal(n, 50)
  t.notSame(seq, [...seq].sort((x, y) => x - y), 'order changed')
  s.heal()
  const p = s.inject({ kind: 'partition', a: ['a-0'], b: ['b-0'] })
  t.same(await relay('a-0', 'b-0', { type: 'ping' }), { type: 'relay.failed', code: 'ASK_TIMEOUT' })
  s.heal(p.id)
  t.equal((await relay('a-0', 'b-0', { type: 'ping' })).type, 'relayed')
  t.ok(events.some((e) => e.event === 'fault.healed' && e.kind === 'partition'))
})

t.test('skew-clock shifts one actor clock', async (t) => {
  s.inject({ kind: 'skew-clock', target: 'b-0', ms: 60_000 })
  const r = await ask<{ now: number }>('b-0', { type: 'ping' })
  t.ok(Math.abs(r.now - Date.now() - 60_000) < 2000, `skewed by ~60 s (${r.now - Date.now()})`)
  s.heal()
  const r2 = await ask<{ now: number }>('b-0', { type: 'ping' })
  t.ok(Math.abs(r2.now - Date.now()) < 2000)
})

t.test('disk faults: slow, fail, heal', async (t) => {
  t.equal((await ask('d-0', { type: 'write', text: 'a' })).type, 'written')
  const slow = s.inject({ kind: 'disk-slow', target: 'd-0', ms: 150 })
  const w = await ask<{ ms: number }>('d-0', { type: 'write', text: 'b' })
  t.ok(w.ms >= 250, `two slow operations took ${w.ms} ms`)
  s.heal(slow.id)
  s.inject({ kind: 'disk-fail', target: 'd-0' })
  t.same(await ask('d-0', { type: 'write', text: 'c' }), { type: 'error', code: 'DISK_FAILED' })
  s.heal()
  t.same(await ask('d-0', { type: 'read' }), { type: 'data', text: 'ab' })
})

t.test('kill: the thread exits and its actors restart on a fresh thread', async (t) => {
  await waitFor(() => s.standbyReady() > 0, 30_000, 'a standby thread')
  const t0 = Date.now()
  s.inject({ kind: 'kill', target: 'b-0' })
  await nextEvent(s, (e) => e.event === 'worker.exited' && e.thread === 't1', 15_000)
  await waitFor(() => state('b-0').state === 'running' && state('c-0').state === 'running' && state('b-0').restarts >= 1, 15_000, 'b-0, c-0 back')
  t.comment(`thread exit -> serving again in ${Date.now() - t0} ms`)
  t.equal((await ask('b-0', { type: 'ping' })).type, 'pong')
})

t.test('hang: missed heartbeats, thread terminated, actors restarted', async (t) => {
  await waitFor(() => s.standbyReady() > 0, 30_000, 'a standby thread')
  const t0 = Date.now()
  s.inject({ kind: 'hang', target: 'thread:t1' })
  const hung = await nextEvent(s, (e) => e.event === 'worker.hung' && e.thread === 't1', 10_000)
  // Judged hung for its silence (hangTimeoutMs 500), not for anything else.
  t.ok((hung.silentMs as number) >= 500, `silent for ${String(hung.silentMs)} ms`)
  await waitFor(() => state('b-0').state === 'running' && state('b-0').restarts >= 2, 10_000, 'b-0 back')
  t.comment(`hang detected and restarted in ${Date.now() - t0} ms (test/bench/runtime.ts measures it)`)
  t.equal((await ask('b-0', { type: 'ping' })).type, 'pong')
})

t.test('control endpoint', async (t) => {
  const file = join(dataDir, 'control.json')
  t.ok(existsSync(file))
  const { url, pid } = JSON.parse(readFileSync(file, 'utf8')) as { url: string; pid: number }
  t.equal(url, s.controlUrl)
  t.equal(pid, process.pid)
  const st = (await (await fetch(`${url}/status`)).json()) as { actors: Array<{ id: string }>; threads: unknown[] }
  t.same(st.actors.map((a) => a.id), ['a-0', 'f-0', 'b-0', 'c-0', 'd-0', 'e-0'])
  t.equal(st.threads.length, 3)
  const post = (body: unknown) => fetch(`${url}/faults`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
  const bad = await post({ kind: 'drop', probability: 3 })
  t.equal(bad.status, 400)
  t.match(await bad.json(), { error: 'FAULT_INVALID', field: 'probability' })
  const unknown = await post({ kind: 'crash', target: 'nobody-0' })
  t.equal(unknown.status, 400)
  t.match(await unknown.json(), { error: 'FAULT_TARGET_UNKNOWN', field: 'target', message: /valid targets: a-0, f-0, b-0/ })
  const ok = await post({ kind: 'pause', target: 'e-0' })
  t.equal(ok.status, 200)
  const res = (await ok.json()) as { id: string; active: boolean }
  t.equal(res.active, true)
  t.equal((await (await fetch(`${url}/status`)).json() as { faults: unknown[] }).faults.length, 1)
  t.equal((await fetch(`${url}/faults/nope`, { method: 'DELETE' })).status, 404)
  const healed = (await (await fetch(`${url}/faults/${res.id}`, { method: 'DELETE' })).json()) as unknown[]
  t.equal(healed.length, 1)
  t.same(await (await fetch(`${url}/faults`, { method: 'DELETE' })).json(), [])
  const ev = await (await fetch(`${url}/events`)).text()
  const parsed = ev.trim().split('\n').map((l) => JSON.parse(l) as RuntimeEvent)
  t.ok(parsed.some((e) => e.event === 'fault.injected' && e.kind === 'pause'))
  // follow: a live stream
  const ac = new AbortController()
  const stream = await fetch(`${url}/events?follow=1`, { signal: ac.signal })
  const reader = stream.body!.getReader()
  s.inject({ kind: 'crash', target: 'e-0' })
  let text = ''
  const dec = new TextDecoder()
  const timer = setTimeout(() => ac.abort(), 5000)
  while (!/"event":"actor.crashed","actor":"e-0"/.test(text)) {
    const { value, done } = await reader.read()
    if (done) break
    text += dec.decode(value)
  }
  clearTimeout(timer)
  ac.abort()
  t.match(text, /"event":"actor.crashed","actor":"e-0"/)
})
