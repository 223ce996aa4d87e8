// A Controllable (runtime/host/control.ts) over a LocalSystem, so that tests can serve the
// supervisor's control endpoint for a one-thread cluster: GET /status from the actors' reports
// and liveness, POST /faults for kill/crash (the actor is crashed, then restarted after a short
// delay, as a supervisor would), dynamic targets (leader:<role>, leader:etcd/<shard>,
// random:<role>, node:<name>), DELETE /faults, and GET /events with lifecycle and ha.failover
// events derived by the same HaTracker the supervisor's HA log uses.
import { EventEmitter } from 'node:events'
import type { ActorReport } from '../../runtime/actor.ts'
import type { LocalSystem } from '../../runtime/local.ts'
import { startControl, type Controllable, type ControlServer } from '../../runtime/host/control.ts'
import type { ActorStatus, RuntimeEvent, ThreadStatus } from '../../runtime/host/status.ts'
import type { Fault, FaultResult } from '../../runtime/faults/types.ts'
import { resolveTarget, type TargetView } from '../../runtime/faults/targets.ts'
import { FaultError, parseFault } from '../../runtime/faults/validate.ts'
import { HaTracker, type HaEvent } from '../../runtime/lab/ha-tracker.ts'
import { haRecord } from '../../runtime/lab/ha-log.ts'

export interface LocalControlOptions {
  /** The actors to show, with the thread the plan puts each on (shown only; all run in one thread here). */
  actors: () => Array<{ id: string; thread: string }>
  /** Delay before a killed actor is restarted. */
  restartDelayMs?: number
  /** How often reports are polled for leadership changes. */
  pollMs?: number
}

export class LocalControl extends EventEmitter implements Controllable {
  private readonly restarts = new Map<string, number>()
  private readonly startedAt = new Map<string, number>()
  private readonly lastCrash = new Map<string, { at: number; reason: string }>()
  private readonly pending = new Set<ReturnType<typeof setTimeout>>()
  private readonly leading = new Map<string, boolean>()
  private readonly tracker = new HaTracker()
  private readonly poll: ReturnType<typeof setInterval>
  private seq = 0

  constructor(private readonly sys: LocalSystem, private readonly opts: LocalControlOptions) {
    super()
    this.poll = setInterval(() => this.watchLeaders(), opts.pollMs ?? 50)
  }

  status(): ActorStatus[] {
    return this.opts.actors().map(({ id, thread }) => ({
      id,
      thread,
      state: this.sys.has(id) ? 'running' : 'restarting',
      restarts: this.restarts.get(id) ?? 0,
      startedAt: this.startedAt.get(id),
      lastCrash: this.lastCrash.get(id),
      report: this.report(id),
    }))
  }

  threads(): ThreadStatus[] {
    const byThread = new Map<string, string[]>()
    for (const a of this.opts.actors()) byThread.set(a.thread, [...(byThread.get(a.thread) ?? []), a.id])
    return [...byThread].map(([name, actors]) => ({ name, state: 'running', actors, restarts: 0 }))
  }

  activeFaults(): FaultResult[] {
    return []
  }

  inject(input: Fault): FaultResult {
    const f = parseFault(input)
    if (f.kind === 'heal') return { id: `f${++this.seq}`, kind: 'heal', targets: this.heal(f.id).flatMap((r) => r.targets), active: false }
    if (f.kind !== 'kill' && f.kind !== 'crash') throw new FaultError('kind', `the local control endpoint supports kill, crash and heal, not ${f.kind}`, 'FAULT_UNSUPPORTED')
    const targets = resolveTarget(f.target, this.views(), Math.random)
    for (const id of targets) this.kill(id, f.kind)
    return { id: `f${++this.seq}`, kind: f.kind, targets, active: false }
  }

  heal(id?: string): FaultResult[] {
    if (id !== undefined) throw new FaultError('id', `no active fault ${id}`, 'FAULT_NOT_FOUND')
    return []
  }

  /** Stop polling and cancel pending restarts. */
  close(): void {
    clearInterval(this.poll)
    for (const h of this.pending) clearTimeout(h)
    this.pending.clear()
  }

  private report(id: string): ActorReport {
    return this.sys.reports.get(id) ?? {}
  }

  private views(): TargetView[] {
    return this.opts.actors().map(({ id, thread }) => ({ id, thread, running: this.sys.has(id), report: this.report(id) }))
  }

  private kill(id: string, how: 'kill' | 'crash'): void {
    const at = Date.now()
    this.sys.crash(id)
    this.leading.set(id, false)
    this.tracker.down(id, at)
    this.lastCrash.set(id, { at, reason: `injected ${how}` })
    this.event('actor.crashed', { actor: id, reason: `injected ${how}` })
    const h = setTimeout(() => {
      this.pending.delete(h)
      // Forget the dead incarnation's report: the new one reports for itself.
      this.sys.reports.delete(id)
      this.sys.restart(id)
      this.restarts.set(id, (this.restarts.get(id) ?? 0) + 1)
      this.startedAt.set(id, Date.now())
      this.event('actor.restarted', { actor: id })
    }, this.opts.restartDelayMs ?? 300)
    this.pending.add(h)
  }

  private watchLeaders(): void {
    for (const { id } of this.opts.actors()) {
      if (!this.sys.has(id)) continue
      const info = this.report(id).info
      if (typeof info?.leader !== 'boolean' || this.leading.get(id) === info.leader) continue
      this.leading.set(id, info.leader)
      const ev = this.tracker.leadership(id, info.leader, Date.now(), info)
      if (ev) this.failover(ev)
    }
  }

  private failover(ev: HaEvent): void {
    this.event(ev.event, haRecord(ev))
  }

  private event(event: string, fields: Record<string, unknown>): void {
    this.emit('event', { time: Date.now(), ...fields, event } satisfies RuntimeEvent)
  }
}

/** Start the control endpoint over `sys`; close() stops both. */
export async function startLocalControl(sys: LocalSystem, opts: LocalControlOptions & { dataDir: string }): Promise<{ control: LocalControl; server: ControlServer; close(): Promise<void> }> {
  const control = new LocalControl(sys, opts)
  const server = await startControl(control, { dataDir: opts.dataDir })
  return {
    control,
    server,
    async close() {
      control.close()
      await server.close()
    },
  }
}
