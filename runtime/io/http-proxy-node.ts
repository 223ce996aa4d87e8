// Node implementation of HTTP forwarding over node:http, as a reverse proxy does it: hop-by-hop
// headers are dropped, X-Forwarded-For/-Host/-Proto are added, a client that goes away aborts
// the backend request, and a backend that fails or times out answers 502/504.
import http from 'node:http'
import type { HttpProxyIo } from './http-proxy.ts'

// RFC 9110 section 7.6.1: connection-specific fields are not forwarded.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'])

function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const named = String(headers.connection ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)
  const out: http.OutgoingHttpHeaders = {}
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || HOP_BY_HOP.has(k) || named.includes(k)) continue
    out[k] = v
  }
  return out
}

export const httpProxyIo: HttpProxyIo = {
  forward(req, res, target, opts = {}) {
    const headers = endToEnd(req.headers)
    const prior = req.headers['x-forwarded-for']
    const client = req.socket.remoteAddress ?? ''
    headers['x-forwarded-for'] = prior ? `${String(prior)}, ${client}` : client
    headers['x-forwarded-host'] = req.headers['x-forwarded-host'] ?? req.headers.host ?? ''
    headers['x-forwarded-proto'] = req.headers['x-forwarded-proto'] ?? 'http'
    let timedOut = false
    const out = http.request(
      { host: target.host, port: target.port, method: req.method, path: req.url, headers, timeout: opts.timeoutMs ?? 30_000, agent: false },
      (up) => {
        res.writeHead(up.statusCode ?? 502, endToEnd(up.headers))
        up.pipe(res)
        up.on('error', () => res.destroy())
      },
    )
    const fail = () => {
      if (!res.headersSent) {
        const status = timedOut ? 504 : 502
        res.writeHead(status, { 'content-type': 'text/plain' })
        res.end(timedOut ? '504 Gateway Timeout\n' : '502 Bad Gateway\n')
      } else {
        res.destroy()
      }
    }
    out.on('error', fail)
    out.on('timeout', () => {
      timedOut = true
      out.destroy(new Error('backend timeout'))
    })
    // The client went away before the answer was complete: stop the backend request too.
    res.on('close', () => {
      if (!res.writableFinished) out.destroy()
    })
    req.pipe(out)
  },
}
