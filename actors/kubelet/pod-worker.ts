// One pod's worker: drives the container runtime toward the pod spec (sandbox, init containers
// in order, app containers), restarts by restartPolicy with CrashLoopBackOff, runs probes, and
// terminates gracefully. Level-triggered: every change calls sync(), which is serialized.
// Time and the runtime are injected, so unit tests drive it with a fake runtime and virtual clock.
import type { Container, Pod, PodCondition, PodStatus } from '../../protocols/k8s.ts'
import type { Logger } from '../../runtime/actor.ts'
import type { CrashBackoff } from './backoff.ts'
import { sleep, type Clock } from './clock.ts'
import { newRecord, shouldRestart, type ContainerRecord } from './container-record.ts'
import type { ContainerRuntime, ProbeKind, SandboxConfig } from './cri.ts'
import { containerEnv, EnvConfigError, expand, type EnvSources } from './env.ts'
import { podStatus } from './pod-status.ts'
import { probeTiming, ProbeState } from './probe-state.ts'

export type EventType = 'Normal' | 'Warning'

export interface WorkerEnv {
  runtime: ContainerRuntime
  clock: Clock
  nodeName: string
  hostIP: string
  allocateIP(owner: string, prefer?: string): string
  releaseIP(owner: string): void
  backoff: CrashBackoff
  event(pod: Pod, type: EventType, reason: string, message: string, fieldPath?: string): void
  /** The reportable status changed. */
  statusChanged(worker: PodWorker): void
  /** Everything is stopped and cleaned up after a deletion. */
  terminated(worker: PodWorker): void
  log: Logger
  /** ConfigMaps and Secrets for env and envFrom. */
  envSources: EnvSources
  /** The node's allocatable resources, for resourceFieldRef limits the container does not set. */
  allocatable: { cpu?: string; memory?: string }
}

const DEFAULT_GRACE_S = 30

export class PodWorker {
  pod: Pod
  readonly uid: string
  readonly init: ContainerRecord[]
  readonly app: ContainerRecord[]
  sandboxId?: string
  podIP?: string
  startTime?: number
  /** Set when the pod is being torn down (deletionTimestamp, or removed from the API). */
  terminating = false
  done = false
  private syncing = false
  private dirty = false
  private lastConditions?: PodCondition[]

