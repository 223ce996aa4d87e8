// kubelet@<node>: registers the Node, renews its Lease, reports node status, and runs the pods
// bound to its node through a pod worker each, on the sim or process runtime.
import type { ActorFactory, Behaviour, Ctx, Message, MsgMeta } from '../../runtime/actor.ts'
import type { KubeletArgs } from '../args.ts'
import type { Node, Pod, Status } from '../../protocols/k8s.ts'
import type { KubeletLogs, KubeletStatsReply } from '../../protocols/node.ts'
import { R } from '../../protocols/resources.ts'
import { createApiClient } from '../client/api-client.ts'
import { isApiError } from '../client/errors.ts'
import { EventRecorder } from '../client/event-recorder.ts'
import { Informer } from '../client/informer.ts'
import { WorkQueue } from '../client/workqueue.ts'
import { CrashBackoff } from './backoff.ts'
import type { Clock } from './clock.ts'
import type { ContainerRuntime } from './cri.ts'
import { IpAllocator } from './ip-alloc.ts'
import { podLogs } from './logs.ts'
import { nodeLease, nodeObject, nodeStatus, nodeStatusChanged } from './node-object.ts'
import { PodWorker, type WorkerEnv } from './pod-worker.ts'
import { ProcessRuntime } from './process-runtime.ts'
import { runtimeFor, type RuntimeName } from './runtime-select.ts'
import { SimRuntime } from './sim-runtime.ts'

interface KubeletTimer extends Message {
  type: 'kubelet.timer'
  id: number
}

const RETRY_MS = 1000
const MAX_RETRY_MS = 30_000
/** kubelet's default nodeStatusReportFrequency. */
const DEFAULT_NODE_STATUS_REPORT_MS = 300_000
/** Periods are stretched by up to this fraction at random (client-go's wait.Jitter). */
const JITTER = 0.1
const DELETE_PREFIX = 'delete:'

const readiness = (s: Pod['status'] | undefined): string => `${s?.phase ?? ''}/${s?.conditions?.find((c) => c.type === 'Ready')?.status ?? ''}`

export class Kubelet implements Behaviour {
  readonly client
  private readonly recorder
  private readonly pods
  private readonly node: Informer<Node>
  private readonly queue
  readonly clock: Clock
  private readonly timers = new Map<number, () => void>()
  private timerSeq = 0
  readonly ipam: IpAllocator
  readonly hostIP: string
  readonly runtimes = new Map<RuntimeName, ContainerRuntime>()
  /** pod uid -> worker */
  readonly workers = new Map<string, PodWorker>()
  private readonly lastWritten = new Map<string, string>()
  /** Phase and Ready of the status last written, per pod uid (see reconcilePodStatuses). */
  private readonly writtenReadiness = new Map<string, string>()
  private readonly backoff: CrashBackoff
  private nodeUid?: string
  private stopped = false
  private usage = { cpuMilli: 0, memoryBytes: 0 }

  constructor(private readonly ctx: Ctx, private readonly args: KubeletArgs) {
    const name = args.node.name
    this.client = createApiClient(ctx, { apiservers: args.apiservers })
    this.recorder = new EventRecorder(ctx, this.client, { component: 'kubelet', host: name })
    this.pods = new Informer<Pod>(ctx, this.client, R.pods, { fieldSelector: `spec.nodeName=${name}`, firstListFromCache: true })
    // Its own Node, as the API holds it: the node lifecycle controller may have changed its
    // conditions (Ready Unknown), which the next status update must put right.
    this.node = new Informer<Node>(ctx, this.client, R.nodes, { fieldSelector: `metadata.name=${name}`, firstListFromCache: true })
    this.queue = new WorkQueue(ctx, { name: `kubelet-${name}` })
    this.clock = {
      now: () => ctx.now(),
      schedule: (ms, fn) => {
        const id = ++this.timerSeq
        this.timers.set(id, fn)
        const tick: KubeletTimer = { type: 'kubelet.timer', id }
        const t = ctx.after(ms, tick)
        return () => {
          if (this.timers.delete(id)) ctx.cancel(t)
        }
      },
    }
    this.ipam = new IpAllocator(args.node.podCIDR)
    this.hostIP = this.ipam.gateway()
    this.backoff = new CrashBackoff(args.crashLoopBackoff)
    this.runtimes.set('sim', new SimRuntime(this.clock))
    if (ctx.io.proc) this.runtimes.set('process', new ProcessRuntime(ctx.io.proc, ctx.io.tcp, this.clock))
    for (const rt of this.runtimes.values()) rt.onContainerExit((id) => this.containerExited(id))
    this.pods.addHandler({
      onAdd: (p) => this.podChanged(p),
      onUpdate: (_o, p) => this.podChanged(p),
      onDelete: (p) => this.podRemoved(p),
    })
  }

