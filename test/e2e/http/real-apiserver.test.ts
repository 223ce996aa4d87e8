// The real ApiServer actors (over fake etcd) behind the load balancer, driven by stock kubectl.
import t from 'tap'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import { eventually, kubectlFor, startRealApiServers } from '../../helpers/kubectl.ts'

const manifests = join(dirname(fileURLToPath(import.meta.url)), '..', 'manifests')

t.test('kubectl through the load balancer to real apiservers', async (t) => {
  const c = await startRealApiServers(2)
  t.teardown(() => c.close())
  const k = await kubectlFor(c.lb.port)
  t.teardown(() => k.cleanup())
  const ok = async (args: string[], stdin?: string) => {
    const r = await k.run(args, { stdin })
    if (r.code !== 0) t.fail(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
    return r.stdout
  }
  t.match(await ok(['version']), /Server Version: v1\.32\.0/)
  t.match(await ok(['get', 'ns']), /kube-system\s+Active/)
  t.match(await ok(['apply', '-f', join(manifests, 'nginx-deployment.yaml')]), /created/)
  t.match(await ok(['apply', '-f', join(manifests, 'nginx-deployment.yaml')]), /unchanged/)
  t.match(await ok(['apply', '-f', join(manifests, 'service.yaml')]), /created/)
  t.match(await ok(['get', 'svc', 'my-service']), /my-service\s+ClusterIP\s+127\.96\.\d+\.\d+\s+<none>\s+80\/TCP/)
  t.match(await ok(['get', 'deploy']), /nginx-deployment\s+0\/3/)
  const d = JSON.parse(await ok(['get', 'deploy', 'nginx-deployment', '-o', 'json']))
  t.equal(d.spec.strategy.type, 'RollingUpdate', 'server-side defaults')
  t.match(await ok(['describe', 'deploy', 'nginx-deployment']), /StrategyType:\s+RollingUpdate/)
  await ok(['scale', 'deploy', 'nginx-deployment', '--replicas=5'])
  t.equal(JSON.parse(await ok(['get', 'deploy', 'nginx-deployment', '-o', 'json'])).spec.replicas, 5)
  await ok(['patch', 'deploy', 'nginx-deployment', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.16.1"}]}}}}'])
  const p = JSON.parse(await ok(['get', 'deploy', 'nginx-deployment', '-o', 'json']))
  t.equal(p.spec.template.spec.containers[0].image, 'nginx:1.16.1')
  t.equal(p.spec.template.spec.containers[0].ports[0].containerPort, 80, 'strategic merge kept the ports')
  t.ok(p.metadata.generation >= 3)
  const strict = await k.run(['create', '-f', '-'], { stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: strict\nbogusField: 1\n' })
  t.not(strict.code, 0)
  t.match(strict.stderr, /bogusField/, 'fieldValidation=Strict names the unknown field')
  const warned = await k.run(['create', '--validate=warn', '-f', '-'], { stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: warned\nbogusField: 1\ndata:\n  a: b\n' })
  t.equal(warned.code, 0, `fieldValidation=Warn creates the object: ${warned.stderr}`)
  t.match(warned.stderr, /Warning: unknown field "bogusField"/, 'kubectl prints the Warning header naming the field')
  const ignored = await k.run(['create', '--validate=false', '-f', '-'], { stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ignored\nbogusField: 1\n' })
  t.equal(ignored.code, 0)
  t.notMatch(ignored.stderr, /Warning/, 'fieldValidation=Ignore warns about nothing')
  // Server-side apply keeps field owners: a scale by another manager conflicts with a re-apply.
  const ssa = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: owned\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: owned}\n  template:\n    metadata:\n      labels: {app: owned}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n'
  t.match(await ok(['apply', '--server-side', '-f', '-'], ssa), /serverside-applied/)
  const mf = JSON.parse(await ok(['get', 'deploy', 'owned', '-o', 'json', '--show-managed-fields'])).metadata.managedFields
  t.same(mf.map((e: { manager: string; operation: string }) => [e.manager, e.operation]), [['kubectl', 'Apply']], 'the applier owns its fields')
  await ok(['scale', 'deploy', 'owned', '--replicas=4'])
  const clash = await k.run(['apply', '--server-side', '-f', '-'], { stdin: ssa })
  t.not(clash.code, 0, 'a re-apply that would undo the scale conflicts')
  t.match(clash.stderr, /conflict with "kubectl[^"]*".*\.spec\.replicas/, `kubectl names the manager and the field: ${clash.stderr}`)
  t.match(await ok(['apply', '--server-side', '--force-conflicts', '-f', '-'], ssa), /serverside-applied/)
  t.equal(JSON.parse(await ok(['get', 'deploy', 'owned', '-o', 'json'])).spec.replicas, 2, '--force-conflicts takes the field back')
  const dropped = `${ssa}        env: [{name: A, value: "1"}]\n`
  await ok(['apply', '--server-side', '-f', '-'], dropped)
  t.same(JSON.parse(await ok(['get', 'deploy', 'owned', '-o', 'json'])).spec.template.spec.containers[0].env, [{ name: 'A', value: '1' }])
  await ok(['apply', '--server-side', '-f', '-'], ssa)
  t.notOk(JSON.parse(await ok(['get', 'deploy', 'owned', '-o', 'json'])).spec.template.spec.containers[0].env, 'a field no longer applied is removed')
  const w = k.spawn(['get', 'pods', '--watch'])
  t.teardown(w.stop)
  await new Promise((r) => setTimeout(r, 1000))
  await ok(['run', 'w1', '--image=busybox'])
  t.ok(await eventually(() => /w1\s+0\/1\s+Pending/.test(w.output()), 10_000), `watch row:\n${w.output()}`)
  t.match(await ok(['delete', '-f', join(manifests, 'nginx-deployment.yaml')]), /deleted/)
  t.match((await k.run(['get', 'deploy', 'nginx-deployment'])).stderr, /NotFound/)
})
