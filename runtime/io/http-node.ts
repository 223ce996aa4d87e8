// The Node implementation of HttpIo: an HTTP server on a (loopback) host and port.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { HttpHandler, HttpIo, HttpListener } from './http.ts'

export function nodeHttp(): HttpIo {
  return {
    listen(opts: { host: string; port: number }, handler: HttpHandler): Promise<HttpListener> {
      return new Promise((resolve, reject) => {
        const server = createServer(handler)
        server.keepAliveTimeout = 5000
        server.once('error', reject)
        server.listen(opts.port, opts.host, () => {
          server.off('error', reject)
          const addr = server.address() as AddressInfo
          resolve({
            host: addr.address,
            port: addr.port,
            close: () =>
              new Promise<void>((res) => {
                server.closeAllConnections()
                server.close(() => res())
              }),
          })
        })
      })
    },
  }
}
