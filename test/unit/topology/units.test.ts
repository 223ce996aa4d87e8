import t from 'tap'
import { formatDuration, parseDuration } from '../../../runtime/topology/duration.ts'
import { contains, formatCidr, LOOPBACK, overlaps, parseCidr, subnet, subnetCount } from '../../../runtime/topology/cidr.ts'

t.test('durations', async (t) => {
  const cases: Array<[string, number | undefined]> = [
    ['300ms', 300], ['5s', 5000], ['1.5s', 1500], ['2m', 120_000], ['1h', 3_600_000], ['1m30s', 90_000], ['250', 250],
    ['', undefined], ['5 s', undefined], ['s', undefined], ['5x', undefined], ['-5s', undefined], ['5s3', undefined],
  ]
  for (const [text, ms] of cases) t.equal(parseDuration(text), ms, text)
  t.equal(formatDuration(300), '300ms')
  t.equal(formatDuration(1500), '1.5s')
  t.equal(formatDuration(90_000), '1.5m')
})

t.test('CIDRs', async (t) => {
  const pod = parseCidr('127.244.0.0/16')!
  t.equal(formatCidr(pod), '127.244.0.0/16')
  t.equal(formatCidr(parseCidr('127.244.9.9/16')!), '127.244.0.0/16', 'host bits are cleared')
  t.equal(parseCidr('127.244.0.0/33'), undefined)
  t.equal(parseCidr('256.0.0.0/8'), undefined)
  t.equal(parseCidr('127.0.0.0'), undefined)
  t.ok(contains(LOOPBACK, pod))
  t.notOk(contains(LOOPBACK, parseCidr('10.0.0.0/8')!))
  t.notOk(contains(LOOPBACK, parseCidr('0.0.0.0/0')!))
  t.ok(overlaps(pod, parseCidr('127.244.3.0/24')!))
  t.notOk(overlaps(pod, parseCidr('127.96.0.0/16')!))
  t.equal(subnetCount(pod, 24), 256)
  t.equal(subnetCount(parseCidr('127.244.0.0/25')!, 24), 0)
  t.equal(formatCidr(subnet(pod, 24, 255)), '127.244.255.0/24')
  t.equal(formatCidr(subnet(parseCidr('200.0.0.0/8')!, 24, 1)), '200.0.1.0/24', 'high addresses stay unsigned')
})
