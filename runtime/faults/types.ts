// Faults as data: what the chaos CLI posts to the control endpoint and scenarios schedule.
// Targets are actor names, 'thread:<name>', or dynamic: 'leader:<role>', 'leader:etcd/<shard>',
// 'random:<role>', 'node:<name>' (resolved by targets.ts).

interface Timed {
  /** Heal automatically after this long. */
  durationMs?: number
}

export type Fault =
  | ({ kind: 'crash'; target: string } & Timed)
  | ({ kind: 'kill'; target: string } & Timed)
  | ({ kind: 'hang'; target: string; ms?: number } & Timed)
  | ({ kind: 'pause'; target: string } & Timed)
  | ({ kind: 'resume'; target: string } & Timed)
  | ({ kind: 'partition'; a: string[]; b: string[] } & Timed)
  | ({ kind: 'heal'; id?: string } & Timed)
  | ({ kind: 'delay'; from?: string[]; to?: string[]; ms: number; jitterMs?: number } & Timed)
  | ({ kind: 'drop'; from?: string[]; to?: string[]; probability: number } & Timed)
  | ({ kind: 'duplicate'; from?: string[]; to?: string[]; probability: number } & Timed)
  | ({ kind: 'reorder'; from?: string[]; to?: string[]; windowMs: number } & Timed)
  | ({ kind: 'skew-clock'; target: string; ms: number } & Timed)
  | ({ kind: 'disk-slow'; target: string; ms: number } & Timed)
  | ({ kind: 'disk-fail'; target: string } & Timed)

export type FaultKind = Fault['kind']

export const faultKinds: readonly FaultKind[] = [
  'crash', 'kill', 'hang', 'pause', 'resume', 'partition', 'heal', 'delay', 'drop', 'duplicate',
  'reorder', 'skew-clock', 'disk-slow', 'disk-fail',
]

export interface FaultResult {
  /** Id of an active (healable) fault; one-shot faults get an id too, for the log. */
  id: string
  kind: FaultKind
  /** Resolved actor names (dynamic targets expanded). */
  targets: string[]
  /** True while the fault holds (pause, partition, link faults, skew, disk faults). */
  active: boolean
}

/**
 * A link rule applied by the sending side to each envelope: partitions, drops, delays,
 * duplicates and reordering. `from`/`to` absent = any actor.
 */
export interface LinkRule {
  id: string
  kind: 'partition' | 'delay' | 'drop' | 'duplicate' | 'reorder'
  from?: string[]
  to?: string[]
  /** partition only: the other side; messages either way between from and to are dropped. */
  ms?: number
  jitterMs?: number
  probability?: number
  windowMs?: number
}
