// Pod and service ranges are real loopback addresses: process-runtime pods listen on their pod IP
// and kube-proxy listens on every ClusterIP:port. Two clusters on one machine on the same ranges
// would answer each other's traffic, so each running cluster claims its ranges in a directory
// every actorkube process on the machine sees (<tmpdir>/actorkube-net): one small file per claim,
// named after the process that holds it. Claims of processes that are gone are removed when
// found. A topology on the default ranges moves to the next free pair (127.245.0.0/16 with
// 127.97.0.0/16, then 127.246/127.98, ...); ranges a topology names otherwise are required as
// they are, and so are ranges passed with `require` (a resumed cluster's earlier ones).
import { randomUUID } from 'node:crypto'
import { chmod, mkdir, open, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError } from '../errors.ts'
import { processAlive } from '../pid.ts'
import { formatCidr, overlaps, parseCidr, type Cidr } from '../topology/cidr.ts'
import { DEFAULT_NETWORK, withNetwork, type Topology } from '../topology/index.ts'

export interface Network {
  podCIDR: string
  serviceCIDR: string
}

export interface NetworkClaim extends Network {
  /** True when the default ranges were held by another cluster and a later pair was taken. */
  moved: boolean
  /** Give the ranges back (idempotent). */
  release(): Promise<void>
}

export interface ClaimOptions {
  /** Where claims live; default <tmpdir>/actorkube-net (ACTORKUBE_NET_DIR overrides). */
  dir?: string
  /** Use these ranges exactly, even when they are the defaults. */
  require?: boolean
  /** Written into the claim for people reading the directory. */
  cluster?: string
  pid?: number
  alive?: (pid: number) => boolean
  /** How long to wait for another process's claim in progress; default 5 s. */
  lockWaitMs?: number
}

/** How many /16 pairs past the defaults a cluster on the default ranges may move to. */
export const NETWORK_MOVES = 11
const LOCK = '.lock'
const PREFIX = 'claim-'

export function defaultClaimDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ACTORKUBE_NET_DIR || join(tmpdir(), 'actorkube-net')
}

interface Held extends Network {
  pid: number
  file: string
  cluster?: string
}

/** The i-th pair: the default ranges with their second octet moved by i. */
function shifted(cidr: string, i: number): string {
  const c = parseCidr(cidr) as Cidr
  return formatCidr({ base: (c.base + i * 0x10000) >>> 0, prefix: c.prefix })
}

function candidates(net: Network, require: boolean): Network[] {
  const podMoves = !require && net.podCIDR === DEFAULT_NETWORK.podCIDR
  const svcMoves = !require && net.serviceCIDR === DEFAULT_NETWORK.serviceCIDR
  if (!podMoves && !svcMoves) return [net]
  const out: Network[] = []
  for (let i = 0; i <= NETWORK_MOVES; i++) {
    const c = { podCIDR: podMoves ? shifted(net.podCIDR, i) : net.podCIDR, serviceCIDR: svcMoves ? shifted(net.serviceCIDR, i) : net.serviceCIDR }
    if (!overlaps(parseCidr(c.podCIDR) as Cidr, parseCidr(c.serviceCIDR) as Cidr)) out.push(c)
  }
  return out
}

