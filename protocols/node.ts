// Messages from API servers to a node's kubelet (pods/log, resource usage for metrics.k8s.io).

export interface KubeletLogs {
  type: 'kubelet.logs'
  namespace: string
  pod: string
  container?: string
  tailLines?: number
  previous?: boolean
}

export interface KubeletLogsReply {
  type: 'kubelet.logs.reply'
  lines: string[]
}

/** The node's and its pods' latest resource usage (what metrics-server scrapes from a kubelet). */
export interface KubeletStats {
  type: 'kubelet.stats'
}

export interface ContainerUsage {
  name: string
  cpuMilli: number
  memoryBytes: number
}

export interface KubeletStatsReply {
  type: 'kubelet.stats.reply'
  node: string
  /** When the sample was taken (ms since the epoch) and over how long CPU was averaged. */
  timestamp: number
  windowMs: number
  usage: { cpuMilli: number; memoryBytes: number }
  pods: Array<{ namespace: string; name: string; containers: ContainerUsage[] }>
}

export type KubeletRequest = KubeletLogs | KubeletStats
