// Real I/O adapters that a host injects through Ctx.io. Each adapter is a small module with an
// interface (used by actors) and a Node implementation (used by the worker host only). The
// simulator leaves out the ones it cannot model, so actors must check for presence.
import type { HttpIo } from './http.ts'
import type { TcpIo } from './tcp.ts'
import type { UdpIo } from './udp.ts'
import type { ProcIo } from './proc.ts'
import type { HttpProxyIo } from './http-proxy.ts'

export interface Io {
  http?: HttpIo
  tcp?: TcpIo
  udp?: UdpIo
  proc?: ProcIo
  httpProxy?: HttpProxyIo
}
