// The dashboard add-on: serves the page, streams cluster snapshots to browsers over
// server-sent events (built from informers, so every change arrives through the API's watch),
// and relays /control/* to the supervisor's control endpoint for the HA panel and chaos buttons.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ActorFactory, Message } from '../../../runtime/actor.ts'
import type { HttpListener } from '../../../runtime/io/http.ts'
import type { DashboardArgs } from '../../args.ts'
import type { Deployment, KEvent, KObject, Lease, Node, Pod } from '../../../protocols/k8s.ts'
import { R } from '../../../protocols/resources.ts'
import { createApiClient } from '../../client/api-client.ts'
import { Informer } from '../../client/informer.ts'
import { release, takeOver } from '../listeners.ts'
import { buildSnapshot } from './state.ts'
import { DASHBOARD_HTML } from '../../../runtime/web/dashboard-page.ts'

const FLUSH_MS = 200
const KEEPALIVE_MS = 15_000

export const create: ActorFactory<DashboardArgs> = (ctx, args) => {
  const client = createApiClient(ctx, { apiservers: args.apiservers })
  const nodes = new Informer<Node>(ctx, client, R.nodes, {})
  const pods = new Informer<Pod>(ctx, client, R.pods, {})
  const deployments = new Informer<Deployment>(ctx, client, R.deployments, {})
  const leases = new Informer<Lease>(ctx, client, R.leases, { namespace: 'kube-system' })
  const events = new Informer<KEvent>(ctx, client, R.events, {})
  const informers: Array<Informer<KObject>> = [nodes, pods, deployments, leases, events] as Array<Informer<KObject>>
  const streams = new Set<ServerResponse>()
  let listener: HttpListener | undefined
  let flushPending = false

  const snapshotJson = () =>
    JSON.stringify(buildSnapshot(new Date(ctx.now()).toISOString(), nodes.list(), pods.list(), deployments.list(), leases.list(), events.list()))
  const snapshotText = () => `event: snapshot\ndata: ${snapshotJson()}\n\n`

  const changed = () => {
    if (flushPending || streams.size === 0) return
    flushPending = true
    ctx.after(FLUSH_MS, { type: 'dashboard.flush' })
  }
  for (const i of informers) i.addHandler({ onAdd: changed, onUpdate: changed, onDelete: changed })

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/'
    if (url.startsWith('/control/')) {
      const target = args.controlUrl ? new URL(args.controlUrl) : undefined
      if (!target || !ctx.io.httpProxy) {
        res.writeHead(503, { 'content-type': 'text/plain' })
        res.end('the supervisor control endpoint is not available\n')
        return
      }
      req.url = url.slice('/control'.length)
      // The HA event stream stays open and may be quiet for long: no idle timeout for it.
      const follow = req.url.startsWith('/events')
      ctx.io.httpProxy.forward(req, res, { host: target.hostname, port: Number(target.port) }, { timeoutMs: follow ? 0 : 30_000 })
      return
    }
    if (req.method !== 'GET') {
      res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET' })
      res.end('method not allowed\n')
      return
    }
    if (url === '/' || url === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      res.end(DASHBOARD_HTML)
      return
    }
    if (url === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
      res.flushHeaders()
      res.write(snapshotText())
      streams.add(res)
      res.on('close', () => streams.delete(res))
      return
    }
    if (url === '/api/snapshot') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(snapshotJson())
      return
    }
    res.writeHead(404, { 'content-type': 'text/plain' })
    res.end('not found\n')
  }

  return {
    async start() {
      for (const i of informers) i.start()
      if (ctx.io.http) {
        const http = ctx.io.http
        listener = await takeOver(ctx.self, () => http.listen(args.listen, handle))
        ctx.log.info({ event: 'dashboard.listening', url: `http://${listener.host}:${listener.port}/` }, 'dashboard.listening')
      }
      ctx.after(KEEPALIVE_MS, { type: 'dashboard.keepalive' })
      await Promise.all(informers.map((i) => i.waitForSync()))
      ctx.report({ ready: true, info: { url: listener ? `http://${listener.host}:${listener.port}/` : undefined } })
    },
    receive(msg: Message, meta) {
      if (client.handle(msg, meta)) return
      if (msg.type === 'dashboard.flush') {
        flushPending = false
        if (streams.size === 0) return
        const text = snapshotText()
        for (const s of streams) s.write(text)
      } else if (msg.type === 'dashboard.keepalive') {
        for (const s of streams) s.write(': keepalive\n\n')
        ctx.after(KEEPALIVE_MS, { type: 'dashboard.keepalive' })
      }
    },
    async stop() {
      for (const i of informers) i.stop()
      for (const s of streams) s.end()
      streams.clear()
      await release(ctx.self, listener)
    },
  }
}
