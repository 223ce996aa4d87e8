// What the scheduler knows about one node: the Node object, the pods placed on it (bound or
// assumed), and their summed requests and host ports. Pure.
import type { Node, Pod } from '../../protocols/k8s.ts'
import { milliCpu, parseQuantity } from '../../protocols/quantity.ts'
import { requiredAntiAffinityHostnameTerms, type PodAffinityTerm } from './affinity.ts'

export interface Resources {
  milliCpu: number
  memory: number
  pods: number
}

/** Requests used for scoring pods that request nothing (kube-scheduler's non-zero defaults). */
export const DEFAULT_MILLI_CPU = 100
export const DEFAULT_MEMORY = 200 * 2 ** 20

export interface PodInfo {
  key: string
  pod: Pod
  requests: Resources
  /** Requests with the non-zero defaults applied (for scoring). */
  nonZero: Resources
  ports: string[]
  /** Required pod anti-affinity terms on hostname, precomputed. */
  antiAffinity: PodAffinityTerm[]
  /** namespace/uid of the controlling owner, if any (for spreading). */
  owner: string | undefined
}

export interface NodeInfo {
  name: string
  node: Node | undefined
  allocatable: Resources
  requested: Resources
  nonZeroRequested: Resources
  pods: Map<string, PodInfo>
  usedPorts: Map<string, number>
  /** Pods here with required anti-affinity terms (checked against incoming pods). */
  antiAffinityPods: Set<string>
  /** Pods here per controlling owner (namespace/uid). */
  ownerCounts: Map<string, number>
}

export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`
}

function containerRequests(c: { resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> } }): { cpu: number; mem: number } {
  const req = c.resources?.requests ?? {}
  const lim = c.resources?.limits ?? {}
  const cpu = req.cpu ?? lim.cpu
  const mem = req.memory ?? lim.memory
  return { cpu: cpu === undefined ? 0 : milliCpu(cpu), mem: mem === undefined ? 0 : parseQuantity(mem) }
}

/** A pod's effective requests: sum over containers, at least the largest init container. */
export function podRequests(pod: Pod): { requests: Resources; nonZero: Resources } {
  let cpu = 0, mem = 0, nzCpu = 0, nzMem = 0
  for (const c of pod.spec.containers ?? []) {
    const r = containerRequests(c)
    cpu += r.cpu
    mem += r.mem
    nzCpu += r.cpu || DEFAULT_MILLI_CPU
    nzMem += r.mem || DEFAULT_MEMORY
  }
  for (const c of pod.spec.initContainers ?? []) {
    const r = containerRequests(c)
    cpu = Math.max(cpu, r.cpu)
    mem = Math.max(mem, r.mem)
  }
  return { requests: { milliCpu: cpu, memory: mem, pods: 1 }, nonZero: { milliCpu: nzCpu, memory: nzMem, pods: 1 } }
}

export function podHostPorts(pod: Pod): string[] {
  const out: string[] = []
  for (const c of pod.spec.containers ?? []) {
    for (const p of c.ports ?? []) if (p.hostPort && p.hostPort > 0) out.push(`${p.protocol ?? 'TCP'}/${p.hostPort}`)
  }
  return out
}

export function ownerOf(pod: Pod): string | undefined {
  const uid = pod.metadata.ownerReferences?.find((o) => o.controller)?.uid
  return uid ? `${pod.metadata.namespace ?? ''}/${uid}` : undefined
}

export function podInfo(pod: Pod): PodInfo {
  const { requests, nonZero } = podRequests(pod)
  return { key: podKey(pod), pod, requests, nonZero, ports: podHostPorts(pod), antiAffinity: requiredAntiAffinityHostnameTerms(pod), owner: ownerOf(pod) }
}

export function nodeAllocatable(node: Node | undefined): Resources {
  const a = node?.status?.allocatable ?? node?.status?.capacity ?? {}
  return {
    milliCpu: a.cpu === undefined ? 0 : milliCpu(a.cpu),
    memory: a.memory === undefined ? 0 : parseQuantity(a.memory),
    pods: a.pods === undefined ? 110 : parseQuantity(a.pods),
  }
}

const zero = (): Resources => ({ milliCpu: 0, memory: 0, pods: 0 })

export function newNodeInfo(name: string, node?: Node): NodeInfo {
  return { name, node, allocatable: nodeAllocatable(node), requested: zero(), nonZeroRequested: zero(), pods: new Map(), usedPorts: new Map(), antiAffinityPods: new Set(), ownerCounts: new Map() }
}

export function setNode(ni: NodeInfo, node: Node | undefined): void {
  ni.node = node
  ni.allocatable = nodeAllocatable(node)
}

function addTo(r: Resources, d: Resources, sign: 1 | -1): void {
  r.milliCpu += sign * d.milliCpu
  r.memory += sign * d.memory
  r.pods += sign * d.pods
}

export function addPodToNode(ni: NodeInfo, pi: PodInfo): void {
  if (ni.pods.has(pi.key)) removePodFromNode(ni, pi.key)
  ni.pods.set(pi.key, pi)
  addTo(ni.requested, pi.requests, 1)
  addTo(ni.nonZeroRequested, pi.nonZero, 1)
  for (const p of pi.ports) ni.usedPorts.set(p, (ni.usedPorts.get(p) ?? 0) + 1)
  if (pi.antiAffinity.length > 0) ni.antiAffinityPods.add(pi.key)
  if (pi.owner) ni.ownerCounts.set(pi.owner, (ni.ownerCounts.get(pi.owner) ?? 0) + 1)
}

export function removePodFromNode(ni: NodeInfo, key: string): void {
  const pi = ni.pods.get(key)
  if (!pi) return
  ni.pods.delete(key)
  addTo(ni.requested, pi.requests, -1)
  addTo(ni.nonZeroRequested, pi.nonZero, -1)
  for (const p of pi.ports) {
    const n = (ni.usedPorts.get(p) ?? 1) - 1
    if (n <= 0) ni.usedPorts.delete(p)
    else ni.usedPorts.set(p, n)
  }
  ni.antiAffinityPods.delete(key)
  if (pi.owner) {
    const n = (ni.ownerCounts.get(pi.owner) ?? 1) - 1
    if (n <= 0) ni.ownerCounts.delete(pi.owner)
    else ni.ownerCounts.set(pi.owner, n)
  }
}

/** Build NodeInfos from plain lists (tests, benchmarks). */
export function buildNodeInfos(nodes: Node[], pods: Pod[]): NodeInfo[] {
  const m = new Map(nodes.map((n) => [n.metadata.name ?? '', newNodeInfo(n.metadata.name ?? '', n)]))
  for (const p of pods) {
    const ni = p.spec.nodeName ? m.get(p.spec.nodeName) : undefined
    if (ni) addPodToNode(ni, podInfo(p))
  }
  return [...m.values()]
}
