// A linearizability checker for key-value histories (Wing & Gong's search with Lowe's state
// cache, as in Porcupine), applied per key (linearizability is compositional).
// An operation whose outcome is unknown (timeout, lost reply) has `ret: Infinity`: it may take
// effect at any point after its call, or never.

export type KvInput = { kind: 'put'; value: string } | { kind: 'get' } | { kind: 'delete' }

export interface KvOperation {
  key: string
  input: KvInput
  /** For get: the value read (null = absent). Ignored for writes. */
  output?: string | null
  call: number
  ret: number
  client?: string
}

type State = string | null

function step(state: State, op: KvOperation): [boolean, State] {
  switch (op.input.kind) {
    case 'put': return [true, op.input.value]
    case 'delete': return [true, null]
    case 'get': return [op.output === state, state]
  }
}

interface Node {
  op: number
  isCall: boolean
  time: number
  match?: Node
  prev?: Node
  next?: Node
}

export interface CheckResult {
  ok: boolean
  /** Keys whose history is not linearizable. */
  badKeys: string[]
}

export function checkKv(history: KvOperation[], initial: State = null): CheckResult {
  const byKey = new Map<string, KvOperation[]>()
  for (const op of history) {
    const l = byKey.get(op.key) ?? []
    l.push(op)
    byKey.set(op.key, l)
  }
  const badKeys: string[] = []
  for (const [key, ops] of byKey) if (!checkOne(ops, initial)) badKeys.push(key)
  return { ok: badKeys.length === 0, badKeys }
}

/** Wing–Gong–Lowe search over one key's operations. */
export function checkOne(ops: KvOperation[], initial: State): boolean {
  // Reads with an unknown outcome tell nothing: drop them.
  const kept = ops.filter((o) => !(o.input.kind === 'get' && o.ret === Infinity))
  const events: Node[] = []
  kept.forEach((o, i) => {
    const call: Node = { op: i, isCall: true, time: o.call }
    events.push(call)
    if (o.ret !== Infinity) {
      const ret: Node = { op: i, isCall: false, time: o.ret, match: call }
      call.match = ret
      events.push(ret)
    }
  })
  // calls before returns at equal times (concurrent, the permissive reading)
  events.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? 0 : a.isCall ? -1 : 1))
  const head: Node = { op: -1, isCall: false, time: -Infinity }
  let prev = head
  for (const e of events) {
    prev.next = e
    e.prev = prev
    prev = e
  }
  let remainingCompleted = kept.filter((o) => o.ret !== Infinity).length
  const lift = (n: Node) => {
    n.prev!.next = n.next
    if (n.next) n.next.prev = n.prev
    const m = n.match
    if (m) {
      m.prev!.next = m.next
      if (m.next) m.next.prev = m.prev
    }
  }
  const unlift = (n: Node) => {
    const m = n.match
    if (m) {
      m.prev!.next = m
      if (m.next) m.next.prev = m
    }
    n.prev!.next = n
    if (n.next) n.next.prev = n
  }
  const linearized = new Uint8Array(kept.length)
  const cache = new Set<string>()
  const stack: Array<{ node: Node; state: State }> = []
  let state: State = initial
  let entry = head.next
  let budget = 2_000_000
  while (remainingCompleted > 0) {
    if (--budget < 0) throw new Error('linearizability check: search budget exhausted')
    if (entry && entry.isCall) {
      const op = kept[entry.op]
      const [ok, next] = step(state, op)
      if (ok) {
        linearized[entry.op] = 1
        const key = `${Buffer.from(linearized).toString('base64')}|${next}`
        if (!cache.has(key)) {
          cache.add(key)
          stack.push({ node: entry, state })
          state = next
          if (op.ret !== Infinity) remainingCompleted--
          lift(entry)
          entry = head.next
          continue
        }
        linearized[entry.op] = 0
      }
      entry = entry.next
      continue
    }
    // a return whose call is not linearized yet (or the end): backtrack
    const top = stack.pop()
    if (!top) return false
    state = top.state
    linearized[top.node.op] = 0
    if (kept[top.node.op].ret !== Infinity) remainingCompleted++
    unlift(top.node)
    entry = top.node.next
  }
  return true
}
