// Cluster DNS records from Services and Endpoints, as the Kubernetes DNS specification lays
// them out: <svc>.<ns>.svc.<domain> A (ClusterIP, or ready endpoint IPs when headless),
// _<port>._<proto>.<svc>.<ns>.svc.<domain> SRV for named ports, <hostname>.<svc>.<ns>.svc.<domain>
// A for endpoints with a hostname (StatefulSet pods), <a-b-c-d>.<ns>.pod.<domain> A, and a CNAME
// to spec.externalName for ExternalName services.
import type { Endpoints, Service } from '../../../protocols/k8s.ts'

export interface SrvTarget {
  port: number
  target: string
}

export interface RecordTable {
  domain: string
  a: Map<string, string[]>
  srv: Map<string, SrvTarget[]>
  /** ExternalName services: the name is an alias (CNAME) of spec.externalName. */
  cname: Map<string, string>
  /** Names that exist (possibly with no record of the asked type: NODATA, not NXDOMAIN). */
  names: Set<string>
}

const lower = (s: string) => s.toLowerCase()

export function buildRecords(domain: string, services: Service[], endpoints: Endpoints[]): RecordTable {
  const t: RecordTable = { domain: lower(domain), a: new Map(), srv: new Map(), cname: new Map(), names: new Set() }
  const eps = new Map<string, Endpoints>()
  for (const e of endpoints) eps.set(`${e.metadata.namespace}/${e.metadata.name}`, e)
  for (const svc of services) {
    const ns = svc.metadata.namespace ?? 'default'
    const name = svc.metadata.name ?? ''
    const base = lower(`${name}.${ns}.svc.${t.domain}`)
    addName(t, base)
    const ext = svc.spec as { type?: string; externalName?: string }
    if (ext.type === 'ExternalName') {
      if (ext.externalName) t.cname.set(base, lower(ext.externalName).replace(/\.$/, ''))
      continue
    }
    const headless = svc.spec.clusterIP === 'None'
    const ep = eps.get(`${ns}/${name}`)
    const ready = (ep?.subsets ?? []).flatMap((s) => s.addresses ?? [])
    if (headless) {
      for (const addr of ready) {
        push(t.a, base, addr.ip)
        if (addr.hostname) {
          const host = lower(`${addr.hostname}.${base}`)
          addName(t, host)
          push(t.a, host, addr.ip)
        }
      }
    } else if (svc.spec.clusterIP) {
      push(t.a, base, svc.spec.clusterIP)
    }
    for (const p of svc.spec.ports ?? []) {
      if (!p.name) continue
      const srvName = lower(`_${p.name}._${(p.protocol ?? 'TCP').toLowerCase()}.${base}`)
      addName(t, srvName)
      if (headless) {
        for (const s of ep?.subsets ?? []) {
          const port = s.ports?.find((sp) => sp.name === p.name)?.port
          if (port === undefined) continue
          for (const addr of s.addresses ?? []) {
            const target = addr.hostname ? lower(`${addr.hostname}.${base}`) : lower(`${addr.ip.replaceAll('.', '-')}.${base}`)
            if (!addr.hostname) {
              addName(t, target)
              push(t.a, target, addr.ip)
            }
            pushSrv(t.srv, srvName, { port, target })
          }
        }
      } else {
        pushSrv(t.srv, srvName, { port: p.port, target: base })
      }
    }
  }
  return t
}

/** Pod A records are answered from the name itself (CoreDNS "pods insecure" mode). */
export function podAddress(name: string, domain: string): string | undefined {
  const suffix = `.pod.${lower(domain)}`
  const n = lower(name)
  if (!n.endsWith(suffix)) return undefined
  const parts = n.slice(0, -suffix.length).split('.')
  if (parts.length !== 2) return undefined
  const octets = (parts[0] as string).split('-')
  if (octets.length !== 4) return undefined
  for (const o of octets) {
    if (!/^\d{1,3}$/.test(o) || Number(o) > 255) return undefined
  }
  return octets.join('.')
}

function addName(t: RecordTable, name: string): void {
  // Every ancestor inside the zone exists too (empty non-terminals answer NODATA).
  let n = name
  while (n.length > t.domain.length) {
    t.names.add(n)
    const dot = n.indexOf('.')
    if (dot < 0) break
    n = n.slice(dot + 1)
  }
}

function push(m: Map<string, string[]>, k: string, v: string): void {
  const list = m.get(k)
  if (!list) m.set(k, [v])
  else if (!list.includes(v)) list.push(v)
}

function pushSrv(m: Map<string, SrvTarget[]>, k: string, v: SrvTarget): void {
  const list = m.get(k) ?? []
  if (!list.some((x) => x.port === v.port && x.target === v.target)) list.push(v)
  m.set(k, list)
}
