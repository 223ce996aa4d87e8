// The sim runtime's vocabulary: what a simulated container does, read from its image name or
// annotations (docs/runtimes.md). Anything outside the vocabulary runs forever, Ready.
import { ActorkubeError } from '../../runtime/errors.ts'

export interface SimBehaviour {
  pullMs: number
  startDelayMs: number
  /** Exit with `code` after `afterMs` running (once; restartPolicy decides what follows). */
  exit?: { code: number; afterMs: number }
  /** Exit with code 1 after this long running, on every run. */
  crashEveryMs?: number
  /** Liveness probes fail once the container has run this long. */
  livenessFailAfterMs?: number
  /** Readiness probes alternate success/failure with this period. */
  readinessFlapMs?: number
  /** Readiness probes fail for this long after start. */
  notReadyForMs?: number
  /** Print `text` every `everyMs` (and once at start). */
  log?: { text: string; everyMs: number }
  cpuMilli: number
  memoryBytes: number
}

export class SimVocabularyError extends ActorkubeError {
  constructor(word: string) {
    super('SIM_VOCABULARY_INVALID', `unknown sim directive: ${word}`)
  }
}

export const DEFAULT_BEHAVIOUR: SimBehaviour = { pullMs: 200, startDelayMs: 50, cpuMilli: 5, memoryBytes: 8 * 1024 * 1024 }

/** '10s' | '500ms' | '2m' | '1h' -> ms; undefined if not a duration. */
export function parseDuration(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(s)
  if (!m) return undefined
  const n = Number(m[1])
  const unit = m[2]
  return Math.round(n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000))
}

function parseMemory(s: string): number | undefined {
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(s)
  if (!m) return undefined
  const mult = m[2] === 'Ki' ? 1024 : m[2] === 'Mi' ? 1024 ** 2 : m[2] === 'Gi' ? 1024 ** 3 : 1
  return Number(m[1]) * mult
}

const need = (v: number | undefined, word: string): number => {
  if (v === undefined) throw new SimVocabularyError(word)
  return v
}

/**
 * Apply one directive. Two spellings: annotation form `key=value` (`exit=3@30s`) and image-tag
 * form with dashes (`exit-3-after-30s`).
 */
function apply(b: SimBehaviour, word: string): void {
  const w = word.trim()
  if (w === '' || w === 'forever' || w === 'latest') return
  let m: RegExpExecArray | null
  if ((m = /^(?:pull[=-])(\S+)$/.exec(w))) b.pullMs = need(parseDuration(m[1]!), w)
  else if ((m = /^start-delay[=-](\S+)$/.exec(w))) b.startDelayMs = need(parseDuration(m[1]!), w)
  else if ((m = /^exit=(\d+)@(\S+)$/.exec(w)) || (m = /^exit-(\d+)-after-(\S+)$/.exec(w))) b.exit = { code: Number(m[1]), afterMs: need(parseDuration(m[2]!), w) }
  else if ((m = /^crash-every[=-](\S+)$/.exec(w))) b.crashEveryMs = need(parseDuration(m[1]!), w)
  else if ((m = /^liveness-fail-after[=-](\S+)$/.exec(w))) b.livenessFailAfterMs = need(parseDuration(m[1]!), w)
  else if ((m = /^readiness-flap[=-](\S+)$/.exec(w))) b.readinessFlapMs = need(parseDuration(m[1]!), w)
  else if ((m = /^not-ready-for[=-](\S+)$/.exec(w))) b.notReadyForMs = need(parseDuration(m[1]!), w)
  else if ((m = /^cpu[=-](\d+)m?$/.exec(w))) b.cpuMilli = Number(m[1])
  else if ((m = /^memory[=-](\S+)$/.exec(w))) b.memoryBytes = need(parseMemory(m[1]!), w)
  else if ((m = /^log=(.*)@(\S+)$/.exec(w))) b.log = { text: m[1]!, everyMs: need(parseDuration(m[2]!), w) }
  else if ((m = /^log-every-(\S+)$/.exec(w))) b.log = { text: 'tick', everyMs: need(parseDuration(m[1]!), w) }
  else throw new SimVocabularyError(w)
}

export const ANNOTATION = 'sim.actorkube.io/behaviour'

/** Is this image one of the vocabulary's (repository `sim` or ending in `/sim`)? */
function simTag(image: string): string | undefined {
  const at = image.indexOf('@')
  const ref = at >= 0 ? image.slice(0, at) : image
  const colon = ref.lastIndexOf(':')
  const slash = ref.lastIndexOf('/')
  const repo = colon > slash ? ref.slice(0, colon) : ref
  const tag = colon > slash ? ref.slice(colon + 1) : ''
  const last = repo.slice(slash + 1)
  return last === 'sim' ? tag : undefined
}

/**
 * The behaviour of container `container` of a pod: the image tag of a `sim` image
 * (`actorkube/sim:crash-every-10s_start-delay-2s`), then the pod annotation
 * `sim.actorkube.io/behaviour` (all containers), then `sim.actorkube.io/behaviour.<container>`.
 */
export function behaviourFor(image: string, container: string, annotations: Record<string, string>): SimBehaviour {
  const b: SimBehaviour = { ...DEFAULT_BEHAVIOUR }
  const tag = simTag(image)
  if (tag !== undefined) for (const w of tag.split('_')) apply(b, w)
  for (const key of [ANNOTATION, `${ANNOTATION}.${container}`]) {
    const v = annotations[key]
    if (v !== undefined) for (const w of v.split(',')) apply(b, w)
  }
  return b
}

/** How long after start the container exits by itself on this run, if it does. */
export function exitPlan(b: SimBehaviour): { code: number; afterMs: number } | undefined {
  const plans: Array<{ code: number; afterMs: number }> = []
  if (b.exit) plans.push(b.exit)
  if (b.crashEveryMs !== undefined) plans.push({ code: 1, afterMs: b.crashEveryMs })
  plans.sort((a, c) => a.afterMs - c.afterMs)
  return plans[0]
}

/** The modelled result of a probe at `runningMs` after start. */
export function simProbe(b: SimBehaviour, kind: 'liveness' | 'readiness' | 'startup', runningMs: number): 'success' | 'failure' {
  if (kind === 'liveness') return b.livenessFailAfterMs !== undefined && runningMs >= b.livenessFailAfterMs ? 'failure' : 'success'
  if (kind === 'readiness') {
    if (b.notReadyForMs !== undefined && runningMs < b.notReadyForMs) return 'failure'
    if (b.readinessFlapMs !== undefined) return Math.floor(runningMs / b.readinessFlapMs) % 2 === 0 ? 'success' : 'failure'
    return 'success'
  }
  return b.notReadyForMs !== undefined && runningMs < b.notReadyForMs ? 'failure' : 'success'
}
