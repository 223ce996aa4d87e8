// Node implementation of HTTP forwarding over node:http.
import http from 'node:http'
import type { HttpProxyIo } from './http-proxy.ts'

export const httpProxyIo: HttpProxyIo = {
  forward(req, res, target, opts = {}) {
    const headers = { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '', 'x-forwarded-host': req.headers.host ?? '' }
    const out = http.request(
      { host: target.host, port: target.port, method: req.method, path: req.url, headers, timeout: opts.timeoutMs ?? 30_000 },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers)
        up.pipe(res)
      },
    )
    const fail = () => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' })
        res.end('502 Bad Gateway\n')
      } else {
        res.destroy()
      }
    }
    out.on('error', fail)
    out.on('timeout', () => out.destroy(new Error('backend timeout')))
    req.pipe(out)
  },
}
