// The per-envelope decision for link faults: drop it, or deliver it once or more, each copy
// after some delay. Pure: randomness comes in as a function.
import type { LinkRule } from './types.ts'

export interface LinkVerdict {
  /** Delays (ms) of each copy to deliver; empty = dropped. [0] = deliver now, once. */
  copies: number[]
}

const once: LinkVerdict = { copies: [0] }

function inSet(set: string[] | undefined, a: string): boolean {
  return set === undefined || set.includes(a)
}

export function matches(rule: LinkRule, from: string, to: string): boolean {
  if (rule.kind === 'partition') {
    const a = rule.from ?? []
    const b = rule.to ?? []
    return (a.includes(from) && b.includes(to)) || (b.includes(from) && a.includes(to))
  }
  return inSet(rule.from, from) && inSet(rule.to, to)
}

export function judge(rules: readonly LinkRule[], from: string, to: string, random: () => number): LinkVerdict {
  if (rules.length === 0) return once
  let copies = [0]
  for (const r of rules) {
    if (!matches(r, from, to)) continue
    switch (r.kind) {
      case 'partition':
        return { copies: [] }
      case 'drop':
        if (random() < (r.probability ?? 0)) return { copies: [] }
        break
      case 'duplicate':
        if (random() < (r.probability ?? 0)) copies = [...copies, copies[copies.length - 1] ?? 0]
        break
      case 'delay': {
        const extra = (r.ms ?? 0) + (r.jitterMs ?? 0) * random()
        copies = copies.map((d) => d + extra)
        break
      }
      case 'reorder':
        copies = copies.map((d) => d + (r.windowMs ?? 0) * random())
        break
    }
  }
  return { copies }
}
