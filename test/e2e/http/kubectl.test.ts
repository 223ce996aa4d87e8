// The real /usr/bin/kubectl against the HTTP gateway in front of an in-memory core.
import t from 'tap'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import { eventually, kubectlFor } from '../../helpers/kubectl.ts'
import { startMemoryGateway } from '../../helpers/memory-core.ts'

const manifests = join(dirname(fileURLToPath(import.meta.url)), '..', 'manifests')
const m = (f: string) => join(manifests, f)

t.test('stock kubectl against the gateway', async (t) => {
  const gw = await startMemoryGateway()
  t.teardown(() => gw.close())
  const k = await kubectlFor(gw.port)
  t.teardown(() => k.cleanup())

  const ok = async (args: string[], stdin?: string) => {
    const r = await k.run(args, { stdin })
    if (r.code !== 0) t.fail(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
    return r.stdout
  }

  await t.test('version and api-resources', async (t) => {
    t.match(await ok(['version']), /Server Version: v1\.32\.0/)
    const res = await ok(['api-resources'])
    t.match(res, /deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/)
    t.match(res, /pods\s+po\s+v1\s+true\s+Pod/)
    t.match(res, /leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease/)
  })

  await t.test('apply the documentation manifests, then get Tables', async (t) => {
    t.match(await ok(['apply', '-f', m('nginx-deployment.yaml')]), /deployment.apps\/nginx-deployment created/)
    t.match(await ok(['apply', '-f', m('service.yaml')]), /service\/my-service created/)
    t.match(await ok(['apply', '-f', m('job.yaml')]), /job.batch\/pi created/)
    t.match(await ok(['apply', '-f', m('daemonset.yaml')]), /daemonset.apps\/fluentd-elasticsearch created/)
    t.match(await ok(['apply', '-f', m('statefulset.yaml')]), /statefulset.apps\/web created/)
    t.match(await ok(['apply', '-f', m('nginx-deployment.yaml')]), /unchanged/)
    const deploy = await ok(['get', 'deploy'])
    t.match(deploy, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\n/)
    t.match(deploy, /nginx-deployment\s+3\/3\s+3\s+3\s+\d+s/)
    t.match(await ok(['get', 'deploy', '-o', 'wide']), /CONTAINERS\s+IMAGES\s+SELECTOR[\s\S]*nginx\s+nginx:1\.14\.2\s+app=nginx/)
    t.match(await ok(['get', 'svc', 'my-service']), /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\n[\s\S]*my-service\s+ClusterIP\s+\S+\s+<none>\s+80\/TCP/)
    t.match(await ok(['get', 'jobs']), /NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE/)
    t.match(await ok(['get', 'ds', '-n', 'kube-system']), /NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE/)
    t.match(await ok(['get', 'sts']), /web\s+3\/3/)
    const all = await ok(['get', 'deploy,ds', '-A'])
    t.match(all, /NAMESPACE\s+NAME/)
    t.match(all, /kube-system\s+daemonset.apps\/fluentd-elasticsearch/)
    t.match(await ok(['get', 'deploy', '-l', 'app=nginx', '-o', 'name']), /deployment.apps\/nginx-deployment/)
    t.equal((await k.run(['get', 'deploy', '-l', 'app=nope'])).stderr.trim(), 'No resources found in default namespace.')
    t.match(await ok(['get', 'ns', '--field-selector', 'metadata.name=kube-system']), /kube-system\s+Active/)
    const sorted = await ok(['get', 'ns', '--sort-by=.metadata.name', '-o', 'name'])
    t.same(sorted.trim().split('\n'), ['namespace/default', 'namespace/kube-node-lease', 'namespace/kube-public', 'namespace/kube-system'])
  })

  await t.test('-o yaml and -o json', async (t) => {
    const j = JSON.parse(await ok(['get', 'deploy', '-o', 'json']))
    t.equal(j.kind, 'List')
    t.equal(j.items[0].kind, 'Deployment')
    t.equal(j.items[0].metadata.name, 'nginx-deployment')
    t.match(await ok(['get', 'deploy', 'nginx-deployment', '-o', 'yaml']), /kind: Deployment\n[\s\S]*replicas: 3/)
  })

  await t.test('create -f, describe, delete', async (t) => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-0\n  labels: {app: web}\nspec:\n  containers:\n  - name: c\n    image: busybox\n'
    t.match(await ok(['create', '-f', '-'], pod), /pod\/web-0 created/)
    t.match(await ok(['get', 'pods']), /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nweb-0\s+0\/1\s+Pending\s+0\s+\d+s/)
    t.match(await ok(['get', 'pods', '-o', 'wide']), /IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/)
    const dup = await k.run(['create', '-f', '-'], { stdin: pod })
    t.not(dup.code, 0)
    t.match(dup.stderr, /AlreadyExists|already exists/)
    t.match(await ok(['describe', 'pod', 'web-0']), /Name:\s+web-0[\s\S]*Status:\s+Pending/)
    t.match(await ok(['describe', 'deployment', 'nginx-deployment']), /Replicas:\s+3 desired/)
    t.match(await ok(['describe', 'service', 'my-service']), /Name:\s+my-service/)
    t.match(await ok(['delete', 'pod', 'web-0']), /pod "web-0" deleted/)
    t.match((await k.run(['get', 'pod', 'web-0'])).stderr, /NotFound/)
  })

  await t.test('patch, label, annotate, scale, apply --server-side', async (t) => {
    await ok(['patch', 'deploy', 'nginx-deployment', '-p', '{"spec":{"replicas":2}}'])
    t.match(await ok(['get', 'deploy', 'nginx-deployment']), /2\/2/)
    await ok(['patch', 'deploy', 'nginx-deployment', '--type=merge', '-p', '{"metadata":{"labels":{"m":"x"}}}'])
    await ok(['patch', 'deploy', 'nginx-deployment', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":4}]'])
    await ok(['label', 'deploy', 'nginx-deployment', 'tier=web'])
    await ok(['annotate', 'deploy', 'nginx-deployment', 'note=hello'])
    const d = JSON.parse(await ok(['get', 'deploy', 'nginx-deployment', '-o', 'json']))
    t.equal(d.spec.replicas, 4)
    t.equal(d.metadata.labels.m, 'x')
    t.equal(d.metadata.labels.tier, 'web')
    t.equal(d.metadata.annotations.note, 'hello')
    t.match(await ok(['scale', 'deploy', 'nginx-deployment', '--replicas=5']), /scaled/)
    t.match(await ok(['scale', 'deploy', 'nginx-deployment', '--current-replicas=5', '--replicas=3']), /scaled/)
    t.equal(JSON.parse(await ok(['get', 'deploy', 'nginx-deployment', '-o', 'json'])).spec.replicas, 3)
    t.match(await ok(['apply', '--server-side', '-f', m('nginx-deployment.yaml')]), /serverside-applied/)
    const after = JSON.parse(await ok(['get', 'deploy', 'nginx-deployment', '-o', 'json']))
    t.equal(after.metadata.labels.tier, 'web', 'server-side apply merged, did not replace')
    t.match(await ok(['apply', '--server-side', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: "1"\n'), /configmap\/ssa serverside-applied/)
    t.match(await ok(['get', 'cm', 'ssa']), /ssa\s+1\s+/)
  })

  await t.test('rollout status and restart', async (t) => {
    t.match(await ok(['rollout', 'status', 'deploy/nginx-deployment', '--timeout=10s']), /successfully rolled out/)
    t.match(await ok(['rollout', 'restart', 'deploy/nginx-deployment']), /restarted/)
    const d = JSON.parse(await ok(['get', 'deploy', 'nginx-deployment', '-o', 'json']))
    t.ok(d.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'])
    t.ok(d.metadata.generation > 1, 'generation grows on spec changes')
  })

  await t.test('get --watch streams changes', async (t) => {
    const w = k.spawn(['get', 'pods', '--watch'])
    t.teardown(w.stop)
    await eventually(() => w.output().includes('No resources found') || w.output().length === 0, 2000)
    await new Promise((r) => setTimeout(r, 500))
    await ok(['run', 'watched', '--image=busybox'])
    t.ok(await eventually(() => /watched\s+0\/1\s+Pending/.test(w.output()), 10_000), 'ADDED row shown')
    await ok(['label', 'pod', 'watched', 'x=y'])
    await ok(['delete', 'pod', 'watched', '--wait=true'])
    t.ok(await eventually(() => w.output().split('\n').filter((l) => l.startsWith('watched')).length >= 3, 10_000), `rows for added, modified, deleted:\n${w.output()}`)
  })

  await t.test('logs', async (t) => {
    await ok(['run', 'talker', '--image=busybox'])
    gw.core.setLog('default', 'talker', 'line 1\nline 2\nline 3\n')
    t.equal(await ok(['logs', 'talker']), 'line 1\nline 2\nline 3\n')
    t.equal(await ok(['logs', 'talker', '--tail=1']), 'line 3\n')
    const f = k.spawn(['logs', '-f', 'talker'])
    t.teardown(f.stop)
    t.ok(await eventually(() => f.output().includes('line 3'), 5000))
    gw.core.setLog('default', 'talker', 'line 1\nline 2\nline 3\nline 4\n')
    t.ok(await eventually(() => f.output().includes('line 4'), 5000), 'follow shows new lines')
  })

  await t.test('leases', async (t) => {
    await ok(['apply', '-f', '-'], 'apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n  name: kube-scheduler\n  namespace: kube-system\nspec:\n  holderIdentity: scheduler-0_abc\n  leaseDurationSeconds: 15\n')
    t.match(await ok(['get', 'lease', '-n', 'kube-system']), /NAME\s+HOLDER\s+AGE\nkube-scheduler\s+scheduler-0_abc/)
  })

  await t.test('delete with cascade and wait', async (t) => {
    t.match(await ok(['delete', '-f', m('nginx-deployment.yaml'), '--cascade=foreground', '--wait']), /deleted/)
    t.match(await ok(['delete', 'svc', 'my-service', '--cascade=orphan']), /deleted/)
    t.match((await k.run(['get', 'deploy', 'nginx-deployment'])).stderr, /NotFound/)
  })
})
