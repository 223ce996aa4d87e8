// GET /apis/metrics.k8s.io/v1beta1/{nodes,pods}: NodeMetrics and PodMetrics from each kubelet's
// latest usage sample, as metrics-server serves them to `kubectl top`. Asked for on each request
// and never stored; a kubelet that does not answer in time is left out, as metrics-server leaves
// out a node it cannot scrape.
import type { Ctx, Message } from '../../../runtime/actor.ts'
import type { ApiReply } from '../../../protocols/api.ts'
import type { KList, KObject, Status } from '../../../protocols/k8s.ts'
import type { KubeletStatsReply } from '../../../protocols/node.ts'
import { timestamp } from '../objects.ts'
import type { ApiServerCore } from '../types.ts'
import type { Planned } from './request.ts'
import { METRICS_GROUP } from './kinds.ts'

const API_VERSION = `${METRICS_GROUP}/v1beta1`

type MetricsPlan = Extract<Planned, { type: 'metrics' }>

function notFound(kind: string, name: string): ApiReply {
  const body: Status = { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404, message: `${kind}.${METRICS_GROUP} "${name}" not found`, details: { name, group: METRICS_GROUP, kind } }
  return { type: 'api.reply', code: 404, body }
}

/** Go's duration format for the sample window: "10s", "1.5s". */
function window(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`
}

function usage(cpuMilli: number, memoryBytes: number): { cpu: string; memory: string } {
  return { cpu: `${Math.max(0, Math.round(cpuMilli * 1e6))}n`, memory: `${Math.max(0, Math.round(memoryBytes / 1024))}Ki` }
}

async function list(core: ApiServerCore, resource: 'nodes' | 'pods', plan: MetricsPlan): Promise<KObject[] | ApiReply> {
  const r = await core.handle({
    type: 'api.list', group: '', version: 'v1', resource, resourceVersion: '0',
    ...(plan.namespace !== undefined && resource === 'pods' ? { namespace: plan.namespace } : {}),
    ...(plan.labelSelector ? { labelSelector: plan.labelSelector } : {}),
  })
  if (r.code !== 200) return r
  const items = (r.body as unknown as KList<KObject>).items
  return plan.name === undefined ? items : items.filter((o) => o.metadata.name === plan.name)
}

async function scrape(ctx: Ctx, nodes: string[], timeoutMs: number): Promise<Map<string, KubeletStatsReply>> {
  const out = new Map<string, KubeletStatsReply>()
  await Promise.all(nodes.map(async (node) => {
    try {
      const r = await ctx.ask<Message>(`kubelet@${node}`, { type: 'kubelet.stats' }, { timeoutMs })
      if (r.type === 'kubelet.stats.reply') out.set(node, r as unknown as KubeletStatsReply)
    } catch {
      // Unreachable or too slow: no metrics for this node now.
    }
  }))
  return out
}

export async function metricsReply(ctx: Ctx, core: ApiServerCore, plan: MetricsPlan, timeoutMs: number): Promise<ApiReply> {
  const kind = plan.resource === 'nodes' ? 'NodeMetrics' : 'PodMetrics'
  const objects = await list(core, plan.resource, plan)
  if (!Array.isArray(objects)) return objects
  const nodes = plan.resource === 'nodes'
    ? objects.map((n) => n.metadata.name ?? '')
    : [...new Set(objects.map((p) => (p.spec as { nodeName?: string } | undefined)?.nodeName).filter((n): n is string => !!n))]
  const stats = await scrape(ctx, nodes, timeoutMs)
  const items: KObject[] = []
  if (plan.resource === 'nodes') {
    for (const n of objects) {
      const s = stats.get(n.metadata.name ?? '')
      if (!s) continue
      items.push({
        kind, apiVersion: API_VERSION,
        metadata: { name: n.metadata.name, creationTimestamp: timestamp(s.timestamp), ...(n.metadata.labels ? { labels: n.metadata.labels } : {}) },
        timestamp: timestamp(s.timestamp), window: window(s.windowMs), usage: usage(s.usage.cpuMilli, s.usage.memoryBytes),
      } as KObject)
    }
  } else {
    for (const p of objects) {
      const node = (p.spec as { nodeName?: string } | undefined)?.nodeName
      const s = node ? stats.get(node) : undefined
      const sample = s?.pods.find((x) => x.namespace === (p.metadata.namespace ?? 'default') && x.name === p.metadata.name)
      if (!s || !sample) continue
      items.push({
        kind, apiVersion: API_VERSION,
        metadata: { name: p.metadata.name, namespace: p.metadata.namespace, creationTimestamp: timestamp(s.timestamp), ...(p.metadata.labels ? { labels: p.metadata.labels } : {}) },
        timestamp: timestamp(s.timestamp), window: window(s.windowMs),
        containers: sample.containers.map((c) => ({ name: c.name, usage: usage(c.cpuMilli, c.memoryBytes) })),
      } as KObject)
    }
  }
  if (plan.name !== undefined) return items[0] ? { type: 'api.reply', code: 200, body: items[0] } : notFound(plan.resource, plan.name)
  return { type: 'api.reply', code: 200, body: { kind: `${kind}List`, apiVersion: API_VERSION, metadata: {}, items } as unknown as KObject }
}
