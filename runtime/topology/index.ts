// Topology files: parse (YAML or JSON), validate with paths in every message, fill defaults.
//   loadTopology(path?)  -> the file, or the default HA topology shipped beside this module
//   parseTopology(text, sourceName)
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseDocument } from 'yaml'
import { ConfigError } from '../errors.ts'
import { checkTopology, nodePodCIDR, type ResolvedNode } from './check.ts'
import { formatCidr, parseCidr } from './cidr.ts'
import { issuesToProblems, TopologyError } from './issues.ts'
import { topologySchema, type TopologyDocument } from './schema.ts'
import { parseTokenFile, type StaticToken } from './tokens.ts'

export type { ResolvedNode } from './check.ts'
export type { Fault, FaultKind, TimedFault } from './faults.ts'
export { faultKinds, EVERYONE } from './faults.ts'
export { TopologyError } from './issues.ts'
export { parseDuration, formatDuration } from './duration.ts'
export type { StaticToken } from './tokens.ts'
export { DEFAULT_NETWORK } from './schema.ts'

export interface Topology extends TopologyDocument {
  nodes: TopologyDocument['nodes'] & { count: number }
  /** Every node (explicit ones first, then generated), defaults applied, a /24 podCIDR each. */
  nodeList: ResolvedNode[]
  /** The shard that holds every resource not listed in another shard's `resources`. */
  defaultShard: string
  /** Bearer tokens read from apiservers.tokenFile (by loadTopology). */
  tokens?: StaticToken[]
  /** Allowed but doubtful settings (an even etcd replica count, ...). */
  warnings: string[]
  /** Where it came from: a file path, or '<default>'. */
  source: string
}

export const DEFAULT_TOPOLOGY_PATH = fileURLToPath(new URL('./default.yaml', import.meta.url))

/** Parse and validate a topology document. Throws TopologyError (code CONFIG_INVALID). */
export function parseTopology(text: string, sourceName: string): Topology {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true })
  if (doc.errors.length) {
    const e = doc.errors[0]
    const where = e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : ''
    throw new TopologyError(sourceName, [{ path: '', message: `expected YAML or JSON${where ? ` (${where})` : ''}: ${e.message.split('\n')[0]}` }])
  }
  const raw: unknown = doc.toJS()
  const parsed = topologySchema.safeParse(raw ?? {}, { reportInput: true })
  if (!parsed.success) throw new TopologyError(sourceName, issuesToProblems(topologySchema, parsed.error.issues))
  const d = parsed.data
  const c = checkTopology(d)
  if (c.problems.length) throw new TopologyError(sourceName, c.problems)
  return {
    ...d,
    nodes: { ...d.nodes, count: d.nodes.count ?? (d.nodes.list.length ? 0 : 3) },
    nodeList: c.nodeList,
    defaultShard: c.defaultShard,
    warnings: c.warnings,
    source: sourceName,
  }
}

/** Read a topology file (or the default HA topology when `path` is undefined). */
export async function loadTopology(path?: string): Promise<Topology> {
  const file = path ?? DEFAULT_TOPOLOGY_PATH
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new ConfigError('', `cannot read topology file ${file}: ${code === 'ENOENT' ? 'no such file' : code ?? String(err)}`)
  }
  const t = parseTopology(text, path ?? '<default>')
  if (t.apiservers.tokenFile) {
    const tokenPath = resolve(dirname(file), t.apiservers.tokenFile)
    let tokens: string
    try {
      tokens = await readFile(tokenPath, 'utf8')
    } catch {
      throw new TopologyError(t.source, [{ path: 'apiservers.tokenFile', message: `expected a readable token file, got "${tokenPath}"` }])
    }
    t.tokens = parseTokenFile(tokens, (line, message) => {
      throw new TopologyError(t.source, [{ path: 'apiservers.tokenFile', message: `${tokenPath} line ${line}: ${message}` }])
    })
  }
  return t
}

/** The same topology on other pod and service ranges: each node's /24 is taken again, in order. */
export function withNetwork(t: Topology, net: { podCIDR: string; serviceCIDR: string }): Topology {
  const pod = parseCidr(net.podCIDR)
  if (!pod || !parseCidr(net.serviceCIDR)) throw new ConfigError('network', `expected IPv4 CIDRs, got "${net.podCIDR}" and "${net.serviceCIDR}"`)
  return {
    ...t,
    network: { ...t.network, podCIDR: formatCidr(pod), serviceCIDR: net.serviceCIDR },
    nodeList: t.nodeList.map((n, i) => ({ ...n, podCIDR: nodePodCIDR(pod, i) })),
  }
}
