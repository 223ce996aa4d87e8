// The DNS add-on answers a real resolver (dig, over UDP and TCP) and a process-runtime pod's
// resolver with records built from Services and Endpoints: ClusterIP A records, headless
// services (ready pod IPs only), SRV for named ports, pod A records, NXDOMAIN, the TTL.
import t from 'tap'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { stringify } from 'yaml'
import { eventually } from '../../helpers/kubectl.ts'
import { addonTopology, hostPort, startAddonCluster } from './addon-cluster.ts'
import { rangePrefix } from '../../helpers/local-cluster.ts'

const DIG = '/usr/bin/dig'
const TTL = 7

function dig(server: { host: string; port: number }, name: string, type: string, extra: string[] = []): Promise<string> {
  return new Promise((resolve) => {
    execFile(DIG, [`@${server.host}`, '-p', String(server.port), name, type, '+time=2', '+tries=2', ...extra], { timeout: 15_000 }, (_err, stdout) => resolve(String(stdout)))
  })
}

/** The answer section of a dig reply as [name, ttl, type, data] rows. */
function answers(out: string): Array<[string, number, string, string]> {
  return out.split('\n').filter((l) => l && !l.startsWith(';')).map((l) => {
    const f = l.trim().split(/\s+/)
    return [f[0] as string, Number(f[1]), f[3] as string, f.slice(4).join(' ')]
  })
}

const pod = (name: string, labels: Record<string, string>, extraArgs: string[] = []) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels },
  spec: {
    runtimeClassName: 'process',
    containers: [{
      name: 'web', image: 'node', command: ['node', 'test/fixtures/http-server.js', ...extraArgs],
      env: [{ name: 'PORT', value: '8080' }], ports: [{ name: 'http', containerPort: 8080 }],
      readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1 },
    }],
  },
})

const service = (name: string, headless: boolean) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name },
  spec: { ...(headless ? { clusterIP: 'None' } : {}), selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
})

