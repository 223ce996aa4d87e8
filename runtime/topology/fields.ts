// Field schemas shared by the topology schema: each carries the "expected ..." text that
// validation errors print after the field's path.
import { z } from 'zod'
import { parseDuration } from './duration.ts'

export function int(min: number, max?: number) {
  const expected = max === undefined ? `expected an integer >= ${min}` : `expected an integer from ${min} to ${max}`
  let s = z.number({ error: expected }).int({ error: expected }).min(min, { error: expected })
  if (max !== undefined) s = s.max(max, { error: expected })
  return s
}

export function num(min: number, max: number) {
  const expected = `expected a number from ${min} to ${max}`
  return z.number({ error: expected }).min(min, { error: expected }).max(max, { error: expected })
}

export const port = () => int(0, 65535)

export const bool = () => z.boolean({ error: 'expected true or false' })

export function str(expected = 'expected a string') {
  return z.string({ error: expected }).min(1, { error: `${expected} (not empty)` })
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}` })
}

/** A DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit. */
export const dnsLabel = () =>
  z.string({ error: 'expected a name' }).regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
    error: "expected a lowercase name of letters, digits and '-' (a DNS label)",
  })

/** A Kubernetes node name: DNS subdomain (lowercase, digits, '-', '.'). */
export const dnsSubdomain = () =>
  z.string({ error: 'expected a name' }).regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/, {
    error: "expected a lowercase name of letters, digits, '-' and '.' (a DNS subdomain)",
  })

/** A duration in ms: a number, or a string like '5s', '300ms', '1m30s'. */
export function duration(min = 0) {
  const expected =
    min > 0
      ? `expected a duration >= ${min}ms (milliseconds, or a string like '5s' or '300ms')`
      : "expected a duration (milliseconds, or a string like '5s' or '300ms')"
  return z.unknown().transform((v, ctx): number => {
    const ms =
      typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' ? parseDuration(v) : undefined
    if (ms === undefined || ms < min || ms < 0) {
      ctx.addIssue({ code: 'custom', message: expected, input: v })
      return z.NEVER
    }
    return ms
  })
}

/** A Kubernetes resource quantity, given as a string ('4', '500m', '8Gi') or a number. */
export const quantity = () =>
  z
    .union([z.string(), z.number()], { error: "expected a quantity such as '4', '500m' or '8Gi'" })
    .transform((v) => String(v))
    .refine((v) => /^\d+(\.\d+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.test(v), {
      error: "expected a quantity such as '4', '500m' or '8Gi'",
    })

const labelKey = /^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/
const labelValue = /^(([A-Za-z0-9][A-Za-z0-9._-]{0,61})?[A-Za-z0-9])?$/

export const labels = () =>
  z.record(
    z.string().regex(labelKey, { error: 'expected a label key such as "zone" or "example.com/tier"' }),
    z.string({ error: 'expected a label value (a string)' }).regex(labelValue, {
      error: 'expected a label value of at most 63 letters, digits, "-", "_" or "."',
    }),
    { error: 'expected a map of label keys to string values' },
  )

export const taint = () =>
  z.strictObject(
    {
      key: z.string({ error: 'expected a taint key' }).regex(labelKey, { error: 'expected a taint key such as "dedicated"' }),
      value: z.string({ error: 'expected a string' }).optional(),
      effect: oneOf(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
    },
    { error: 'expected a taint { key, value?, effect }' },
  )

/** A strict object: unknown fields are errors. */
export function obj<S extends z.core.$ZodLooseShape>(shape: S, what = 'a map of fields') {
  return z.strictObject(shape, { error: `expected ${what}` })
}
