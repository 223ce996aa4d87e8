// The book of faults: validates and resolves a fault, turns it into commands for the host
// (through injected callbacks), keeps the active ones for healing, logs fault.injected/healed.
// No threads here, so it is tested directly with a fake host.
import type { WorkerFault } from '../host/protocol.ts'
import type { Fault, FaultResult, LinkRule } from './types.ts'
import { resolveTarget, threadOf, type TargetView } from './targets.ts'
import { FaultError, parseFault } from './validate.ts'

export interface FaultHost {
  view(): TargetView[]
  threads(): string[]
  toThread(thread: string, f: WorkerFault): void
  toActor(id: string, f: WorkerFault): void
  links(rules: LinkRule[]): void
  event(event: string, fields: Record<string, unknown>): void
  newId(): string
  random?: () => number
  /** Timers for durationMs (injected so tests control time). */
  setTimer?: (fn: () => void, ms: number) => unknown
  clearTimer?: (h: unknown) => void
}

interface Active {
  result: FaultResult
  fault: Fault
  undo: () => void
  timer?: unknown
}

export class FaultBook {
  private readonly activeFaults = new Map<string, Active>()
  private rules: LinkRule[] = []

  constructor(private readonly host: FaultHost) {}

  linkRules(): LinkRule[] {
    return this.rules
  }

  active(): FaultResult[] {
    return [...this.activeFaults.values()].map((a) => a.result)
  }

  inject(input: Fault): FaultResult {
    const f = parseFault(input)
    if (f.kind === 'heal') {
      const healed = this.heal(f.id)
      return { id: f.id ?? 'all', kind: 'heal', targets: healed.flatMap((h) => h.targets), active: false }
    }
    const view = this.host.view()
    const rnd = this.host.random ?? Math.random
    const resolve = (t: string, field = 'target') => resolveTarget(t, view, rnd, field)
    const resolveAll = (ts: string[] | undefined, field: string) =>
      ts === undefined ? undefined : [...new Set(ts.flatMap((t, i) => resolve(t, `${field}[${i}]`)))]
    const id = this.host.newId()
    let targets: string[] = []
    let undo: (() => void) | undefined
    const { durationMs: _d, ...params } = f as Fault & { durationMs?: number }
    switch (f.kind) {
      case 'crash':
        targets = resolve(f.target)
        for (const a of targets) this.host.toActor(a, { f: 'crash', id: a })
        break
      case 'kill':
      case 'hang': {
        const threads = this.threadsOf(f.target, view)
        targets = threads.map((t) => `thread:${t}`)
        const wf: WorkerFault = f.kind === 'kill' ? { f: 'exit' } : f.ms === undefined ? { f: 'hang' } : { f: 'hang', ms: f.ms }
        for (const t of threads) this.host.toThread(t, wf)
        break
      }
      case 'pause':
        targets = resolve(f.target)
        for (const a of targets) this.host.toActor(a, { f: 'pause', id: a })
        undo = () => { for (const a of targets) this.host.toActor(a, { f: 'resume', id: a }) }
        break
      case 'resume': {
        targets = resolve(f.target)
        for (const a of targets) this.host.toActor(a, { f: 'resume', id: a })
        for (const [k, act] of this.activeFaults) {
          if (act.fault.kind === 'pause' && act.result.targets.every((t) => targets.includes(t))) this.drop(k)
        }
        break
      }
      case 'skew-clock':
        targets = resolve(f.target)
        for (const a of targets) this.host.toActor(a, { f: 'skew', id: a, ms: f.ms })
        undo = () => { for (const a of targets) this.host.toActor(a, { f: 'skew', id: a, ms: 0 }) }
        break
      case 'disk-slow':
      case 'disk-fail':
        targets = resolve(f.target)
        for (const a of targets) this.host.toActor(a, f.kind === 'disk-slow' ? { f: 'disk-slow', id: a, ms: f.ms } : { f: 'disk-fail', id: a })
        undo = () => { for (const a of targets) this.host.toActor(a, { f: 'disk-heal', id: a }) }
        break
      case 'partition': {
        const a = resolveAll(f.a, 'a') as string[]
        const b = resolveAll(f.b, 'b') as string[]
        targets = [...a, ...b]
        undo = this.addRule({ id, kind: 'partition', from: a, to: b })
        break
      }
      case 'delay':
      case 'drop':
      case 'duplicate':
      case 'reorder': {
        const from = resolveAll(f.from, 'from')
        const to = resolveAll(f.to, 'to')
        targets = [...(from ?? []), ...(to ?? [])]
        const rule: LinkRule = { id, kind: f.kind }
        if (from) rule.from = from
        if (to) rule.to = to
        if (f.kind === 'delay') { rule.ms = f.ms; if (f.jitterMs !== undefined) rule.jitterMs = f.jitterMs }
        if (f.kind === 'drop' || f.kind === 'duplicate') rule.probability = f.probability
        if (f.kind === 'reorder') rule.windowMs = f.windowMs
        undo = this.addRule(rule)
        break
      }
    }
    const result: FaultResult = { id, kind: f.kind, targets, active: undo !== undefined }
    this.host.event('fault.injected', { fault: id, kind: f.kind, targets, params })
    if (undo) {
      const act: Active = { result, fault: f, undo }
      this.activeFaults.set(id, act)
      if (f.durationMs !== undefined) {
        const set = this.host.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms))
        act.timer = set(() => this.heal(id), f.durationMs)
      }
    }
    return result
  }

  heal(id?: string): FaultResult[] {
    if (id !== undefined && !this.activeFaults.has(id)) {
      throw new FaultError('id', `no active fault ${id}; active: ${[...this.activeFaults.keys()].join(', ') || 'none'}`, 'FAULT_NOT_FOUND')
    }
    const ids = id === undefined ? [...this.activeFaults.keys()] : [id]
    const out: FaultResult[] = []
    for (const k of ids) {
      const act = this.activeFaults.get(k) as Active
      this.drop(k)
      act.undo()
      out.push({ ...act.result, active: false })
      this.host.event('fault.healed', { fault: k, kind: act.fault.kind, targets: act.result.targets })
    }
    return out
  }

  clearTimers(): void {
    const clear = this.host.clearTimer ?? ((h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>))
    for (const a of this.activeFaults.values()) if (a.timer !== undefined) clear(a.timer)
  }

  private drop(id: string): void {
    const act = this.activeFaults.get(id)
    if (!act) return
    if (act.timer !== undefined) (this.host.clearTimer ?? ((h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>)))(act.timer)
    this.activeFaults.delete(id)
  }

  private addRule(rule: LinkRule): () => void {
    this.rules = [...this.rules, rule]
    this.host.links(this.rules)
    return () => {
      this.rules = this.rules.filter((r) => r.id !== rule.id)
      this.host.links(this.rules)
    }
  }

  private threadsOf(target: string, view: TargetView[]): string[] {
    const th = threadOf(target)
    if (th !== undefined) {
      if (!this.host.threads().includes(th)) {
        throw new FaultError('target', `unknown thread ${th}; threads: ${this.host.threads().join(', ')}`, 'FAULT_TARGET_UNKNOWN')
      }
      return [th]
    }
    const ids = resolveTarget(target, view, this.host.random ?? Math.random)
    return [...new Set(ids.map((a) => view.find((v) => v.id === a)?.thread as string))]
  }
}
