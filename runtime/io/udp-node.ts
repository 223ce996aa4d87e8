// Node implementation of the DNS transport: one UDP socket and one TCP server on host:port.
import dgram from 'node:dgram'
import net from 'node:net'
import type { DnsAnswerFn, DnsListener, UdpIo } from './udp.ts'

async function listenDns(opts: { host: string; port: number }, answer: DnsAnswerFn): Promise<DnsListener> {
  const udp = dgram.createSocket(opts.host.includes(':') ? 'udp6' : 'udp4')
  udp.on('message', (msg, rinfo) => {
    const out = safe(() => answer(new Uint8Array(msg), 'udp'))
    if (out) udp.send(out, rinfo.port, rinfo.address)
  })
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject)
    udp.bind(opts.port, opts.host, () => {
      udp.off('error', reject)
      resolve()
    })
  })
  const port = udp.address().port
  const tcp = net.createServer((sock) => {
    let buf = Buffer.alloc(0)
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d])
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0)
        if (buf.length < 2 + len) break
        const q = buf.subarray(2, 2 + len)
        buf = buf.subarray(2 + len)
        const out = safe(() => answer(new Uint8Array(q), 'tcp'))
        if (out) {
          const head = Buffer.alloc(2)
          head.writeUInt16BE(out.length)
          sock.write(Buffer.concat([head, out]))
        }
      }
    })
    sock.on('error', () => sock.destroy())
    sock.setTimeout(10_000, () => sock.destroy())
  })
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject)
    tcp.listen(port, opts.host, () => {
      tcp.off('error', reject)
      resolve()
    })
  })
  udp.on('error', () => {})
  return {
    host: opts.host,
    port,
    close: async () => {
      await Promise.all([
        new Promise<void>((r) => udp.close(() => r())),
        new Promise<void>((r) => tcp.close(() => r())),
      ])
    },
  }
}

function safe(fn: () => Uint8Array | undefined): Uint8Array | undefined {
  try {
    return fn()
  } catch {
    return undefined
  }
}

export const udpIo: UdpIo = { dnsListen: listenDns }
