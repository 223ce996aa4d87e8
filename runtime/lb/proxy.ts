// The load balancer's HTTP proxy: plain requests go to the next live instance (moving on when a
// connection is refused); watches are followed line by line and resumed on another instance
// from their last resourceVersion when their instance dies.
import { Agent, createServer, request, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { Logger } from '../actor.ts'
import { BackendPool, type Backend } from './pool.ts'
import { isWatchRequest, LineSplitter, readWatchLine, resumeUrl } from './watch-resume.ts'

const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'])

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code })
}

function forwardHeaders(h: IncomingMessage['headers'], b: Backend): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {}
  for (const [k, v] of Object.entries(h)) if (!HOP.has(k) && v !== undefined) out[k] = v
  out.host = `${b.host}:${b.port}`
  return out
}

function responseHeaders(h: IncomingMessage['headers']): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {}
  for (const [k, v] of Object.entries(h)) if (!HOP.has(k) && v !== undefined) out[k] = v
  return out
}

export interface ProxyOptions {
  pool: BackendPool
  maxBodyBytes: number
  /** How long a watch waits for some instance to come back before ending. */
  resumeWindowMs: number
  log?: Logger
  /** Serve HTTPS with this key and certificate (kubectl sends bearer tokens only over TLS). */
  tls?: { key: string; cert: string }
}

export class LbProxy {
  readonly server: Server
  readonly agent = new Agent({ keepAlive: true, maxSockets: 256 })
  /** Open upstream requests per instance, so a dead instance's clients can be moved off. */
  private readonly open = new Map<string, Set<() => void>>()

