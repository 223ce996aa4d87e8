// The scenario schema (apiVersion actorkube/v1, kind Scenario): a topology (inline, a path, or
// the default), a workload, a fault timeline (the topology's fault entries), assertions and a
// duration. Errors name the field's path, like the topology's.
import { z } from 'zod'
import { duration, int, num, obj, str } from '../topology/fields.ts'
import { faultEntry } from '../topology/faults.ts'

const deploymentAvailable = obj({
  name: str(),
  namespace: str().default('default'),
  /** Available again within this long after the last fault hit. */
  within: duration(1),
})

const failoverGap = obj({
  /** 'scheduler', 'controller-manager' or 'etcd/<shard>'. */
  component: str("expected a component such as 'scheduler', 'controller-manager' or 'etcd/main'"),
  maxMs: duration(0),
})

const termChanges = obj({ shard: str('expected an etcd shard name'), max: int(0) })
const singleLeader = obj({ component: str().optional() }, 'a map with an optional component')

const ASSERTIONS = {
  deploymentAvailable,
  failoverGap,
  noAcknowledgedWriteLost: z.literal(true, { error: 'expected true' }),
  noPodRanTwice: z.literal(true, { error: 'expected true' }),
  singleLeader: z.union([z.literal(true), singleLeader], { error: 'expected true or { component }' }),
  etcdTermChanges: termChanges,
}
type Assertions = { [K in keyof typeof ASSERTIONS]: { [P in K]: z.output<(typeof ASSERTIONS)[K]> } }[keyof typeof ASSERTIONS]
const NAMES = Object.keys(ASSERTIONS) as Array<keyof typeof ASSERTIONS>

/** One assertion: a map with exactly one of the known keys, its value checked by that key's schema. */
export const assertionSchema = z.unknown().transform((v, ctx): Assertions => {
  const keys = typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.keys(v) : []
  const key = keys[0] as keyof typeof ASSERTIONS | undefined
  if (keys.length !== 1 || !key || !NAMES.includes(key)) {
    ctx.addIssue({ code: 'custom', message: `expected one assertion: ${NAMES.join(', ')}`, input: keys.length ? keys : v })
    return z.NEVER
  }
  const r = ASSERTIONS[key].safeParse((v as Record<string, unknown>)[key], { reportInput: true })
  if (!r.success) {
    for (const i of r.error.issues) {
      const message = i.code === 'unrecognized_keys' ? `unknown field(s) ${i.keys.join(', ')}` : i.message
      ctx.addIssue({ code: 'custom', path: [key, ...i.path], message, input: 'input' in i ? i.input : undefined })
    }
    return z.NEVER
  }
  return { [key]: r.data } as Assertions
})

const manifest = z.union([str('expected a manifest file path or an inline object'), z.record(z.string(), z.unknown())], {
  error: 'expected a manifest file path (relative to the scenario) or an inline Kubernetes object',
})

export const scenarioSchema = obj({
  apiVersion: z.literal('actorkube/v1', { error: 'expected "actorkube/v1"' }),
  kind: z.literal('Scenario', { error: 'expected "Scenario"' }),
  metadata: obj({ name: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, { error: "expected a lowercase name of letters, digits and '-'" }), description: z.string().optional() }),
  /** A topology file path (relative to the scenario), an inline topology, or absent: the default HA topology. */
  topology: z.union([str(), z.record(z.string(), z.unknown())], { error: 'expected a topology file path or an inline topology' }).optional(),
  /** Total run time (virtual in the simulator). */
  duration: duration(1),
  /** Time after the run to settle (faults healed) before the final checks. */
  settle: duration(0).default(5000),
  workload: obj({
    manifests: z.array(manifest, { error: 'expected a list of manifests' }).default([]),
    /** Applied this long after start (the cluster elects its leaders first). */
    applyAt: duration(0).default(1000),
    writes: obj({
      perSecond: num(0.1, 1000),
      namespace: str().default('default'),
      prefix: str().default('lab-write'),
    }).optional(),
  }).prefault({}),
  faults: z.array(faultEntry(), { error: 'expected a list of faults' }).default([]),
  assertions: z.array(assertionSchema, { error: 'expected a list of assertions' }).default([]),
})

export type ScenarioDocument = z.output<typeof scenarioSchema>
export type AssertionSpec = ScenarioDocument['assertions'][number]
