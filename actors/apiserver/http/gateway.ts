// The Kubernetes REST API over HTTP for one API server instance. Thin: parse the request into
// an ApiCall (route.ts, body.ts, request.ts), hand it to the core, write the ApiReply back
// (as a Table when kubectl asks for one), stream watches and logs.
import type { Ctx } from '../../../runtime/actor.ts'
import type { ApiServerArgs } from '../../args.ts'
import type { ApiReply } from '../../../protocols/api.ts'
import type { KObject } from '../../../protocols/k8s.ts'
import { ActorkubeError } from '../../../runtime/errors.ts'
import type { ApiServerCore } from '../types.ts'
import { authenticate } from './auth.ts'
import { DEFAULT_MAX_BODY_BYTES, decodeBody, patchTypeOf } from './body.ts'
import { AGGREGATED_CONTENT_TYPE, aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions, wantsAggregated } from './discovery.ts'
import { healthAnswer, VERSION_INFO } from './health.ts'
import { apiVersionOf, type KindInfo } from './kinds.ts'
import { openapiDocument, openapiIndex } from './openapi.ts'
import { serveLog } from './pod-log.ts'
import { readBody } from './read-body.ts'
import { needsBody, planRequest } from './request.ts'
import { type Req, type Res, sendJson, sendStatus, sendText } from './respond.ts'
import { parseRoute, type Route } from './route.ts'
import { isStatus, notFound, statusError } from './status.ts'
import { parseIncludeObject, toTable, wantsTable } from './table.ts'
import { streamWatch } from './watch-stream.ts'
import { metricsReply } from './metrics.ts'

/** How long `kubectl top` waits for each kubelet's usage sample. */
const METRICS_TIMEOUT_MS = 2000
import { unservedMessage } from './unserved.ts'

export interface GatewayOptions {
  host: string
  port: number
  tokens?: ApiServerArgs['tokens']
  maxBodyBytes?: number
}

export interface Gateway {
  port: number
  close(): Promise<void>
}

const NOT_FOUND_MESSAGE = 'the server could not find the requested resource'

