import t from 'tap'
import { Mesh, type LinkPort } from '../../../runtime/transport/mesh.ts'

/** A fake MessagePort: records what is posted; the test fires 'message' and 'close'. */
class FakePort implements LinkPort {
  posted: Uint8Array[] = []
  closed = false
  private readonly handlers: { message: Array<(v: unknown) => void>; close: Array<() => void> } = { message: [], close: [] }
  postMessage(value: unknown): void {
    this.posted.push(value as Uint8Array)
  }
  on(event: 'message' | 'close', fn: (v: unknown) => void): this {
    this.handlers[event].push(fn as never)
    return this
  }
  close(): void {
    this.closed = true
  }
  fire(v: Uint8Array): void {
    for (const h of this.handlers.message) h(v)
  }
  fireClose(): void {
    for (const h of this.handlers.close) h()
  }
}

const b = (n: number) => new Uint8Array([n])

function setup(direct = true) {
  const log: string[] = []
  const received: number[] = []
  const mesh = new Mesh({
    direct,
    receive: (buf) => received.push(buf[0] as number),
    relay: (dest, buf) => log.push(`relay ${dest} ${buf[0]}`),
    want: (peer) => log.push(`want ${peer}`),
    marker: (peer, id) => log.push(`marker ${peer} ${id}`),
  })
  return { mesh, log, received }
}

t.test('relays until a link is wired, asks for one once, then sends over the link', async (t) => {
  const { mesh, log } = setup()
  mesh.send('t1', b(1), 1)
  mesh.send('t1', b(2), 1)
  t.same(log, ['relay t1 1', 'want t1', 'relay t1 2'], 'asked once')
  const port = new FakePort()
  mesh.link('t1', 7, port)
  t.same(log.at(-1), 'marker t1 7', 'the marker goes on the relay route, behind what was relayed')
  mesh.send('t1', b(3), 1)
  t.same(port.posted.map((x) => x[0]), [3])
  t.equal(log.filter((l) => l.startsWith('relay')).length, 2, 'nothing more relayed')
  t.same([mesh.direct, mesh.relayed], [1, 2])
  t.same(mesh.peers(), ['t1'])
})

t.test('with direct links off, everything is relayed and no link is asked for', async (t) => {
  const { mesh, log } = setup(false)
  mesh.send('t1', b(1), 1)
  t.same(log, ['relay t1 1'])
})

t.test('batches that arrive on a link before the peer\'s marker wait for it (order kept)', async (t) => {
  const { mesh, received } = setup()
  const port = new FakePort()
  mesh.link('t1', 3, port)
  port.fire(b(10))
  port.fire(b(11))
  t.same(received, [], 'held: relayed batches from t1 may still be on their way')
  received.push(9) // a relayed batch from t1 arrives (the caller delivers it), then the marker
  mesh.opened('t1', 2)
  t.same(received, [9], 'a marker of another link does not open this one')
  mesh.opened('t1', 3)
  t.same(received, [9, 10, 11])
  port.fire(b(12))
  t.same(received, [9, 10, 11, 12], 'delivered at once after the marker')
})

t.test('a peer that dies: its port closes, batches go back to the relay and a new link is asked for', async (t) => {
  const { mesh, log, received } = setup()
  const old = new FakePort()
  mesh.link('t1', 1, old)
  old.fire(b(5))
  old.fireClose()
  t.same(received, [5], 'what the dead peer sent over the link is delivered, not dropped')
  t.ok(old.closed)
  log.length = 0
  mesh.send('t1', b(6), 1)
  t.same(log, ['relay t1 6', 'want t1'], 'the replacement thread is reached through the relay')
  // The supervisor's unlink arrives too (already dropped), then the rewired link.
  mesh.unlink('t1')
  const fresh = new FakePort()
  mesh.link('t1', 2, fresh)
  old.fireClose()
  mesh.send('t1', b(7), 1)
  t.same(fresh.posted.map((x) => x[0]), [7], 'a late close of the old port does not drop the new link')
  t.same(old.posted, [])
})

t.test('unlink from the supervisor drops the link even before the port closes', async (t) => {
  const { mesh, log } = setup()
  const port = new FakePort()
  mesh.link('t2', 4, port)
  mesh.unlink('t2')
  t.ok(port.closed)
  log.length = 0
  mesh.send('t2', b(1), 1)
  t.same(log, ['relay t2 1', 'want t2'])
  t.same(port.posted, [])
  mesh.close()
  t.same(mesh.peers(), [])
})
