// A small stand-in for the supervisor's control endpoint: records requests, answers like it.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CliIo } from '../../../runtime/cli/io.ts'

export interface Recorded {
  method: string
  path: string
  body?: unknown
}

export const ACTORS = [
  { id: 'etcd-main-0', thread: 'etcd-main-0', state: 'running', restarts: 0, report: { ready: true, info: { leader: true, term: 3 } } },
  { id: 'apiserver-0', thread: 'apiserver-0', state: 'running', restarts: 1, report: { ready: true } },
  { id: 'scheduler-0', thread: 'scheduler-0', state: 'restarting', restarts: 2, report: {} },
  { id: 'kubelet@node-0', thread: 'nodes-0', state: 'running', restarts: 0, report: { ready: false, info: { pods: 4 } } },
]

export interface FakeControl {
  url: string
  dataDir: string
  requests: Recorded[]
  /** Events written to GET /events?follow=1 clients. */
  events: Array<Record<string, unknown>>
}

async function body(req: IncomingMessage): Promise<unknown> {
  let s = ''
  for await (const c of req) s += c
  return s ? JSON.parse(s) : undefined
}

export async function fakeControl(t: { teardown(fn: () => unknown): void }): Promise<FakeControl> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ak-cli-'))
  const fake: FakeControl = { url: '', dataDir, requests: [], events: [] }
  const server: Server = createServer(async (req, res) => {
    const path = req.url ?? '/'
    const rec: Recorded = { method: req.method ?? '', path, body: await body(req) }
    fake.requests.push(rec)
    const json = (status: number, v: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(v))
    }
    if (req.method === 'GET' && path === '/status') return json(200, { actors: ACTORS, threads: [{ name: 'nodes-0', state: 'running', restarts: 1, actors: ['kubelet@node-0'] }], faults: [{ id: 'f4', kind: 'delay', targets: ['apiserver-0', 'kubelet@node-0'], active: true }, { id: 'f5', kind: 'pause', targets: ['kubelet@node-0'], active: true }] })
    if (req.method === 'POST' && path === '/faults') {
      const f = rec.body as { kind: string; target?: string; a?: string[]; from?: string[] }
      if (f.target === 'leader:nobody') return json(400, { error: 'FAULT_TARGET_UNKNOWN', field: 'target', message: 'target: no actor of role nobody currently reports leader' })
      const targets = f.target === 'leader:etcd' ? ['etcd-main-0'] : [f.target ?? '', ...(f.a ?? []), ...(f.from ?? [])].filter(Boolean)
      return json(200, { id: 'f1', kind: f.kind, targets, active: !['crash', 'kill'].includes(f.kind) })
    }
    if (req.method === 'DELETE' && path.startsWith('/faults')) {
      if (path === '/faults/nope') return json(404, { error: 'FAULT_NOT_FOUND', message: 'no active fault nope' })
      return json(200, path === '/faults' ? [{ id: 'f1', kind: 'pause', targets: ['scheduler-0'], active: false }, { id: 'f2', kind: 'delay', targets: ['apiserver-0'], active: false }] : [{ id: decodeURIComponent(path.slice(8)), kind: 'pause', targets: ['scheduler-0'], active: false }])
    }
    if (req.method === 'GET' && path === '/events?follow=1') {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' })
      for (const e of fake.events) res.write(JSON.stringify(e) + '\n')
      res.write('{"torn":')
      res.end()
      return
    }
    json(404, { code: 'NOT_FOUND', message: `no route ${path}` })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const addr = server.address() as { port: number }
  fake.url = `http://127.0.0.1:${addr.port}`
  await writeFile(join(dataDir, 'control.json'), JSON.stringify({ url: fake.url, pid: process.pid }))
  t.teardown(async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
    await rm(dataDir, { recursive: true, force: true })
  })
  return fake
}

/** An in-memory CliIo: what the command printed is in `out` and `err`. */
export function memIo(extra: Partial<CliIo> = {}): CliIo & { stdout: string[]; stderr: string[]; text(): string; errText(): string } {
  const stdout: string[] = []
  const stderr: string[] = []
  return {
    out: (s) => void stdout.push(s),
    err: (s) => void stderr.push(s),
    cwd: process.cwd(),
    env: {},
    tty: false,
    stdout,
    stderr,
    text: () => stdout.join(''),
    errText: () => stderr.join(''),
    ...extra,
  }
}
