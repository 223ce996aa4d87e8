// HaTracker (pure): follows who leads each replicated component from actor reports and
// lifecycle events, and derives the HA timeline: failovers with their gap (the time with no
// active leader), overlaps (two actors claiming leadership at once), and leadership intervals
// for the report's timeline picture.
//
// Groups: 'scheduler', 'controller-manager', 'etcd/<shard>'. An actor is identified by its name;
// its group comes from its report (info.group) or from its name.

export interface HaEvent {
  time: number
  event: 'ha.failover' | 'ha.overlap'
  component: string
  from?: string
  to: string
  gapMs: number
  term?: number
}

export interface LeaderInterval {
  component: string
  id: string
  from: number
  to?: number
  term?: number
}

interface GroupState {
  leader?: string
  term?: number
  since: number
  /** When the last leader stopped leading (crash, stop, or a report of leader: false). */
  lostAt?: number
  lostFrom?: string
  claimants: Set<string>
}

export function groupOf(id: string, info?: Record<string, unknown>): string | undefined {
  if (typeof info?.group === 'string') return info.group
  const etcd = /^etcd-([a-z0-9-]+?)-\d+$/.exec(id)
  if (etcd) return `etcd/${etcd[1]}`
  if (/^scheduler-\d+$/.test(id)) return 'scheduler'
  if (/^controller-manager-\d+$/.test(id)) return 'controller-manager'
  return undefined
}

/** A period with no active leader, ended by whoever led next (the same actor or another). */
export interface LeaderGap {
  component: string
  from: number
  to: number
  gapMs: number
  lost: string
  leader: string
}

export class HaTracker {
  readonly events: HaEvent[] = []
  /** Every leaderless period, including the same leader coming back (no failover event). */
  readonly gaps: LeaderGap[] = []
  readonly intervals: LeaderInterval[] = []
  private readonly groups = new Map<string, GroupState>()
  private readonly open = new Map<string, LeaderInterval>()

  /** An actor's report said whether it leads (info.leader) at `time`. */
  leadership(id: string, leader: boolean, time: number, info?: Record<string, unknown>): HaEvent | undefined {
    const group = groupOf(id, info)
    if (!group) return undefined
    const g = this.state(group, time)
    const term = typeof info?.term === 'number' ? info.term : undefined
    if (!leader) {
      this.release(group, g, id, time)
      return undefined
    }
    if (g.claimants.has(id) && g.leader === id) {
      if (term !== undefined && term !== g.term) g.term = term
      return undefined
    }
    let ev: HaEvent | undefined
    const others = [...g.claimants].filter((c) => c !== id)
    if (others.length > 0) {
      ev = { time, event: 'ha.overlap', component: group, from: others.join(','), to: id, gapMs: 0, term }
    } else if (g.leader !== undefined && g.leader !== id) {
      ev = { time, event: 'ha.failover', component: group, from: g.leader, to: id, gapMs: g.lostAt !== undefined ? Math.max(0, time - g.lostAt) : 0, term }
    } else if (g.leader === undefined && g.lostFrom !== undefined && g.lostFrom !== id) {
      ev = { time, event: 'ha.failover', component: group, from: g.lostFrom, to: id, gapMs: g.lostAt !== undefined ? Math.max(0, time - g.lostAt) : 0, term }
    }
    if (g.leader === undefined && g.lostAt !== undefined && g.lostFrom !== undefined) {
      this.gaps.push({ component: group, from: g.lostAt, to: time, gapMs: Math.max(0, time - g.lostAt), lost: g.lostFrom, leader: id })
    }
    g.claimants.add(id)
    g.leader = id
    g.term = term
    g.since = time
    g.lostAt = undefined
    g.lostFrom = undefined
    const iv: LeaderInterval = { component: group, id, from: time, term }
    this.intervals.push(iv)
    this.open.set(id, iv)
    if (ev) this.events.push(ev)
    return ev
  }

  /** The actor stopped existing (crashed, killed, stopped) at `time`. */
  down(id: string, time: number): void {
    const group = groupOf(id)
    if (!group) return
    const g = this.groups.get(group)
    if (g) this.release(group, g, id, time)
  }

  /** The current leader of a group, if any. */
  leaderOf(group: string): string | undefined {
    return this.groups.get(group)?.leader
  }

  /** Close open intervals at the end of a run. */
  finish(time: number): void {
    for (const iv of this.open.values()) iv.to ??= time
    this.open.clear()
  }

  private release(_group: string, g: GroupState, id: string, time: number): void {
    if (!g.claimants.delete(id)) return
    const iv = this.open.get(id)
    if (iv) {
      iv.to = time
      this.open.delete(id)
    }
    if (g.leader === id) {
      const next = [...g.claimants][0]
      if (next !== undefined) {
        g.leader = next
      } else {
        g.leader = undefined
        g.lostAt = time
        g.lostFrom = id
      }
    }
  }

  private state(group: string, time: number): GroupState {
    let g = this.groups.get(group)
    if (!g) {
      g = { since: time, claimants: new Set() }
      this.groups.set(group, g)
    }
    return g
  }
}
