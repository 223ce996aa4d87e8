// actorkube up: topology -> plan -> supervisor, then the control endpoint, the apiserver load
// balancer and the kubeconfig; progress while components start; a clean stop on Ctrl-C/SIGTERM.
// The pieces it starts are reached through UpDeps so the wiring is testable with fakes.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Logger } from 'pino'
import type { ClusterPlan } from '../plan.ts'
import type { Fault, FaultResult } from '../faults/types.ts'
import type { ActorStatus, RuntimeEvent } from '../host/status.ts'
import { startControl, type Controllable } from '../host/control.ts'
import { startLoadBalancer } from '../lb/index.ts'
import { writeKubeconfig } from '../kubeconfig.ts'
import { DEFAULT_NETWORK, loadTopology, type Topology } from '../topology/index.ts'
import { claimTopologyNetwork, type Network, type NetworkClaim } from '../host/net-claim.ts'
import { processAlive } from '../pid.ts'
import { apiserverEndpoints, buildPlan, formatPlanSummary, planChildren, summarizePlan, type ApiserverEndpoint } from '../../actors/plan.ts'
import type { DashboardArgs } from '../../actors/args.ts'
import { DATA_DIR, parse } from './args.ts'
import { CONTROL_FILE, type ControlInfo } from './control-client.ts'
import { UsageError } from './errors.ts'
import type { CliIo } from './io.ts'
import { clusterLogger } from './logger.ts'
import { LOG_FILE } from './logs.ts'
import { attachHaLog } from '../lab/ha-log.ts'

export const UP_OPTIONS = { ...DATA_DIR, json: { type: 'boolean' as const } }

export interface SupervisorLike {
  start(): Promise<void>
  stop(): Promise<void>
  status(): ActorStatus[]
  inject(f: Fault): FaultResult
  on(event: 'event', fn: (rec: RuntimeEvent) => void): unknown
  on(event: 'report', fn: (id: string, report: ActorStatus['report']) => void): unknown
}

export interface Closable {
  url: string
  close(): Promise<void>
}

export interface BalancerLike extends Closable {
  /** Replace the instances behind it (apiservers that got a port, restarted, ...). */
  setBackends(backends: ApiserverEndpoint[]): void
}

/** The parts `up` starts; the defaults load runtime/host, runtime/lb and runtime/kubeconfig. */
export interface UpDeps {
  createSupervisor(plan: ClusterPlan, opts: { registry: string; logger: Logger }): Promise<SupervisorLike>
  /** The loopback control endpoint (GET /status, POST/DELETE /faults, GET /events). */
  startControl?(sup: SupervisorLike, opts: { host: string; dataDir: string; logger: Logger }): Promise<Closable>
  /** The apiserver load balancer in front of the instances. */
  startLoadBalancer?(opts: { host: string; port: number; backends: ApiserverEndpoint[]; logger: Logger }): Promise<BalancerLike>
  /** Claim pod and service ranges no other cluster on this machine holds (runtime/host/net-claim.ts);
   *  `network` is a resumed data dir's earlier ranges, required as they are. */
  claimNetwork?(topology: Topology, opts: { network?: Network }): Promise<{ topology: Topology; claim: NetworkClaim }>
  /** Write <dataDir>/kubeconfig pointing at the load balancer. */
  writeKubeconfig?(dataDir: string, opts: { host: string; port: number; token?: string }): Promise<{ path: string; exportLine: string }>
}

const REGISTRY = new URL('../../actors/registry.ts', import.meta.url).href

/** The ranges a durable data dir's cluster was started on, so a resumed one keeps its pod IPs and ClusterIPs. */
export const NETWORK_FILE = 'network.json'

async function earlierNetwork(dataDir: string): Promise<Network | undefined> {
  try {
    const n = JSON.parse(await readFile(join(dataDir, NETWORK_FILE), 'utf8')) as Partial<Network>
    return typeof n.podCIDR === 'string' && typeof n.serviceCIDR === 'string' ? { podCIDR: n.podCIDR, serviceCIDR: n.serviceCIDR } : undefined
  } catch {
    return undefined
  }
}

