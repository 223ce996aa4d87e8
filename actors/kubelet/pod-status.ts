// Pure: the pod status the kubelet reports, from what its pod worker knows.
import type { ContainerState, ContainerStatus, PodCondition, PodStatus } from '../../protocols/k8s.ts'
import { isReady, isStarted, type ContainerRecord, type Terminated } from './container-record.ts'

export interface PodSnapshot {
  restartPolicy: 'Always' | 'OnFailure' | 'Never'
  init: ContainerRecord[]
  app: ContainerRecord[]
  podIP?: string
  hostIP: string
  startTime?: number
  /** Previous conditions, to keep lastTransitionTime when the status does not change. */
  previous?: PodCondition[]
  now: number
}

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString())

function terminatedState(t: Terminated): ContainerState {
  return {
    terminated: {
      exitCode: t.exitCode,
      reason: t.reason,
      ...(t.message ? { message: t.message } : {}),
      startedAt: iso(t.startedAt),
      finishedAt: iso(t.finishedAt),
      containerID: t.containerID,
    },
  }
}

export function containerStatus(r: ContainerRecord): ContainerStatus {
  let state: ContainerState
  if (r.state === 'running') state = { running: { startedAt: iso(r.startedAt) } }
  else if (r.state === 'terminated' && r.terminated) state = terminatedState(r.terminated)
  else state = { waiting: { reason: r.waitingReason, ...(r.waitingMessage ? { message: r.waitingMessage } : {}) } }
  return {
    name: r.spec.name,
    image: r.spec.image,
    imageID: r.imageID ?? '',
    ...(r.id ? { containerID: r.id } : {}),
    ready: isReady(r),
    started: isStarted(r),
    restartCount: r.restartCount,
    state,
    lastState: r.lastTerminated ? terminatedState(r.lastTerminated) : {},
  }
}

const succeeded = (r: ContainerRecord): boolean => r.state === 'terminated' && r.terminated?.exitCode === 0
const failedForGood = (r: ContainerRecord, policy: PodSnapshot['restartPolicy']): boolean =>
  r.state === 'terminated' && (r.terminated?.exitCode ?? 0) !== 0 && policy === 'Never'

/** The pod phase, as the kubelet's getPhase computes it. */
export function podPhase(s: PodSnapshot): NonNullable<PodStatus['phase']> {
  for (const r of s.init) {
    if (failedForGood(r, s.restartPolicy)) return 'Failed'
    if (!succeeded(r)) return 'Pending'
  }
  let running = 0
  let waiting = 0
  let stopped = 0
  let failed = 0
  for (const r of s.app) {
    if (r.state === 'running') running++
    else if (r.state === 'terminated') {
      stopped++
      if ((r.terminated?.exitCode ?? 0) !== 0) failed++
    } else if (r.lastTerminated) {
      // waiting to restart (CrashLoopBackOff) counts as stopped, as in the kubelet
      stopped++
      if (r.lastTerminated.exitCode !== 0) failed++
    } else waiting++
  }
  if (running > 0) return 'Running'
  if (stopped > 0 && waiting === 0) {
    if (s.restartPolicy === 'Always') return 'Running'
    if (failed === 0) return 'Succeeded'
    return s.restartPolicy === 'Never' ? 'Failed' : 'Running'
  }
  return 'Pending'
}

function cond(type: string, ok: boolean, s: PodSnapshot, reason?: string): PodCondition {
  const status = ok ? 'True' : 'False'
  const prev = s.previous?.find((c) => c.type === type)
  const lastTransitionTime = prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : iso(s.now)
  return { type, status, lastProbeTime: null, lastTransitionTime, ...(!ok && reason ? { reason } : {}) }
}

export function podStatus(s: PodSnapshot): PodStatus {
  const phase = podPhase(s)
  const initialized = s.init.every(succeeded)
  const containersReady = s.app.length > 0 && s.app.every(isReady)
  const done = phase === 'Succeeded' || phase === 'Failed'
  const conditions: PodCondition[] = [
    cond('PodReadyToStartContainers', s.podIP !== undefined, s),
    cond('Initialized', initialized, s, 'ContainersNotInitialized'),
    cond('Ready', containersReady && !done, s, done ? 'PodCompleted' : 'ContainersNotReady'),
    cond('ContainersReady', containersReady && !done, s, done ? 'PodCompleted' : 'ContainersNotReady'),
    cond('PodScheduled', true, s),
  ]
  const status: PodStatus = {
    phase,
    conditions,
    hostIP: s.hostIP,
    hostIPs: [{ ip: s.hostIP }],
    ...(s.podIP ? { podIP: s.podIP, podIPs: [{ ip: s.podIP }] } : {}),
    ...(s.startTime !== undefined ? { startTime: iso(s.startTime) } : {}),
    containerStatuses: s.app.map(containerStatus),
  }
  if (s.init.length > 0) status.initContainerStatuses = s.init.map(containerStatus)
  return status
}
