// The benchmark driver: an API client actor on a thread of its own, reaching the apiservers over
// the in-cluster MessagePack protocol exactly as the scheduler and kubelets do (no HTTP, no JSON).
// It creates load on command from the benchmark script and watches, through informers, for the
// moment each object reaches its goal (bound, Running, replicated). Timestamps are ctx.now().
import type { ActorFactory, Behaviour, Ctx, Message, MsgMeta } from '../../../runtime/actor.ts'
import { errorCode } from '../../../runtime/errors.ts'
import type { KObject, Node, Pod } from '../../../protocols/k8s.ts'
import { R } from '../../../protocols/resources.ts'
import { createApiClient } from '../../../actors/client/api-client.ts'
import { Informer } from '../../../actors/client/informer.ts'
import type { ApiClient } from '../../../actors/client/types.ts'
import type { ActCmd, BurstCmd, ChurnCmd, DriverCmd, DriverReply, NodesCmd, NodesReadyCmd, PodTemplate, WritesCmd } from './protocol.ts'

export interface DriverArgs {
  apiservers: string[]
  /** Per-request timeout: long, so that a loaded apiserver is measured rather than failed over. */
  requestTimeoutMs: number
}

const READY = (n: Node) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true

function podBody(name: string, t: PodTemplate, labels: Record<string, string> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { bench: 'cluster', ...labels }, ...(t.annotations ? { annotations: t.annotations } : {}) },
    spec: {
      ...(t.nodeName ? { nodeName: t.nodeName } : {}),
      ...(t.schedulerName ? { schedulerName: t.schedulerName } : {}),
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'app', image: 'nginx', ...(t.requests ? { resources: { requests: t.requests } } : {}) }],
    },
  }
}

function nodeBody(name: string, capacity: Record<string, string>): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', bench: 'cluster' } },
    spec: {},
    status: {
      capacity: { ...capacity },
      allocatable: { ...capacity },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'registered by the benchmark (no kubelet)' }],
      addresses: [{ type: 'Hostname', address: name }],
    },
  }
}

/** Run fn(0..n-1) with at most `inflight` calls pending. */
async function pool(n: number, inflight: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: Math.max(1, Math.min(inflight, n)) }, async () => {
    while (next < n) await fn(next++)
  }))
}

/**
 * Pods of one namespace followed by an informer: `goal` names the key an object counts for once
 * it qualifies (its own name, or its owner's); the first time a key qualifies is recorded.
 */
class Tracker {
  readonly sent = new Map<string, number>()
  readonly reached = new Map<string, number>()
  private readonly informer: Informer<Pod>
  private waiters: Array<() => void> = []
  onReached: (key: string, pod: Pod) => void = () => {}

  constructor(private readonly ctx: Ctx, client: ApiClient, private readonly namespace: string, private readonly goal: (p: Pod) => string | undefined) {
    this.informer = new Informer<Pod>(ctx, client, R.pods, { namespace })
    const see = (p: Pod) => this.see(p)
    this.informer.addHandler({ onAdd: see, onUpdate: (_o, p) => see(p) })
  }

  async start(): Promise<void> {
    this.informer.start()
    await this.informer.waitForSync()
  }

  stop(): void {
    this.informer.stop()
  }

  expect(key: string): void {
    this.sent.set(key, this.ctx.now())
  }

  forget(key: string): void {
    this.sent.delete(key)
  }

  private see(p: Pod): void {
    const key = this.goal(p)
    if (key === undefined || this.reached.has(key) || !this.sent.has(key)) return
    this.reached.set(key, this.ctx.now())
    this.onReached(key, p)
    if (this.reached.size >= this.sent.size) for (const w of this.waiters.splice(0)) w()
  }

  /** Progress for the benchmark script: objects expected and reached so far. */
  report(what: string): void {
    this.ctx.report({ info: { progress: `${what}: ${this.reached.size}/${this.sent.size} reached` } })
  }

  /** Until every expected key is reached, or the deadline; true if all were. */
  async all(deadline: number): Promise<boolean> {
    while (this.reached.size < this.sent.size && this.ctx.now() < deadline) {
      this.report('waiting')
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), this.ctx.sleep(Math.max(1, Math.min(1000, deadline - this.ctx.now())))])
    }
    return this.reached.size >= this.sent.size
  }

  latencies(): number[] {
    return [...this.reached].map(([k, at]) => at - (this.sent.get(k) ?? at))
  }

  /** A sample of keys not reached, with what the informer last saw of each. */
  missing(n = 5): string[] {
    const keys = [...this.sent.keys()].filter((k) => !this.reached.has(k))
    const seen = keys.slice(0, n).map((k) => {
      const p = this.informer.get(this.namespace, k)
      return p ? `${k} (node ${p.spec.nodeName ?? 'none'}, ${p.status?.phase ?? 'no phase'})` : `${k} (not seen)`
    })
    return keys.length > n ? [...seen, `and ${keys.length - n} more`] : seen
  }
}