export function defaultDeps(): UpDeps {
  return {
    claimNetwork: (t, opts) => claimTopologyNetwork(t, opts),
    createSupervisor: async (plan, opts) => {
      const { Supervisor } = await import('../host/supervisor.ts')
      return new Supervisor(plan, { ...opts, io: true }) as unknown as SupervisorLike
    },
    startControl: (sup, o) => startControl(sup as unknown as Controllable, { dataDir: o.dataDir, host: o.host }),
    startLoadBalancer: async (o) => {
      const lb = await startLoadBalancer({ host: o.host, port: o.port, backends: o.backends, log: o.logger })
      return { url: `http://${lb.host}:${lb.port}`, setBackends: (b) => lb.setBackends(b), close: () => lb.close() }
    },
    writeKubeconfig,
  }
}

/** Apiserver listeners with the ports they actually got (reported as info.port once listening). */
export function liveApiserverEndpoints(plan: ClusterPlan, status: ActorStatus[]): ApiserverEndpoint[] {
  const byId = new Map(status.map((s) => [s.id, s]))
  return apiserverEndpoints(plan).flatMap((e) => {
    const s = byId.get(e.id)
    if (s && s.state !== 'running') return []
    const reported = s?.report.info?.port ?? s?.report.info?.httpPort
    const port = typeof reported === 'number' ? reported : e.port
    return port > 0 ? [{ ...e, port }] : []
  })
}

/** Replace the partition placeholder '*' with every actor of the plan not on the other side. */
export function expandFault(f: Fault, plan: ClusterPlan): Fault {
  if (f.kind !== 'partition' || !f.b.includes('*')) return f
  const all = planChildren(plan).map((c) => c.spec.id)
  return { ...f, b: all.filter((id) => !f.a.includes(id)) }
}

async function refuseIfRunning(dataDir: string): Promise<void> {
  let info: ControlInfo
  try {
    info = JSON.parse(await readFile(join(dataDir, CONTROL_FILE), 'utf8')) as ControlInfo
  } catch {
    return
  }
  if (typeof info.pid !== 'number' || !processAlive(info.pid)) return
  if (info.pid !== process.pid) throw new UsageError(`a cluster is already running in ${dataDir} (process ${info.pid}); stop it first or pass another --data-dir`)
}

