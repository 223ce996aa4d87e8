// The ingress controller add-on: watches Ingresses, Services and Endpoints and serves HTTP on a
// loopback port, relaying each request to a ready endpoint of the matched backend.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ActorFactory } from '../../../runtime/actor.ts'
import type { HttpListener } from '../../../runtime/io/http.ts'
import type { IngressArgs } from '../../args.ts'
import type { Endpoints, Service } from '../../../protocols/k8s.ts'
import { R } from '../../../protocols/resources.ts'
import { createApiClient } from '../../client/api-client.ts'
import { Informer } from '../../client/informer.ts'
import { release, takeOver } from '../listeners.ts'
import { backendTargets, compileRoutes, matchRoute, type Ingress } from './routes.ts'

export const create: ActorFactory<IngressArgs> = (ctx, args) => {
  const client = createApiClient(ctx, { apiservers: args.apiservers })
  const ingresses = new Informer<Ingress>(ctx, client, R.ingresses, {})
  const services = new Informer<Service>(ctx, client, R.services, {})
  const endpoints = new Informer<Endpoints>(ctx, client, R.endpoints, {})
  let table: ReturnType<typeof compileRoutes> | undefined
  let listener: HttpListener | undefined
  const published = new Set<string>()

  const byKey = <T extends { metadata: { namespace?: string; name?: string } }>(items: T[]) =>
    new Map(items.map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o]))

  const publishStatus = async (ing: Ingress) => {
    if (!listener) return
    const key = `${ing.metadata.namespace}/${ing.metadata.name}`
    const status = { loadBalancer: { ingress: [{ ip: listener.host, ports: [{ port: listener.port, protocol: 'TCP' }] }] } }
    const cur = (ing.status as { loadBalancer?: unknown } | undefined)?.loadBalancer
    if (published.has(key) && JSON.stringify(cur) === JSON.stringify(status.loadBalancer)) return
    try {
      await client.patch(R.ingresses, ing.metadata.namespace, ing.metadata.name ?? '', 'merge', { status }, { subresource: 'status' })
      published.add(key)
    } catch (err) {
      ctx.log.warn({ ingress: key, err: String(err) }, 'ingress status update failed')
    }
  }

  ingresses.addHandler({
    onAdd: (i) => { table = undefined; void publishStatus(i) },
    onUpdate: (_o, i) => { table = undefined; void publishStatus(i) },
    onDelete: (i) => { table = undefined; published.delete(`${i.metadata.namespace}/${i.metadata.name}`) },
  })

  let rr = 0
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    table ??= compileRoutes(ingresses.list())
    const route = matchRoute(table, req.headers.host, req.url ?? '/')
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('404 Not Found: no ingress rule matches\n')
      return
    }
    const targets = backendTargets(route, byKey(services.list()), byKey(endpoints.list()))
    if (targets.length === 0 || !ctx.io.httpProxy) {
      res.writeHead(503, { 'content-type': 'text/plain' })
      res.end(`503 Service Unavailable: no ready endpoint for ${route.namespace}/${route.backend.service.name}\n`)
      return
    }
    const target = targets[rr++ % targets.length] as { host: string; port: number }
    ctx.io.httpProxy.forward(req, res, target)
  }

  return {
    async start() {
      for (const i of [ingresses, services, endpoints]) i.start()
      if (ctx.io.http) {
        const http = ctx.io.http
        listener = await takeOver(ctx.self, () => http.listen(args.listen, handle))
        ctx.log.info({ event: 'ingress.listening', host: listener.host, port: listener.port }, 'ingress.listening')
      }
      await Promise.all([ingresses.waitForSync(), services.waitForSync(), endpoints.waitForSync()])
      for (const i of ingresses.list()) void publishStatus(i)
      ctx.report({ ready: true, info: { listen: listener ? `${listener.host}:${listener.port}` : undefined } })
    },
    receive(msg, meta) {
      client.handle(msg, meta)
    },
    async stop() {
      for (const i of [ingresses, services, endpoints]) i.stop()
      await release(ctx.self, listener)
    },
  }
}
