// Messages from API servers to a node's kubelet (pods/log).

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

export type KubeletRequest = KubeletLogs
