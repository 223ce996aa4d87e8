// Pure: the rule table kube-proxy keeps per node, as the iptables rules it stands for. Each
// service VIP:port jumps to its ready endpoints in turn with probabilities 1/n, 1/(n-1), ..., 1,
// so each endpoint is chosen with probability 1/n overall.
import type { Endpoints, Service } from '../../protocols/k8s.ts'

export interface RuleEndpoint {
  ip: string
  port: number
  /** The iptables `--probability` of this rule (the chance given the earlier rules missed). */
  probability: number
  nodeName?: string
  pod?: string
}

export interface ServiceRule {
  /** namespace/name:portName */
  key: string
  service: string
  portName: string
  protocol: string
  vip: string
  port: number
  endpoints: RuleEndpoint[]
}

/** 1/n, 1/(n-1), ..., 1 */
export function probabilities(n: number): number[] {
  return Array.from({ length: n }, (_, i) => 1 / (n - i))
}

export function serviceKey(obj: { metadata: { namespace?: string; name?: string } }): string {
  return `${obj.metadata.namespace ?? 'default'}/${obj.metadata.name ?? ''}`
}

/** The rules of one service given its Endpoints object (absent: no endpoints). */
export function rulesForService(svc: Service, ep: Endpoints | undefined): ServiceRule[] {
  const vip = svc.spec.clusterIP
  if (!vip || vip === 'None') return []
  const name = serviceKey(svc)
  const out: ServiceRule[] = []
  for (const sp of svc.spec.ports ?? []) {
    const portName = sp.name ?? ''
    const protocol = sp.protocol ?? 'TCP'
    const targets: Array<Omit<RuleEndpoint, 'probability'>> = []
    for (const subset of ep?.subsets ?? []) {
      const ports = subset.ports ?? []
      const p = ports.find((x) => (x.name ?? '') === portName) ?? (ports.length === 1 && portName === '' ? ports[0] : undefined)
      if (!p) continue
      for (const a of subset.addresses ?? []) {
        targets.push({ ip: a.ip, port: p.port, ...(a.nodeName ? { nodeName: a.nodeName } : {}), ...(a.targetRef?.name ? { pod: a.targetRef.name } : {}) })
      }
    }
    targets.sort((a, b) => (a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1))
    const probs = probabilities(targets.length)
    out.push({
      key: `${name}:${portName}`,
      service: name,
      portName,
      protocol,
      vip,
      port: sp.port,
      endpoints: targets.map((t, i) => ({ ...t, probability: probs[i]! })),
    })
  }
  return out
}

function chain(prefix: string, s: string): string {
  // FNV-1a, base32, 16 chars: stable chain names as kube-proxy derives them from a hash
  let h1 = 0x811c9dc5
  let h2 = 0x01000193
  for (let i = 0; i < s.length; i++) {
    h1 = Math.imul(h1 ^ s.charCodeAt(i), 0x01000193) >>> 0
    h2 = Math.imul(h2 ^ s.charCodeAt(i), 0x811c9dc5) >>> 0
  }
  return `${prefix}-${(h1.toString(32) + h2.toString(32)).toUpperCase().padEnd(16, '0').slice(0, 16)}`
}

/** The rules as `iptables-save` would print them (nat table, the parts that matter). */
export function iptablesLines(rules: ServiceRule[]): string[] {
  const lines: string[] = []
  for (const r of [...rules].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    const svc = chain('KUBE-SVC', `${r.key}/${r.protocol.toLowerCase()}`)
    const comment = `"${r.service}${r.portName ? `:${r.portName}` : ''} cluster IP"`
    if (r.endpoints.length === 0) {
      lines.push(`-A KUBE-SERVICES -d ${r.vip}/32 -p ${r.protocol.toLowerCase()} -m comment --comment ${comment} -m ${r.protocol.toLowerCase()} --dport ${r.port} -j REJECT --reject-with icmp-port-unreachable`)
      continue
    }
    lines.push(`-A KUBE-SERVICES -d ${r.vip}/32 -p ${r.protocol.toLowerCase()} -m comment --comment ${comment} -m ${r.protocol.toLowerCase()} --dport ${r.port} -j ${svc}`)
    for (const e of r.endpoints) {
      const sep = chain('KUBE-SEP', `${r.key}/${e.ip}:${e.port}`)
      const stat = e.probability < 1 ? ` -m statistic --mode random --probability ${e.probability.toFixed(11)}` : ''
      lines.push(`-A ${svc} -m comment --comment "${r.service}${r.portName ? `:${r.portName}` : ''} -> ${e.ip}:${e.port}"${stat} -j ${sep}`)
      lines.push(`-A ${sep} -p ${r.protocol.toLowerCase()} -m ${r.protocol.toLowerCase()} -j DNAT --to-destination ${e.ip}:${e.port}`)
    }
  }
  return lines
}
