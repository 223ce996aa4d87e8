// The scheduler's own view of the cluster: nodes and the pods placed on them, including pods it
// has assumed (bind sent, watch not yet caught up), so a node is never double-booked. Pure.
import type { Node, Pod } from '../../protocols/k8s.ts'
import { addPodToNode, newNodeInfo, podInfo, podKey, removePodFromNode, setNode, type NodeInfo } from './node-info.ts'

interface Placement {
  node: string
  assumed: boolean
  /** When an assumed placement was made (local ms). */
  at: number
}

export function isTerminal(pod: Pod): boolean {
  const ph = pod.status?.phase
  return ph === 'Succeeded' || ph === 'Failed'
}

export class SchedulerCache {
  private readonly infos = new Map<string, NodeInfo>()
  private readonly placements = new Map<string, Placement>()
  private nodes: NodeInfo[] | undefined

  private info(name: string): NodeInfo {
    let ni = this.infos.get(name)
    if (!ni) {
      this.infos.set(name, (ni = newNodeInfo(name)))
      this.nodes = undefined
    }
    return ni
  }

  setNode(node: Node): void {
    const ni = this.info(node.metadata.name ?? '')
    if (!ni.node) this.nodes = undefined
    setNode(ni, node)
  }

  removeNode(name: string): void {
    const ni = this.infos.get(name)
    if (!ni) return
    setNode(ni, undefined)
    if (ni.pods.size === 0) this.infos.delete(name)
    this.nodes = undefined
  }

  /** Nodes known from the API, in a stable order (for sampling). */
  nodeList(): NodeInfo[] {
    if (!this.nodes) this.nodes = [...this.infos.values()].filter((n) => n.node !== undefined)
    return this.nodes
  }

  nodeInfo(name: string): NodeInfo | undefined {
    return this.infos.get(name)
  }

  /** A pod seen through the informer (add or update). Bound, non-terminal pods hold resources. */
  updatePod(pod: Pod): void {
    const key = podKey(pod)
    if (!pod.spec.nodeName || isTerminal(pod)) {
      const p = this.placements.get(key)
      // An unbound pod that we assumed: keep the assumption until the bind answers or expires.
      if (p && (!p.assumed || isTerminal(pod))) this.removePod(key)
      return
    }
    const p = this.placements.get(key)
    if (p && p.node !== pod.spec.nodeName) {
      const prev = this.infos.get(p.node)
      if (prev) removePodFromNode(prev, key)
    }
    addPodToNode(this.info(pod.spec.nodeName), podInfo(pod))
    this.placements.set(key, { node: pod.spec.nodeName, assumed: false, at: 0 })
  }

  removePod(key: string): void {
    const p = this.placements.get(key)
    if (!p) return
    this.placements.delete(key)
    const ni = this.infos.get(p.node)
    if (!ni) return
    removePodFromNode(ni, key)
    if (!ni.node && ni.pods.size === 0) this.infos.delete(p.node)
  }

  /** Place a pod on a node before the API confirms the binding. */
  assume(pod: Pod, node: string, now: number): void {
    const key = podKey(pod)
    this.removePod(key)
    addPodToNode(this.info(node), podInfo({ ...pod, spec: { ...pod.spec, nodeName: node } }))
    this.placements.set(key, { node, assumed: true, at: now })
  }

  /** The bind failed: undo the assumption. */
  forget(key: string): void {
    if (this.placements.get(key)?.assumed) this.removePod(key)
  }

  isAssumed(key: string): boolean {
    return this.placements.get(key)?.assumed ?? false
  }

  /** Drop assumptions older than `ttlMs` that the watch never confirmed. Returns their keys. */
  expireAssumed(now: number, ttlMs: number): string[] {
    const out: string[] = []
    for (const [key, p] of this.placements) if (p.assumed && now - p.at > ttlMs) out.push(key)
    for (const k of out) this.removePod(k)
    return out
  }

  assumedCount(): number {
    let n = 0
    for (const p of this.placements.values()) if (p.assumed) n++
    return n
  }
}
