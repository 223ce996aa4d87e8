// Node lifecycle decisions: when a node's kubelet stopped renewing (its kube-node-lease Lease
// and Ready heartbeat unchanged for the grace period, timed on this controller's own clock),
// which NoExecute taints a node should carry, and when each pod on a tainted node is evicted.
// Pure: time is passed in.
import type { Lease, Node, NodeCondition, Pod, Taint, Toleration } from '../../protocols/k8s.ts'

export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable'
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready'

interface Health {
  probeMs: number
  leaseRenew?: string | null
  heartbeat?: string
}

/** Remembers, per node, when this controller last saw its kubelet renew anything. */
export class NodeHealthTracker {
  private readonly m = new Map<string, Health>()

  /** Record what the node and lease show now; returns the last time a renewal was observed. */
  observe(node: Node, lease: Lease | undefined, now: number): number {
    const name = node.metadata.name ?? ''
    const heartbeat = readyCondition(node)?.lastHeartbeatTime
    const leaseRenew = lease?.spec.renewTime
    const h = this.m.get(name)
    if (!h) {
      // First sight (including after a failover): a full grace period from now.
      this.m.set(name, { probeMs: now, leaseRenew, heartbeat })
      return now
    }
    if (h.leaseRenew !== leaseRenew || h.heartbeat !== heartbeat) {
      h.probeMs = now
      h.leaseRenew = leaseRenew
      h.heartbeat = heartbeat
    }
    return h.probeMs
  }

  forget(name: string): void {
    this.m.delete(name)
  }
}

export function readyCondition(node: Node): NodeCondition | undefined {
  return (node.status?.conditions ?? []).find((c) => c.type === 'Ready')
}

export interface NodeDecision {
  /** New conditions when the node must be marked Unknown, else undefined. */
  conditions?: NodeCondition[]
  ready: 'True' | 'False' | 'Unknown'
  /** The taints the node should have; undefined when they are already right. */
  taints?: Taint[]
  /** When to look again if nothing changes (ms since epoch), or undefined. */
  recheckAt?: number
}

const PRESSURE = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']

export function decideNode(node: Node, probeMs: number, now: number, graceMs: number): NodeDecision {
  const nowIso = new Date(now).toISOString()
  const rc = readyCondition(node)
  let ready: NodeDecision['ready'] = rc?.status ?? 'Unknown'
  let conditions: NodeCondition[] | undefined
  const stale = now - probeMs >= graceMs
  // A node that has never posted a Ready condition is left alone for the grace period
  // (its kubelet registers it with its own not-ready NoSchedule taint).
  if (!rc && !stale) return { ready: 'Unknown', recheckAt: probeMs + graceMs }
  if (stale && rc?.status !== 'Unknown') {
    const conds = [...(node.status?.conditions ?? [])]
    for (const type of PRESSURE) {
      const i = conds.findIndex((c) => c.type === type)
      const prev = i >= 0 ? conds[i] : undefined
      if (prev?.status === 'Unknown') continue
      const c: NodeCondition = {
        type,
        status: 'Unknown',
        reason: prev ? 'NodeStatusUnknown' : 'NodeStatusNeverUpdated',
        message: prev ? 'Kubelet stopped posting node status.' : 'Kubelet never posted node status.',
        lastHeartbeatTime: prev?.lastHeartbeatTime,
        lastTransitionTime: nowIso,
      }
      if (i >= 0) conds[i] = c
      else if (type === 'Ready') conds.push(c)
    }
    conditions = conds
    ready = 'Unknown'
  }
  const taints = desiredTaints(node.spec.taints ?? [], ready, nowIso)
  const recheckAt = ready === 'True' || (!stale && rc?.status !== 'Unknown') ? probeMs + graceMs : undefined
  return { conditions, ready, taints: sameTaints(taints, node.spec.taints ?? []) ? undefined : taints, recheckAt }
}

export function desiredTaints(current: Taint[], ready: NodeDecision['ready'], nowIso: string): Taint[] {
  const want = ready === 'False' ? TAINT_NOT_READY : ready === 'Unknown' ? TAINT_UNREACHABLE : undefined
  const keep = current.filter((t) => !((t.key === TAINT_NOT_READY || t.key === TAINT_UNREACHABLE) && t.effect === 'NoExecute' && t.key !== want))
  if (want && !keep.some((t) => t.key === want && t.effect === 'NoExecute')) keep.push({ key: want, effect: 'NoExecute', timeAdded: nowIso })
  return keep
}

function sameTaints(a: Taint[], b: Taint[]): boolean {
  const k = (t: Taint) => `${t.key}=${t.value ?? ''}:${t.effect}`
  return a.length === b.length && a.every((t) => b.some((u) => k(u) === k(t)))
}

function tolerates(tol: Toleration, t: Taint): boolean {
  if (tol.effect && tol.effect !== t.effect) return false
  if (tol.operator === 'Exists') return !tol.key || tol.key === t.key
  return tol.key === t.key && (tol.value ?? '') === (t.value ?? '')
}

/**
 * When a pod on a node with these taints is evicted: the earliest over NoExecute taints of
 * taint time + toleration (the node-lifecycle taints default to `defaultMs` for pods that do not
 * tolerate them, as DefaultTolerationSeconds does). Infinity when every taint is tolerated forever.
 */
export function evictionTime(pod: Pod, taints: Taint[], defaultMs: number, now: number): number {
  let at = Infinity
  for (const t of taints) {
    if (t.effect !== 'NoExecute') continue
    const added = t.timeAdded ? Date.parse(t.timeAdded) : now
    const tols = (pod.spec.tolerations ?? []).filter((tol) => tolerates(tol, t))
    let window: number
    if (tols.length === 0) window = t.key === TAINT_NOT_READY || t.key === TAINT_UNREACHABLE ? defaultMs : 0
    else if (tols.some((tol) => tol.tolerationSeconds === undefined || tol.tolerationSeconds === null)) window = Infinity
    else window = Math.min(...tols.map((tol) => Math.max(0, tol.tolerationSeconds ?? 0) * 1000))
    at = Math.min(at, added + window)
  }
  return at
}
