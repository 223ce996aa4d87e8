// Node implementation of TcpIo: a TCP listener that splices each accepted connection to a
// backend chosen per connection (kube-proxy's userspace mode), and tcpSocket probes.
import { connect, createServer, type Socket } from 'node:net'
import type { TcpIo, TcpProxyListener } from './tcp.ts'

export function nodeTcpIo(): TcpIo {
  return {
    proxy({ host, port }, pick, onClose): Promise<TcpProxyListener> {
      const sockets = new Set<Socket>()
      const server = createServer({ pauseOnConnect: true }, (client) => {
        const backend = pick()
        if (!backend) {
          // Refused at once: reset rather than accept-then-hang.
          client.resetAndDestroy()
          return
        }
        sockets.add(client)
        const upstream = connect({ host: backend.host, port: backend.port })
        sockets.add(upstream)
        let closed = false
        const done = () => {
          if (closed) return
          closed = true
          sockets.delete(client)
          sockets.delete(upstream)
          client.destroy()
          upstream.destroy()
          onClose?.(backend)
        }
        upstream.on('connect', () => {
          client.pipe(upstream)
          upstream.pipe(client)
          client.resume()
        })
        upstream.on('error', () => {
          if (!client.destroyed) client.resetAndDestroy()
          done()
        })
        client.on('error', done)
        upstream.on('close', done)
        client.on('close', done)
      })
      return new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          server.off('error', reject)
          // A Service listener never keeps the process alive on its own: an actor killed
          // without its stop hook (a crash in a one-thread host) must not hold the exit.
          server.unref()
          const addr = server.address()
          const actualPort = typeof addr === 'object' && addr ? addr.port : port
          resolve({
            host,
            port: actualPort,
            close: () =>
              new Promise<void>((r) => {
                for (const s of sockets) s.destroy()
                server.close(() => r())
              }),
          })
        })
      })
    },

    probe({ host, port, timeoutMs }): Promise<boolean> {
      return new Promise((resolve) => {
        const s = connect({ host, port })
        const timer = setTimeout(() => {
          s.destroy()
          resolve(false)
        }, timeoutMs)
        s.once('connect', () => {
          clearTimeout(timer)
          s.end()
          resolve(true)
        })
        s.once('error', () => {
          clearTimeout(timer)
          resolve(false)
        })
      })
    },
  }
}


/** The name runtime/io/node-io.ts looks for. */
export const nodeTcp = nodeTcpIo
