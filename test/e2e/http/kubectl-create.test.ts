// Stock kubectl's generator commands (`kubectl create <kind>`, `kubectl run`), which send their
// objects as application/vnd.kubernetes.protobuf, against a whole cluster: each object is read
// back with `kubectl get -o json`, and the pods of `kubectl create deployment` reach Running.
import t from 'tap'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { selfSignedCert } from '../../../runtime/lb/tls.ts'
import { rangePrefix, smallTopology, startLocalCluster } from '../../helpers/local-cluster.ts'
import { eventually, kubectlFor } from '../../helpers/kubectl.ts'

const TOPOLOGY = smallTopology('kubectl-create')

const b64 = (s: string) => Buffer.from(s).toString('base64')
const unb64 = (s: string) => Buffer.from(s, 'base64')

t.test('kubectl create generators and kubectl run against a cluster', async (t) => {
  const c = await startLocalCluster(TOPOLOGY)
  t.teardown(() => c.stop())
  t.ok(await c.sys.waitFor(() => c.sys.reports.get('apiserver-0')?.ready === true, 20_000), 'apiserver ready')
  const k = await kubectlFor(c.apiPort())
  t.teardown(() => k.cleanup())
  const files = await mkdtemp(join(tmpdir(), 'actorkube-create-'))
  t.teardown(() => rm(files, { recursive: true, force: true }))

  const ok = async (args: string[]) => {
    const r = await k.run(args)
    if (r.code !== 0) t.fail(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
    return r.stdout
  }
  const getJson = async (args: string[]) => JSON.parse(await ok(['get', ...args, '-o', 'json']))

  await t.test('namespace', async (t) => {
    t.match(await ok(['create', 'namespace', 'team-a']), /namespace\/team-a created/)
    const ns = await getJson(['namespace', 'team-a'])
    t.equal(ns.metadata.name, 'team-a')
    t.equal(ns.status.phase, 'Active')
    t.match(await ok(['create', 'namespace', 'team-b', '--save-config']), /created/)
    const b = await getJson(['namespace', 'team-b'])
    t.match(b.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], /"name":"team-b"/)
  })

  await t.test('configmap: literals, a text file and a binary file', async (t) => {
    await writeFile(join(files, 'app.conf'), 'mode=fast\n')
    await writeFile(join(files, 'blob.bin'), Buffer.from([0x00, 0xff, 0x10, 0x80]))
    t.match(await ok(['create', 'configmap', 'app', '-n', 'team-a', '--from-literal=a=b', `--from-file=${join(files, 'app.conf')}`, `--from-file=${join(files, 'blob.bin')}`]), /configmap\/app created/)
    const cm = await getJson(['configmap', 'app', '-n', 'team-a'])
    t.same(cm.data, { a: 'b', 'app.conf': 'mode=fast\n' })
    t.same(unb64(cm.binaryData['blob.bin']), Buffer.from([0x00, 0xff, 0x10, 0x80]))
    t.match(await ok(['create', 'configmap', 'dry', '--from-literal=k=v', '--dry-run=server']), /configmap\/dry created \(server dry run\)/)
    t.match((await k.run(['get', 'configmap', 'dry'])).stderr, /NotFound/, 'server dry run stores nothing')
  })

  await t.test('secrets: generic, tls, docker-registry', async (t) => {
    t.match(await ok(['create', 'secret', 'generic', 'db', '--from-literal=user=admin', '--from-literal=pass=s3cr3t']), /secret\/db created/)
    const db = await getJson(['secret', 'db'])
    t.equal(db.type, 'Opaque')
    t.same(db.data, { user: b64('admin'), pass: b64('s3cr3t') })

    const { cert, key } = await selfSignedCert(join(files, 'tls'))
    t.match(await ok(['create', 'secret', 'tls', 'web-tls', `--cert=${join(files, 'tls', 'lb.crt')}`, `--key=${join(files, 'tls', 'lb.key')}`]), /secret\/web-tls created/)
    const tls = await getJson(['secret', 'web-tls'])
    t.equal(tls.type, 'kubernetes.io/tls')
    t.equal(unb64(tls.data['tls.crt']).toString(), cert)
    t.equal(unb64(tls.data['tls.key']).toString(), key)

    t.match(await ok(['create', 'secret', 'docker-registry', 'regcred', '--docker-server=registry.example.test', '--docker-username=u', '--docker-password=p']), /secret\/regcred created/)
    const reg = await getJson(['secret', 'regcred'])
    t.equal(reg.type, 'kubernetes.io/dockerconfigjson')
    const cfg = JSON.parse(unb64(reg.data['.dockerconfigjson']).toString())
    t.equal(cfg.auths['registry.example.test'].username, 'u')
  })

  await t.test('serviceaccount, and create token is refused clearly', async (t) => {
    t.match(await ok(['create', 'serviceaccount', 'builder']), /serviceaccount\/builder created/)
    t.equal((await getJson(['serviceaccount', 'builder'])).metadata.name, 'builder')
    const token = await k.run(['create', 'token', 'builder'])
    t.not(token.code, 0)
    t.match(token.stderr, /TokenRequest\) is not served/)
  })

  await t.test('deployment: the pods reach Running', async (t) => {
    t.match(await ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=2', '--port=80']), /deployment.apps\/web created/)
    const d = await getJson(['deployment', 'web'])
    t.equal(d.spec.replicas, 2)
    t.same(d.spec.selector, { matchLabels: { app: 'web' } })
    t.same(d.spec.template.spec.containers[0].ports, [{ containerPort: 80, protocol: 'TCP' }])
    t.equal(d.spec.strategy.type, 'RollingUpdate', 'server defaults applied to a protobuf body')
    let pods = ''
    const running = await eventually(async () => {
      pods = (await k.run(['get', 'pods', '-l', 'app=web'])).stdout
      return (pods.match(/ 1\/1 +Running /g) ?? []).length === 2
    }, 30_000)
    t.ok(running, `two pods Running:\n${pods}`)
    const rollout = await k.run(['rollout', 'status', 'deployment/web', '--timeout=20s'])
    t.equal(rollout.code, 0, rollout.stderr)

    t.match(await ok(['create', 'deployment', 'idle', '--image=nginx', '--replicas=0']), /created/)
    t.equal((await getJson(['deployment', 'idle'])).spec.replicas, 0, '--replicas=0 is kept, not defaulted to 1')
  })

  await t.test('services: clusterip, headless, nodeport, loadbalancer, externalname', async (t) => {
    t.match(await ok(['create', 'service', 'clusterip', 'web', '--tcp=80:8080']), /service\/web created/)
    const web = await getJson(['service', 'web'])
    t.equal(web.spec.type, 'ClusterIP')
    t.match(web.spec.clusterIP, new RegExp(`^${rangePrefix(c.network.serviceCIDR)}`))
    t.same(web.spec.ports.map((p: any) => [p.name, p.port, p.targetPort, p.protocol]), [['80-8080', 80, 8080, 'TCP']])
    t.same(web.spec.selector, { app: 'web' })

    t.match(await ok(['create', 'service', 'clusterip', 'headless', '--clusterip=None']), /created/)
    t.equal((await getJson(['service', 'headless'])).spec.clusterIP, 'None')

    t.match(await ok(['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080']), /created/)
    const np = await getJson(['service', 'np'])
    t.equal(np.spec.type, 'NodePort')
    t.equal(np.spec.ports[0].nodePort, 30080)

    t.match(await ok(['create', 'service', 'loadbalancer', 'lb', '--tcp=443:8443']), /created/)
    const lb = await getJson(['service', 'lb'])
    t.equal(lb.spec.type, 'LoadBalancer')
    t.equal(lb.spec.ports[0].port, 443)

    t.match(await ok(['create', 'service', 'externalname', 'db', '--external-name=db.example.test']), /created/)
    const ext = await getJson(['service', 'db'])
    t.equal(ext.spec.type, 'ExternalName')
    t.equal(ext.spec.externalName, 'db.example.test')
  })

  await t.test('job', async (t) => {
    t.match(await ok(['create', 'job', 'once', '--image=busybox', '--', 'echo', 'hi']), /job.batch\/once created/)
    const job = await getJson(['job', 'once'])
    t.same(job.spec.template.spec.containers[0].command, ['echo', 'hi'])
    t.equal(job.spec.template.spec.restartPolicy, 'Never')
    t.ok(await eventually(async () => (await k.run(['get', 'pods', '-l', 'job-name=once', '-o', 'name'])).stdout.trim() !== '', 20_000), 'the job controller makes its pod')
  })

  await t.test('ingress', async (t) => {
    t.match(await ok(['create', 'ingress', 'site', '--class=default', '--rule=foo.example.test/api*=web:80', '--rule=bar.example.test/=web:http,tls=web-tls']), /ingress.networking.k8s.io\/site created/)
    const ing = await getJson(['ingress', 'site'])
    t.equal(ing.spec.ingressClassName, 'default')
    t.same(ing.spec.rules[0], { host: 'foo.example.test', http: { paths: [{ path: '/api', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } })
    t.same(ing.spec.rules[1].http.paths[0].backend.service.port, { name: 'http' })
    t.same(ing.spec.tls, [{ hosts: ['bar.example.test'], secretName: 'web-tls' }])
  })

  await t.test('kubectl run: the pod reaches Running', async (t) => {
    t.match(await ok(['run', 'solo', '--image=nginx', '--port=80', '--env=MODE=fast', '--labels=app=solo,tier=web', '--restart=Never', '--', '--flag']), /pod\/solo created/)
    const pod = await getJson(['pod', 'solo'])
    t.same(pod.metadata.labels, { app: 'solo', tier: 'web' })
    t.same(pod.spec.containers[0].env, [{ name: 'MODE', value: 'fast' }])
    t.same(pod.spec.containers[0].args, ['--flag'])
    t.equal(pod.spec.restartPolicy, 'Never')
    t.ok(await eventually(async () => / 1\/1 +Running /.test((await k.run(['get', 'pod', 'solo'])).stdout), 30_000), 'solo Running')
  })

  t.same(c.sys.crashes, [], 'no actor crashed')
})
