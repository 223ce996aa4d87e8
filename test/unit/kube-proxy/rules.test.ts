import t from 'tap'
import { Balancer } from '../../../actors/kube-proxy/balancer.ts'
import { iptablesLines, probabilities, rulesForService } from '../../../actors/kube-proxy/rules.ts'
import type { Endpoints, Service } from '../../../protocols/k8s.ts'
import { seededRandom } from '../../../runtime/random.ts'

const svc: Service = {
  metadata: { name: 'web', namespace: 'default' },
  spec: { clusterIP: '127.96.0.10', ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'metrics', port: 9090 }] },
}
const ep = (ips: string[], notReady: string[] = []): Endpoints => ({
  metadata: { name: 'web', namespace: 'default' },
  subsets: [{ addresses: ips.map((ip) => ({ ip, targetRef: { name: `pod-${ip}` } })), notReadyAddresses: notReady.map((ip) => ({ ip })), ports: [{ name: 'http', port: 8080 }, { name: 'metrics', port: 9100 }] }],
})

t.test('probabilities are 1/n, 1/(n-1), ..., 1 and give each endpoint 1/n overall', async (t) => {
  t.same(probabilities(4), [1 / 4, 1 / 3, 1 / 2, 1])
  const p = probabilities(5)
  let miss = 1
  for (const x of p) {
    t.ok(Math.abs(miss * x - 1 / 5) < 1e-12)
    miss *= 1 - x
  }
  t.same(probabilities(0), [])
})

t.test('rules: one per service port, only ready endpoints, ports matched by name', async (t) => {
  const rules = rulesForService(svc, ep(['127.244.1.3', '127.244.0.2'], ['127.244.2.2']))
  t.equal(rules.length, 2)
  const http = rules.find((r) => r.portName === 'http')!
  t.equal(http.vip, '127.96.0.10')
  t.equal(http.port, 80)
  t.same(http.endpoints.map((e) => [e.ip, e.port, e.probability]), [['127.244.0.2', 8080, 0.5], ['127.244.1.3', 8080, 1]])
  t.same(rules.find((r) => r.portName === 'metrics')!.endpoints.map((e) => e.port), [9100, 9100])
  t.same(rulesForService(svc, undefined).map((r) => r.endpoints.length), [0, 0], 'no Endpoints object: no endpoints')
  t.same(rulesForService({ ...svc, spec: { ...svc.spec, clusterIP: 'None' } }, ep(['127.244.0.2'])), [], 'headless: no rules')
})

t.test('iptables rendering shows the statistic rules and REJECT with no endpoints', async (t) => {
  const lines = iptablesLines(rulesForService(svc, ep(['127.244.0.2', '127.244.0.3', '127.244.0.4'])))
  const stats = lines.filter((l) => l.includes('default/web:http ->')).map((l) => /--probability ([\d.]+)/.exec(l)?.[1] ?? 'last')
  t.same(stats, ['0.33333333333', '0.50000000000', 'last'])
  t.ok(lines.some((l) => l.includes('-j DNAT --to-destination 127.244.0.3:8080')))
  const empty = iptablesLines(rulesForService(svc, undefined))
  t.ok(empty.every((l) => l.includes('REJECT')))
})

t.test('balancer modes', async (t) => {
  const [rule] = rulesForService(svc, ep(['127.244.0.2', '127.244.0.3', '127.244.0.4']))
  const rr = new Balancer('round-robin', Math.random)
  t.same([1, 2, 3, 4].map(() => rr.pick(rule)!.ip), ['127.244.0.2', '127.244.0.3', '127.244.0.4', '127.244.0.2'])

  const lc = new Balancer('least-connections', Math.random)
  const a = lc.pick(rule)!
  const b = lc.pick(rule)!
  const c = lc.pick(rule)!
  t.equal(new Set([a.ip, b.ip, c.ip]).size, 3, 'spreads while all are busy')
  lc.release(b)
  t.equal(lc.pick(rule)!.ip, b.ip, 'picks the one with fewest open connections')

  const rnd = new Balancer('random', seededRandom(7))
  const counts = new Map<string, number>()
  for (let i = 0; i < 30_000; i++) {
    const e = rnd.pick(rule)!
    counts.set(e.ip, (counts.get(e.ip) ?? 0) + 1)
    rnd.release(e)
  }
  for (const n of counts.values()) t.ok(Math.abs(n - 10_000) < 5 * Math.sqrt(30_000 * (2 / 9)), `count ${n}`)
  t.equal(rnd.pick(rulesForService(svc, undefined)[0]), undefined, 'no endpoints: refused')
})
