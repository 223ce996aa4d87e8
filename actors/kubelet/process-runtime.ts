// The process runtime: each container's command and args run as a real child process (through
// ctx.io.proc) with the pod's env; the pod IP is a loopback address the process binds.
import type { Container, Probe } from '../../protocols/k8s.ts'
import { ActorkubeError } from '../../runtime/errors.ts'
import { HTTP_TIMED_OUT, type ProcHandle, type ProcIo } from '../../runtime/io/proc.ts'
import type { TcpIo } from '../../runtime/io/tcp.ts'
import type { Clock } from './clock.ts'
import type { ContainerConfig, ContainerRuntime, ProbeKind, ProbeOutcome, ResourceUsage, RuntimeContainerStatus, SandboxConfig } from './cri.ts'
import { LogRing, type LogLine } from './log-ring.ts'

export class CreateContainerError extends ActorkubeError {
  constructor(message: string) {
    super('CRI_CREATE_CONTAINER', message)
  }
}

interface ProcContainer {
  cfg: ContainerConfig
  status: RuntimeContainerStatus
  handle?: ProcHandle
  logs: LogRing
  exitWaiters: Array<() => void>
  lastCpu?: { at: number; cpuSeconds: number }
  cpuMilli: number
}

/** Resolve a probe port (number or the name of a containerPort). */
export function resolvePort(c: Container, port: number | string): number | undefined {
  if (typeof port === 'number') return port
  if (/^\d+$/.test(port)) return Number(port)
  return c.ports?.find((p) => p.name === port)?.containerPort
}

export class ProcessRuntime implements ContainerRuntime {
  readonly name = 'process' as const
  private readonly containers = new Map<string, ProcContainer>()
  private readonly exitListeners: Array<(id: string) => void> = []
  private seq = 0

  constructor(
    private readonly proc: ProcIo,
    private readonly tcp: TcpIo | undefined,
    private readonly clock: Clock,
    private readonly opts: { cwd?: string; logCapacity?: number } = {},
  ) {}

  async runPodSandbox(cfg: SandboxConfig): Promise<string> {
    return `proc-sandbox-${cfg.uid}`
  }

  async stopPodSandbox(_id: string): Promise<void> {}

  async removePodSandbox(_id: string): Promise<void> {}

  imagePresent(_image: string): boolean {
    return true
  }

  async pullImage(image: string, _pod: SandboxConfig): Promise<string> {
    return `process://${image}`
  }

  async createContainer(cfg: ContainerConfig): Promise<string> {
    const argv = [...(cfg.container.command ?? []), ...(cfg.container.args ?? [])]
    if (argv.length === 0) throw new CreateContainerError(`container ${cfg.container.name}: the process runtime needs command or args`)
    const id = `process://${cfg.pod.uid.slice(0, 8)}-${cfg.container.name}-${++this.seq}`
    this.containers.set(id, { cfg, status: { id, state: 'created' }, logs: new LogRing(this.opts.logCapacity ?? 1000), exitWaiters: [], cpuMilli: 0 })
    return id
  }