const bound = (p: Pod) => (p.spec.nodeName ? p.metadata.name : undefined)
const running = (p: Pod) => (p.status?.phase === 'Running' && !p.metadata.deletionTimestamp ? p.metadata.name : undefined)

export const create: ActorFactory<DriverArgs> = (ctx: Ctx, args: DriverArgs): Behaviour => {
  // One client per apiserver, each preferring a different instance: load is spread over all.
  const clients = args.apiservers.map((_, i) =>
    createApiClient(ctx, { apiservers: [...args.apiservers.slice(i), ...args.apiservers.slice(0, i)], requestTimeoutMs: args.requestTimeoutMs }))
  const client = (i: number) => clients[i % clients.length] as ApiClient
  const errors = new Map<string, number>()
  const fail = (e: unknown) => {
    const k = errorCode(e) ?? (e instanceof Error ? e.message : String(e))
    errors.set(k, (errors.get(k) ?? 0) + 1)
  }
  const takeErrors = (): Record<string, number> => {
    const out = Object.fromEntries(errors)
    errors.clear()
    return out
  }
  const reply = (r: Omit<DriverReply, 'type' | 'errors'>): DriverReply => ({ type: 'bench.reply', ...r, errors: takeErrors() })

  async function namespace(name: string): Promise<DriverReply> {
    try {
      await client(0).create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } })
    } catch (e) {
      if (errorCode(e) !== 'API_ALREADY_EXISTS') throw e
    }
    return reply({ ok: true })
  }

  async function nodes(m: NodesCmd): Promise<DriverReply> {
    const startedAt = ctx.now()
    let made = 0
    await pool(m.count, m.inflight, async (i) => {
      try {
        await client(i).create(R.nodes, undefined, nodeBody(`${m.prefix}${i}`, m.capacity))
        made++
      } catch (e) {
        fail(e)
      }
    })
    return reply({ ok: made === m.count, startedAt, doneAt: ctx.now(), done: made })
  }

  async function nodesReady(m: NodesReadyCmd): Promise<DriverReply> {
    const inf = new Informer<Node>(ctx, client(0), R.nodes, {})
    const ready = new Set<string>()
    let doneAt = 0
    const see = (n: Node) => {
      if (READY(n)) ready.add(n.metadata.name ?? '')
      else ready.delete(n.metadata.name ?? '')
      if (ready.size >= m.count && doneAt === 0) doneAt = ctx.now()
    }
    inf.addHandler({ onAdd: see, onUpdate: (_o, n) => see(n), onDelete: (n) => ready.delete(n.metadata.name ?? '') })
    inf.start()
    const deadline = ctx.now() + m.timeoutMs
    while (doneAt === 0 && ctx.now() < deadline) await ctx.sleep(50)
    inf.stop()
    return reply({ ok: doneAt > 0, doneAt: doneAt || undefined, done: ready.size })
  }

  async function burst(m: BurstCmd): Promise<DriverReply> {
    const tr = new Tracker(ctx, client(0), m.namespace, m.until === 'bound' ? bound : running)
    if (m.until !== 'created') await tr.start()
    const createLatencies: number[] = []
    let createdAt = 0
    const startedAt = ctx.now()
    await pool(m.count, m.inflight, async (i) => {
      const name = `${m.prefix}${i}`
      const t = m.nodes ? { ...m.template, nodeName: m.nodes[i % m.nodes.length] } : m.template
      tr.expect(name)
      const sent = ctx.now()
      try {
        await client(i).create(R.pods, m.namespace, podBody(name, t))
        createdAt = ctx.now()
        createLatencies.push(createdAt - sent)
      } catch (e) {
        fail(e)
        tr.forget(name)
      }
    })
    if (m.until === 'created') return reply({ ok: createLatencies.length === m.count, startedAt, createdAt, doneAt: createdAt, done: createLatencies.length, createLatencies })
    const ok = await tr.all(startedAt + m.timeoutMs)
    tr.stop()
    const doneAt = Math.max(0, ...tr.reached.values())
    return reply({ ok, startedAt, createdAt, doneAt, done: tr.reached.size, latencies: tr.latencies(), createLatencies, stuck: tr.missing() })
  }

  async function churn(m: ChurnCmd): Promise<DriverReply> {
    const tr = new Tracker(ctx, client(0), m.namespace, running)
    const deletions: Array<Promise<void>> = []
    let deleted = 0
    tr.onReached = (name) => {
      deletions.push(ctx.sleep(m.deleteAfterMs).then(async () => {
        try {
          await client(deleted++).delete(R.pods, m.namespace, name)
        } catch (e) {
          fail(e)
        }
      }))
    }
    await tr.start()
    const total = Math.round(m.rate * m.seconds)
    const creates: Array<Promise<void>> = []
    const createLatencies: number[] = []
    const startedAt = ctx.now()
    let made = 0
    while (made < total) {
      const due = Math.min(total, Math.floor(((ctx.now() - startedAt) / 1000) * m.rate) + 1)
      for (; made < due; made++) {
        const name = `${m.prefix}${made}`
        const i = made
        tr.expect(name)
        const sent = ctx.now()
        creates.push(client(i).create(R.pods, m.namespace, podBody(name, m.template)).then(
          () => void createLatencies.push(ctx.now() - sent),
          (e: unknown) => {
            fail(e)
            tr.forget(name)
          },
        ))
      }
      await ctx.sleep(Math.max(1, Math.min(10, Math.floor(1000 / m.rate))))
    }
    const createdAt = ctx.now()
    await Promise.all(creates)
    const ok = await tr.all(startedAt + m.timeoutMs)
    const doneAt = Math.max(0, ...tr.reached.values())
    await Promise.all(deletions)
    tr.stop()
    return reply({ ok, startedAt, createdAt, doneAt, done: tr.reached.size, latencies: tr.latencies(), createLatencies, stuck: tr.missing() })
  }

  async function act(m: ActCmd): Promise<DriverReply> {
    const owner = (p: Pod) => p.metadata.ownerReferences?.find((o) => o.controller)?.name
    const tr = new Tracker(ctx, client(0), m.namespace, m.what === 'bind' ? bound : owner)
    await tr.start()
    const startedAt = ctx.now()
    tr.expect(m.name)
    let createdAt: number
    try {
      if (m.what === 'bind') {
        await client(0).create(R.pods, m.namespace, podBody(m.name, {}))
      } else {
        const labels = { app: m.name }
        const rs: KObject = {
          apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: m.name, labels },
          spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels: { ...labels, bench: 'cluster' } }, spec: podBody('', {}).spec } },
        }
        await client(0).create(R.replicasets, m.namespace, rs)
      }
      createdAt = ctx.now()
    } catch (e) {
      fail(e)
      tr.stop()
      return reply({ ok: false, startedAt })
    }
    const ok = await tr.all(startedAt + m.timeoutMs)
    tr.stop()
    return reply({ ok, startedAt, createdAt, doneAt: tr.reached.get(m.name), done: tr.reached.size })
  }

  async function writes(m: WritesCmd): Promise<DriverReply> {
    const out: Array<[string, number, number]> = []
    for (let k = 0; k < m.count; k++) {
      const name = `${m.prefix}${k}`
      const sent = ctx.now()
      try {
        await client(k).create(R.pods, m.namespace, podBody(name, m.template))
        out.push([name, sent, ctx.now()])
      } catch (e) {
        fail(e)
      }
      await ctx.sleep(m.gapMs)
    }
    return reply({ ok: out.length === m.count, writes: out })
  }

  const run = (m: DriverCmd): Promise<DriverReply> => {
    switch (m.type) {
      case 'bench.namespace': return namespace(m.name)
      case 'bench.nodes': return nodes(m)
      case 'bench.nodes-ready': return nodesReady(m)
      case 'bench.burst': return burst(m)
      case 'bench.churn': return churn(m)
      case 'bench.act': return act(m)
      case 'bench.writes': return writes(m)
    }
  }

  return {
    start() {
      ctx.report({ ready: true })
    },
    receive(msg: Message, meta: MsgMeta) {
      for (const c of clients) if (c.handle(msg, meta)) return
      if (!msg.type.startsWith('bench.')) return
      void run(msg as DriverCmd).then(
        (r) => ctx.reply(meta, r),
        (e: unknown) => {
          const r: DriverReply = { type: 'bench.reply', ok: false, error: e instanceof Error ? `${errorCode(e) ?? e.name}: ${e.message}` : String(e), errors: takeErrors() }
          ctx.reply(meta, r)
        },
      )
    },
  }
}
