// Faults in the Simulation: each Fault kind mapped to the Simulation's methods, dynamic targets
// (leader:<role>, leader:etcd/<shard>, random:<role>, node:<name>, thread:<name>) resolved from
// the simulation's reports with its seeded PRNG. Crashed actors restart after their supervision
// backoff, and a hung actor is restarted after the plan's hang timeout, as the supervisor does.
import type { Fault } from '../faults/types.ts'
import { resolveTarget, type TargetView } from '../faults/targets.ts'
import { EVERYONE } from '../topology/faults.ts'
import type { FaultMark, RestartMark } from './report.ts'
import type { SimCluster } from './sim-cluster.ts'

export interface SimFaultHooks {
  /** The actor stopped leading anything (crashed, killed, paused). */
  down(id: string, time: number): void
  /** A fault or restart record for the report and the event log. */
  record(ev: { time: number; event: string; [k: string]: unknown }): void
}

export class SimFaults {
  readonly faults: FaultMark[] = []
  readonly restarts: RestartMark[] = []
  private readonly healers = new Map<FaultMark, () => void>()
  private readonly downSince = new Map<string, number>()
  private readonly restartDue = new Set<string>()
  private ended = false

  constructor(private readonly c: SimCluster, private readonly hooks: SimFaultHooks) {}

  private views(): TargetView[] {
    return this.c.ids.map((id) => ({ id, thread: this.c.specs.get(id)?.thread ?? id, running: this.c.sim.has(id), report: this.c.sim.reports.get(id) ?? {} }))
  }

  private resolve(targets: string[], field: string): string[] {
    const out = new Set<string>()
    for (const t of targets) for (const id of resolveTarget(t, this.views(), this.c.sim.rng, field)) out.add(id)
    return [...out]
  }

  /** An actor crashed on its own (its behaviour threw): restart it like the supervisor would. */
  crashed(id: string): void {
    const now = this.c.sim.now()
    this.hooks.down(id, now)
    this.hooks.record({ time: now, event: 'actor.crashed', actor: id })
    this.scheduleRestart(id)
  }

  private scheduleRestart(id: string): void {
    if (this.restartDue.has(id)) return
    const spec = this.c.specs.get(id)
    if (spec?.restart === 'temporary') return
    if (!this.downSince.has(id)) this.downSince.set(id, this.c.sim.now())
    this.restartDue.add(id)
    const b = spec?.backoff ?? { initialMs: 100, maxMs: 5000, jitter: 0 }
    const ms = b.initialMs * (1 + b.jitter * (2 * this.c.sim.rng() - 1))
    this.c.sim.at(ms, () => {
      this.restartDue.delete(id)
      if (this.ended) return
      this.c.sim.restart(id)
      const now = this.c.sim.now()
      const since = this.downSince.get(id) ?? now
      this.downSince.delete(id)
      this.restarts.push({ time: now, id, downtimeMs: now - since })
      this.hooks.record({ time: now, event: 'actor.restarted', actor: id, downtimeMs: now - since })
    })
  }

  private kill(id: string): void {
    if (!this.c.sim.has(id)) return
    this.c.sim.crash(id)
    this.hooks.down(id, this.c.sim.now())
    this.scheduleRestart(id)
  }

  /** Apply a fault now; returns its mark (healedAt is set when it ends). */
  inject(f: Fault): FaultMark {
    const sim = this.c.sim
    const now = sim.now()
    let targets: string[] = []
    let heal: (() => void) | undefined
    switch (f.kind) {
      case 'crash':
      case 'kill':
        targets = this.resolve([f.target], f.kind)
        for (const id of targets) this.kill(id)
        break
      case 'hang': {
        targets = this.resolve([f.target], f.kind)
        for (const id of targets) {
          sim.pause(id)
          this.hooks.down(id, now)
        }
        // The supervisor finds a hung thread by missed heartbeats and restarts its actors.
        const hangFor = f.ms ?? Infinity
        const detectAt = this.c.plan.hangTimeoutMs + this.c.plan.heartbeatMs
        if (hangFor < detectAt) heal = () => targets.forEach((id) => sim.resume(id))
        else sim.at(detectAt, () => targets.forEach((id) => (sim.resume(id), this.kill(id))))
        if (hangFor < detectAt) sim.at(hangFor, () => this.heal(mark))
        break
      }
      case 'pause':
        targets = this.resolve([f.target], f.kind)
        for (const id of targets) {
          sim.pause(id)
          this.hooks.down(id, now)
        }
        heal = () => targets.forEach((id) => sim.resume(id))
        break
      case 'resume':
        targets = this.resolve([f.target], f.kind)
        for (const id of targets) sim.resume(id)
        break
      case 'partition': {
        const a = this.resolve(f.a.filter((x) => x !== EVERYONE), 'a')
        const b = f.b.includes(EVERYONE) ? this.c.ids.filter((id) => !a.includes(id)) : this.resolve(f.b, 'b')
        targets = [...a, ...(f.b.includes(EVERYONE) ? ['rest'] : b)]
        heal = sim.partition(a, b)
        break
      }
      case 'delay':
      case 'drop':
      case 'duplicate':
      case 'reorder': {
        const from = f.from ? this.resolve(f.from, 'from') : undefined
        const to = f.to ? this.resolve(f.to, 'to') : undefined
        targets = [...(from ?? ['*']), '->', ...(to ?? ['*'])]
        heal =
          f.kind === 'delay' ? sim.delay({ from, to, ms: f.ms, jitterMs: f.jitterMs })
          : f.kind === 'drop' ? sim.drop({ from, to, probability: f.probability })
          : f.kind === 'duplicate' ? sim.duplicate({ from, to, probability: f.probability })
          : sim.reorder({ from, to, windowMs: f.windowMs })
        break
      }
      case 'skew-clock':
        targets = this.resolve([f.target], f.kind)
        for (const id of targets) sim.skewClock(id, f.ms)
        heal = () => targets.forEach((id) => sim.skewClock(id, 0))
        break
      case 'disk-slow':
        targets = this.resolve([f.target], f.kind)
        for (const id of targets) sim.diskSlow(id, f.ms)
        heal = () => targets.forEach((id) => sim.diskHeal(id))
        break
      case 'disk-fail':
        targets = this.resolve([f.target], f.kind)
        for (const id of targets) sim.diskFail(id)
        heal = () => targets.forEach((id) => sim.diskHeal(id))
        break
      case 'heal':
        this.healAll()
        break
    }
    const mark: FaultMark = { time: now, kind: f.kind, target: targets.join(',') || 'all' }
    this.faults.push(mark)
    this.hooks.record({ time: now, event: 'fault.injected', kind: f.kind, targets })
    if (heal) {
      this.healers.set(mark, heal)
      if (f.durationMs !== undefined) sim.at(f.durationMs, () => this.heal(mark))
    } else if (f.kind !== 'hang') mark.healedAt = now
    return mark
  }

  heal(mark: FaultMark): void {
    const h = this.healers.get(mark)
    if (!h) return
    this.healers.delete(mark)
    h()
    mark.healedAt = this.c.sim.now()
    this.hooks.record({ time: mark.healedAt, event: 'fault.healed', kind: mark.kind, targets: mark.target.split(',') })
  }

  /** End every active fault (the kill switch). */
  healAll(): void {
    for (const m of [...this.healers.keys()]) this.heal(m)
    this.c.sim.healAll()
  }

  /** No more restarts after the run ends. */
  end(): void {
    this.ended = true
  }
}