t.test('dig and a pod resolve cluster names through the DNS add-on', { timeout: 120_000, skip: existsSync(DIG) ? false : 'dig (bind9-dnsutils) is not installed' }, async (t) => {
  const { k, addonInfo, network } = await startAddonCluster(t, addonTopology({ dns: true, ttl: TTL }))
  const firstServiceIP = network.serviceCIDR.replace(/\.0\/\d+$/, '.1')
  const dns = hostPort(addonInfo('dns-0').listen)
  t.equal(dns.host, '127.0.0.1', 'DNS listens on the loopback')
  t.ok(dns.port > 0, `DNS reports its port (${dns.port})`)

  const docs = [pod('web-a', { app: 'web' }), pod('web-b', { app: 'web' }), pod('web-down', { app: 'web' }, ['--fail-readiness']), service('web', false), service('web-headless', true)]
  const applied = await k.run(['apply', '-f', '-'], { stdin: docs.map((d) => stringify(d)).join('---\n') })
  if (!t.equal(applied.code, 0, applied.stderr)) return

  let podIps: Record<string, string> = {}
  const running = await eventually(async () => {
    const out = (await k.run(['get', 'pods', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.podIP}={.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}'])).stdout
    podIps = {}
    let readyCount = 0
    for (const l of out.split('\n').filter(Boolean)) {
      const [n, ip, ready] = l.split('=')
      if (ip) podIps[n as string] = ip
      if (ready === 'True') readyCount++
    }
    return Object.keys(podIps).length === 3 && readyCount === 2
  }, 40_000)
  if (!t.ok(running, `two ready pods and one not ready, all with IPs: ${JSON.stringify(podIps)}`)) return
  const clusterIP = (await k.run(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).stdout.trim()
  t.match(clusterIP, new RegExp(`^${rangePrefix(network.serviceCIDR)}\\d+\\.\\d+$`), `the Service has a ClusterIP in ${network.serviceCIDR}`)
  const ready = [podIps['web-a'], podIps['web-b']].sort()

  // The endpoints controller and the add-on's watch settle: the headless name answers the two ready pods.
  let headless = ''
  t.ok(await eventually(async () => {
    headless = await dig(dns, 'web-headless.default.svc.cluster.local', 'A', ['+noall', '+answer'])
    return JSON.stringify(answers(headless).map((a) => a[3]).sort()) === JSON.stringify(ready)
  }, 20_000), `headless service answers the ready pod IPs only:\n${headless}`)
  t.notMatch(headless, podIps['web-down'] ?? 'none', 'the not-ready pod is not in the answer')

  for (const transport of ['udp', 'tcp']) {
    const extra = transport === 'tcp' ? ['+tcp'] : ['+notcp']
    const a = await dig(dns, 'web.default.svc.cluster.local', 'A', [...extra, '+noall', '+answer'])
    t.same(answers(a), [['web.default.svc.cluster.local.', TTL, 'A', clusterIP]], `${transport}: A record of the ClusterIP with TTL ${TTL}`)

    const srv = await dig(dns, '_http._tcp.web.default.svc.cluster.local', 'SRV', [...extra, '+noall', '+answer'])
    const srvRows = answers(srv)
    t.equal(srvRows.length, 1, `${transport}: one SRV record for the named port:\n${srv}`)
    t.match(srvRows[0]?.[3] ?? '', /^\d+ \d+ 80 web\.default\.svc\.cluster\.local\.$/, `${transport}: SRV points at port 80 of the service name`)

    const hsrvOut = await dig(dns, '_http._tcp.web-headless.default.svc.cluster.local', 'SRV', [...extra, '+noall', '+answer'])
    const hsrv = answers(hsrvOut)
    if (!t.equal(hsrv.length, 2, `${transport}: headless SRV has one target per ready pod`)) {
      t.comment(hsrvOut)
      t.comment((await k.run(['get', 'endpoints', 'web-headless', '-o', 'yaml'])).stdout)
      t.comment((await k.run(['get', 'events'])).stdout)
    }
    t.ok(hsrv.every((r) => / 8080 /.test(r[3])), `${transport}: headless SRV carries the pod port`)

    const podName = `${(ready[0] as string).replaceAll('.', '-')}.default.pod.cluster.local`
    t.same(answers(await dig(dns, podName, 'A', [...extra, '+noall', '+answer'])).map((r) => r[3]), [ready[0]], `${transport}: pod A record`)

    const api = answers(await dig(dns, 'kubernetes.default.svc.cluster.local', 'A', [...extra, '+noall', '+answer']))
    t.same(api.map((r) => r[3]), [firstServiceIP], `${transport}: the kubernetes Service answers on the range's first address`)

    const nx = await dig(dns, 'nope.default.svc.cluster.local', 'A', extra)
    t.match(nx, /status: NXDOMAIN/, `${transport}: NXDOMAIN for an unknown service`)
    t.match(nx, /flags: qr aa/, `${transport}: the answer is authoritative`)
    t.match(nx, /SOA/, `${transport}: NXDOMAIN carries the zone SOA`)
  }
  const full = await dig(dns, 'web.default.svc.cluster.local', 'A')
  t.match(full, /status: NOERROR/, 'A query succeeds')
  t.match(full, /SERVER: 127\.0\.0\.1#\d+\(127\.0\.0\.1\) \(UDP\)/, 'dig used UDP by default')
  t.match(await dig(dns, 'web.default.svc.cluster.local', 'A', ['+tcp']), /\(TCP\)/, 'and TCP with +tcp')

  // A process-runtime pod resolves through the add-on with Node's resolver.
  const script = [
    "const { Resolver } = require('node:dns').promises",
    'const r = new Resolver(); r.setServers([process.env.DNS_SERVER])',
    "r.resolve4('web.default.svc.cluster.local').then((a) => console.log('RESOLVED ' + a.join(',')), (e) => console.log('FAILED ' + e.code))",
    "  .then(() => r.resolve4('missing.default.svc.cluster.local')).catch((e) => console.log('MISSING ' + e.code))",
  ].join('\n')
  const lookup = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'lookup' },
    spec: { runtimeClassName: 'process', restartPolicy: 'Never', containers: [{ name: 'lookup', image: 'node', command: ['node', '-e', script], env: [{ name: 'DNS_SERVER', value: `${dns.host}:${dns.port}` }] }] },
  }
  const made = await k.run(['apply', '-f', '-'], { stdin: stringify(lookup) })
  t.equal(made.code, 0, made.stderr)
  let logs = ''
  t.ok(await eventually(async () => {
    logs = (await k.run(['logs', 'lookup'])).stdout
    return /MISSING/.test(logs)
  }, 30_000), `the pod printed its lookups:\n${logs}`)
  t.match(logs, new RegExp(`RESOLVED ${clusterIP.replaceAll('.', '\\.')}`), 'the pod resolved the service to its ClusterIP')
  t.match(logs, /MISSING ENOTFOUND/, 'an unknown name is NXDOMAIN (ENOTFOUND) for the pod')
})
