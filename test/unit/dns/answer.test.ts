import t from 'tap'
import dnsPacket from 'dns-packet'
import type { Answer, Packet } from 'dns-packet'
import { buildRecords } from '../../../actors/addons/dns/records.ts'
import { answerQuery } from '../../../actors/addons/dns/answer.ts'
import type { Endpoints, Service } from '../../../protocols/k8s.ts'

const services: Service[] = [
  { metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '127.96.0.10', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } },
  { metadata: { name: 'db', namespace: 'prod' }, spec: { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] } },
]
const endpoints: Endpoints[] = [
  {
    metadata: { name: 'db', namespace: 'prod' },
    subsets: [{
      addresses: [{ ip: '127.244.1.5', hostname: 'db-0' }, { ip: '127.244.2.6', hostname: 'db-1' }],
      notReadyAddresses: [{ ip: '127.244.3.7', hostname: 'db-2' }],
      ports: [{ name: 'pg', port: 5432 }],
    }],
  },
]
const table = buildRecords('cluster.local', services, endpoints)

function ask(name: string, type: string, udp = true): Packet & { rcode?: string } {
  const q = dnsPacket.encode({ type: 'query', id: 42, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: type as 'A', name }] })
  const out = answerQuery(new Uint8Array(q), table, { ttl: 5, udp })
  if (!out) throw new Error('no answer')
  return dnsPacket.decode(Buffer.from(out)) as Packet & { rcode?: string }
}

const data = (a: Answer) => (a as unknown as { data: unknown }).data

t.test('service A record is the ClusterIP, with the TTL, id echoed, authoritative', async (t) => {
  const r = ask('web.default.svc.cluster.local', 'A')
  t.equal(r.id, 42)
  t.equal(r.rcode, 'NOERROR')
  t.same(r.answers?.map(data), ['127.96.0.10'])
  t.equal((r.answers?.[0] as { ttl?: number } | undefined)?.ttl, 5)
  t.ok((r.flags ?? 0) & dnsPacket.AUTHORITATIVE_ANSWER)
})

t.test('headless service answers the ready pod IPs only, and per-pod hostnames', async (t) => {
  const r = ask('db.prod.svc.cluster.local', 'A')
  t.same(r.answers?.map(data).sort(), ['127.244.1.5', '127.244.2.6'])
  t.same(ask('db-1.db.prod.svc.cluster.local', 'A').answers?.map(data), ['127.244.2.6'])
  t.equal(ask('db-2.db.prod.svc.cluster.local', 'A').rcode, 'NXDOMAIN', 'a not-ready pod has no record')
})

t.test('SRV for named ports, with A records in the additional section', async (t) => {
  const r = ask('_http._tcp.web.default.svc.cluster.local', 'SRV')
  t.same(r.answers?.map(data), [{ priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' }])
  t.same(r.additionals?.map(data), ['127.96.0.10'])
  const h = ask('_pg._tcp.db.prod.svc.cluster.local', 'SRV')
  t.same(h.answers?.map((a) => (data(a) as { target: string }).target).sort(), ['db-0.db.prod.svc.cluster.local', 'db-1.db.prod.svc.cluster.local'])
})

t.test('pod A records from the dashed name', async (t) => {
  t.same(ask('127-244-1-5.default.pod.cluster.local', 'A').answers?.map(data), ['127.244.1.5'])
  t.equal(ask('127-244-1-999.default.pod.cluster.local', 'A').rcode, 'NXDOMAIN')
})

t.test('NXDOMAIN with SOA for unknown names, NODATA for known names of another type, REFUSED outside the zone', async (t) => {
  const nx = ask('nope.default.svc.cluster.local', 'A')
  t.equal(nx.rcode, 'NXDOMAIN')
  t.equal(nx.authorities?.[0]?.type, 'SOA')
  const nodata = ask('web.default.svc.cluster.local', 'AAAA')
  t.equal(nodata.rcode, 'NOERROR')
  t.equal(nodata.answers?.length, 0)
  t.equal(ask('default.svc.cluster.local', 'A').rcode, 'NOERROR', 'an empty non-terminal exists')
  t.equal(ask('example.com', 'A').rcode, 'REFUSED')
})

t.test('malformed packets get FORMERR or nothing, never a throw', async (t) => {
  const out = answerQuery(new Uint8Array([0, 7, 1, 2, 3]), table, { ttl: 5, udp: true })
  t.ok(out)
  t.equal(out![1], 7)
  t.equal(out![3]! & 0xf, 1)
  t.equal(answerQuery(new Uint8Array([1]), table, { ttl: 5, udp: true }), undefined)
})

t.test('large UDP answers are truncated with TC set; TCP gets them whole', async (t) => {
  const many: Endpoints = { metadata: { name: 'big', namespace: 'default' }, subsets: [{ addresses: Array.from({ length: 60 }, (_, i) => ({ ip: `127.244.9.${i + 1}` })) }] }
  const big = buildRecords('cluster.local', [{ metadata: { name: 'big', namespace: 'default' }, spec: { clusterIP: 'None' } }], [many])
  const q = new Uint8Array(dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'A', name: 'big.default.svc.cluster.local' }] }))
  const udp = dnsPacket.decode(Buffer.from(answerQuery(q, big, { ttl: 5, udp: true })!))
  t.ok((udp.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE)
  const tcp = dnsPacket.decode(Buffer.from(answerQuery(q, big, { ttl: 5, udp: false })!))
  t.equal(tcp.answers?.length, 60)
})

t.test('an ExternalName service answers a CNAME to its external name for any type', async (t) => {
  const ext = buildRecords('cluster.local', [
    { metadata: { name: 'search', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'Search.Example.com.' } as Service['spec'] },
  ], [])
  for (const type of ['A', 'AAAA', 'SRV']) {
    const q = dnsPacket.encode({ type: 'query', id: 7, questions: [{ type: type as 'A', name: 'search.default.svc.cluster.local' }] })
    const p = dnsPacket.decode(Buffer.from(answerQuery(new Uint8Array(q), ext, { ttl: 5, udp: true })!)) as Packet & { rcode?: string }
    t.equal(p.rcode, 'NOERROR', `${type}: NOERROR`)
    t.same(p.answers?.map((a: Answer) => [a.type, (a as { data: unknown }).data]), [['CNAME', 'search.example.com']], `${type}: CNAME to the external name`)
  }
  const q = dnsPacket.encode({ type: 'query', id: 8, questions: [{ type: 'A', name: 'other.default.svc.cluster.local' }] })
  const p = dnsPacket.decode(Buffer.from(answerQuery(new Uint8Array(q), ext, { ttl: 5, udp: true })!)) as Packet & { rcode?: string }
  t.equal(p.rcode, 'NXDOMAIN', 'other names stay unknown')
})
