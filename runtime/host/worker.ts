// The worker host: one long-running piscina task per thread, hosting many ActorCells.
// Envelopes leave in batches packed per destination thread, over a direct link to the
// destination thread once the supervisor has wired one, through the main thread until then.
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ActorFactory, ActorSpec, Behaviour, Disk } from '../actor.ts'
import { ActorCell, type CellHost, type Envelope } from '../cell.ts'
import type { Io } from '../io/index.ts'
import { Batcher } from '../transport/batcher.ts'
import { decodeBatch } from '../transport/codec.ts'
import { Mesh, type LinkPort } from '../transport/mesh.ts'
import { judge } from '../faults/links.ts'
import { FaultyDisk } from '../faults/faulty-disk.ts'
import type { LinkRule } from '../faults/types.ts'
import { MemDisk } from '../sim/mem-disk.ts'
import type { FromWorker, ToWorker, WireLog, WorkerFault, WorkerInit } from './protocol.ts'
import { actorBindings } from './bindings.ts'
import { LogDamper, plain, wireLogger } from './wire-log.ts'
import { currentTid } from './thread-cpu.ts'

interface Hosted {
  spec: ActorSpec
  cell: ActorCell | undefined
  /** Envelopes that arrived while the behaviour was loading, or while paused. */
  held: Envelope[] | undefined
  paused: boolean
  skewMs: number
  disk?: FaultyDisk
}

type Registry = Record<string, () => Promise<ActorFactory<any>>>

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

const CRASH = 'runtime.fault.crash'
const MAIN = 'main'

class InjectedCrash extends Error {
  readonly code = 'FAULT_CRASH'
  constructor() {
    super('injected crash')
    this.name = 'InjectedCrash'
  }
}

/** The behaviour, plus: the supervisor's crash fault throws inside receive. */
function crashable(b: Behaviour): Behaviour {
  const receive = b.receive.bind(b)
  b.receive = (msg, meta) => {
    if (msg.type === CRASH && meta.from === 'supervisor') throw new InjectedCrash()
    return receive(msg, meta)
  }
  return b
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err)
}

/** The longest run of deliveries before the thread turns its event loop. */
const SLICE_MS = 20

