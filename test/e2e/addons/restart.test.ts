// An add-on that crashes (discarded without its stop hook) and is restarted in the same thread
// listens again on its fixed port: the new incarnation takes over the listener the old one left.
import t from 'tap'
import { execFile } from 'node:child_process'
import { createServer } from 'node:net'
import { request } from 'node:http'
import { addonTopology, hostPort, startAddonCluster } from './addon-cluster.ts'

const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number }
    s.close(() => resolve(port))
  })
})

const dig = (port: number, name: string) => new Promise<string>((resolve) => {
  execFile('/usr/bin/dig', ['@127.0.0.1', '-p', String(port), name, '+time=2', '+tries=1'], { timeout: 10_000 }, (_e, out) => resolve(String(out)))
})

const status = (port: number) => new Promise<number>((resolve) => {
  const req = request({ host: '127.0.0.1', port, path: '/', headers: { host: 'nothing.example' }, agent: false, timeout: 5000 }, (res) => {
    res.resume()
    resolve(res.statusCode ?? 0)
  })
  req.on('error', () => resolve(0))
  req.end()
})

t.test('dns-0 and ingress-0 serve again on their ports after a crash and restart', { timeout: 90_000 }, async (t) => {
  const [dnsPort, ingressPort] = [await freePort(), await freePort()]
  const yaml = addonTopology({ dns: true, ingress: true, nodes: 1 })
    .replace(/dns: \{ enabled: true, port: 0/, `dns: { enabled: true, port: ${dnsPort}`)
    .replace('ingress: { enabled: true, port: 0 }', `ingress: { enabled: true, port: ${ingressPort} }`)
  const { sys, addonInfo } = await startAddonCluster(t, yaml)
  t.equal(hostPort(addonInfo('dns-0').listen).port, dnsPort, 'DNS on its configured port')
  t.equal(hostPort(addonInfo('ingress-0').listen).port, ingressPort, 'ingress on its configured port')
  t.match(await dig(dnsPort, 'cluster.local'), /status: NOERROR/, 'DNS answers before the crash')

  for (const id of ['dns-0', 'ingress-0']) {
    sys.crash(id)
    sys.reports.delete(id)
    sys.restart(id)
  }
  t.ok(await sys.waitFor(() => ['dns-0', 'ingress-0'].every((id) => sys.reports.get(id)?.ready === true), 15_000), 'both report ready again')
  t.same(sys.crashes.map((c) => c.error.split('\n')[0]), [], 'no restart failed (no EADDRINUSE)')
  t.equal(hostPort(addonInfo('dns-0').listen).port, dnsPort, 'DNS is back on the same port')
  t.match(await dig(dnsPort, 'cluster.local'), /status: NOERROR/, 'DNS answers after the restart')
  t.match(await dig(dnsPort, 'nope.default.svc.cluster.local'), /status: NXDOMAIN/, 'and still knows what does not exist')
  t.equal(await status(ingressPort), 404, 'the ingress answers after the restart')
})
