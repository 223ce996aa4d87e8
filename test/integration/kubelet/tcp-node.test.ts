// kube-proxy's TCP forwarding with real sockets on loopback.
import t from 'tap'
import { connect, createServer, type Server } from 'node:net'
import { nodeTcpIo } from '../../../runtime/io/tcp-node.ts'
import { Balancer } from '../../../actors/kube-proxy/balancer.ts'
import { rulesForService } from '../../../actors/kube-proxy/rules.ts'

const base = 19000 + (process.pid % 1000)

function backend(ip: string, port: number, name: string): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer((c) => c.end(name))
    s.listen(port, ip, () => resolve(s))
  })
}

function ask(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = ''
    const c = connect({ host, port })
    c.on('data', (d) => (data += d.toString()))
    c.on('end', () => resolve(data))
    c.on('error', reject)
  })
}

t.test('connections to a ClusterIP spread over 3 backends (random mode, iptables probabilities)', async (t) => {
  const names = ['a', 'b', 'c']
  const servers = await Promise.all(names.map((n, i) => backend(`127.244.90.${i + 2}`, base, n)))
  t.teardown(() => servers.forEach((s) => s.close()))
  const [rule] = rulesForService(
    { metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '127.96.90.10', ports: [{ port: base + 1, targetPort: base }] } },
    { metadata: { name: 'web', namespace: 'default' }, subsets: [{ addresses: names.map((_n, i) => ({ ip: `127.244.90.${i + 2}` })), ports: [{ port: base }] }] },
  )
  const balancer = new Balancer('random', Math.random)
  const l = await nodeTcpIo().proxy({ host: '127.96.90.10', port: base + 1 }, () => {
    const e = balancer.pick(rule)
    return e ? { host: e.ip, port: e.port } : undefined
  }, (b) => balancer.release({ ip: b.host, port: b.port }))
  t.teardown(() => l.close())
  const N = 600
  const counts: Record<string, number> = {}
  for (let i = 0; i < N; i += 30) {
    const batch = await Promise.all(Array.from({ length: 30 }, () => ask('127.96.90.10', base + 1)))
    for (const b of batch) counts[b] = (counts[b] ?? 0) + 1
  }
  t.same(Object.keys(counts).sort(), names)
  // Each count is Binomial(600, 1/3): mean 200, sd 11.5; 5 sd either side fails with p < 1e-6.
  for (const n of names) t.ok(Math.abs(counts[n]! - N / 3) < 5 * Math.sqrt((N * 2) / 9), `${n}: ${counts[n]} of ${N}`)
  t.equal(balancer.openConnections({ ip: '127.244.90.2', port: base }), 0, 'closed connections released')
})

t.test('a service with no ready endpoint refuses at once', async (t) => {
  const l = await nodeTcpIo().proxy({ host: '127.96.90.11', port: base + 2 }, () => undefined)
  t.teardown(() => l.close())
  const t0 = Date.now()
  const err = await ask('127.96.90.11', base + 2).then(() => undefined, (e: NodeJS.ErrnoException) => e)
  t.equal(err?.code, 'ECONNRESET')
  t.ok(Date.now() - t0 < 1000, 'at once')
})
