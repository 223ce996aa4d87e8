import t from 'tap'
import { Simulation } from '../../../runtime/sim/simulator.ts'
import type { KObject, Pod } from '../../../protocols/k8s.ts'
import { EVENT_BACKLOG, EVENT_WRITES_IN_FLIGHT, EventRecorder } from '../../../actors/client/event-recorder.ts'
import type { ApiClient } from '../../../actors/client/types.ts'

/** An API client whose creates wait until the test answers them. */
function heldClient() {
  const held: Array<() => void> = []
  let inFlight = 0
  let most = 0
  let created = 0
  const client = {
    create: (_ref: unknown, _ns: unknown, body: KObject) => {
      inFlight++
      most = Math.max(most, inFlight)
      return new Promise<KObject>((resolve) => held.push(() => {
        inFlight--
        created++
        resolve(body)
      }))
    },
  } as unknown as ApiClient
  return { client, held, stats: () => ({ inFlight, most, created }) }
}

const pod = (i: number): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}`, namespace: 'default', uid: `u${i}` }, spec: { containers: [] } })
const turn = () => new Promise((r) => setImmediate(r))

t.test('the recorder writes a few events at a time, in order, and drops events past its backlog', async (t) => {
  const sim = new Simulation({ seed: 1, traceDeliveries: false })
  const ctx = sim.client('client-events')
  const { client, held, stats } = heldClient()
  const rec = new EventRecorder(ctx, client, { component: 'default-scheduler' })
  const n = EVENT_BACKLOG + 50
  for (let i = 0; i < n; i++) rec.event(pod(i), 'Normal', 'Scheduled', `assigned p-${i}`)
  await turn()
  t.equal(stats().inFlight, EVENT_WRITES_IN_FLIGHT, 'a few writes in flight, not one per event')
  t.equal(rec.dropped, 50, 'events past the backlog are dropped')
  t.ok(sim.trace.some((l) => l.includes('event backlog full')), 'and the drop is logged')
  // Answer writes one by one: each frees a slot for the next, never more than the limit at once.
  while (held.length > 0) {
    held.shift()!()
    await turn()
    await turn()
  }
  t.equal(stats().created, EVENT_BACKLOG, 'every event accepted was written')
  t.equal(stats().most, EVENT_WRITES_IN_FLIGHT)
  // The backlog has drained: new events are accepted again.
  rec.event(pod(0), 'Normal', 'Started', 'Started container')
  await turn()
  t.equal(stats().inFlight, 1)
  t.equal(rec.dropped, 50)
})
