// UDP/TCP datagram adapter for the DNS add-on: the handler maps a query packet to an answer.
export interface DnsListener {
  readonly host: string
  readonly port: number
  close(): Promise<void>
}

export interface UdpIo {
  dnsListen(opts: { host: string; port: number }, answer: (query: Uint8Array) => Uint8Array | undefined): Promise<DnsListener>
}
