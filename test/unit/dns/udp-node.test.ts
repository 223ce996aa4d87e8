// The DNS transport on real sockets, queried with dig (bind9-dnsutils) when it is installed.
import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import dnsPacket from 'dns-packet'
import { udpIo } from '../../../runtime/io/udp-node.ts'
import { buildRecords } from '../../../actors/addons/dns/records.ts'
import { answerQuery } from '../../../actors/addons/dns/answer.ts'

const run = promisify(execFile)
const table = buildRecords('cluster.local', [{ metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '127.96.0.10' } }], [])

t.test('dig over UDP and TCP', async (t) => {
  const l = await udpIo.dnsListen({ host: '127.0.0.1', port: 0 }, (q, tr) => answerQuery(q, table, { ttl: 5, udp: tr === 'udp' }))
  t.teardown(() => l.close())
  let hasDig = true
  try {
    await run('dig', ['-v'])
  } catch {
    hasDig = false
  }
  if (!hasDig) {
    // Without dig, query with a raw UDP socket so the transport is still exercised.
    const dgram = await import('node:dgram')
    const sock = dgram.createSocket('udp4')
    t.teardown(() => sock.close())
    const reply = await new Promise<Buffer>((resolve) => {
      sock.once('message', resolve)
      sock.send(dnsPacket.encode({ type: 'query', id: 9, questions: [{ type: 'A', name: 'web.default.svc.cluster.local' }] }), l.port, '127.0.0.1')
    })
    t.same(dnsPacket.decode(reply).answers?.map((a) => (a as unknown as { data: string }).data), ['127.96.0.10'])
    return
  }
  const udp = await run('dig', ['@127.0.0.1', '-p', String(l.port), '+short', '+tries=1', '+time=2', 'web.default.svc.cluster.local'])
  t.equal(udp.stdout.trim(), '127.96.0.10')
  const tcp = await run('dig', ['@127.0.0.1', '-p', String(l.port), '+tcp', '+short', '+tries=1', '+time=2', 'web.default.svc.cluster.local'])
  t.equal(tcp.stdout.trim(), '127.96.0.10')
  const nx = await run('dig', ['@127.0.0.1', '-p', String(l.port), '+tries=1', '+time=2', 'nope.default.svc.cluster.local'])
  t.match(nx.stdout, /status: NXDOMAIN/)
})
