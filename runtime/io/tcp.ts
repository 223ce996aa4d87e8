// TCP adapter: listeners that forward each accepted connection to a chosen backend (kube-proxy).
export interface TcpBackend {
  host: string
  port: number
}

export interface TcpProxyListener {
  readonly host: string
  readonly port: number
  close(): Promise<void>
}

export interface TcpIo {
  /** Accept on host:port; for each connection call `pick`; undefined refuses (closes) at once. */
  proxy(opts: { host: string; port: number }, pick: () => TcpBackend | undefined, onClose?: (b: TcpBackend) => void): Promise<TcpProxyListener>
  /** Try to open a TCP connection (tcpSocket probes). */
  probe(opts: { host: string; port: number; timeoutMs: number }): Promise<boolean>
}
