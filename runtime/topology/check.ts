// Cross-field rules of a topology and the resolved views the plan needs (node list with a
// podCIDR each, the default etcd shard). Pure: returns problems and warnings, never throws.
import { parseAddress } from '../address.ts'
import { contains, formatCidr, LOOPBACK, overlaps, parseCidr, subnet, subnetCount, type Cidr } from './cidr.ts'
import { faultTargets } from './faults.ts'
import type { TopologyDocument } from './schema.ts'

export interface ResolvedNode {
  name: string
  capacity: { cpu: string; memory: string; pods: string }
  labels: Record<string, string>
  taints: Array<{ key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }>
  podCIDR: string
  runtime: 'sim' | 'process'
}

export interface Problem {
  path: string
  message: string
}

export interface Checked {
  problems: Problem[]
  warnings: string[]
  nodeList: ResolvedNode[]
  defaultShard: string
  nodeCount: number
}

/** The i-th node's /24 of the pod range ('' past the range's end). */
export function nodePodCIDR(pod: Cidr, i: number): string {
  return i < subnetCount(pod, 24) ? formatCidr(subnet(pod, 24, i)) : ''
}

export function checkTopology(d: TopologyDocument): Checked {
  const problems: Problem[] = []
  const warnings: string[] = []
  const bad = (path: string, message: string) => problems.push({ path, message })

  // etcd shards
  const shardNames = new Set<string>()
  const resourceOwner = new Map<string, string>()
  d.etcd.shards.forEach((s, i) => {
    const p = `etcd.shards[${i}]`
    if (shardNames.has(s.name)) bad(`${p}.name`, `expected a unique shard name, got "${s.name}" twice`)
    shardNames.add(s.name)
    if (s.replicas % 2 === 0) {
      warnings.push(`${p}.replicas: ${s.replicas} replicas tolerate no more failures than ${s.replicas - 1}; an odd count is recommended`)
    }
    s.resources.forEach((r, j) => {
      const owner = resourceOwner.get(r)
      if (owner !== undefined) bad(`${p}.resources[${j}]`, `expected each resource in one shard only, got "${r}" also in shard "${owner}"`)
      resourceOwner.set(r, s.name)
    })
    const [min, max] = s.raft.electionTimeoutMs
    if (min > max) bad(`${p}.raft.electionTimeoutMs`, `expected [min, max] with min <= max, got [${min}, ${max}]`)
    if (s.raft.heartbeatMs >= min) {
      bad(`${p}.raft.heartbeatMs`, `expected less than the minimum election timeout (${min}ms), got ${s.raft.heartbeatMs}`)
    }
  })
  const defaultShard = d.etcd.shards.find((s) => s.resources.length === 0)?.name ?? ''
  if (!defaultShard) bad('etcd.shards', 'expected one shard without resources (it holds every other resource)')

  // leases and timings
  const leases: Array<[string, { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number }]> = [
    ['scheduler.lease', d.scheduler.lease],
    ['controllerManager.lease', d.controllerManager.lease],
  ]
  for (const [p, l] of leases) {
    if (l.renewDeadlineMs >= l.leaseDurationMs) {
      bad(`${p}.renewDeadlineMs`, `expected less than leaseDurationMs (${l.leaseDurationMs}), got ${l.renewDeadlineMs}`)
    }
    if (l.retryPeriodMs >= l.renewDeadlineMs) {
      bad(`${p}.retryPeriodMs`, `expected less than renewDeadlineMs (${l.renewDeadlineMs}), got ${l.retryPeriodMs}`)
    }
  }
  const nt = d.nodes.timings
  if (nt.nodeLeaseRenewMs >= nt.nodeLeaseDurationMs) {
    bad('nodes.timings.nodeLeaseRenewMs', `expected less than nodeLeaseDurationMs (${nt.nodeLeaseDurationMs}), got ${nt.nodeLeaseRenewMs}`)
  }
  if (nt.crashLoopBackoff.initialMs > nt.crashLoopBackoff.maxMs) {
    bad('nodes.timings.crashLoopBackoff.initialMs', `expected at most maxMs (${nt.crashLoopBackoff.maxMs}), got ${nt.crashLoopBackoff.initialMs}`)
  }
  if (d.controllerManager.nodeMonitorGracePeriodMs <= nt.nodeLeaseRenewMs) {
    warnings.push('controllerManager.nodeMonitorGracePeriodMs: shorter than nodes.timings.nodeLeaseRenewMs; healthy nodes will flap NotReady')
  }
  const sv = d.supervision
  if (sv.backoff.initialMs > sv.backoff.maxMs) bad('supervision.backoff.initialMs', `expected at most maxMs (${sv.backoff.maxMs}), got ${sv.backoff.initialMs}`)
  if (sv.hangTimeoutMs <= sv.heartbeatMs) bad('supervision.hangTimeoutMs', `expected more than heartbeatMs (${sv.heartbeatMs}), got ${sv.hangTimeoutMs}`)

  // network
  const pod = parseCidr(d.network.podCIDR)
  const svc = parseCidr(d.network.serviceCIDR)
  if (!pod) bad('network.podCIDR', `expected an IPv4 CIDR such as 127.244.0.0/16, got "${d.network.podCIDR}"`)
  if (!svc) bad('network.serviceCIDR', `expected an IPv4 CIDR such as 127.96.0.0/16, got "${d.network.serviceCIDR}"`)
  for (const [p, c] of [['network.podCIDR', pod], ['network.serviceCIDR', svc]] as const) {
    if (c && !d.network.allowNonLoopback && !contains(LOOPBACK, c)) {
      bad(p, `expected a range inside 127.0.0.0/8 (set network.allowNonLoopback: true to allow others), got "${formatCidr(c)}"`)
    }
  }
  if (pod && svc && overlaps(pod, svc)) bad('network.serviceCIDR', `expected a range that does not overlap podCIDR ${formatCidr(pod)}, got "${formatCidr(svc)}"`)
  if (pod && pod.prefix > 24) bad('network.podCIDR', `expected a prefix of /24 or wider (each node gets a /24), got /${pod.prefix}`)

  // nodes
  const explicit = d.nodes.list
  const count = d.nodes.count ?? (explicit.length ? 0 : 3)
  const names = new Map<string, string>()
  const nodeList: ResolvedNode[] = []
  const base = d.nodes
  explicit.forEach((n, i) => {
    const p = `nodes.list[${i}].name`
    if (names.has(n.name)) bad(p, `expected a unique node name, got "${n.name}" (also ${names.get(n.name)})`)
    names.set(n.name, p)
    nodeList.push({
      name: n.name,
      capacity: { ...base.capacity, ...n.capacity },
      labels: { ...base.labels, ...n.labels },
      taints: n.taints ?? base.taints,
      runtime: n.runtime ?? base.runtime,
      podCIDR: '',
    })
  })
  for (let i = 0; i < count; i++) {
    const name = `${base.namePrefix}${i}`
    if (names.has(name)) {
      bad('nodes.count', `expected generated node names not to collide with nodes.list, got "${name}" twice`)
      break
    }
    names.set(name, 'nodes.count')
    nodeList.push({ name, capacity: { ...base.capacity }, labels: { ...base.labels }, taints: [...base.taints], runtime: base.runtime, podCIDR: '' })
  }
  if (pod && pod.prefix <= 24) {
    const room = subnetCount(pod, 24)
    if (nodeList.length > room) bad('nodes', `expected at most ${room} nodes for podCIDR ${formatCidr(pod)} (a /24 each), got ${nodeList.length}`)
    nodeList.forEach((n, i) => (n.podCIDR = nodePodCIDR(pod, i)))
  }

  // ports that must differ on one host
  const a = d.apiservers
  if (a.http.instancePortBase > 0) {
    const last = a.http.instancePortBase + a.count - 1
    if (last > 65535) bad('apiservers.http.instancePortBase', `expected instancePortBase + count - 1 <= 65535, got ${last}`)
    if (a.http.port >= a.http.instancePortBase && a.http.port <= last) {
      bad('apiservers.http.port', `expected a port outside the instances' ports ${a.http.instancePortBase}-${last}, got ${a.http.port}`)
    }
  }
  const used = new Map<number, string>([[a.http.port, 'apiservers.http.port']])
  for (const [name, addon] of Object.entries(d.addons)) {
    if (!addon.enabled || addon.port === 0) continue
    const p = `addons.${name}.port`
    const other = used.get(addon.port)
    if (other) bad(p, `expected a port not used by ${other}, got ${addon.port}`)
    used.set(addon.port, p)
  }

  // fault targets name actors of this topology
  d.faults.forEach(({ fault }, i) => {
    for (const { target } of faultTargets(fault)) {
      const why = unknownTarget(target, d, names)
      if (why) bad(`faults[${i}].${fault.kind}`, why)
    }
  })

  return { problems, warnings, nodeList, defaultShard, nodeCount: nodeList.length }
}

