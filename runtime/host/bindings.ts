// Log bindings for an actor: { actor, role, node?, shard? } read from its name.
import { parseAddress } from '../address.ts'

export function actorBindings(id: string): Record<string, unknown> {
  const p = parseAddress(id)
  const b: Record<string, unknown> = { actor: id, role: p.role }
  if (p.node !== undefined) b.node = p.node
  if (p.shard !== undefined) b.shard = p.shard
  return b
}
