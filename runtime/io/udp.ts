// DNS transport adapter for the DNS add-on: the handler maps a query packet to an answer, over
// UDP and over TCP (length-prefixed) on the same port.
export interface DnsListener {
  readonly host: string
  readonly port: number
  close(): Promise<void>
}

export type DnsAnswerFn = (query: Uint8Array, transport: 'udp' | 'tcp') => Uint8Array | undefined

export interface UdpIo {
  dnsListen(opts: { host: string; port: number }, answer: DnsAnswerFn): Promise<DnsListener>
}
