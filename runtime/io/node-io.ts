// The real adapters a host injects as ctx.io.
import type { Io } from './index.ts'
import { nodeHttp } from './http-node.ts'
import { httpProxyIo } from './http-proxy-node.ts'
import { nodeProcIo } from './proc-node.ts'
import { nodeTcpIo } from './tcp-node.ts'
import { udpIo } from './udp-node.ts'

export function nodeIo(): Io {
  return { http: nodeHttp(), httpProxy: httpProxyIo, proc: nodeProcIo(), tcp: nodeTcpIo(), udp: udpIo }
}

/** Kept for callers that load adapters asynchronously; every adapter is static now. */
export async function nodeIoFull(): Promise<Io> {
  return nodeIo()
}
