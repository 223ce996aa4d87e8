// Listeners that outlive a crash: a crashed actor is discarded without its stop hook, so the
// socket it listened on stays open in its thread and the restarted incarnation would fail with
// EADDRINUSE. Each add-on opens its listener through `takeOver`, which first closes the one a
// previous incarnation of the same actor left behind (kept per thread, keyed by actor address).
interface Closable {
  close(): Promise<void>
}

const open = new Map<string, Closable>()

export async function takeOver<L extends Closable>(owner: string, listen: () => Promise<L>): Promise<L> {
  const prev = open.get(owner)
  if (prev) {
    open.delete(owner)
    await prev.close().catch(() => {})
  }
  const l = await listen()
  open.set(owner, l)
  return l
}

/** Close an actor's listener (its stop hook) and forget it. */
export async function release(owner: string, l: Closable | undefined): Promise<void> {
  if (!l) return
  if (open.get(owner) === l) open.delete(owner)
  await l.close()
}