function clash(want: Network, held: Held[]): { field: 'network.podCIDR' | 'network.serviceCIDR'; range: string; by: Held } | undefined {
  for (const h of held) {
    for (const theirs of [h.podCIDR, h.serviceCIDR]) {
      const t = parseCidr(theirs)
      if (!t) continue
      if (overlaps(parseCidr(want.podCIDR) as Cidr, t)) return { field: 'network.podCIDR', range: want.podCIDR, by: h }
      if (overlaps(parseCidr(want.serviceCIDR) as Cidr, t)) return { field: 'network.serviceCIDR', range: want.serviceCIDR, by: h }
    }
  }
  return undefined
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Take the claim directory's lock for one read-decide-write step. */
async function lock(dir: string, pid: number, alive: (pid: number) => boolean, waitMs: number): Promise<() => Promise<void>> {
  const path = join(dir, LOCK)
  const until = Date.now() + waitMs
  for (;;) {
    try {
      const fh = await open(path, 'wx')
      await fh.writeFile(String(pid))
      await fh.close()
      return () => rm(path, { force: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim())
    // An empty file is a lock being written; a dead owner's lock is left over from a crash.
    if (owner > 0 && !alive(owner)) {
      await rm(path, { force: true })
      continue
    }
    if (Date.now() >= until) throw new ConfigError('network', `cannot claim pod and service ranges: ${path} is held by process ${owner || '(unknown)'} for more than ${waitMs} ms`)
    await sleep(10)
  }
}

async function readHeld(dir: string, alive: (pid: number) => boolean): Promise<Held[]> {
  const held: Held[] = []
  for (const name of await readdir(dir)) {
    if (!name.startsWith(PREFIX)) continue
    const file = join(dir, name)
    const pid = Number(name.slice(PREFIX.length).split('-')[0])
    if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) {
      await rm(file, { force: true })
      continue
    }
    try {
      const c = JSON.parse(await readFile(file, 'utf8')) as Partial<Held>
      if (typeof c.podCIDR === 'string' && typeof c.serviceCIDR === 'string') held.push({ pid, file, podCIDR: c.podCIDR, serviceCIDR: c.serviceCIDR, cluster: c.cluster })
    } catch {
      // Written under the lock, so a file that does not parse was not written by actorkube.
    }
  }
  return held
}

function describe(h: Held): string {
  return `process ${h.pid}${h.cluster ? `, cluster ${h.cluster}` : ''}, pods ${h.podCIDR}, services ${h.serviceCIDR}`
}

/** Claim pod and service ranges no other running cluster on this machine holds. */
export async function claimNetwork(net: Network, opts: ClaimOptions = {}): Promise<NetworkClaim> {
  for (const [field, v] of [['network.podCIDR', net.podCIDR], ['network.serviceCIDR', net.serviceCIDR]] as const) {
    if (!parseCidr(v)) throw new ConfigError(field, `expected an IPv4 CIDR such as ${DEFAULT_NETWORK[field === 'network.podCIDR' ? 'podCIDR' : 'serviceCIDR']}, got "${v}"`)
  }
  const dir = opts.dir ?? defaultClaimDir()
  const pid = opts.pid ?? process.pid
  const alive = opts.alive ?? processAlive
  const created = await mkdir(dir, { recursive: true })
  // Clusters of every user share the loopback, so the directory is shared like /tmp itself.
  if (created !== undefined) await chmod(dir, 0o1777).catch(() => {})
  const unlock = await lock(dir, pid, alive, opts.lockWaitMs ?? 5000)
  try {
    const held = await readHeld(dir, alive)
    const options = candidates(net, opts.require === true)
    let first: ReturnType<typeof clash>
    for (const want of options) {
      const c = clash(want, held)
      first ??= c
      if (c) continue
      const file = join(dir, `${PREFIX}${pid}-${randomUUID().slice(0, 8)}.json`)
      await writeFile(file, JSON.stringify({ pid, cluster: opts.cluster, ...want, since: new Date().toISOString() }) + '\n')
      let released = false
      return {
        ...want,
        moved: want.podCIDR !== net.podCIDR || want.serviceCIDR !== net.serviceCIDR,
        release: async () => {
          if (released) return
          released = true
          await rm(file, { force: true })
        },
      }
    }
    const c = first as NonNullable<typeof first>
    if (options.length === 1) {
      throw new ConfigError(c.field, `${c.range} is in use by another cluster on this machine (${describe(c.by)}); stop it or choose another range`)
    }
    throw new ConfigError('network', `no free pod and service ranges: the default ones and the next ${options.length - 1} are in use by other clusters on this machine (${[...new Set(held.map(describe))].join('; ')})`)
  } finally {
    await unlock()
  }
}

/** Claim ranges for a topology (or for `network`, a resumed cluster's earlier ranges, required as
 *  they are) and give back the topology on the ranges it got. */
export async function claimTopologyNetwork(t: Topology, opts: ClaimOptions & { network?: Network } = {}): Promise<{ topology: Topology; claim: NetworkClaim }> {
  const want = opts.network ?? t.network
  const claim = await claimNetwork(want, { cluster: t.metadata.name, ...opts, require: opts.require ?? opts.network !== undefined })
  const same = claim.podCIDR === t.network.podCIDR && claim.serviceCIDR === t.network.serviceCIDR
  return { topology: same ? t : withNetwork(t, claim), claim }
}
