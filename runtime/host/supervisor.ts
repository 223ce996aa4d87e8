// The main-thread supervisor: starts worker threads (piscina, one long-running task per thread)
// and the plan's actors on them, wires direct links between threads that talk (and relays their
// batches until a link is there), restarts what dies according to the pure decide(), detects
// hung threads by missed heartbeats, injects faults.
import { EventEmitter } from 'node:events'
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import { Piscina } from 'piscina'
import type { Logger as PinoLogger } from 'pino'
import type { ActorReport, Address, Message } from '../actor.ts'
import { ActorCell, type CellHost, type Envelope } from '../cell.ts'
import { isSupervisorSpec, type ChildSpec, type ClusterPlan } from '../plan.ts'
import { decide } from '../supervisor/decide.ts'
import { backoffDelay } from '../supervisor/backoff.ts'
import { SupervisionTree } from '../supervisor/tree.ts'
import { defaultStartTimeoutMs, judgeLiveness } from '../supervisor/liveness.ts'
import { threadCpuMs } from './thread-cpu.ts'
import { Batcher } from '../transport/batcher.ts'
import { decodeBatch } from '../transport/codec.ts'
import type { Fault, FaultResult } from '../faults/types.ts'
import { FaultBook } from '../faults/book.ts'
import type { FromWorker, ToWorker, WireLog, WorkerFault, WorkerInit } from './protocol.ts'
import type { ActorState, ActorStatus, RuntimeEvent, ThreadState, ThreadStatus } from './status.ts'
import { revive, wireLevel, wireLogger } from './wire-log.ts'
import { startControl, type ControlServer } from './control.ts'
import { withoutTsx, workerBundle } from './bundle.ts'

export type { ActorStatus, ThreadStatus, RuntimeEvent } from './status.ts'

export interface SupervisorOptions {
  /** Module path or file URL exporting `actorKinds`. */
  registry: string
  logger: PinoLogger
  /** Give hosted actors real I/O adapters (runtime/io/node-io.ts). */
  io?: boolean
  /**
   * Threads load one esbuild bundle of the host and the registry (default true); false (or
   * ACTORKUBE_WORKER_TSX=1 in the environment): they compile the TypeScript sources through tsx.
   */
  bundle?: boolean
  /** Host threads kept started and loaded, so a dead thread is replaced at once (default 1). */
  standbyThreads?: number
  /** Start the loopback control endpoint (URL written to <dataDir>/control.json). */
  control?: { host?: string; port?: number }
  /**
   * Wire direct links between threads that send to each other (default true). False: every
   * batch between threads goes through the main thread (the route links fall back on).
   */
  directLinks?: boolean
}

interface ActorRec {
  id: string
  child: ChildSpec
  state: ActorState
  restarts: number
  /** Restart times of this actor (for backoff). */
  restartTimes: number[]
  startedAt?: number
  downSince?: number
  lastCrash?: { at: number; reason: string }
  report: ActorReport
  timer?: ReturnType<typeof setTimeout>
}

function actorStatus(a: ActorRec): ActorStatus {
  return {
    id: a.id,
    thread: a.child.thread,
    state: a.state,
    restarts: a.restarts,
    ...(a.startedAt === undefined ? {} : { startedAt: a.startedAt }),
    ...(a.lastCrash ? { lastCrash: a.lastCrash } : {}),
    report: a.report,
  }
}

interface HostTask {
  key: number
  port: MessagePort
  abort: AbortController
  /** The thread it hosts; undefined while a standby. */
  owner: ThreadRec | undefined
  ready: boolean
  lastHb: number
  /** Loading modules (from its start until `ready`, and whenever it reports loading). */
  loading: boolean
  loadingSince: number
  /** The thread's OS id, where known. */
  tid?: number
  /** CPU time the thread had used when it was first found silent (reset by any message). */
  cpuAtSilence?: number
  hung: boolean
  ended?: boolean
  done?: () => void
}

interface ThreadRec {
  name: string
  state: ThreadState
  task?: HostTask
  restarts: number
  /** Actors to spawn as soon as the thread is back. */
  pending: Set<string>
}

