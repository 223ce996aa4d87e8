import t from 'tap'
import { ServiceCidr, ipToInt, intToIp } from '../../../actors/apiserver/clusterip.ts'

t.test('service CIDR arithmetic', async (t) => {
  const c = new ServiceCidr('127.96.0.0/16')
  t.equal(c.capacity, 65536 - 3)
  t.equal(c.first, '127.96.0.1')
  t.notOk(c.usable('127.96.0.0'), 'network address')
  t.notOk(c.usable('127.96.0.1'), 'reserved for the kubernetes service')
  t.notOk(c.usable('127.96.255.255'), 'broadcast')
  t.ok(c.usable('127.96.0.2'))
  t.notOk(c.usable('127.97.0.2'))
  t.notOk(c.usable('x'))
  t.equal(c.candidate(0), '127.96.0.2')
  t.equal(c.candidate(0.9999999), '127.96.255.254')
  t.equal(intToIp(ipToInt('10.1.2.3')!), '10.1.2.3')
  t.throws(() => new ServiceCidr('nope'), { code: 'CONFIG_INVALID' })
})
