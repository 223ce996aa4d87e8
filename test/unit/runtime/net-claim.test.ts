// Clusters on one machine claim disjoint pod and service ranges (runtime/host/net-claim.ts).
import t from 'tap'
import type * as Tap from 'tap'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { claimNetwork, NETWORK_MOVES } from '../../../runtime/host/net-claim.ts'
import { DEFAULT_NETWORK, parseTopology, withNetwork } from '../../../runtime/topology/index.ts'

async function claimDir(t: Tap.Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'net-claim-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

t.test('a second cluster on the default ranges moves to the next pair; a released pair is taken again', async (t) => {
  const dir = await claimDir(t)
  const a = await claimNetwork(DEFAULT_NETWORK, { dir })
  t.same({ pod: a.podCIDR, svc: a.serviceCIDR, moved: a.moved }, { pod: '127.244.0.0/16', svc: '127.96.0.0/16', moved: false })
  const b = await claimNetwork(DEFAULT_NETWORK, { dir })
  t.same({ pod: b.podCIDR, svc: b.serviceCIDR, moved: b.moved }, { pod: '127.245.0.0/16', svc: '127.97.0.0/16', moved: true })
  await a.release()
  await a.release()
  const c = await claimNetwork(DEFAULT_NETWORK, { dir })
  t.equal(c.podCIDR, '127.244.0.0/16', 'the freed default pair is the first free one again')
  await b.release()
  await c.release()
  t.same((await readdir(dir)).filter((f) => f.startsWith('claim-')), [], 'released claims leave no file')
})

t.test('claims made at the same moment all differ', async (t) => {
  const dir = await claimDir(t)
  const claims = await Promise.all(Array.from({ length: 6 }, () => claimNetwork(DEFAULT_NETWORK, { dir })))
  t.equal(new Set(claims.map((c) => c.podCIDR)).size, 6, 'six pod ranges')
  t.equal(new Set(claims.map((c) => c.serviceCIDR)).size, 6, 'six service ranges')
})

t.test('ranges a topology names are required as they are', async (t) => {
  const dir = await claimDir(t)
  const mine = { podCIDR: '127.50.0.0/16', serviceCIDR: '127.51.0.0/20' }
  await claimNetwork(mine, { dir, pid: 4242, alive: () => true, cluster: 'first' })
  const err = await claimNetwork({ podCIDR: '127.50.128.0/17', serviceCIDR: '127.52.0.0/16' }, { dir, alive: () => true }).catch((e: Error) => e)
  t.match(err, { code: 'CONFIG_INVALID', path: 'network.podCIDR' })
  t.match((err as Error).message, /127\.50\.128\.0\/17 is in use by another cluster on this machine \(process 4242, cluster first, pods 127\.50\.0\.0\/16/, 'the message names the range and who holds it')
  const svcErr = await claimNetwork({ podCIDR: '127.60.0.0/16', serviceCIDR: '127.51.0.0/16' }, { dir, alive: () => true }).catch((e: Error) => e)
  t.match(svcErr, { path: 'network.serviceCIDR' }, 'a service range overlapping a held one is named too')
  // Only the default ones move: a named pod range keeps its place and the default service range moves.
  const other = await claimNetwork({ podCIDR: '127.70.0.0/16', serviceCIDR: DEFAULT_NETWORK.serviceCIDR }, { dir, alive: () => true })
  t.same([other.podCIDR, other.serviceCIDR], ['127.70.0.0/16', '127.96.0.0/16'])
  const third = await claimNetwork({ podCIDR: '127.71.0.0/16', serviceCIDR: DEFAULT_NETWORK.serviceCIDR }, { dir, alive: () => true })
  t.same([third.podCIDR, third.serviceCIDR, third.moved], ['127.71.0.0/16', '127.97.0.0/16', true])
  const req = await claimNetwork(DEFAULT_NETWORK, { dir, alive: () => true, require: true }).catch((e: Error) => e)
  t.match(req, { path: 'network.serviceCIDR' }, 'required default ranges do not move')
  t.match(await claimNetwork({ podCIDR: 'nope', serviceCIDR: '127.96.0.0/16' }, { dir }).catch((e: Error) => e), { path: 'network.podCIDR', message: /expected an IPv4 CIDR.*"nope"/ })
})

t.test("claims and a lock left by processes that are gone are cleared; a live lock holder is named after the wait", async (t) => {
  const dir = await claimDir(t)
  const dead = 999_999
  await writeFile(join(dir, `claim-${dead}-abc.json`), JSON.stringify({ pid: dead, ...DEFAULT_NETWORK }))
  await writeFile(join(dir, 'claim-junk.json'), '{}')
  await writeFile(join(dir, '.lock'), String(dead))
  const alive = (pid: number) => pid !== dead
  const c = await claimNetwork(DEFAULT_NETWORK, { dir, alive })
  t.equal(c.podCIDR, DEFAULT_NETWORK.podCIDR, 'the dead process no longer holds the defaults')
  t.notOk((await readdir(dir)).includes(`claim-${dead}-abc.json`), 'its claim file is removed')
  await writeFile(join(dir, '.lock'), '4242')
  const err = await claimNetwork(DEFAULT_NETWORK, { dir, alive: () => true, lockWaitMs: 50 }).catch((e: Error) => e)
  t.match(err, { code: 'CONFIG_INVALID', message: /held by process 4242/ })
})

t.test('when every pair is in use the error says so', async (t) => {
  const dir = await claimDir(t)
  for (let i = 0; i <= NETWORK_MOVES; i++) await claimNetwork(DEFAULT_NETWORK, { dir })
  const err = await claimNetwork(DEFAULT_NETWORK, { dir }).catch((e: Error) => e)
  t.match(err, { code: 'CONFIG_INVALID', path: 'network', message: new RegExp(`no free pod and service ranges: the default ones and the next ${NETWORK_MOVES}`) })
})

t.test('withNetwork gives each node its /24 of the new pod range', async (t) => {
  const topo = parseTopology('apiVersion: actorkube/v1\nkind: Topology\nmetadata: { name: n }\nnodes: { count: 3 }\n', 't')
  const moved = withNetwork(topo, { podCIDR: '127.245.0.0/16', serviceCIDR: '127.97.0.0/16' })
  t.same(moved.nodeList.map((n) => n.podCIDR), ['127.245.0.0/24', '127.245.1.0/24', '127.245.2.0/24'])
  t.same(moved.network, { ...topo.network, podCIDR: '127.245.0.0/16', serviceCIDR: '127.97.0.0/16' })
  t.same(topo.nodeList[0]?.podCIDR, '127.244.0.0/24', 'the original is unchanged')
  t.throws(() => withNetwork(topo, { podCIDR: 'x', serviceCIDR: '127.97.0.0/16' }), { code: 'CONFIG_INVALID', path: 'network' })
})