export async function startHttpGateway(ctx: Ctx, core: ApiServerCore, opts: GatewayOptions): Promise<Gateway> {
  const http = ctx.io.http
  if (!http) throw new ActorkubeError('HTTP_UNAVAILABLE', 'this host offers no HTTP adapter (ctx.io.http)')
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const streams = new Set<() => void>()
  const log = ctx.log.child({ component: 'http-gateway' })

  const handler = (req: Req, res: Res): void => {
    handle(req, res).catch((err: unknown) => {
      log.error({ err: err instanceof Error ? err.stack : String(err), method: req.method, url: req.url }, 'http request failed')
      if (!res.headersSent) sendStatus(res, statusError(500, 'an internal error occurred while serving the request'))
      else res.destroy()
    })
  }

  async function handle(req: Req, res: Res): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase()
    const route = parseRoute(req.url ?? '/')
    if (route.kind !== 'health' && !authenticate(opts.tokens, req.headers.authorization)) {
      req.resume()
      sendStatus(res, statusError(401, 'Unauthorized'))
      return
    }
    if (route.kind !== 'resource') {
      req.resume()
      if (method !== 'GET' && method !== 'HEAD') {
        sendStatus(res, route.kind === 'notFound' || route.kind === 'unknownResource' ? notFound(unservedMessage(req.url ?? '/') ?? NOT_FOUND_MESSAGE) : statusError(405, 'the server does not allow this method on the requested resource'))
        return
      }
      serveMeta(req, res, route)
      return
    }
    await serveResource(req, res, method, route)
  }

  function serveMeta(req: Req, res: Res, route: Exclude<Route, { kind: 'resource' }>): void {
    const accept = req.headers.accept
    switch (route.kind) {
      case 'version':
        return sendJson(res, 200, VERSION_INFO)
      case 'health': {
        const a = healthAnswer(route.check, core.ready(), route.verbose, route.single)
        return sendText(res, a.code, a.text)
      }
      case 'discovery':
        if (wantsAggregated(accept)) return sendJson(res, 200, aggregatedDiscovery(route.root), AGGREGATED_CONTENT_TYPE)
        return sendJson(res, 200, route.root === 'api' ? apiVersions(`${opts.host}:${port}`) : apiGroupList())
      case 'group': {
        const g = apiGroup(route.group)
        return g ? sendJson(res, 200, g) : sendStatus(res, notFound(NOT_FOUND_MESSAGE))
      }
      case 'groupVersion': {
        const l = apiResourceList(route.group, route.version)
        return l ? sendJson(res, 200, l) : sendStatus(res, notFound(NOT_FOUND_MESSAGE))
      }
      case 'openapiIndex':
        return sendJson(res, 200, openapiIndex())
      case 'openapi': {
        const d = openapiDocument(route.group, route.version)
        return d ? sendJson(res, 200, d) : sendStatus(res, notFound(NOT_FOUND_MESSAGE))
      }
      case 'unknownResource':
      case 'notFound':
        return sendStatus(res, notFound(NOT_FOUND_MESSAGE))
    }
  }

  async function serveResource(req: Req, res: Res, method: string, route: Extract<Route, { kind: 'resource' }>): Promise<void> {
    let body: unknown
    let patchType
    if (method === 'PATCH') {
      patchType = patchTypeOf(req.headers['content-type'])
      if (typeof patchType !== 'string') {
        req.resume()
        return sendStatus(res, patchType)
      }
    }
    if (needsBody(method, route)) {
      const raw = await readBody(req, maxBody)
      if (!raw.ok) {
        sendStatus(res, raw.status)
        if (raw.status.code === 413) req.destroy()
        return
      }
      if (raw.body.length > 0) {
        const decoded = decodeBody(req.headers['content-type'], raw.body, { fieldValidation: route.query.get('fieldValidation') ?? undefined })
        if (!decoded.ok) return sendStatus(res, decoded.status)
        body = decoded.value
      } else if (method !== 'DELETE') {
        return sendStatus(res, statusError(400, 'the body of the request was empty'))
      }
    } else {
      req.resume()
    }
    const plan = planRequest(method, route, body, patchType)
    // Writes that name no field manager are owned by the client's user agent, up to its first '/'.
    if (plan.type === 'call' && (plan.call.type === 'api.create' || plan.call.type === 'api.update' || plan.call.type === 'api.patch') && !plan.call.fieldManager) {
      const ua = (req.headers['user-agent'] ?? '').split('/')[0]!.trim().slice(0, 128)
      if (ua) plan.call.fieldManager = ua
    }
    const accept = req.headers.accept
    const table = wantsTable(accept) ? { plural: route.info.plural, include: parseIncludeObject(route.query.get('includeObject')) } : undefined
    switch (plan.type) {
      case 'error':
        return sendStatus(res, plan.status)
      case 'watch':
        return streamWatch(ctx, core, { ...plan.watch, watchId: ctx.newId() }, res, { table }, streams)
      case 'log': {
        const t = route.query.get('tailLines')
        const tailLines = t !== null && /^\d+$/.test(t) ? Number(t) : undefined
        return serveLog(ctx, core, plan.call as Extract<typeof plan.call, { type: 'api.get' }>, plan.follow, tailLines, res)
      }
      case 'metrics':
        return writeReply(res, await metricsReply(ctx, core, plan, METRICS_TIMEOUT_MS), route.info, undefined)
      case 'call': {
        const reply = await core.handle(plan.call)
        return writeReply(res, reply, route.info, method === 'GET' && !route.subresource ? table : undefined)
      }
    }
  }

  function writeReply(res: Res, reply: ApiReply, info: KindInfo, table: { plural: string; include: ReturnType<typeof parseIncludeObject> } | undefined): void {
    const b = reply.body as unknown
    // RFC 7234 warn-code 299 with the text quoted, as kube-apiserver sends them (kubectl prints them).
    if (reply.warnings?.length) res.setHeader('Warning', reply.warnings.map((w) => `299 - ${JSON.stringify(w)}`))
    if (isStatus(b)) {
      if (b.details?.retryAfterSeconds) res.setHeader('Retry-After', String(b.details.retryAfterSeconds))
      return sendJson(res, reply.code, b)
    }
    const obj = b as KObject & { items?: KObject[] }
    if (table && reply.code === 200) {
      const items = Array.isArray(obj.items) ? obj.items : [obj]
      const rv = (obj.metadata as { resourceVersion?: string } | undefined)?.resourceVersion
      return sendJson(res, 200, toTable(table.plural, items, rv, ctx.now(), table.include, false))
    }
    if (Array.isArray(obj.items)) {
      if (!obj.kind) obj.kind = `${info.kind}List`
      if (!obj.apiVersion) obj.apiVersion = apiVersionOf(info)
    }
    sendJson(res, reply.code, obj)
  }

  const listener = await http.listen({ host: opts.host, port: opts.port }, handler)
  const port = listener.port
  log.info({ host: opts.host, port }, 'http gateway listening')
  return {
    port,
    async close() {
      for (const end of [...streams]) end()
      await listener.close()
    },
  }
}