  constructor(pod: Pod, private readonly env: WorkerEnv) {
    this.pod = pod
    this.uid = pod.metadata.uid ?? `${pod.metadata.namespace}/${pod.metadata.name}`
    this.init = (pod.spec.initContainers ?? []).map((c) => newRecord(c, true))
    this.app = pod.spec.containers.map((c) => newRecord(c, false))
    // A kubelet that restarts finds its pods' containers gone: they start again, counted as restarts.
    const prev = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]
    for (const r of [...this.init, ...this.app]) {
      const st = prev.find((s) => s.name === r.spec.name)
      if (!st?.containerID) continue
      r.restartCount = st.restartCount
      if (r.init && st.state.terminated?.exitCode === 0) {
        r.state = 'terminated'
        r.terminated = { exitCode: 0, reason: 'Completed', finishedAt: Date.parse(st.state.terminated.finishedAt ?? '') || 0, containerID: st.containerID }
        continue
      }
      const t = st.state.terminated ?? st.lastState.terminated
      r.lastTerminated = { exitCode: t?.exitCode ?? 137, reason: t?.reason ?? 'Unknown', finishedAt: Date.parse(t?.finishedAt ?? '') || 0, containerID: st.containerID }
    }
    if (pod.status?.startTime) this.startTime = Date.parse(pod.status.startTime)
  }

  get key(): string {
    return `${this.pod.metadata.namespace ?? 'default'}/${this.pod.metadata.name ?? ''}`
  }

  get restartPolicy(): 'Always' | 'OnFailure' | 'Never' {
    return this.pod.spec.restartPolicy ?? 'Always'
  }

  /** A newer version of the pod from the API (only metadata such as deletionTimestamp matters). */
  update(pod: Pod): void {
    this.pod = pod
    if (pod.metadata.deletionTimestamp && !this.terminating) this.terminating = true
    this.sync()
  }

  /** The pod is gone from the API without a graceful deletion: stop everything now. */
  forceTerminate(): void {
    this.terminating = true
    this.sync()
  }

  status(): PodStatus {
    const s = podStatus({
      restartPolicy: this.restartPolicy,
      init: this.init,
      app: this.app,
      podIP: this.podIP,
      hostIP: this.env.hostIP,
      startTime: this.startTime,
      previous: this.lastConditions,
      now: this.env.clock.now(),
    })
    this.lastConditions = s.conditions
    return s
  }

  record(name: string): ContainerRecord | undefined {
    return this.app.find((r) => r.spec.name === name) ?? this.init.find((r) => r.spec.name === name)
  }

  /** The runtime told us container `id` exited. */
  containerExited(id: string): void {
    const r = [...this.init, ...this.app].find((x) => x.id === id)
    if (!r || r.state !== 'running') return
    const st = this.env.runtime.containerStatus(id)
    const now = this.env.clock.now()
    this.stopProbes(r)
    const t = {
      exitCode: st?.exitCode ?? 137,
      reason: st?.reason ?? 'Error',
      startedAt: r.startedAt,
      finishedAt: st?.finishedAt ?? now,
      containerID: id,
    }
    r.terminated = t
    r.state = 'terminated'
    if (!this.terminating && shouldRestart(this.restartPolicy, r)) {
      const delay = this.env.backoff.next(this.backoffKey(r), r.startedAt ?? now, now)
      r.lastTerminated = t
      r.terminated = undefined
      r.state = 'waiting'
      r.waitingReason = 'CrashLoopBackOff'
      r.waitingMessage = `back-off ${formatDelay(delay)} restarting failed container=${r.spec.name} pod=${this.pod.metadata.name}_${this.pod.metadata.namespace}(${this.uid})`
      r.backoffUntil = now + delay
      r.backoffNoticed = false
      this.env.clock.schedule(delay, () => this.sync())
    }
    r.killedForRestart = false
    this.changed()
    this.sync()
  }

  /** Serialized, level-triggered reconcile of runtime state toward the spec. */
  sync(): void {
    if (this.done) return
    this.dirty = true
    if (this.syncing) return
    this.syncing = true
    void this.loop()
  }

  private async loop(): Promise<void> {
    try {
      while (this.dirty && !this.done) {
        this.dirty = false
        if (this.terminating) await this.terminate()
        else await this.step()
      }
    } catch (err) {
      this.env.log.error({ err, pod: this.key }, 'pod sync failed')
      this.env.clock.schedule(1000, () => this.sync())
    } finally {
      this.syncing = false
    }
  }

  private async step(): Promise<void> {
    if (!this.sandboxId) {
      this.startTime ??= this.env.clock.now()
      const ip = this.env.allocateIP(this.uid, this.pod.status?.podIP)
      this.sandboxId = await this.env.runtime.runPodSandbox(this.sandboxConfig(ip))
      this.podIP = ip
      this.changed()
      if (this.terminating) return
    }
    for (const r of this.init) {
      if (r.state === 'terminated' && r.terminated?.exitCode === 0) continue
      if (r.state === 'terminated') return // failed for good (restartPolicy Never)
      if (r.state === 'running') return // wait for it to finish
      await this.maybeStart(r)
      return
    }
    for (const r of this.app) {
      if (r.state === 'waiting') await this.maybeStart(r)
      if (this.terminating) return
    }
  }

  private async maybeStart(r: ContainerRecord): Promise<void> {
    if (r.busy) return
    const now = this.env.clock.now()
    if (r.backoffUntil !== undefined && now < r.backoffUntil) {
      if (!r.backoffNoticed) {
        r.backoffNoticed = true
        this.event('Warning', 'BackOff', `Back-off restarting failed container ${r.spec.name} in pod ${this.pod.metadata.name}_${this.pod.metadata.namespace}(${this.uid})`, r)
      }
      // A timer may fire a millisecond before the wall clock says it is due: wake again just after.
      if (!r.backoffWake) {
        r.backoffWake = true
        this.env.clock.schedule(r.backoffUntil - now + 1, () => {
          r.backoffWake = false
          this.sync()
        })
      }
      return
    }
    r.busy = true
    try {
      await this.startContainer(r)
    } finally {
      r.busy = false
    }
  }

  private async startContainer(r: ContainerRecord): Promise<void> {
    const { runtime } = this.env
    const c = r.spec
    const pod = this.sandboxConfig(this.podIP ?? '')
    if (runtime.imagePresent(c.image) && c.imagePullPolicy !== 'Always') {
      r.imageID = await runtime.pullImage(c.image, pod)
      if (r.restartCount === 0 && !r.lastTerminated) this.event('Normal', 'Pulled', `Container image "${c.image}" already present on machine`, r)
    } else {
      this.event('Normal', 'Pulling', `Pulling image "${c.image}"`, r)
      const t0 = this.env.clock.now()
      try {
        r.imageID = await runtime.pullImage(c.image, pod)
      } catch (err) {
        this.fail(r, 'ErrImagePull', errMessage(err))
        return
      }
      const ms = this.env.clock.now() - t0
      this.event('Normal', 'Pulled', `Successfully pulled image "${c.image}" in ${ms}ms (${ms}ms including waiting). Image size: 0 bytes.`, r)
    }
    if (this.terminating) return
    let env: Record<string, string>
    try {
      env = await this.containerEnv(c)
    } catch (err) {
      if (!(err instanceof EnvConfigError)) throw err
      this.fail(r, 'CreateContainerConfigError', err.message)
      return
    }
    if (this.terminating) return
    // $(VAR) in command and args reads the container's environment, as in Kubernetes.
    const container = { ...c, ...(c.command ? { command: c.command.map((x) => expand(x, env)) } : {}), ...(c.args ? { args: c.args.map((x) => expand(x, env)) } : {}) }
    let id: string
    try {
      id = await runtime.createContainer({ container, sandboxId: this.sandboxId ?? '', pod, env, attempt: r.restartCount + (r.lastTerminated ? 1 : 0) })
    } catch (err) {
      this.fail(r, 'CreateContainerError', errMessage(err))
      return
    }
    if (r.prevId) void runtime.removeContainer(r.prevId)
    r.prevId = r.id
    r.id = id
    if (r.lastTerminated) r.restartCount++
    r.backoffUntil = undefined
    this.event('Normal', 'Created', `Created container ${c.name}`, r)
    try {
      await runtime.startContainer(id)
    } catch (err) {
      this.fail(r, 'RunContainerError', errMessage(err))
      return
    }
    const st = runtime.containerStatus(id)
    if (!st || st.state === 'created') return
    r.state = 'running'
    r.startedAt = st.startedAt ?? this.env.clock.now()
    r.terminated = undefined
    r.waitingMessage = undefined
    this.event('Normal', 'Started', `Started container ${c.name}`, r)
    this.startProbes(r)
    this.changed()
    if (st.state === 'exited') this.containerExited(id)
  }

  private fail(r: ContainerRecord, reason: string, message: string): void {
    r.waitingReason = reason
    r.waitingMessage = message
    const delay = this.env.backoff.next(this.backoffKey(r), this.env.clock.now(), this.env.clock.now())
    r.backoffUntil = this.env.clock.now() + delay
    this.event('Warning', 'Failed', `Error: ${message}`, r)
    this.env.clock.schedule(delay, () => this.sync())
    this.changed()
  }

  // --- probes -------------------------------------------------------------------------------

  private startProbes(r: ContainerRecord): void {
    if (r.init) return
    const kinds: Array<[ProbeKind, Container['livenessProbe']]> = [['startup', r.spec.startupProbe], ['liveness', r.spec.livenessProbe], ['readiness', r.spec.readinessProbe]]
    r.probes = {}
    for (const [kind, p] of kinds) {
      if (!p) continue
      const state = new ProbeState(kind, probeTiming(p, kind))
      r.probes[kind] = state
      const id = r.id
      const tick = () => {
        if (r.id !== id || r.state !== 'running' || this.terminating) return
        void this.runProbe(r, kind, state).finally(() => {
          if (r.id === id && r.state === 'running') r.probeCancels.push(this.env.clock.schedule(state.timing.periodMs, tick))
        })
      }
      r.probeCancels.push(this.env.clock.schedule(state.timing.initialDelayMs, tick))
    }
  }

  private stopProbes(r: ContainerRecord): void {
    for (const cancel of r.probeCancels) cancel()
    r.probeCancels = []
  }

  private async runProbe(r: ContainerRecord, kind: ProbeKind, state: ProbeState): Promise<void> {
    // The startup probe gates the others.
    if (kind !== 'startup' && r.probes.startup && r.probes.startup.result !== 'success') return
    if (kind === 'startup' && state.result === 'success') return
    const probe = kind === 'startup' ? r.spec.startupProbe : kind === 'liveness' ? r.spec.livenessProbe : r.spec.readinessProbe
    if (!probe || !r.id) return
    const id = r.id
    const out = await this.env.runtime.probe(id, kind, probe, this.podIP ?? '', state.timing.timeoutMs)
    if (r.id !== id || r.state !== 'running') return
    if (out.result === 'failure') {
      const label = kind[0]!.toUpperCase() + kind.slice(1)
      this.event('Warning', 'Unhealthy', `${label} probe failed: ${out.message ?? 'probe failed'}`, r)
    }
    const changed = state.record(out.result)
    if (changed) this.changed()
    if (kind === 'liveness' && changed && state.result === 'failure') {
      await this.killForRestart(r, `Container ${r.spec.name} failed liveness probe, will be restarted`)
    } else if (kind === 'startup' && state.exhausted()) {
      await this.killForRestart(r, `Container ${r.spec.name} failed startup probe, will be restarted`)
    } else if (changed && kind === 'startup') {
      this.changed()
    }
  }

  private async killForRestart(r: ContainerRecord, message: string): Promise<void> {
    if (!r.id) return
    this.stopProbes(r)
    r.killedForRestart = true
    this.event('Normal', 'Killing', message, r)
    await this.env.runtime.stopContainer(r.id, this.graceMs())
  }

  // --- termination --------------------------------------------------------------------------

  private graceMs(): number {
    const g = this.pod.metadata.deletionGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_S
    return Math.max(0, g) * 1000
  }

  private async terminate(): Promise<void> {
    const grace = this.graceMs()
    const all = [...this.app, ...this.init]
    for (const r of all) {
      this.stopProbes(r)
      r.backoffUntil = undefined
    }
    // Let in-flight starts settle (they check `terminating` and stop early), then stop all.
    while (all.some((r) => r.busy)) await sleep(this.env.clock, 20)
    await Promise.all(
      all
        .filter((r) => r.state === 'running' && r.id)
        .map(async (r) => {
          this.event('Normal', 'Killing', `Stopping container ${r.spec.name}`, r)
          await this.env.runtime.stopContainer(r.id as string, grace)
        }),
    )
    for (const r of all) {
      if (r.id) await this.env.runtime.removeContainer(r.id)
      if (r.prevId) await this.env.runtime.removeContainer(r.prevId)
      this.env.backoff.forget(this.backoffKey(r))
    }
    if (this.sandboxId) {
      await this.env.runtime.stopPodSandbox(this.sandboxId)
      await this.env.runtime.removePodSandbox(this.sandboxId)
    }
    this.env.releaseIP(this.uid)
    this.done = true
    this.env.terminated(this)
  }

  // --- helpers ------------------------------------------------------------------------------

  private changed(): void {
    this.env.statusChanged(this)
  }

  private backoffKey(r: ContainerRecord): string {
    return `${this.uid}/${r.spec.name}`
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string, r?: ContainerRecord): void {
    const fieldPath = r ? `spec.${r.init ? 'initContainers' : 'containers'}{${r.spec.name}}` : undefined
    this.env.event(this.pod, type, reason, message, fieldPath)
  }

  private sandboxConfig(ip: string): SandboxConfig {
    const m = this.pod.metadata
    return { uid: this.uid, name: m.name ?? '', namespace: m.namespace ?? 'default', nodeName: this.env.nodeName, ip, annotations: m.annotations ?? {} }
  }

  private containerEnv(c: Container): Promise<Record<string, string>> {
    const base = {
      POD_NAME: this.pod.metadata.name ?? '',
      POD_NAMESPACE: this.pod.metadata.namespace ?? 'default',
      POD_IP: this.podIP ?? '',
      NODE_NAME: this.env.nodeName,
    }
    const facts = { podIP: this.podIP ?? '', hostIP: this.env.hostIP, nodeName: this.env.nodeName, allocatable: this.env.allocatable }
    return containerEnv(this.pod, c, facts, this.env.envSources, base)
  }
}

function formatDelay(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m0s`
  if (ms >= 60_000) return `${Math.floor(ms / 60_000)}m${(ms % 60_000) / 1000}s`
  return `${ms / 1000}s`
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
