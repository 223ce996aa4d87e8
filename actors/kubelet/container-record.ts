// What the pod worker knows about one container of its pod, across restarts.
import type { Container } from '../../protocols/k8s.ts'
import type { ProbeKind } from './cri.ts'
import type { ProbeState } from './probe-state.ts'

export interface Terminated {
  exitCode: number
  reason: string
  message?: string
  startedAt?: number
  finishedAt: number
  containerID: string
}

export interface ContainerRecord {
  spec: Container
  init: boolean
  /** Runtime id of the current container (running, or the last exited one). */
  id?: string
  /** The container before the current one (kubectl logs --previous). */
  prevId?: string
  imageID?: string
  restartCount: number
  state: 'waiting' | 'running' | 'terminated'
  waitingReason: string
  waitingMessage?: string
  startedAt?: number
  terminated?: Terminated
  lastTerminated?: Terminated
  /** Earliest time it may start again (CrashLoopBackOff). */
  backoffUntil?: number
  backoffNoticed?: boolean
  /** A sync is scheduled for when the back-off ends. */
  backoffWake?: boolean
  probes: Partial<Record<ProbeKind, ProbeState>>
  probeCancels: Array<() => void>
  /** Killed by the kubelet (liveness, startup): restart whatever the exit code. */
  killedForRestart?: boolean
  /** An operation on it is in flight (pull/create/start/stop). */
  busy: boolean
}

export function newRecord(spec: Container, init: boolean): ContainerRecord {
  return {
    spec,
    init,
    restartCount: 0,
    state: 'waiting',
    waitingReason: init ? 'PodInitializing' : 'ContainerCreating',
    probes: {},
    probeCancels: [],
    busy: false,
  }
}

/** started: running and past its startup probe (if any). */
export function isStarted(r: ContainerRecord): boolean {
  if (r.state !== 'running') return false
  const s = r.probes.startup
  return !s || s.result === 'success'
}

/** ready: started and its readiness probe (if any) succeeds. */
export function isReady(r: ContainerRecord): boolean {
  if (!isStarted(r)) return false
  const p = r.probes.readiness
  return !p || p.result === 'success'
}

export function shouldRestart(policy: 'Always' | 'OnFailure' | 'Never', r: ContainerRecord): boolean {
  if (policy === 'Never') return false
  if (policy === 'Always' && !r.init) return true
  if (r.killedForRestart) return true
  return (r.terminated?.exitCode ?? 0) !== 0
}