export async function upCommand(args: string[], io: CliIo, deps?: UpDeps): Promise<number> {
  const { values, positionals } = parse('up', args, UP_OPTIONS)
  if (positionals.length > 1) throw new UsageError(`"actorkube up" takes one topology file, got ${positionals.join(' ')}`)
  let topology: Topology = await loadTopology(positionals[0] ? resolve(io.cwd, positionals[0]) : undefined)
  const dataDirArg = typeof values['data-dir'] === 'string' ? values['data-dir'] : io.env.ACTORKUBE_DATA_DIR || undefined
  const dataDir = resolve(io.cwd, dataDirArg ?? topology.storage.dataDir)
  const json = values.json === true
  const say = (line: string) => (json ? io.err(line + '\n') : io.out(line + '\n'))
  for (const w of topology.warnings) say(`warning: ${w}`)
  await refuseIfRunning(dataDir)
  await mkdir(dataDir, { recursive: true })

  const d = deps ?? defaultDeps()
  let releaseNetwork = async () => {}
  if (d.claimNetwork) {
    const durable = topology.storage.mode === 'disk'
    // Ranges the topology names win; on the default ones a data dir keeps what it was started on.
    const onDefaults = topology.network.podCIDR === DEFAULT_NETWORK.podCIDR && topology.network.serviceCIDR === DEFAULT_NETWORK.serviceCIDR
    const earlier = durable && onDefaults ? await earlierNetwork(dataDir) : undefined
    const got = await d.claimNetwork(topology, { network: earlier })
    topology = got.topology
    releaseNetwork = () => got.claim.release()
    if (durable) await writeFile(join(dataDir, NETWORK_FILE), JSON.stringify({ podCIDR: got.claim.podCIDR, serviceCIDR: got.claim.serviceCIDR }) + '\n')
    if (got.claim.moved) say(`network: the default ranges are in use by another cluster on this machine; pods on ${got.claim.podCIDR}, services on ${got.claim.serviceCIDR}`)
  }
  const logs = clusterLogger(join(dataDir, LOG_FILE), { json, colorize: io.tty, write: (text) => io.out(text) })
  const log = logs.logger
  const plan = buildPlan(topology, { dataDir })
  const summary = summarizePlan(plan)
  say(`actorkube: starting ${topology.metadata.name} from ${topology.source}: ${formatPlanSummary(summary)}`)
  say(`data dir ${dataDir}`)

  const sup = await d.createSupervisor(plan, { registry: REGISTRY, logger: log })
  attachHaLog(sup, log)
  let started = 0
  const ready = new Set<string>()
  sup.on('event', (rec) => {
    if (rec.event === 'actor.started') say(`  [${++started}/${summary.actors}] ${String(rec.actor)} started on thread ${String(rec.thread)}`)
  })
  sup.on('report', (id, report) => {
    if (report.ready && !ready.has(id)) {
      ready.add(id)
      say(`  ${id} ready (${ready.size}/${summary.actors})`)
    }
  })

  const closers: Array<() => Promise<void>> = []
  const timers: Array<ReturnType<typeof setTimeout>> = []
  const stop = async () => {
    say('actorkube: stopping')
    for (const t of timers) clearTimeout(t)
    for (const c of closers.reverse()) await c().catch((err: Error) => log.warn({ err: err.message }, 'stop step failed'))
    await rm(join(dataDir, CONTROL_FILE), { force: true })
    await releaseNetwork()
    await logs.close()
    say('actorkube: stopped')
  }
  const stopped = new Promise<void>((res) => {
    if (io.signal?.aborted) res()
    io.signal?.addEventListener('abort', () => res(), { once: true })
  })

  try {
    closers.push(() => sup.stop())
    // The control endpoint comes first, so `actorkube status` works while components start and
    // the dashboard can be given its URL.
    if (d.startControl) {
      const control = await d.startControl(sup, { host: '127.0.0.1', dataDir, logger: log })
      closers.push(() => control.close())
      await writeFile(join(dataDir, CONTROL_FILE), JSON.stringify({ url: control.url, pid: process.pid }) + '\n')
      say(`control endpoint ${control.url} (actorkube status | chaos | logs --follow)`)
      for (const c of planChildren(plan)) if (c.spec.kind === 'dashboard') (c.spec.args as DashboardArgs).controlUrl = control.url
    } else say('control endpoint: not available in this build (status and chaos need it)')

    await Promise.race([sup.start(), stopped])
    if (io.signal?.aborted) {
      await stop()
      return 130
    }

    if (d.startLoadBalancer && apiserverEndpoints(plan).length) {
      const lb = await d.startLoadBalancer({
        host: topology.apiservers.http.host,
        port: topology.apiservers.http.port,
        backends: liveApiserverEndpoints(plan, sup.status()),
        logger: log,
      })
      closers.push(() => lb.close())
      // Instances on port 0 join once they report the port they got; restarts change it again.
      let known = JSON.stringify(liveApiserverEndpoints(plan, sup.status()))
      const refresh = () => {
        const now = liveApiserverEndpoints(plan, sup.status())
        const key = JSON.stringify(now)
        if (key !== known) {
          known = key
          lb.setBackends(now)
        }
      }
      sup.on('report', refresh)
      sup.on('event', refresh)
      say(`Kubernetes API ${lb.url} (load-balanced over ${topology.apiservers.count} apiservers)`)
      if (d.writeKubeconfig) {
        const port = Number(new URL(lb.url).port)
        const kc = await d.writeKubeconfig(dataDir, { host: topology.apiservers.http.host, port, token: topology.tokens?.[0]?.token })
        say(kc.exportLine)
      }
    } else say('Kubernetes API: load balancer not available in this build')

    for (const tf of topology.faults) {
      timers.push(setTimeout(() => {
        try {
          sup.inject(expandFault(tf.fault, plan))
        } catch (err) {
          log.warn({ event: 'fault.rejected', fault: tf.fault, err: (err as Error).message }, 'fault.rejected')
        }
      }, tf.atMs))
    }
    say('actorkube: running; Ctrl-C to stop')
    await stopped
  } catch (err) {
    await stop()
    throw err
  }
  await stop()
  return 0
}