  start(): void {
    this.ctx.report({ ready: false, info: { node: this.args.node.name } })
    // A small random delay spreads the registration of many kubelets started at once.
    this.clock.schedule(Math.round(RETRY_MS * this.ctx.random()), () => void this.register())
    this.pods.start()
    this.node.start()
    this.queue.run(4, (key) => this.reconcile(key))
  }

  receive(msg: Message, meta: MsgMeta): void {
    if (this.client.handle(msg, meta)) return
    switch (msg.type) {
      case 'kubelet.timer': {
        const id = (msg as KubeletTimer).id
        const fn = this.timers.get(id)
        if (fn) {
          this.timers.delete(id)
          fn()
        }
        return
      }
      case 'kubelet.logs':
        this.serveLogs(msg as KubeletLogs, meta)
        return
      case 'kubelet.stats':
        void this.serveStats(meta)
        return
      default:
        this.ctx.log.debug({ type: msg.type, from: meta.from }, 'kubelet ignored message')
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.pods.stop()
    this.node.stop()
    this.queue.shutDown()
    for (const rt of this.runtimes.values()) await rt.close()
  }

  // --- node registration, lease, status -----------------------------------------------------

  private async register(): Promise<void> {
    const name = this.args.node.name
    const now = this.ctx.now()
    try {
      const created = await this.client.create<Node>(R.nodes, undefined, nodeObject(this.args.node, this.hostIP, now))
      this.nodeUid = created.metadata.uid
      // The Node was registered with its status (as the kubelet's initialNode): nothing to write
      // until it changes.
      if (created.status) this.reported = { status: created.status, at: now }
      this.ctx.log.info({ node: name }, 'node registered')
    } catch (err) {
      if (isApiError(err, 'API_ALREADY_EXISTS') || isApiError(err, 'API_CONFLICT')) {
        const existing = await this.client.get<Node>(R.nodes, undefined, name).catch(() => undefined)
        this.nodeUid = existing?.metadata.uid
        this.ctx.log.info({ node: name }, 'node already registered')
      } else {
        this.ctx.log.warn({ err, node: name }, 'node registration failed')
        this.registerAttempts++
        const delay = Math.min(MAX_RETRY_MS, RETRY_MS * 2 ** Math.min(this.registerAttempts, 5))
        this.clock.schedule(this.jitter(delay), () => void this.register())
        return
      }
    }
    await this.updateNodeStatus()
    this.ctx.report({ ready: true, info: { node: name, hostIP: this.hostIP, podCIDR: this.args.node.podCIDR } })
    void this.renewLease()
    this.statusLoop()
  }

  /** `ms` stretched by up to JITTER, so thousands of kubelets do not write in lockstep. */
  private jitter(ms: number): number {
    return Math.round(ms * (1 + JITTER * this.ctx.random()))
  }

  private registerAttempts = 0

  private statusLoop(): void {
    if (this.stopped) return
    this.clock.schedule(this.jitter(this.args.nodeStatusUpdateMs), () => {
      void this.updateNodeStatus().finally(() => this.statusLoop())
      void this.measureUsage()
      this.reconcilePodStatuses()
    })
  }

  /**
   * Pods whose status the API holds differently from what this kubelet last wrote (the node
   * lifecycle controller marks them not Ready when the node goes Unknown, say) are written
   * again, as the kubelet's status manager reconciles in its periodic sync.
   */
  private reconcilePodStatuses(): void {
    for (const w of this.workers.values()) {
      const written = this.writtenReadiness.get(w.uid)
      if (w.done || written === undefined) continue
      const held = this.pods.get(w.pod.metadata.namespace, w.pod.metadata.name ?? '')
      if (!held || held.metadata.uid !== w.uid) continue
      if (readiness(held.status) === written) continue
      this.lastWritten.delete(w.uid)
      this.queue.add(w.uid)
    }
  }

  /** The status last written, and when. */
  private reported?: { status: NonNullable<Node['status']>; at: number }

  /**
   * Write the node status if it differs from what the API holds (or, before the node informer
   * has synced, from what was last written), or if nodeStatusReportMs passed since the last
   * write (kubelet's rule).
   */
  private async updateNodeStatus(): Promise<void> {
    const now = this.ctx.now()
    const held = this.node.hasSynced() ? this.node.get(undefined, this.args.node.name)?.status : undefined
    const r = this.reported
    const status = nodeStatus(this.args.node, this.hostIP, now, held?.conditions ?? r?.status.conditions)
    if (r && now - r.at < (this.args.nodeStatusReportMs ?? DEFAULT_NODE_STATUS_REPORT_MS) && !nodeStatusChanged(held ?? r.status, status)) return
    try {
      await this.client.patch(R.nodes, undefined, this.args.node.name, 'merge', { status }, { subresource: 'status' })
      this.reported = { status, at: now }
    } catch (err) {
      this.ctx.log.warn({ err }, 'node status update failed')
    }
  }

  /** Whether this kubelet has seen its Lease exist (created it, or renewed it). */
  private leaseExists = false

  private async renewLease(): Promise<void> {
    if (this.stopped) return
    const { name } = this.args.node
    const lease = nodeLease(name, this.nodeUid, this.args.nodeLeaseDurationMs, this.ctx.now())
    // The first time, create it (a node that registered anew has none); later, or when it
    // exists already (a restarted kubelet), renew it; a Lease deleted meanwhile is created again.
    const create = async () => {
      await this.client.create(R.leases, 'kube-node-lease', lease)
      this.leaseExists = true
    }
    const renew = async () => {
      await this.client.patch(R.leases, 'kube-node-lease', name, 'merge', { spec: lease.spec })
      this.leaseExists = true
    }
    try {
      if (this.leaseExists) await renew().catch((err: unknown) => isApiError(err, 'API_NOT_FOUND') ? create() : Promise.reject(err))
      else await create().catch((err: unknown) => isApiError(err, 'API_ALREADY_EXISTS') ? renew() : Promise.reject(err))
    } catch (err) {
      this.ctx.log.warn({ err }, 'node lease renew failed')
    }
    this.clock.schedule(this.jitter(this.args.nodeLeaseRenewMs), () => void this.renewLease())
  }

  /** The last sample of every running container's usage, served to the API's metrics. */
  private stats?: KubeletStatsReply

  private async measureUsage(): Promise<KubeletStatsReply> {
    let cpuMilli = 0
    let memoryBytes = 0
    let running = 0
    const pods: KubeletStatsReply['pods'] = []
    for (const w of this.workers.values()) {
      const rt = this.runtimeOf(w)
      const containers: KubeletStatsReply['pods'][number]['containers'] = []
      for (const r of w.app) {
        if (r.state !== 'running' || !r.id || !rt) continue
        running++
        const u = await rt.usage(r.id)
        cpuMilli += u.cpuMilli
        memoryBytes += u.memoryBytes
        containers.push({ name: r.spec.name, cpuMilli: u.cpuMilli, memoryBytes: u.memoryBytes })
      }
      if (containers.length > 0) pods.push({ namespace: w.pod.metadata.namespace ?? 'default', name: w.pod.metadata.name ?? '', containers })
    }
    this.usage = { cpuMilli, memoryBytes }
    const now = this.clock.now()
    const windowMs = this.stats ? Math.max(1, now - this.stats.timestamp) : this.args.nodeStatusUpdateMs
    this.stats = { type: 'kubelet.stats.reply', node: this.args.node.name, timestamp: now, windowMs, usage: this.usage, pods }
    this.ctx.report({ info: { node: this.args.node.name, pods: this.workers.size, runningContainers: running, usage: this.usage } })
    return this.stats
  }

  private async serveStats(meta: MsgMeta): Promise<void> {
    this.ctx.reply(meta, (this.stats ?? (await this.measureUsage())) as unknown as Message)
  }

  // --- pods ---------------------------------------------------------------------------------

  private readonly workerRuntime = new Map<string, RuntimeName>()

  private runtimeOf(w: PodWorker): ContainerRuntime | undefined {
    const n = this.workerRuntime.get(w.uid)
    return n ? this.runtimes.get(n) : undefined
  }

  private podChanged(pod: Pod): void {
    const uid = pod.metadata.uid ?? ''
    const w = this.workers.get(uid)
    if (w) {
      w.update(pod)
      return
    }
    const phase = pod.status?.phase
    if (phase === 'Succeeded' || phase === 'Failed') {
      // Finished before this kubelet (re)started: nothing to run; confirm a pending deletion.
      if (pod.metadata.deletionTimestamp) void this.confirmDeletion(pod)
      return
    }
    if (pod.metadata.deletionTimestamp && !pod.status?.podIP) {
      void this.confirmDeletion(pod)
      return
    }
    const choice = runtimeFor(pod, this.args.node.runtime, new Set(this.runtimes.keys()))
    if (choice.fallback) {
      this.ctx.log.warn({ pod: pod.metadata.name, asked: choice.fallback, runtime: choice.runtime }, 'runtime class unavailable')
      this.recorder.event(asPod(pod), 'Warning', 'RuntimeClassUnavailable', `runtime "${choice.fallback}" is not available on node ${this.args.node.name}; using "${choice.runtime}"`)
    }
    const runtime = this.runtimes.get(choice.runtime)!
    const nw = new PodWorker(pod, this.workerEnv(runtime))
    this.workers.set(uid, nw)
    this.workerRuntime.set(uid, choice.runtime)
    nw.update(pod)
  }

  private podRemoved(pod: Pod): void {
    const w = this.workers.get(pod.metadata.uid ?? '')
    if (w) w.forceTerminate()
  }

  private containerExited(id: string): void {
    for (const w of this.workers.values()) {
      if (w.app.some((r) => r.id === id) || w.init.some((r) => r.id === id)) {
        w.containerExited(id)
        return
      }
    }
  }

  private workerEnv(runtime: ContainerRuntime): WorkerEnv {
    return {
      runtime,
      clock: this.clock,
      nodeName: this.args.node.name,
      hostIP: this.hostIP,
      allocateIP: (o, prefer) => this.ipam.allocate(o, prefer),
      releaseIP: (o) => this.ipam.release(o),
      backoff: this.backoff,
      event: (pod, type, reason, message) => this.recorder.event(asPod(pod), type, reason, message),
      statusChanged: (w) => this.queue.add(w.uid),
      terminated: (w) => this.queue.add(DELETE_PREFIX + w.uid),
      log: this.ctx.log,
      envSources: { get: (resource, ns, name) => this.client.get(resource === 'configmaps' ? R.configmaps : R.secrets, ns, name) },
      allocatable: { cpu: this.args.node.capacity.cpu, memory: this.args.node.capacity.memory },
    }
  }

  private async reconcile(key: string): Promise<void> {
    if (key.startsWith(DELETE_PREFIX)) {
      const uid = key.slice(DELETE_PREFIX.length)
      const w = this.workers.get(uid)
      if (!w) return
      await this.writeStatus(w).catch(() => {})
      await this.confirmDeletion(w.pod)
      this.workers.delete(uid)
      this.workerRuntime.delete(uid)
      this.lastWritten.delete(uid)
      this.writtenReadiness.delete(uid)
      return
    }
    const w = this.workers.get(key)
    if (!w || w.done) return
    await this.writeStatus(w)
  }

  private async writeStatus(w: PodWorker): Promise<void> {
    const status = w.status()
    const text = JSON.stringify(status)
    if (this.lastWritten.get(w.uid) === text) return
    const { namespace, name } = w.pod.metadata
    try {
      await this.client.patch(R.pods, namespace, name ?? '', 'merge', { status }, { subresource: 'status' })
      this.lastWritten.set(w.uid, text)
      this.writtenReadiness.set(w.uid, readiness(status))
    } catch (err) {
      if (isApiError(err, 'API_NOT_FOUND')) return
      throw err
    }
  }

  private async confirmDeletion(pod: Pod): Promise<void> {
    const { namespace, name, uid } = pod.metadata
    await this.client.delete(R.pods, namespace, name ?? '', { gracePeriodSeconds: 0, ...(uid ? { preconditions: { uid } } : {}) }).catch((err: unknown) => {
      if (!isApiError(err, 'API_CONFLICT')) throw err
    })
  }

  private serveLogs(req: KubeletLogs, meta: MsgMeta): void {
    const w = [...this.workers.values()].find((x) => x.pod.metadata.name === req.pod && (x.pod.metadata.namespace ?? 'default') === req.namespace)
    const ans = podLogs(req, w, w ? this.runtimeOf(w) : undefined)
    if (ans.ok) {
      this.ctx.reply(meta, { type: 'kubelet.logs.reply', lines: ans.lines } as Message)
      return
    }
    const body: Status = { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', reason: ans.reason, message: ans.message, code: ans.code }
    this.ctx.reply(meta, { type: 'api.reply', code: ans.code, body } as Message)
  }
}

function asPod(pod: Pod): Pod {
  return { ...pod, apiVersion: pod.apiVersion ?? 'v1', kind: pod.kind ?? 'Pod' }
}

export const create: ActorFactory<KubeletArgs> = (ctx, args) => new Kubelet(ctx, args)
