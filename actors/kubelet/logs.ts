// Serving container logs (kubectl logs) from the runtime's per-container rings.
import type { KubeletLogs } from '../../protocols/node.ts'
import type { ContainerRuntime } from './cri.ts'
import type { PodWorker } from './pod-worker.ts'

export type LogsAnswer = { ok: true; lines: string[] } | { ok: false; code: number; reason: string; message: string }

export function podLogs(req: KubeletLogs, worker: PodWorker | undefined, runtime: ContainerRuntime | undefined): LogsAnswer {
  if (!worker || !runtime) return { ok: false, code: 404, reason: 'NotFound', message: `pod ${req.namespace}/${req.pod} is not running on this node` }
  const name = req.container ?? worker.pod.spec.containers[0]?.name ?? ''
  const rec = worker.record(name)
  if (!rec) return { ok: false, code: 400, reason: 'BadRequest', message: `container ${name} is not valid for pod ${req.pod}` }
  const id = req.previous ? rec.prevId : rec.id
  if (!id) {
    return req.previous
      ? { ok: false, code: 400, reason: 'BadRequest', message: `previous terminated container "${name}" in pod "${req.pod}" not found` }
      : { ok: false, code: 400, reason: 'BadRequest', message: `container "${name}" in pod "${req.pod}" is waiting to start: ${rec.waitingReason}` }
  }
  let lines = runtime.logs(id).map((l) => l.line)
  if (req.tailLines !== undefined && req.tailLines >= 0) lines = lines.slice(Math.max(0, lines.length - req.tailLines))
  return { ok: true, lines }
}
