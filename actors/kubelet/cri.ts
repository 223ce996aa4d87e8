// The container runtime interface the kubelet drives: CRI-shaped (a sandbox holds the pod's
// network identity, containers live in it). Implemented by sim-runtime.ts and process-runtime.ts.
import type { Container, Probe } from '../../protocols/k8s.ts'
import type { LogLine } from './log-ring.ts'

export interface SandboxConfig {
  uid: string
  name: string
  namespace: string
  nodeName: string
  /** The IP the network plugin assigned from the node's podCIDR. */
  ip: string
  annotations: Record<string, string>
}

export interface ContainerConfig {
  container: Container
  sandboxId: string
  pod: SandboxConfig
  /** Environment including POD_NAME, POD_NAMESPACE, POD_IP, NODE_NAME. */
  env: Record<string, string>
  /** 0 for the first run, then the restart count (sim behaviours may depend on it). */
  attempt: number
}

export type RuntimeContainerState = 'created' | 'running' | 'exited'

export interface RuntimeContainerStatus {
  id: string
  state: RuntimeContainerState
  exitCode?: number
  /** 'Completed' | 'Error' | 'OOMKilled' ... as the runtime reports it. */
  reason?: string
  startedAt?: number
  finishedAt?: number
}

export type ProbeKind = 'liveness' | 'readiness' | 'startup'
export type ProbeResult = 'success' | 'failure'

export interface ProbeOutcome {
  result: ProbeResult
  /** Why it failed, as the kubelet words it in Unhealthy events. */
  message?: string
}

export interface ResourceUsage {
  /** CPU in millicores. */
  cpuMilli: number
  memoryBytes: number
}

export interface ContainerRuntime {
  readonly name: 'sim' | 'process'
  runPodSandbox(cfg: SandboxConfig): Promise<string>
  stopPodSandbox(sandboxId: string): Promise<void>
  removePodSandbox(sandboxId: string): Promise<void>
  /** True when the image is already on the node (pull skipped, IfNotPresent). */
  imagePresent(image: string): boolean
  /** Resolves with the image reference (imageID). */
  pullImage(image: string, pod: SandboxConfig): Promise<string>
  createContainer(cfg: ContainerConfig): Promise<string>
  startContainer(id: string): Promise<void>
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves once the container has exited. */
  stopContainer(id: string, timeoutMs: number): Promise<void>
  removeContainer(id: string): Promise<void>
  containerStatus(id: string): RuntimeContainerStatus | undefined
  /** Run one probe attempt against a running container. */
  probe(id: string, kind: ProbeKind, probe: Probe, podIP: string, timeoutMs: number): Promise<ProbeOutcome>
  /** Called when a container exits by itself or is stopped. */
  onContainerExit(cb: (id: string) => void): void
  logs(id: string): LogLine[]
  /** Measured (process) or modelled (sim) usage of a running container. */
  usage(id: string): Promise<ResourceUsage>
  /** Stop everything (kubelet shutdown). */
  close(): Promise<void>
}