  async startContainer(id: string): Promise<void> {
    const c = this.containers.get(id)
    if (!c) throw new CreateContainerError(`no container ${id}`)
    const argv = [...(c.cfg.container.command ?? []), ...(c.cfg.container.args ?? [])]
    const handle = this.proc.spawn({ command: argv[0]!, args: argv.slice(1), env: c.cfg.env, cwd: c.cfg.container.workingDir ?? this.opts.cwd })
    c.handle = handle
    c.status = { id, state: 'running', startedAt: this.clock.now() }
    handle.onOutput((stream, line) => c.logs.push({ t: this.clock.now(), stream, line }))
    handle.onExit((code, signal) => {
      const exitCode = code ?? (signal === 'SIGKILL' ? 137 : signal === 'SIGTERM' ? 143 : 128)
      c.status = { ...c.status, state: 'exited', exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', finishedAt: this.clock.now() }
      for (const w of c.exitWaiters.splice(0)) w()
      for (const l of this.exitListeners) l(id)
    })
  }

  stopContainer(id: string, timeoutMs: number): Promise<void> {
    const c = this.containers.get(id)
    if (!c || !c.handle || c.status.state !== 'running') return Promise.resolve()
    const handle = c.handle
    return new Promise((resolve) => {
      c.exitWaiters.push(resolve)
      if (timeoutMs <= 0) {
        handle.kill('SIGKILL')
        return
      }
      handle.kill('SIGTERM')
      const cancel = this.clock.schedule(timeoutMs, () => handle.kill('SIGKILL'))
      c.exitWaiters.push(cancel)
    })
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.containers.get(id)
    if (!c) return
    if (c.status.state === 'running') await this.stopContainer(id, 0)
    this.containers.delete(id)
  }

  containerStatus(id: string): RuntimeContainerStatus | undefined {
    const c = this.containers.get(id)
    return c ? { ...c.status } : undefined
  }

  async probe(id: string, _kind: ProbeKind, probe: Probe, podIP: string, timeoutMs: number): Promise<ProbeOutcome> {
    const c = this.containers.get(id)
    if (!c || c.status.state !== 'running') return { result: 'failure', message: 'container is not running' }
    const container = c.cfg.container
    if (probe.exec) {
      const [command, ...args] = probe.exec.command
      if (!command) return { result: 'failure', message: 'empty exec command' }
      const r = await this.proc.exec({ command, args, env: c.cfg.env, cwd: container.workingDir ?? this.opts.cwd, timeoutMs })
      return r.code === 0 ? { result: 'success' } : { result: 'failure', message: `command exited with ${String(r.code)}: ${r.output.trim().slice(0, 200)}` }
    }
    if (probe.httpGet) {
      const port = resolvePort(container, probe.httpGet.port)
      if (port === undefined) return { result: 'failure', message: `unknown port ${String(probe.httpGet.port)}` }
      const host = probe.httpGet.host ?? podIP
      const path = probe.httpGet.path ?? '/'
      const code = await this.proc.httpGet({ host, port, path, timeoutMs })
      if (code >= 200 && code < 400) return { result: 'success' }
      const url = `http://${host}:${port}${path}`
      if (code === HTTP_TIMED_OUT) return { result: 'failure', message: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` }
      return { result: 'failure', message: code === 0 ? `Get "${url}": dial tcp ${host}:${port}: connect: connection refused` : `HTTP probe failed with statuscode: ${code}` }
    }
    if (probe.tcpSocket) {
      const port = resolvePort(container, probe.tcpSocket.port)
      const host = probe.tcpSocket.host ?? podIP
      if (port === undefined || !this.tcp) return { result: 'failure', message: 'tcpSocket probe unavailable' }
      return (await this.tcp.probe({ host, port, timeoutMs })) ? { result: 'success' } : { result: 'failure', message: `dial tcp ${host}:${port}: connect: connection refused` }
    }
    return { result: 'success' }
  }

  onContainerExit(cb: (id: string) => void): void {
    this.exitListeners.push(cb)
  }

  logs(id: string): LogLine[] {
    return this.containers.get(id)?.logs.lines() ?? []
  }

  /** Measured from /proc: CPU as the rate since the previous sample, memory as RSS. */
  async usage(id: string): Promise<ResourceUsage> {
    const c = this.containers.get(id)
    if (!c || !c.handle || c.status.state !== 'running' || !this.proc.usage) return { cpuMilli: 0, memoryBytes: 0 }
    const u = await this.proc.usage(c.handle.pid)
    if (!u) return { cpuMilli: 0, memoryBytes: 0 }
    const now = this.clock.now()
    if (c.lastCpu && now > c.lastCpu.at) c.cpuMilli = Math.round(((u.cpuSeconds - c.lastCpu.cpuSeconds) * 1_000_000) / (now - c.lastCpu.at))
    c.lastCpu = { at: now, cpuSeconds: u.cpuSeconds }
    return { cpuMilli: c.cpuMilli, memoryBytes: u.memoryBytes }
  }

  /** The process id of a running container (diagnostics, tests). */
  pid(id: string): number | undefined {
    const c = this.containers.get(id)
    return c?.status.state === 'running' ? c.handle?.pid : undefined
  }

  async close(): Promise<void> {
    await Promise.all([...this.containers.keys()].map((id) => this.removeContainer(id)))
  }
}