const MAIN = 'main'

/** A wired direct link between two threads' current host tasks. */
interface Wire {
  id: number
  a: HostTask
  b: HostTask
}

const pairKey = (a: string, b: string) => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`)

export class Supervisor extends EventEmitter {
  readonly plan: ClusterPlan
  readonly tree: SupervisionTree
  aclDenied = 0
  /** Batches between worker threads that went through the main thread. */
  relayedBatches = 0
  private readonly opts: SupervisorOptions
  private readonly log: PinoLogger
  private pool: Piscina | undefined
  private readonly actors = new Map<string, ActorRec>()
  private readonly threadRecs = new Map<string, ThreadRec>()
  private readonly routes: Record<string, string> = { supervisor: MAIN }
  private readonly removed = new Set<string>()
  private readonly faults: FaultBook
  private hangTimer: ReturnType<typeof setInterval> | undefined
  private stopping = false
  private cell: ActorCell
  private readonly batcher: Batcher
  private startWaiters: Array<() => void> = []
  private idCounter = 0
  private taskCounter = 0
  private standby: HostTask[] = []
  private standbyTimer: ReturnType<typeof setTimeout> | undefined
  private standbyFailures = 0
  private lastCheck = 0
  private readonly actorLogs = new Map<string, PinoLogger>()
  private control: ControlServer | undefined
  /** Pairs of threads that asked for a direct link (kept across restarts, to rewire). */
  private readonly wanted = new Map<string, [string, string]>()
  private readonly wires = new Map<string, Wire>()
  private linkCounter = 0

  constructor(plan: ClusterPlan, opts: SupervisorOptions) {
    super()
    this.plan = plan
    this.opts = opts
    this.log = opts.logger
    this.tree = new SupervisionTree(plan)
    for (const id of this.tree.order) {
      const child = this.tree.actors.get(id) as ChildSpec
      this.actors.set(id, { id, child, state: 'stopped', restarts: 0, restartTimes: [], report: {} })
      this.routes[id] = child.thread
    }
    for (const name of this.tree.threads()) {
      this.threadRecs.set(name, { name, state: 'stopped', restarts: 0, pending: new Set() })
    }
    this.batcher = new Batcher({
      schedule: (fn) => setImmediate(fn),
      sink: (dest, buf) => this.forward(dest, buf),
    })
    this.faults = new FaultBook({
      view: () => this.status().map((a) => ({ id: a.id, thread: a.thread, running: a.state === 'running', report: a.report })),
      threads: () => [...this.threadRecs.keys()],
      toThread: (thread, f) => this.postFault(thread, f),
      toActor: (id, f) => this.postFault(this.routes[id] as string, f),
      links: (rules) => this.broadcast({ t: 'links', rules }),
      event: (event, fields) => this.event('info', event, fields),
      newId: () => `f${++this.idCounter}`,
    })
    this.cell = this.makeCell()
  }

  async start(): Promise<void> {
    const threads = this.threadRecs.size
    const worker = await this.workerModule()
    this.pool = new Piscina({
      filename: worker.url,
      // Threads inherit the process's node options; a bundle needs no TypeScript loader.
      execArgv: worker.bundled ? withoutTsx(process.execArgv) : process.execArgv,
      minThreads: threads,
      maxThreads: threads + (this.opts.standbyThreads ?? 1) + 1,
      concurrentTasksPerWorker: 1,
      idleTimeout: 60_000,
      atomics: 'disabled',
      maxQueue: 'auto',
      ...(this.plan.threadHeap ? { resourceLimits: this.plan.threadHeap } : {}),
    })
    // Worker errors also reject the thread's task, which drives the restart; nothing more here.
    this.pool.on('error', (err: unknown) => this.log.debug({ err }, 'worker error'))
    for (const t of this.threadRecs.values()) this.startThread(t)
    for (const id of this.tree.order) this.spawn(id)
    this.hangTimer = setInterval(() => this.checkHeartbeats(), Math.max(10, Math.floor(this.plan.heartbeatMs / 2)))
    if (this.opts.control) this.control = await startControl(this, { dataDir: this.plan.dataDir, ...this.opts.control })
    await new Promise<void>((resolve) => {
      if (this.allStarted()) resolve()
      else this.startWaiters.push(resolve)
    })
  }

  /** The bundled worker module; the TypeScript sources through tsx if it cannot be built. */
  private async workerModule(): Promise<{ url: string; bundled: boolean }> {
    const tsx = { url: new URL('./worker-entry.mjs', import.meta.url).href, bundled: false }
    if (this.opts.bundle === false || process.env.ACTORKUBE_WORKER_TSX === '1') return tsx
    try {
      return { url: await workerBundle(this.opts.registry), bundled: true }
    } catch (err) {
      this.log.warn({ err }, 'worker bundle not built; threads load the TypeScript sources')
      return tsx
    }
  }

  /** The control endpoint's URL, once started. */
  get controlUrl(): string | undefined {
    return this.control?.url
  }

  status(): ActorStatus[] {
    return [...this.actors.values()].map(actorStatus)
  }

  /** One actor's status (status() builds every actor's: thousands, in a large cluster). */
  actorStatus(id: string): ActorStatus | undefined {
    const a = this.actors.get(id)
    return a && actorStatus(a)
  }

  threads(): ThreadStatus[] {
    return [...this.threadRecs.values()].map((t) => ({
      name: t.name,
      state: t.state,
      actors: this.tree.order.filter((id) => this.routes[id] === t.name),
      restarts: t.restarts,
      ...(t.task ? { lastHeartbeat: t.task.lastHb } : {}),
    }))
  }

  /** Standby host threads started and ready to take over a dead thread. */
  standbyReady(): number {
    return this.standby.filter((s) => s.ready).length
  }

  /** Inject a fault; throws FaultError (code FAULT_INVALID / FAULT_TARGET_UNKNOWN) for bad input. */
  inject(f: Fault): FaultResult {
    return this.faults.inject(f)
  }

  /** Heal one active fault, or all of them. */
  heal(id?: string): FaultResult[] {
    return this.faults.heal(id)
  }

  activeFaults(): FaultResult[] {
    return this.faults.active()
  }

  send(to: Address, msg: Message): void {
    this.cell.ctx.send(to, msg)
  }

  ask<R extends Message = Message>(to: Address, msg: Message, timeoutMs = 5000): Promise<R> {
    return this.cell.ctx.ask<R>(to, msg, { timeoutMs })
  }

  async stop(): Promise<void> {
    if (this.stopping) return
    this.stopping = true
    this.faults.clearTimers()
    await this.control?.close()
    if (this.hangTimer) clearInterval(this.hangTimer)
    for (const a of this.actors.values()) if (a.timer) clearTimeout(a.timer)
    if (this.standbyTimer) clearTimeout(this.standbyTimer)
    // Stop in reverse start order, one top-level group at a time (in the cluster plan: add-ons
    // and node agents, then controllers, then apiservers, then etcd), so that actors stopping
    // gracefully can still reach what they depend on (a leader releasing its lease).
    for (const wave of this.stopWaves()) await Promise.all(wave.map((task) => this.endTask(task)))
    await Promise.all(this.standby.map((task) => this.endTask(task)))
    for (const t of this.threadRecs.values()) t.state = 'stopped'
    for (const a of this.actors.values()) if (a.state !== 'failed') a.state = 'stopped'
    this.cell.kill()
    await this.pool?.destroy()
    this.pool = undefined
    this.event('info', 'supervisor.stopped', {})
  }

  /** Running host tasks grouped by the top-level plan group of their earliest actor, last group first. */
  private stopWaves(): HostTask[][] {
    const rank = new Map<string, number>()
    this.plan.root.children.forEach((c, i) => {
      for (const id of this.tree.actorsUnder(isSupervisorSpec(c) ? c.id : c.spec.id)) rank.set(id, i)
    })
    const waves = new Map<number, HostTask[]>()
    for (const t of this.threadRecs.values()) {
      if (!t.task) continue
      let r = Number.POSITIVE_INFINITY
      for (const a of this.actors.values()) if (a.child.thread === t.name) r = Math.min(r, rank.get(a.id) ?? 0)
      const wave = waves.get(r) ?? []
      wave.push(t.task)
      waves.set(r, wave)
    }
    return [...waves.entries()].sort(([a], [b]) => b - a).map(([, tasks]) => tasks)
  }

  // ---- threads -------------------------------------------------------------------------

  /** Run a host task: for thread `owner`, or a standby (already loaded, assigned on demand). */
  private runTask(owner: ThreadRec | undefined): HostTask {
    const pool = this.pool as Piscina
    const { port1, port2 } = new MessageChannel()
    const now = Date.now()
    const task: HostTask = { key: ++this.taskCounter, port: port1, abort: new AbortController(), owner, ready: false, lastHb: now, loading: true, loadingSince: now, hung: false }
    port1.on('message', (m: FromWorker) => this.onTask(task, m))
    const init: WorkerInit = {
      thread: owner?.name ?? '',
      registry: this.opts.registry,
      port: port2,
      heartbeatMs: this.plan.heartbeatMs,
      dataDir: this.plan.dataDir,
      fsync: this.plan.fsync,
      io: this.opts.io ?? false,
      routes: this.routes,
      links: this.faults.linkRules(),
      direct: this.opts.directLinks ?? true,
      logLevel: wireLevel(this.log.level),
    }
    pool.run(init, { transferList: [port2 as never], signal: task.abort.signal }).then(
      () => this.taskEnded(task, undefined),
      (err: unknown) => this.taskEnded(task, err),
    )
    return task
  }

  private startThread(t: ThreadRec): void {
    const ready = this.standby.findIndex((s) => s.ready)
    const i = ready >= 0 ? ready : this.standby.length > 0 ? 0 : -1
    let task: HostTask
    if (i >= 0) {
      task = this.standby.splice(i, 1)[0] as HostTask
      task.owner = t
      task.port.postMessage({ t: 'assign', thread: t.name, routes: this.routes, links: this.faults.linkRules() } satisfies ToWorker)
    } else {
      task = this.runTask(t)
    }
    t.task = task
    t.state = task.ready ? 'running' : t.restarts === 0 ? 'starting' : 'restarting'
    const pending = [...t.pending]
    t.pending.clear()
    for (const id of pending) this.spawn(id)
    // Links this thread had before it died: rewire them to the new task.
    for (const [a, b] of this.wanted.values()) if (a === t.name || b === t.name) this.wire(a, b)
    this.replenish()
  }

  private replenish(): void {
    if (this.stopping || this.standbyTimer) return
    const want = this.opts.standbyThreads ?? 1
    if (this.standby.length >= want) return
    // Spread standby starts out so that a host that cannot start does not spin.
    const wait = this.standbyFailures > 0 ? Math.min(5000, 100 * 2 ** this.standbyFailures) : 0
    this.standbyTimer = setTimeout(() => {
      this.standbyTimer = undefined
      if (this.stopping) return
      while (this.standby.length < want) this.standby.push(this.runTask(undefined))
    }, wait)
  }

  private async endTask(task: HostTask): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        task.abort.abort()
        resolve()
      }, 5000)
      task.done = () => {
        clearTimeout(timer)
        resolve()
      }
      task.port.postMessage({ t: 'shutdown' } satisfies ToWorker)
    })
  }

  private taskEnded(task: HostTask, err: unknown): void {
    if (task.ended) return
    task.ended = true
    task.port.close()
    task.done?.()
    const si = this.standby.indexOf(task)
    if (si >= 0) {
      this.standby.splice(si, 1)
      if (!this.stopping) {
        this.standbyFailures++
        this.replenish()
      }
      return
    }
    const t = task.owner
    if (!t || t.task !== task) return
    t.task = undefined
    this.unwire(t.name)
    if (this.stopping) {
      t.state = 'stopped'
      return
    }
    const reason = task.hung ? 'hung' : err instanceof Error ? err.message : 'task ended'
    this.event('warn', 'worker.exited', { thread: t.name, reason })
    t.restarts++
    t.state = 'restarting'
    const victims = this.tree.order.filter((id) => this.routes[id] === t.name)
    this.failMany(victims, task.hung ? 'thread hung' : 'thread exited')
    // A fresh thread only if some of its actors are to run again (the budget may have run out).
    const wanted = victims.some((id) => {
      const a = this.actors.get(id) as ActorRec
      return a.state === 'restarting' || a.state === 'starting'
    })
    if (wanted) this.startThread(t)
    else t.state = 'stopped'
  }

  private checkHeartbeats(): void {
    const now = Date.now()
    const tasks = [...this.standby, ...[...this.threadRecs.values()].flatMap((t) => (t.task ? [t.task] : []))]
    // If this thread itself stalled (GC, a busy machine), heartbeats may be waiting unread on the
    // ports: judge no one this round, and restart the clocks.
    const stalled = this.lastCheck !== 0 && now - this.lastCheck > Math.max(50, this.plan.heartbeatMs * 2)
    this.lastCheck = now
    if (stalled) {
      for (const task of tasks) {
        task.lastHb = Math.max(task.lastHb, now - this.plan.heartbeatMs)
        task.cpuAtSilence = undefined
      }
      return
    }
    const limits = { hangTimeoutMs: this.plan.hangTimeoutMs, startTimeoutMs: this.plan.startTimeoutMs ?? defaultStartTimeoutMs(this.plan.hangTimeoutMs) }
    for (const task of tasks) {
      if (task.hung || task.ended) continue
      // A thread late with two heartbeats: note its CPU time, to tell later whether it was running
      // all along (hung) or waiting for a core (a saturated machine). Only late threads are read.
      let cpuWhileSilentMs: number | undefined
      if (!task.loading && task.tid !== undefined && now - task.lastHb > 2 * this.plan.heartbeatMs) {
        const cpu = threadCpuMs(task.tid)
        if (cpu !== undefined) {
          task.cpuAtSilence ??= cpu
          cpuWhileSilentMs = cpu - task.cpuAtSilence
        }
      }
      const v = judgeLiveness({ loading: task.loading, loadingSince: task.loadingSince, lastSeen: task.lastHb, cpuWhileSilentMs }, now, limits)
      if (!v.hung) continue
      task.hung = true
      const cpu = v.cpuMs === undefined ? {} : { cpuMs: Math.round(v.cpuMs) }
      if (task.owner && task.owner.task === task) {
        task.owner.state = 'hung'
        this.event('error', 'worker.hung', { thread: task.owner.name, silentMs: v.silentMs, phase: v.phase, ...cpu })
      } else {
        this.log.warn({ event: 'worker.standby.hung', silentMs: v.silentMs, phase: v.phase, ...cpu }, 'standby host thread hung')
      }
      task.abort.abort()
    }
  }

  private onTask(task: HostTask, m: FromWorker): void {
    // Any message proves the thread's event loop is turning, not only heartbeats (a heartbeat
    // can sit behind a long queue of batches on the port).
    task.lastHb = Date.now()
    task.cpuAtSilence = undefined
    if (m.t === 'hb') return
    if (m.t === 'exiting') {
      this.taskEnded(task, new Error(`worker exited with code: ${m.code}`))
      return
    }
    if (m.t === 'ready') {
      task.ready = true
      task.loading = false
      task.tid = m.tid
      if (!task.owner) this.standbyFailures = 0
    }
    if (m.t === 'loading') {
      task.loading = m.on
      if (m.on) task.loadingSince = task.lastHb
      return
    }
    const t = task.owner
    if (t && t.task === task) this.onWorker(t, m)
  }

  private onWorker(t: ThreadRec, m: FromWorker): void {
    switch (m.t) {
      case 'ready':
        t.state = 'running'
        break
      case 'hb':
      case 'exiting':
      case 'loading':
        break
      case 'batch':
        if (m.dest !== MAIN) this.relayedBatches++
        this.forward(m.dest, m.buf)
        break
      case 'want':
        this.wantLink(t.name, m.peer)
        break
      case 'linked':
        // In order with the batches this thread relayed to the peer before it (same two ports).
        this.threadRecs.get(m.peer)?.task?.port.postMessage({ t: 'linked', peer: t.name, id: m.id } satisfies ToWorker)
        break
      case 'started':
        this.onStarted(m.id)
        break
      case 'crashed':
        this.failMany([m.id], m.reason)
        break
      case 'stopped':
        break
      case 'report': {
        const a = this.actors.get(m.id)
        if (a) {
          a.report = { ...a.report, ...m.state }
          this.emit('report', m.id, a.report)
        }
        break
      }
      case 'logs':
        for (const r of m.records) this.workerLog(r)
        break
      case 'denied':
        this.aclDenied++
        this.event('warn', 'acl.denied', { from: m.from, to: m.to, type: m.type })
        break
    }
  }

  private forward(dest: string, buf: Uint8Array): void {
    if (dest === MAIN) {
      for (const env of decodeBatch(buf)) this.deliverMain(env)
      return
    }
    const t = this.threadRecs.get(dest)
    if (!t?.task) return // thread down: the messages are lost, as with a dead process
    t.task.port.postMessage({ t: 'batch', buf } satisfies ToWorker, [buf.buffer as ArrayBuffer])
  }

  // ---- direct links ----------------------------------------------------------------------

  /** Direct links between threads' current tasks, for status and tests. */
  links(): Array<{ a: string; b: string; id: number }> {
    return [...this.wires.values()].map((w) => ({ a: w.a.owner?.name ?? '', b: w.b.owner?.name ?? '', id: w.id }))
  }

  private wantLink(from: string, peer: string): void {
    if (from === peer || !this.threadRecs.has(peer) || this.opts.directLinks === false) return
    const key = pairKey(from, peer)
    if (!this.wanted.has(key)) this.wanted.set(key, from < peer ? [from, peer] : [peer, from])
    this.wire(from, peer)
  }

  /** Give the current tasks of threads `a` and `b` a MessagePort pair, unless they have one. */
  private wire(a: string, b: string): void {
    if (this.stopping) return
    const ta = this.threadRecs.get(a)?.task
    const tb = this.threadRecs.get(b)?.task
    if (!ta || !tb || ta.hung || tb.hung || ta.ended || tb.ended) return
    const key = pairKey(a, b)
    const w = this.wires.get(key)
    if (w && ((w.a === ta && w.b === tb) || (w.a === tb && w.b === ta))) return
    const { port1, port2 } = new MessageChannel()
    const id = ++this.linkCounter
    this.wires.set(key, { id, a: ta, b: tb })
    ta.port.postMessage({ t: 'link', peer: b, id, port: port1 } satisfies ToWorker, [port1 as never])
    tb.port.postMessage({ t: 'link', peer: a, id, port: port2 } satisfies ToWorker, [port2 as never])
  }

  /** Thread `name` lost its task: its peers go back to relaying until it is rewired. */
  private unwire(name: string): void {
    for (const [key, w] of this.wires) {
      const other = w.a.owner?.name === name ? w.b : w.b.owner?.name === name ? w.a : undefined
      if (!other) continue
      this.wires.delete(key)
      if (!other.ended) other.port.postMessage({ t: 'unlink', peer: name } satisfies ToWorker)
    }
  }

  private broadcast(m: ToWorker): void {
    for (const t of this.threadRecs.values()) t.task?.port.postMessage(m)
  }

  private postFault(thread: string, fault: WorkerFault): void {
    this.threadRecs.get(thread)?.task?.port.postMessage({ t: 'fault', fault } satisfies ToWorker)
  }

  // ---- actors ---------------------------------------------------------------------------

  private spawn(id: string): void {
    const a = this.actors.get(id)
    if (!a || this.stopping) return
    a.timer = undefined
    a.state = 'starting'
    const t = this.threadRecs.get(a.child.thread)
    if (!t) return
    if (!t.task) {
      t.pending.add(id)
      return
    }
    t.task.port.postMessage({ t: 'spawn', spec: a.child.spec } satisfies ToWorker)
  }

  private onStarted(id: string): void {
    const a = this.actors.get(id)
    if (!a) return
    const now = Date.now()
    a.state = 'running'
    a.startedAt = now
    const thread = a.child.thread
    if (a.downSince !== undefined) {
      this.event('info', 'actor.restarted', { actor: id, thread, downtimeMs: now - a.downSince, restarts: a.restarts })
      a.downSince = undefined
    } else {
      this.event('info', 'actor.started', { actor: id, thread })
    }
    if (this.allStarted()) {
      const ws = this.startWaiters
      this.startWaiters = []
      for (const w of ws) w()
    }
  }

  private allStarted(): boolean {
    for (const a of this.actors.values()) {
      if (a.state === 'starting' || a.state === 'restarting') return false
      if (a.state === 'stopped' && !this.removed.has(a.id)) return false
    }
    return true
  }

  /** Actors that died together (one crash, or every actor of a dead thread). */
  private failMany(ids: string[], reason: string): void {
    const now = Date.now()
    const dead: string[] = []
    for (const id of ids) {
      const a = this.actors.get(id)
      if (!a || (a.state !== 'running' && a.state !== 'starting')) continue
      a.state = 'restarting'
      a.downSince = now
      a.lastCrash = { at: now, reason }
      this.event('error', 'actor.crashed', { actor: id, thread: a.child.thread, reason })
      dead.push(id)
    }
    // One restart decision per supervisor per event: a dead thread counts once, not per actor.
    const decided = new Set<string>()
    for (const id of dead) {
      const sup = this.tree.parentOf.get(id) as string
      if (decided.has(sup)) {
        const s = this.actors.get(id) as ActorRec
        if (s.state === 'restarting' && !s.timer) this.scheduleRestart(id)
        continue
      }
      decided.add(sup)
      this.childFailed(sup, id, reason)
    }
  }

  private childFailed(supId: string, childId: string, reason: string): void {
    const node = this.tree.sups.get(supId)
    if (!node) return
    const now = Date.now()
    const d = decide({
      strategy: node.spec.strategy,
      intensity: node.spec.intensity,
      periodMs: node.spec.periodMs,
      children: this.tree.childrenOf(supId).filter((c) => !this.removed.has(c.id)),
      failed: childId,
      abnormal: true,
      history: node.history,
      now,
    })
    node.history = d.history
    switch (d.action) {
      case 'ignore':
        for (const r of d.remove) this.retire(r)
        for (const id of this.tree.actorsUnder(childId)) this.markStopped(id)
        break
      case 'restart':
        for (const t of d.terminate) for (const id of this.tree.actorsUnder(t)) this.terminate(id, now)
        for (const r of d.remove) this.retire(r)
        for (const r of d.restart) {
          const sub = this.tree.sups.get(r)
          if (sub) for (const s of this.tree.sups.values()) if (s === sub || this.isUnder(s.spec.id, r)) s.history = []
          for (const id of this.tree.actorsUnder(r)) this.scheduleRestart(id)
        }
        break
      case 'escalate': {
        for (const t of d.terminate) for (const id of this.tree.actorsUnder(t)) this.terminate(id, now)
        const parent = node.parent
        this.event('error', 'supervisor.escalated', { supervisor: supId, child: childId, reason, restarts: d.history.length, periodMs: node.spec.periodMs, to: parent ?? null })
        node.history = []
        if (parent !== undefined) this.childFailed(parent, supId, `supervisor ${supId} gave up`)
        else this.giveUp()
        break
      }
    }
  }

  private isUnder(id: string, ancestor: string): boolean {
    let p = this.tree.parentOf.get(id)
    while (p !== undefined) {
      if (p === ancestor) return true
      p = this.tree.parentOf.get(p)
    }
    return false
  }

  /** Take a running sibling down as part of a group restart. */
  private terminate(id: string, now: number): void {
    const a = this.actors.get(id)
    if (!a) return
    if (a.timer) {
      clearTimeout(a.timer)
      a.timer = undefined
    }
    if (a.state === 'running' || a.state === 'starting') {
      this.threadRecs.get(a.child.thread)?.task?.port.postMessage({ t: 'kill', id } satisfies ToWorker)
      a.downSince = now
      this.event('info', 'actor.terminated', { actor: id, thread: a.child.thread })
    }
    a.state = 'restarting'
  }

  private scheduleRestart(id: string): void {
    const a = this.actors.get(id)
    if (!a || this.stopping) return
    const now = Date.now()
    const period = this.tree.sups.get(this.tree.parentOf.get(id) as string)?.spec.periodMs ?? 0
    a.restartTimes = [...a.restartTimes.filter((t) => t > now - period), now]
    a.restarts++
    a.state = 'restarting'
    a.downSince ??= now
    if (a.timer) clearTimeout(a.timer)
    const delay = backoffDelay(a.child.backoff, a.restartTimes.length, Math.random)
    if (delay <= 0) this.spawn(id)
    else a.timer = setTimeout(() => this.spawn(id), delay)
  }

  private retire(childId: string): void {
    this.removed.add(childId)
    for (const id of this.tree.actorsUnder(childId)) this.markStopped(id)
  }

  private markStopped(id: string): void {
    const a = this.actors.get(id)
    if (!a) return
    if (a.timer) clearTimeout(a.timer)
    a.timer = undefined
    a.state = 'stopped'
    this.removed.add(id)
    this.checkStartWaiters()
  }

  private giveUp(): void {
    for (const a of this.actors.values()) {
      if (a.timer) clearTimeout(a.timer)
      a.timer = undefined
      if (a.state === 'running' || a.state === 'starting') {
        this.threadRecs.get(a.child.thread)?.task?.port.postMessage({ t: 'kill', id: a.id } satisfies ToWorker)
      }
      a.state = 'failed'
    }
    this.event('error', 'supervisor.failed', { supervisor: this.tree.rootId })
    this.checkStartWaiters()
  }

  private checkStartWaiters(): void {
    const failed = [...this.actors.values()].some((a) => a.state === 'failed')
    if (failed || this.allStarted()) {
      const ws = this.startWaiters
      this.startWaiters = []
      for (const w of ws) w()
    }
  }

  // ---- the supervisor as an actor --------------------------------------------------------

  private makeCell(): ActorCell {
    const host: CellHost = {
      now: () => Date.now(),
      random: () => Math.random(),
      newId: () => `sup-${(++this.idCounter).toString(36)}`,
      schedule: (ms, fn) => setTimeout(fn, Math.max(0, ms)),
      unschedule: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      route: (env) => {
        const dest = this.routes[env.to]
        if (dest === undefined) return
        this.batcher.push(dest, env)
      },
      denied: () => {},
      crashed: (_id, err) => this.log.error({ err }, 'supervisor actor failed'),
      report: () => {},
    }
    const log = wireLogger((r) => this.workerLog(r), { actor: 'supervisor', role: 'supervisor' }, () => Date.now())
    const cell = new ActorCell({ id: 'supervisor', host, log, io: {} })
    cell.start(() => ({ receive: (msg, meta) => void this.emit('message', msg, meta) }))
    return cell
  }

  private deliverMain(env: Envelope): void {
    if (env.to === 'supervisor') this.cell.deliver(env)
  }

  // ---- logs and events -------------------------------------------------------------------

  private event(level: 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown>): void {
    const time = Date.now()
    this.log[level]({ event, ...fields }, event)
    this.emit('event', { time, event, ...fields } satisfies RuntimeEvent)
  }

  private workerLog(r: WireLog): void {
    const key = JSON.stringify(r.bindings)
    let l = this.actorLogs.get(key)
    if (!l) {
      l = this.log.child(r.bindings)
      this.actorLogs.set(key, l)
    }
    l[r.level]({ ...revive(r.obj), wtime: r.time }, r.msg)
    if (typeof r.obj.event === 'string') this.emit('event', { time: r.time, ...r.bindings, ...r.obj } as RuntimeEvent)
  }
}