/** `bundled`: the registry, when it is bundled with this host (runtime/host/bundle.ts). */
export default async function hostThread(init: WorkerInit, bundled?: Registry): Promise<{ thread: string }> {
  const { port } = init
  // A standby host has no thread name until the supervisor assigns it one (fast thread restarts).
  let thread = init.thread
  const post = (m: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer ?? [])
  const spec = init.registry.startsWith('file:') ? init.registry : pathToFileURL(init.registry).href
  const registry = bundled ?? ((await import(spec)) as { actorKinds: Registry }).actorKinds
  const factories = new Map<string, ActorFactory<any>>()
  const actors = new Map<string, Hosted>()
  const memDisks = new Map<string, MemDisk>()
  let routes = new Map(Object.entries(init.routes))
  let links: LinkRule[] = init.links
  let io: Io = {}
  if (init.io) io = await (await import('../io/node-io.ts')).nodeIoFull()
  let idCounter = 0
  const idPrefix = `w${Math.floor(Math.random() * 2 ** 32).toString(36)}`

  // Logs: batched to the main thread, which owns the one log file.
  let logBuf: WireLog[] = []
  let logScheduled = false
  const flushLogs = () => {
    logScheduled = false
    if (logBuf.length === 0) return
    const records = logBuf
    logBuf = []
    post({ t: 'logs', records })
  }
  const push = (r: WireLog) => {
    logBuf.push(r)
    if (!logScheduled) {
      logScheduled = true
      setTimeout(flushLogs, 5)
    }
  }
  const damper = new LogDamper()
  let damperTimer: ReturnType<typeof setTimeout> | undefined
  const logSink = (r: WireLog) => {
    if (damper.admit(r, Date.now())) return push(r)
    // The first record held back this window: its summary goes out when the window ends.
    damperTimer ??= setTimeout(() => {
      damperTimer = undefined
      for (const s of damper.take(Date.now())) push(s)
    }, damper.windowMs)
  }
  const hostLog = wireLogger(logSink, { role: 'host' }, () => Date.now(), init.logLevel)

  const deliverLocal = (env: Envelope) => {
    const h = actors.get(env.to)
    if (!h) return
    if (h.held) {
      h.held.push(env)
      return
    }
    h.cell?.deliver(env)
  }

  // Deliveries run in slices of at most SLICE_MS, in arrival order: the rest of a long batch (and
  // whatever arrives meanwhile) waits for the next turn of the event loop, so the work a batch
  // causes (replies resolving asks run right after their slice) never keeps timers, heartbeats
  // included, waiting for seconds on a busy thread.
  const inbox: Envelope[][] = []
  let inboxAt = 0
  let running = false
  let scheduled = false
  const drain = () => {
    scheduled = false
    running = true
    try {
      const until = performance.now() + SLICE_MS
      let n = 0
      while (inbox.length > 0) {
        const envs = inbox[0] as Envelope[]
        if (inboxAt >= envs.length) {
          inbox.shift()
          inboxAt = 0
          continue
        }
        deliverLocal(envs[inboxAt++] as Envelope)
        if (++n % 16 === 0 && performance.now() > until) break
      }
    } finally {
      running = false
    }
    if (inbox.length > 0 && !scheduled) {
      scheduled = true
      setImmediate(drain)
    }
  }
  // A batch that arrives during a slice (sent to this thread itself) joins the queue.
  const deliverBatch = (buf: Uint8Array) => {
    inbox.push(decodeBatch(buf))
    if (!running && !scheduled) drain()
  }

  const mesh = new Mesh({
    direct: init.direct,
    receive: (buf) => {
      deliverBatch(buf)
      // A long run of batches can keep the heartbeat timer from firing: beat from here too.
      beat()
    },
    relay: (dest, buf, count) => post({ t: 'batch', dest, buf, count }, [buf.buffer as ArrayBuffer]),
    want: (peer) => post({ t: 'want', peer }),
    marker: (peer, id) => post({ t: 'linked', peer, id }),
  })

  const batcher = new Batcher({
    schedule: (fn) => setImmediate(fn),
    sink: (dest, buf, count) => {
      if (dest === thread) deliverBatch(buf)
      else if (dest === MAIN) post({ t: 'batch', dest, buf, count }, [buf.buffer as ArrayBuffer])
      else mesh.send(dest, buf, count)
    },
  })

  const enqueue = (env: Envelope) => {
    const dest = routes.get(env.to)
    if (dest === undefined) {
      hostLog.debug({ from: env.from, to: env.to, type: env.msg.type }, 'message to unknown actor dropped')
      return
    }
    batcher.push(dest, env)
  }

  const host: CellHost = {
    now: (self) => Date.now() + (actors.get(self)?.skewMs ?? 0),
    random: () => Math.random(),
    newId: () => `${idPrefix}-${(++idCounter).toString(36)}`,
    schedule: (ms, fn) => setTimeout(fn, Math.max(0, ms)),
    unschedule: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    route: (env) => {
      const v = judge(links, env.from, env.to, Math.random)
      for (const d of v.copies) {
        if (d <= 0) enqueue(env)
        else setTimeout(() => enqueue(env), d)
      }
    },
    denied: (from, to, type) => post({ t: 'denied', from, to, type }),
    crashed: (id, err) => post({ t: 'crashed', id, reason: reasonOf(err) }),
    report: (id, state) => post({ t: 'report', id, state: plain(state) }),
  }

  // Importing a module for the first time can keep this thread from answering heartbeats for a
  // long while (tsx compiles it under load): the supervisor is told, and waits longer meanwhile.
  let loadingCount = 0
  const loadingModules = async <T>(load: () => Promise<T>): Promise<T> => {
    if (loadingCount++ === 0) post({ t: 'loading', on: true })
    try {
      return await load()
    } finally {
      if (--loadingCount === 0) post({ t: 'loading', on: false })
    }
  }

  type NodeDiskModule = { NodeDisk: new (dir: string, o: { fsync: boolean }) => Disk }
  let nodeDisk: Promise<NodeDiskModule> | undefined
  const diskFor = async (s: ActorSpec): Promise<FaultyDisk | undefined> => {
    if (s.storage !== 'disk') return undefined
    let inner: Disk
    try {
      nodeDisk ??= loadingModules(() => import('../disk/node-disk.ts' as string) as Promise<NodeDiskModule>)
      const mod = await nodeDisk
      inner = new mod.NodeDisk(join(init.dataDir, s.id), { fsync: init.fsync })
    } catch {
      let m = memDisks.get(s.id)
      if (!m) memDisks.set(s.id, (m = new MemDisk()))
      inner = m
    }
    return new FaultyDisk(inner, sleep)
  }

  const spawn = async (s: ActorSpec) => {
    actors.get(s.id)?.cell?.kill()
    const h: Hosted = { spec: s, cell: undefined, held: [], paused: false, skewMs: 0 }
    actors.set(s.id, h)
    try {
      let f = factories.get(s.kind)
      if (!f) {
        const load = registry[s.kind]
        if (!load) throw new Error(`unknown actor kind ${s.kind}`)
        f = await loadingModules(load)
        factories.set(s.kind, f)
      }
      h.disk = await diskFor(s)
      if (actors.get(s.id) !== h) return // replaced or killed while loading
      const log = wireLogger(logSink, { ...actorBindings(s.id), thread }, () => Date.now(), init.logLevel)
      const cell = new ActorCell({ id: s.id, host, log, io, disk: h.disk })
      h.cell = cell
      const factory = f
      cell.start((ctx) => crashable(factory(ctx, s.args)))
      if (!cell.isAlive) return // threw in its factory or start hook: crash already reported
      post({ t: 'started', id: s.id })
      const held = h.held ?? []
      h.held = h.paused ? held : undefined
      if (!h.paused) for (const env of held) cell.deliver(env)
    } catch (err) {
      post({ t: 'crashed', id: s.id, reason: reasonOf(err) })
    }
  }

  const fault = (f: WorkerFault) => {
    switch (f.f) {
      case 'crash': {
        // Throw inside the actor's receive: the cell turns it into a crash like any other.
        actors.get(f.id)?.cell?.deliver({ from: 'supervisor', to: f.id, msg: { type: CRASH } })
        break
      }
      case 'exit':
        flushLogs()
        process.exit(1)
        break
      case 'hang': {
        const end = f.ms === undefined ? Infinity : Date.now() + f.ms
        while (Date.now() < end) {
          // busy: the thread stops answering, heartbeats included
        }
        break
      }
      case 'pause': {
        const h = actors.get(f.id)
        if (h) {
          h.paused = true
          h.held ??= []
        }
        break
      }
      case 'resume': {
        const h = actors.get(f.id)
        if (h) {
          h.paused = false
          const held = h.held ?? []
          h.held = undefined
          for (const env of held) h.cell?.deliver(env)
        }
        break
      }
      case 'skew': {
        const h = actors.get(f.id)
        if (h) h.skewMs = f.ms
        break
      }
      case 'disk-slow': {
        const d = actors.get(f.id)?.disk
        if (d) d.slowMs = f.ms
        break
      }
      case 'disk-fail': {
        const d = actors.get(f.id)?.disk
        if (d) d.failing = true
        break
      }
      case 'disk-heal': {
        const d = actors.get(f.id)?.disk
        if (d) {
          d.failing = false
          d.slowMs = 0
        }
        break
      }
    }
  }

  let lastBeat = 0
  function beat(force = false): void {
    const now = Date.now()
    if (!force && now - lastBeat < init.heartbeatMs / 2) return
    lastBeat = now
    post({ t: 'hb', at: now })
  }

  let finish: () => void = () => {}
  const done = new Promise<void>((r) => (finish = r))

  const shutdown = async () => {
    for (const h of [...actors.values()].reverse()) {
      try {
        await h.cell?.stop()
      } catch {
        h.cell?.kill()
      }
    }
    batcher.flush()
    mesh.close()
    flushLogs()
    finish()
  }

  port.on('message', (m: ToWorker) => {
    switch (m.t) {
      case 'batch':
        deliverBatch(m.buf)
        // A long run of batches can keep the heartbeat timer from firing: beat from here too.
        beat()
        break
      case 'link':
        mesh.link(m.peer, m.id, m.port as unknown as LinkPort)
        break
      case 'linked':
        mesh.opened(m.peer, m.id)
        break
      case 'unlink':
        mesh.unlink(m.peer)
        break
      case 'spawn':
        void spawn(m.spec)
        break
      case 'kill': {
        actors.get(m.id)?.cell?.kill()
        actors.delete(m.id)
        break
      }
      case 'stop': {
        const h = actors.get(m.id)
        actors.delete(m.id)
        void (async () => {
          try {
            await h?.cell?.stop()
          } catch (err) {
            hostLog.warn({ actor: m.id, err }, 'stop hook failed')
          }
          post({ t: 'stopped', id: m.id })
        })()
        break
      }
      case 'routes':
        routes = new Map(routes)
        for (const [k, v] of Object.entries(m.set)) routes.set(k, v)
        for (const k of m.del ?? []) routes.delete(k)
        break
      case 'links':
        links = m.rules
        break
      case 'fault':
        fault(m.fault)
        break
      case 'shutdown':
        void shutdown()
        break
      case 'assign':
        thread = m.thread
        routes = new Map(Object.entries(m.routes))
        links = m.links
        break
    }
  })

  // A thread that exits says so first: the supervisor restarts its actors without waiting for
  // the thread's teardown.
  const onExit = (code: number) => post({ t: 'exiting', code })
  process.on('exit', onExit)
  const hb = setInterval(() => beat(true), init.heartbeatMs)
  const tid = currentTid()
  post(tid === undefined ? { t: 'ready' } : { t: 'ready', tid })
  await done
  clearInterval(hb)
  process.off('exit', onExit)
  port.close()
  return { thread }
}
