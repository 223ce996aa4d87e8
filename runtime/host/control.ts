// The loopback control endpoint: what `actorkube status` and `actorkube chaos` talk to.
//   GET /status            actors, threads, active faults
//   POST /faults           a Fault as JSON -> FaultResult (400 names the bad field / lists targets)
//   DELETE /faults         heal all;  DELETE /faults/<id>  heal one
//   GET /events[?follow=1] NDJSON of lifecycle/HA events (recent ones, then live if follow)
// Its URL is written to <dataDir>/control.json as { url, pid }.
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { errorCode } from '../errors.ts'
import type { Fault, FaultResult } from '../faults/types.ts'
import { FaultError } from '../faults/validate.ts'
import type { ActorStatus, RuntimeEvent, ThreadStatus } from './status.ts'

export interface Controllable {
  status(): ActorStatus[]
  threads(): ThreadStatus[]
  activeFaults(): FaultResult[]
  inject(f: Fault): FaultResult
  heal(id?: string): FaultResult[]
  on(ev: 'event', fn: (e: RuntimeEvent) => void): unknown
  off(ev: 'event', fn: (e: RuntimeEvent) => void): unknown
}

export interface ControlServer {
  url: string
  close(): Promise<void>
}

export interface ControlOptions {
  dataDir: string
  host?: string
  port?: number
  /** Events kept for GET /events without follow. */
  keepEvents?: number
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const c of req) {
    size += (c as Buffer).length
    if (size > 1_000_000) throw new FaultError('', 'request body too large')
    chunks.push(c as Buffer)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new FaultError('', 'body is not valid JSON')
  }
}

export async function startControl(sup: Controllable, opts: ControlOptions): Promise<ControlServer> {
  const recent: RuntimeEvent[] = []
  const keep = opts.keepEvents ?? 1000
  const record = (e: RuntimeEvent) => {
    recent.push(e)
    if (recent.length > keep) recent.shift()
  }
  sup.on('event', record)
  const streams = new Set<ServerResponse>()

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://control')
    const path = url.pathname
    if (req.method === 'GET' && path === '/status') {
      return send(res, 200, { actors: sup.status(), threads: sup.threads(), faults: sup.activeFaults() })
    }
    if (req.method === 'POST' && path === '/faults') {
      const body = await readJson(req)
      return send(res, 200, sup.inject(body as Fault))
    }
    if (req.method === 'DELETE' && path === '/faults') return send(res, 200, sup.heal())
    if (req.method === 'DELETE' && path.startsWith('/faults/')) return send(res, 200, sup.heal(decodeURIComponent(path.slice('/faults/'.length))))
    if (req.method === 'GET' && path === '/events') {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' })
      for (const e of recent) res.write(JSON.stringify(e) + '\n')
      if (url.searchParams.get('follow') !== '1') return res.end()
      const fn = (e: RuntimeEvent) => res.write(JSON.stringify(e) + '\n')
      sup.on('event', fn)
      streams.add(res)
      res.on('close', () => {
        sup.off('event', fn)
        streams.delete(res)
      })
      return
    }
    send(res, 404, { error: 'NOT_FOUND', message: `no route ${req.method ?? ''} ${path}; try GET /status, POST /faults, DELETE /faults[/<id>], GET /events?follow=1` })
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const code = errorCode(err)
      const status = code === 'FAULT_NOT_FOUND' ? 404 : err instanceof FaultError ? 400 : 500
      const field = err instanceof FaultError ? err.field : undefined
      send(res, status, { error: code ?? 'INTERNAL', field, message: err instanceof Error ? err.message : String(err) })
    })
  })
  const host = opts.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const url = `http://${host}:${port}`
  await mkdir(opts.dataDir, { recursive: true })
  const file = join(opts.dataDir, 'control.json')
  await writeFile(file, JSON.stringify({ url, pid: process.pid }) + '\n')
  return {
    url,
    close: async () => {
      sup.off('event', record)
      for (const s of streams) s.end()
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
      await rm(file, { force: true })
    },
  }
}
