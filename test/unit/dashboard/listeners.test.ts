// takeOver: a restarted add-on closes the listener its crashed incarnation left open.
import t from 'tap'
import { release, takeOver } from '../../../actors/addons/listeners.ts'

const fake = (name: string, closed: string[]) => ({ name, close: async () => void closed.push(name) })

t.test('a new incarnation closes the previous listener of the same actor only', async (t) => {
  const closed: string[] = []
  const a1 = await takeOver('dns-0', async () => fake('a1', closed))
  await takeOver('ingress-0', async () => fake('b1', closed))
  t.same(closed, [], 'nothing closed on first listen')
  const a2 = await takeOver('dns-0', async () => fake('a2', closed))
  t.same(closed, ['a1'], 'the crashed incarnation\'s listener is closed before listening again')
  t.not(a1, a2)
  await release('dns-0', a2)
  t.same(closed, ['a1', 'a2'], 'release closes it')
  await takeOver('dns-0', async () => fake('a3', closed))
  t.same(closed, ['a1', 'a2'], 'a released listener is not closed twice')
})

t.test('a failed listen leaves nothing behind to close', async (t) => {
  const closed: string[] = []
  await t.rejects(takeOver('x-0', async () => { throw new Error('EADDRINUSE') }))
  await takeOver('x-0', async () => fake('x', closed))
  t.same(closed, [])
})
