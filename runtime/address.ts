// Addresses are names; the role (and shard or node) is read from the name.
//   etcd-<shard>-<i>  apiserver-<i>  scheduler-<i>  controller-manager-<i>
//   kubelet@<node>  kube-proxy@<node>  dns-<i>  ingress-<i>  dashboard-<i>  supervisor
import type { Address } from './actor.ts'

export type Role =
  | 'etcd' | 'apiserver' | 'scheduler' | 'controller-manager' | 'kubelet' | 'kube-proxy'
  | 'dns' | 'ingress' | 'dashboard' | 'supervisor' | 'client' | 'other'

export interface ParsedAddress {
  role: Role
  shard?: string
  node?: string
  index?: number
}

const indexed: Array<[Role, RegExp]> = [
  ['apiserver', /^apiserver-(\d+)$/],
  ['scheduler', /^scheduler-(\d+)$/],
  ['controller-manager', /^controller-manager-(\d+)$/],
  ['dns', /^dns-(\d+)$/],
  ['ingress', /^ingress-(\d+)$/],
  ['dashboard', /^dashboard-(\d+)$/],
  ['client', /^client-([\w-]+)$/],
]

export function parseAddress(a: Address): ParsedAddress {
  if (a === 'supervisor') return { role: 'supervisor' }
  const etcd = /^etcd-([a-z0-9]+(?:[a-z0-9-]*[a-z0-9])?)-(\d+)$/.exec(a)
  if (etcd) return { role: 'etcd', shard: etcd[1], index: Number(etcd[2]) }
  const at = a.indexOf('@')
  if (at > 0) {
    const role = a.slice(0, at)
    if (role === 'kubelet' || role === 'kube-proxy') return { role, node: a.slice(at + 1) }
  }
  for (const [role, re] of indexed) {
    const m = re.exec(a)
    if (m) return role === 'client' ? { role } : { role, index: Number(m[1]) }
  }
  return { role: 'other' }
}

/**
 * The seed's rule as an ACL. Only apiservers may address etcd; etcd replicas may address
 * replicas of their own shard and answer apiservers; components may address only apiservers;
 * apiservers may address anyone but the supervisor's peers' rules still apply; the supervisor
 * may address all, and all may report to the supervisor. Actors with no known role ('other',
 * used by runtime tests) may address each other but never etcd.
 */
export function aclAllows(from: Address, to: Address): boolean {
  if (from === to) return true
  const f = parseAddress(from)
  const t = parseAddress(to)
  if (f.role === 'supervisor' || t.role === 'supervisor') return true
  if (t.role === 'etcd') {
    if (f.role === 'apiserver') return true
    return f.role === 'etcd' && f.shard === t.shard
  }
  if (f.role === 'etcd') return t.role === 'apiserver'
  if (f.role === 'apiserver') return true
  if (t.role === 'apiserver') return true
  return f.role === 'other' && t.role === 'other'
}
