// Resolves fault targets against the live actor set: plain names, 'thread:<name>',
// 'leader:<role>', 'leader:etcd/<shard>', 'random:<role>', 'node:<name>'.
import type { ActorReport } from '../actor.ts'
import { parseAddress } from '../address.ts'
import { FaultError } from './validate.ts'

export interface TargetView {
  id: string
  thread: string
  running: boolean
  report: ActorReport
}

function unknown(field: string, target: string, actors: readonly TargetView[]): FaultError {
  const names = actors.map((a) => a.id)
  const shown = names.slice(0, 40).join(', ') + (names.length > 40 ? `, ... (${names.length} in all)` : '')
  return new FaultError(field, `unknown target ${JSON.stringify(target)}; valid targets: ${shown}, thread:<name>, leader:<role>, leader:etcd/<shard>, random:<role>, node:<name>`, 'FAULT_TARGET_UNKNOWN')
}

/** Expand a target to actor names. `random` picks for 'random:<role>'. */
export function resolveTarget(target: string, actors: readonly TargetView[], random: () => number, field = 'target'): string[] {
  const colon = target.indexOf(':')
  if (colon < 0) {
    if (actors.some((a) => a.id === target)) return [target]
    throw unknown(field, target, actors)
  }
  const scheme = target.slice(0, colon)
  const rest = target.slice(colon + 1)
  let out: string[]
  switch (scheme) {
    case 'thread':
      out = actors.filter((a) => a.thread === rest).map((a) => a.id)
      break
    case 'node':
      out = actors.filter((a) => parseAddress(a.id).node === rest).map((a) => a.id)
      break
    case 'leader': {
      const [role, shard] = rest.split('/')
      const leaders = actors.filter((a) => {
        const p = parseAddress(a.id)
        return p.role === role && (shard === undefined || p.shard === shard) && a.running && a.report.info?.leader === true
      })
      out = leaders.map((a) => a.id).slice(0, 1)
      if (out.length === 0) throw new FaultError(field, `no actor of role ${rest} currently reports leader`, 'FAULT_TARGET_UNKNOWN')
      break
    }
    case 'random': {
      const pool = actors.filter((a) => parseAddress(a.id).role === rest && a.running)
      const pick = pool[Math.floor(random() * pool.length)]
      out = pick ? [pick.id] : []
      break
    }
    default:
      throw unknown(field, target, actors)
  }
  if (out.length === 0) throw unknown(field, target, actors)
  return out
}

/** For a 'thread:<name>' target, the thread name; otherwise undefined. */
export function threadOf(target: string): string | undefined {
  return target.startsWith('thread:') ? target.slice('thread:'.length) : undefined
}
