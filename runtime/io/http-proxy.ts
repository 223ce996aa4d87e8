// HTTP forwarding adapter: relays one incoming request to a backend (the ingress controller).
import type { IncomingMessage, ServerResponse } from 'node:http'

export interface HttpProxyIo {
  /** Relay `req` to host:port and stream the answer back; 502 if the backend fails. */
  forward(req: IncomingMessage, res: ServerResponse, target: { host: string; port: number }, opts?: { timeoutMs?: number }): void
}