const ROLES = ['etcd', 'apiserver', 'scheduler', 'controller-manager', 'kubelet', 'kube-proxy', 'dns', 'ingress', 'dashboard']

function unknownTarget(t: string, d: TopologyDocument, nodes: Map<string, string>): string | undefined {
  const expected = 'expected an actor of this topology (such as scheduler-0, etcd-main-1, kubelet@node-0) or leader:<role>, leader:etcd/<shard>, random:<role>, node:<name>, thread:<name>'
  const colon = t.indexOf(':')
  if (colon > 0) {
    const scheme = t.slice(0, colon)
    const rest = t.slice(colon + 1)
    let ok = false
    if (scheme === 'leader') {
      const [role, shard] = rest.split('/')
      ok = role === 'etcd' ? shard === undefined || d.etcd.shards.some((s) => s.name === shard) : ['scheduler', 'controller-manager'].includes(role) && shard === undefined
    } else if (scheme === 'random') ok = ROLES.includes(rest)
    else if (scheme === 'node') ok = nodes.has(rest)
    else if (scheme === 'thread') ok = rest !== ''
    return ok ? undefined : `${expected}, got "${t}"`
  }
  const a = parseAddress(t)
  const i = a.index ?? 0
  let ok: boolean
  switch (a.role) {
    case 'etcd': {
      const s = d.etcd.shards.find((x) => x.name === a.shard)
      ok = !!s && i < s.replicas
      break
    }
    case 'apiserver': ok = i < d.apiservers.count; break
    case 'scheduler': ok = i < d.scheduler.count; break
    case 'controller-manager': ok = i < d.controllerManager.count; break
    case 'kubelet': case 'kube-proxy': ok = nodes.has(a.node ?? ''); break
    case 'dns': ok = d.addons.dns.enabled && i === 0; break
    case 'dashboard': ok = d.addons.dashboard.enabled && i === 0; break
    case 'ingress': ok = d.addons.ingress.enabled && i === 0; break
    default: ok = false
  }
  return ok ? undefined : `${expected}, got "${t}"`
}