  constructor(private readonly opts: ProxyOptions) {
    const handler = (req: IncomingMessage, res: ServerResponse) => this.handle(req, res)
    this.server = opts.tls ? (createTlsServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) as unknown as Server) : createServer(handler)
    this.server.requestTimeout = 0
    this.server.keepAliveTimeout = 65_000
  }

  /** Cut every upstream request to `id` (its watches resume elsewhere). */
  cut(id: string): void {
    for (const kill of [...(this.open.get(id) ?? [])]) kill()
  }

  private track(id: string, kill: () => void): () => void {
    let set = this.open.get(id)
    if (!set) this.open.set(id, (set = new Set()))
    set.add(kill)
    return () => set.delete(kill)
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = []
    let size = 0
    let over = false
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > this.opts.maxBodyBytes) over = true
      else chunks.push(c)
    })
    req.on('error', () => res.destroy())
    req.on('end', () => {
      if (over) {
        res.writeHead(413, { 'Content-Type': 'application/json' })
        res.end(status(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${this.opts.maxBodyBytes}`))
        return
      }
      const body = Buffer.concat(chunks)
      if (isWatchRequest(req.method, req.url)) this.watch(req, res, body)
      else this.once(req, res, body, new Set())
    })
  }

  private unavailable(res: ServerResponse): void {
    if (res.headersSent) {
      res.destroy()
      return
    }
    res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '1' })
    res.end(status(503, 'ServiceUnavailable', 'no apiserver instance is available'))
  }

  private once(req: IncomingMessage, res: ServerResponse, body: Buffer, tried: Set<string>): void {
    const b = this.opts.pool.next(tried)
    if (!b) return this.unavailable(res)
    let responded = false
    const up = request({ host: b.host, port: b.port, method: req.method, path: req.url, headers: forwardHeaders(req.headers, b), agent: this.agent }, (bres) => {
      responded = true
      res.writeHead(bres.statusCode ?? 502, responseHeaders(bres.headers))
      bres.pipe(res)
      bres.on('error', () => res.destroy())
      bres.on('close', () => {
        if (!bres.complete) res.destroy()
      })
    })
    const untrack = this.track(b.id, () => up.destroy())
    up.on('close', untrack)
    up.on('error', (err: NodeJS.ErrnoException) => {
      untrack()
      if (responded || res.destroyed) return res.destroy()
      const safe = err.code === 'ECONNREFUSED' || req.method === 'GET' || req.method === 'HEAD'
      if (err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET') {
        if (this.opts.pool.fail(b.id)) this.opts.log?.warn({ instance: b.id, err: err.code }, 'lb instance down')
      }
      if (safe) {
        tried.add(b.id)
        this.once(req, res, body, tried)
      } else {
        res.writeHead(503, { 'Content-Type': 'application/json' })
        res.end(status(503, 'ServiceUnavailable', `the apiserver instance failed while serving the request: ${err.code ?? err.message}`))
      }
    })
    res.on('close', () => {
      if (!responded || !res.writableFinished) up.destroy()
    })
    up.end(body)
  }

  private watch(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const url0 = req.url ?? '/'
    const q = new URL(url0, 'http://lb').searchParams
    const timeoutSeconds = Number(q.get('timeoutSeconds') ?? '0')
    const deadline = timeoutSeconds > 0 ? Date.now() + timeoutSeconds * 1000 : Infinity
    let lastRv: string | undefined = q.get('resourceVersion') || undefined
    let started = false
    let done = false
    let waitingSince = 0
    let current: (() => void) | undefined
    res.on('close', () => {
      done = true
      current?.()
    })
    const finish = () => {
      if (done) return
      done = true
      res.end()
    }
    const attempt = (url: string, tried: Set<string>) => {
      if (done) return
      const b = this.opts.pool.next(tried)
      if (!b) {
        if (!started) return this.unavailable(res)
        if (!waitingSince) waitingSince = Date.now()
        if (Date.now() - waitingSince > this.opts.resumeWindowMs || Date.now() > deadline) return finish()
        setTimeout(() => attempt(url, new Set()), 200)
        return
      }
      const splitter = new LineSplitter()
      const up = request({ host: b.host, port: b.port, method: 'GET', path: url, headers: forwardHeaders(req.headers, b), agent: false }, (bres) => {
        waitingSince = 0
        if (!started) {
          started = true
          res.writeHead(bres.statusCode ?? 502, responseHeaders(bres.headers))
          res.flushHeaders()
          if (bres.statusCode !== 200) {
            bres.pipe(res)
            done = true
            return
          }
        } else if (bres.statusCode !== 200) {
          // A resumed watch refused (e.g. 410): hand the client the Status as an ERROR event.
          let text = ''
          bres.on('data', (c: Buffer) => (text += c.toString()))
          bres.on('end', () => {
            let obj: unknown
            try {
              obj = JSON.parse(text)
            } catch {
              obj = JSON.parse(status(bres.statusCode ?? 500, 'InternalError', 'watch could not be resumed'))
            }
            if (!done) res.write(JSON.stringify({ type: 'ERROR', object: obj }) + '\n')
            finish()
          })
          return
        }
        bres.setEncoding('utf8')
        bres.on('data', (chunk: string) => {
          if (done) return
          let out = ''
          let error = false
          for (const line of splitter.push(chunk)) {
            if (line.trim() === '') continue
            const info = readWatchLine(line)
            if (info.resourceVersion && info.type !== 'ERROR') lastRv = info.resourceVersion
            if (info.type === 'ERROR') error = true
            out += line + '\n'
          }
          if (out) res.write(out)
          if (error) finish()
        })
        bres.on('error', () => {})
        bres.on('close', () => {
          untrack()
          if (done) return
          if (Date.now() >= deadline) return finish()
          const abnormal = !bres.complete
          if (abnormal && this.opts.pool.fail(b.id)) this.opts.log?.warn({ instance: b.id }, 'lb instance down')
          this.opts.log?.info({ instance: b.id, resourceVersion: lastRv, abnormal }, 'lb watch resumed')
          setTimeout(() => attempt(resumeUrl(url0, lastRv), abnormal ? new Set([b.id]) : new Set()), abnormal ? 0 : 100)
        })
      })
      current = () => up.destroy()
      const untrack = this.track(b.id, () => up.destroy())
      up.on('error', (err: NodeJS.ErrnoException) => {
        untrack()
        if (done) return
        if (this.opts.pool.fail(b.id)) this.opts.log?.warn({ instance: b.id, err: err.code }, 'lb instance down')
        if (started) return // the response's close handler resumes it
        tried.add(b.id)
        attempt(url, tried)
      })
      up.end(body)
    }
    attempt(url0, new Set())
  }
}
