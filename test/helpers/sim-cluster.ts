// The whole-cluster simulation lives in runtime/lab/sim-cluster.ts (the scenario runner uses it);
// tests import it from here as before.
export { planChildSpecs, startSimCluster, type SimCluster } from '../../runtime/lab/sim-cluster.ts'

import type { Message, MsgMeta } from '../../runtime/actor.ts'
import type { Simulation } from '../../runtime/sim/simulator.ts'
import { createApiClient } from '../../actors/client/api-client.ts'
import type { ApiClient } from '../../actors/client/types.ts'
import { Informer, type InformerOptions } from '../../actors/client/informer.ts'
import type { ResourceRef } from '../../protocols/api.ts'
import type { KObject } from '../../protocols/k8s.ts'

/** A test actor holding an API client (watch events are routed to it). */
export interface TestActor {
  id: string
  api: ApiClient
  informer<T extends KObject>(ref: ResourceRef, opts?: InformerOptions<T>): Informer<T>
}

export function spawnTestClient(sim: Simulation, id: string, apiservers: string[], requestTimeoutMs?: number): TestActor {
  let api: ApiClient | undefined
  const ctx = sim.spawn(id, (c) => {
    api = createApiClient(c, { apiservers, requestTimeoutMs })
    return { receive: (m: Message, meta: MsgMeta) => void api?.handle(m, meta) }
  })
  return {
    id,
    api: api as unknown as ApiClient,
    informer: <T extends KObject>(ref: ResourceRef, opts?: InformerOptions<T>) => {
      const inf = new Informer<T>(ctx, api as ApiClient, ref, opts)
      inf.start()
      return inf
    },
  }
}

/** Await `p` while virtual time advances (at most `maxMs` of it); rejects on timeout. */
export async function settle<T>(sim: Simulation, p: Promise<T>, maxMs = 30_000): Promise<T> {
  let out: { v?: T; e?: unknown } | undefined
  p.then((v) => (out = { v }), (e: unknown) => (out = { e }))
  await sim.runUntil(() => out !== undefined, maxMs)
  if (!out) throw new Error(`no answer within ${maxMs} virtual ms`)
  if (out.e !== undefined) throw out.e
  return out.v as T
}

/** Advance in `stepMs` steps until the async check holds; false after `maxMs`. */
export async function eventually(sim: Simulation, check: () => Promise<boolean> | boolean, maxMs: number, stepMs = 500): Promise<boolean> {
  const end = sim.now() + maxMs
  while (sim.now() < end) {
    const ok = await settle(sim, Promise.resolve().then(check), 10_000).catch(() => false)
    if (ok) return true
    await sim.run(stepMs)
  }
  return false
}

/** The live actor whose last report says it leads, among ids starting with `prefix`. */
export function leaderOf(sim: Simulation, prefix: string): string | undefined {
  for (const [id, r] of sim.reports) {
    if (id.startsWith(prefix) && sim.has(id) && (r.info as { leader?: boolean } | undefined)?.leader === true) return id
  }
  return undefined
}

/** Seeds for a cluster test: SEED replays one, CLUSTER_SEEDS=n runs n from the defaults on. */
export function clusterSeeds(defaults: number[]): number[] {
  const one = process.env.SEED
  if (one !== undefined && one !== '') return [Number(one)]
  const n = Number(process.env.CLUSTER_SEEDS ?? defaults.length)
  const out = [...defaults]
  for (let i = 0; out.length < n; i++) out.push(defaults[defaults.length - 1]! + 1000 * (i + 1))
  return out.slice(0, n)
}
