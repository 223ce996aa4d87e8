// The sim runtime: no processes. Each container follows its SimBehaviour (sim-vocabulary.ts)
// in the injected clock's time; thousands fit in memory.
import type { Probe } from '../../protocols/k8s.ts'
import { ActorkubeError } from '../../runtime/errors.ts'
import { sleep, type Clock } from './clock.ts'
import type { ContainerConfig, ContainerRuntime, ProbeKind, ProbeOutcome, ResourceUsage, RuntimeContainerStatus, SandboxConfig } from './cri.ts'
import { LogRing, type LogLine } from './log-ring.ts'
import { behaviourFor, exitPlan, simProbe, type SimBehaviour } from './sim-vocabulary.ts'

export class ContainerNotFoundError extends ActorkubeError {
  constructor(id: string) {
    super('CRI_CONTAINER_NOT_FOUND', `no container ${id}`)
  }
}

interface SimContainer {
  status: RuntimeContainerStatus
  behaviour: SimBehaviour
  logs: LogRing
  cancels: Array<() => void>
  exited?: () => void
}

export class SimRuntime implements ContainerRuntime {
  readonly name = 'sim' as const
  private readonly containers = new Map<string, SimContainer>()
  private readonly images = new Set<string>()
  private readonly exitListeners: Array<(id: string) => void> = []
  private seq = 0

  constructor(private readonly clock: Clock, private readonly logCapacity = 200) {}

  async runPodSandbox(cfg: SandboxConfig): Promise<string> {
    return `sim-sandbox-${cfg.uid}`
  }

  async stopPodSandbox(_id: string): Promise<void> {}

  async removePodSandbox(_id: string): Promise<void> {}

  imagePresent(image: string): boolean {
    return this.images.has(image)
  }

  async pullImage(image: string, pod: SandboxConfig): Promise<string> {
    if (!this.images.has(image)) {
      const b = behaviourFor(image, '', pod.annotations)
      await sleep(this.clock, b.pullMs)
      this.images.add(image)
    }
    return `sim://${image}`
  }

  async createContainer(cfg: ContainerConfig): Promise<string> {
    const behaviour = behaviourFor(cfg.container.image, cfg.container.name, cfg.pod.annotations)
    const id = `sim://${cfg.pod.uid.slice(0, 8)}-${cfg.container.name}-${++this.seq}`
    this.containers.set(id, { status: { id, state: 'created' }, behaviour, logs: new LogRing(this.logCapacity), cancels: [] })
    return id
  }

  async startContainer(id: string): Promise<void> {
    const c = this.must(id)
    await sleep(this.clock, c.behaviour.startDelayMs)
    if (c.status.state !== 'created') return
    const now = this.clock.now()
    c.status = { id, state: 'running', startedAt: now }
    const b = c.behaviour
    if (b.log) {
      const { text, everyMs } = b.log
      const emit = () => {
        this.print(c, text)
        c.cancels.push(this.clock.schedule(everyMs, emit))
      }
      emit()
    }
    const plan = exitPlan(b)
    if (plan) c.cancels.push(this.clock.schedule(plan.afterMs, () => this.exit(id, plan.code, plan.code === 0 ? 'Completed' : 'Error')))
  }

  async stopContainer(id: string, _timeoutMs: number): Promise<void> {
    const c = this.containers.get(id)
    if (!c || c.status.state === 'exited') return
    // A simulated process honours SIGTERM at once.
    this.exit(id, c.status.state === 'running' ? 143 : 0, c.status.state === 'running' ? 'Error' : 'Completed')
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.containers.get(id)
    if (!c) return
    for (const cancel of c.cancels) cancel()
    this.containers.delete(id)
  }

  containerStatus(id: string): RuntimeContainerStatus | undefined {
    const c = this.containers.get(id)
    return c ? { ...c.status } : undefined
  }

  async probe(id: string, kind: ProbeKind, _probe: Probe, _podIP: string, _timeoutMs: number): Promise<ProbeOutcome> {
    const c = this.containers.get(id)
    if (!c || c.status.state !== 'running') return { result: 'failure', message: 'container is not running' }
    const result = simProbe(c.behaviour, kind, this.clock.now() - (c.status.startedAt ?? 0))
    return result === 'success' ? { result } : { result, message: 'HTTP probe failed with statuscode: 500' }
  }

  onContainerExit(cb: (id: string) => void): void {
    this.exitListeners.push(cb)
  }

  logs(id: string): LogLine[] {
    return this.containers.get(id)?.logs.lines() ?? []
  }

  async usage(id: string): Promise<ResourceUsage> {
    const c = this.containers.get(id)
    if (!c || c.status.state !== 'running') return { cpuMilli: 0, memoryBytes: 0 }
    return { cpuMilli: c.behaviour.cpuMilli, memoryBytes: c.behaviour.memoryBytes }
  }

  async close(): Promise<void> {
    for (const id of [...this.containers.keys()]) await this.removeContainer(id)
  }

  /** For tests and the bench: how many containers are held. */
  size(): number {
    return this.containers.size
  }

  private print(c: SimContainer, line: string): void {
    c.logs.push({ t: this.clock.now(), stream: 'stdout', line })
  }

  private exit(id: string, code: number, reason: string): void {
    const c = this.containers.get(id)
    if (!c || c.status.state === 'exited') return
    for (const cancel of c.cancels) cancel()
    c.cancels = []
    c.status = { ...c.status, state: 'exited', exitCode: code, reason, finishedAt: this.clock.now() }
    for (const l of this.exitListeners) l(id)
  }

  private must(id: string): SimContainer {
    const c = this.containers.get(id)
    if (!c) throw new ContainerNotFoundError(id)
    return c
  }
}
