// HTTP server adapter: lets an actor serve HTTP on a loopback port.
import type { IncomingMessage, ServerResponse } from 'node:http'

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void

export interface HttpListener {
  readonly host: string
  readonly port: number
  close(): Promise<void>
}

export interface HttpIo {
  listen(opts: { host: string; port: number }, handler: HttpHandler): Promise<HttpListener>
}
