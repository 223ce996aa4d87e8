// The scenario's workload and observers, on an ApiClient: apply the manifests, keep a ConfigMap
// write load up (recording each acknowledged write), and sample what the assertions need
// (deployment availability, where each pod ran). Time and scheduling are injected, so the same
// driver runs in the Simulation and in real time.
import type { ApiClient } from '../../actors/client/types.ts'
import type { KObject } from '../../protocols/k8s.ts'
import { R } from '../../protocols/resources.ts'
import type { ResourceRef } from '../../protocols/api.ts'
import type { Scenario } from './scenario.ts'

export interface Clock {
  now(): number
  /** Run `fn` after `ms` (virtual in the simulator). */
  after(ms: number, fn: () => void): void
}

export interface DeploymentSample {
  time: number
  available: boolean
}

export interface WorkloadFacts {
  acked: Array<{ name: string; value: string }>
  /** Acknowledged writes missing (or changed) when read back at the end. */
  lost: string[]
  /** Whether the final read-back succeeded at all. */
  readBack: boolean
  deployments: Map<string, DeploymentSample[]>
  /** Pod uid -> the nodes it was seen bound/running on. */
  podNodes: Map<string, Set<string>>
  /** Pod names seen running under two uids at the same sample. */
  doubleRunning: string[]
}

const byKind: Record<string, ResourceRef> = {
  Namespace: R.namespaces, Pod: R.pods, Service: R.services, ConfigMap: R.configmaps, Secret: R.secrets,
  Deployment: R.deployments, ReplicaSet: R.replicasets, DaemonSet: R.daemonsets, StatefulSet: R.statefulsets,
  Job: R.jobs, Ingress: R.ingresses, ServiceAccount: R.serviceaccounts,
}

export function refOf(o: KObject): ResourceRef {
  const r = byKind[o.kind ?? '']
  if (!r) throw new Error(`unsupported kind ${String(o.kind)}`)
  return r
}

const POLL_MS = 500
const RETRY_MS = 500

interface DeploymentLike extends KObject {
  spec?: { replicas?: number }
  status?: { availableReplicas?: number; conditions?: Array<{ type: string; status: string }> }
}
interface PodLike extends KObject {
  spec?: { nodeName?: string }
  status?: { phase?: string }
}

export function isAvailable(d: DeploymentLike | undefined): boolean {
  if (!d) return false
  const want = d.spec?.replicas ?? 1
  const cond = d.status?.conditions?.find((c) => c.type === 'Available')
  return cond?.status === 'True' && (d.status?.availableReplicas ?? 0) >= want
}

export class Workload {
  readonly facts: WorkloadFacts = { acked: [], lost: [], readBack: false, deployments: new Map(), podNodes: new Map(), doubleRunning: [] }
  private stopped = false
  private seq = 0
  private polling = false
  private readonly watched: Array<{ name: string; namespace: string }>

  constructor(private readonly api: Pick<ApiClient, 'get' | 'list' | 'create'>, private readonly clock: Clock, private readonly s: Scenario) {
    this.watched = s.assertions.flatMap((a) => ('deploymentAvailable' in a ? [a.deploymentAvailable] : []))
    for (const w of this.watched) this.facts.deployments.set(`${w.namespace}/${w.name}`, [])
  }

  start(): void {
    this.clock.after(this.s.applyAtMs, () => {
      for (const m of this.s.manifests) this.apply(m)
      if (this.s.writes) this.writeLoop(1000 / this.s.writes.perSecond)
      this.pollLoop()
    })
  }

  /** Stop the write load (observers keep sampling until finish). */
  stopWrites(): void {
    this.stopped = true
  }

  private apply(m: KObject): void {
    const ns = m.metadata.namespace ?? (m.kind === 'Namespace' ? undefined : 'default')
    this.api.create(refOf(m), ns, m).then(
      () => undefined,
      (err: { status?: { code?: number } }) => {
        if (err.status?.code === 409) return
        this.clock.after(RETRY_MS, () => this.apply(m))
      },
    )
  }

  private writeLoop(everyMs: number): void {
    if (this.stopped) return
    const w = this.s.writes!
    const n = ++this.seq
    const name = `${w.prefix}-${n}`
    const value = `v${n}`
    const body: KObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: w.namespace }, data: { value } } as KObject
    this.api.create(R.configmaps, w.namespace, body).then(
      () => void this.facts.acked.push({ name, value }),
      () => undefined,
    )
    this.clock.after(everyMs, () => this.writeLoop(everyMs))
  }

  private pollLoop(): void {
    this.clock.after(POLL_MS, () => {
      if (!this.polling) void this.poll()
      this.pollLoop()
    })
  }

  private async poll(): Promise<void> {
    this.polling = true
    try {
      const time = this.clock.now()
      for (const w of this.watched) {
        const d = await this.api.get<DeploymentLike>(R.deployments, w.namespace, w.name).catch(() => undefined)
        this.facts.deployments.get(`${w.namespace}/${w.name}`)!.push({ time, available: isAvailable(d) })
      }
      if (this.s.assertions.some((a) => 'noPodRanTwice' in a)) {
        const pods = await this.api.list<PodLike>(R.pods, undefined).catch(() => undefined)
        const running = new Map<string, string>()
        for (const p of pods?.items ?? []) {
          const uid = p.metadata.uid ?? ''
          const node = p.spec?.nodeName
          if (node) {
            const set = this.facts.podNodes.get(uid) ?? new Set<string>()
            set.add(node)
            this.facts.podNodes.set(uid, set)
          }
          if (p.status?.phase === 'Running') {
            const key = `${p.metadata.namespace ?? ''}/${p.metadata.name}`
            const other = running.get(key)
            if (other !== undefined && other !== uid && !this.facts.doubleRunning.includes(key)) this.facts.doubleRunning.push(key)
            running.set(key, uid)
          }
        }
      }
    } finally {
      this.polling = false
    }
  }

  /** Read every acknowledged write back (retrying while the cluster recovers). */
  async readBack(attempts = 10): Promise<void> {
    const w = this.s.writes
    if (!w) {
      this.facts.readBack = true
      return
    }
    for (let i = 0; i < attempts; i++) {
      try {
        const list = await this.api.list<KObject & { data?: Record<string, string> }>(R.configmaps, w.namespace)
        const have = new Map(list.items.map((c) => [c.metadata.name, c.data?.value]))
        this.facts.lost = this.facts.acked.filter((a) => have.get(a.name) !== a.value).map((a) => a.name)
        this.facts.readBack = true
        return
      } catch {
        await new Promise<void>((r) => this.clock.after(RETRY_MS, r))
      }
    }
  }
}
