// The protobuf request-body decoder: bodies captured from stock kubectl v1.32 decode to exactly
// the JSON Go writes for the same objects (kubectl's own --dry-run=client -o json), and hand-built
// bodies cover the special types, zero values, unknown fields and malformed input.
import t from 'tap'
import type * as Tap from 'tap'
import { decodeBody } from '../../../../actors/apiserver/http/body.ts'
import { KINDS } from '../../../../actors/apiserver/kinds.ts'
import { decodeProtobufBody, PROTOBUF_MEDIA_TYPE } from '../../../../actors/apiserver/http/protobuf/index.ts'
import { REGISTRY, ROOT_MESSAGES, rootMessage, TABLES } from '../../../../actors/apiserver/http/protobuf/kinds.ts'
import { compileTables } from '../../../../actors/apiserver/http/protobuf/schema.ts'
import { unservedMessage } from '../../../../actors/apiserver/http/unserved.ts'
import { encode, envelope, fixtures, msg, num, str, type PbField } from './protobuf-helpers.ts'

const decodeStrict = (body: Uint8Array) => decodeBody(PROTOBUF_MEDIA_TYPE, body, { fieldValidation: 'Strict' })

function value(t: Tap.Test, d: ReturnType<typeof decodeBody>): Record<string, any> {
  if (!d.ok) {
    t.fail(`decode failed: ${JSON.stringify(d.status)}`)
    return {}
  }
  return d.value as Record<string, any>
}

const container = (...extra: PbField[]) => msg(2, str(1, 'c'), str(2, 'busybox'), ...extra)
const podTemplate = (...containerExtra: PbField[]) => msg(3, msg(1), msg(2, container(...containerExtra)))

t.test('bodies captured from kubectl decode to the JSON Go writes for them', async (t) => {
  const all = fixtures()
  t.ok(all.length >= 18, `fixtures found: ${all.map((f) => f.name).join(', ')}`)
  for (const f of all.filter((x) => x.expected)) {
    const d = decodeStrict(f.body)
    t.same(value(t, d), f.expected, `${f.name}: ${f.command}`)
    t.strictSame(Object.keys(value(t, d)).slice(0, 2), ['apiVersion', 'kind'], `${f.name}: apiVersion and kind come first`)
  }
  const byName = new Map(all.map((f) => [f.name, f]))
  const secret = value(t, decodeStrict(byName.get('secret-generic')!.body))
  t.equal(Buffer.from(secret.data.pass, 'base64').toString(), 's3cr3t', 'Secret data is base64 of the raw bytes')
  const cm = value(t, decodeStrict(byName.get('configmap')!.body))
  t.same(Buffer.from(cm.binaryData['bin.dat'], 'base64'), Buffer.from([0x61, 0x00, 0xff, 0x62]), 'ConfigMap binaryData keeps non-UTF-8 bytes')
  const zero = value(t, decodeStrict(byName.get('deployment-zero-replicas')!.body))
  t.equal(zero.spec.replicas, 0, '--replicas=0 stays 0 (a pointer in Go)')
  const pod = value(t, decodeStrict(byName.get('pod-debug-copy')!.body))
  const app = pod.spec.containers[0]
  t.same(app.resources, { limits: { cpu: '1', memory: '128Mi' }, requests: { cpu: '250m', memory: '64Mi' } }, 'Quantity maps')
  t.equal(app.livenessProbe.httpGet.port, 'http', 'IntOrString string, ProbeHandler inlined into the probe')
  t.equal(app.readinessProbe.tcpSocket.port, 8080, 'IntOrString int')
  t.same(pod.spec.volumes[0], { name: 'data', emptyDir: { sizeLimit: '1Gi' } }, 'VolumeSource inlined into the volume')
  t.equal(pod.spec.terminationGracePeriodSeconds, 0, 'pointer int64 zero kept')
  t.equal(pod.spec.priority, 0, 'pointer int32 zero kept')
  t.equal(pod.spec.volumes[2].secret.optional, false, 'pointer bool false kept')
})

t.test('kinds this server does not serve, or has no schema for, are a 415 naming the kind', async (t) => {
  for (const f of fixtures().filter((x) => !x.expected)) {
    const d = decodeStrict(f.body)
    t.equal(d.ok, false, f.name)
    if (d.ok) continue
    t.equal(d.status.code, 415, f.name)
    t.match(d.status.message, /(batch\/v1 CronJob|authentication\.k8s\.io\/v1 TokenRequest) is not decoded from protobuf/, f.name)
    t.match(d.status.message, /send it as application\/json/)
  }
  t.match(unservedMessage('/api/v1/namespaces/default/serviceaccounts/sa1/token'), /TokenRequest\) is not served/)
  t.equal(unservedMessage('/api/v1/namespaces/default/pods/p/token'), undefined)
})

t.test('the tables compile, and every kind kubectl create/run makes that we serve has a schema', async (t) => {
  t.ok(REGISTRY.size > 200, `${REGISTRY.size} messages`)
  for (const m of Object.values(ROOT_MESSAGES)) t.ok(REGISTRY.has(m), `${m} is defined`)
  const served = new Set(KINDS.map((k) => `${k.group ? `${k.group}/` : ''}${k.version} ${k.kind}`))
  for (const k of ['v1 Namespace', 'v1 ConfigMap', 'v1 Secret', 'v1 ServiceAccount', 'v1 Service', 'v1 Pod', 'apps/v1 Deployment', 'batch/v1 Job', 'networking.k8s.io/v1 Ingress']) {
    t.ok(served.has(k), `${k} is served`)
    t.ok(rootMessage(k.split(' ')[0]!, k.split(' ')[1]!), `${k} decodes from protobuf`)
  }
  t.throws(() => compileTables([...TABLES, { package: 'x', messages: { Pod: [] } }]), /defined twice/)
  t.throws(() => compileTables([{ package: 'x', messages: { A: [[1, 'a', 'Nope']] } }]), /unknown message type Nope/)
  t.throws(() => compileTables([{ package: 'x', messages: { A: [[1, 'a', 'str'], [1, 'b', 'str']] } }]), /used twice/)
  t.throws(() => compileTables([{ package: 'x', messages: { A: [[1, 'a', 'str', 'i']] } }]), /only messages can be inlined/)
})

t.test('special types: Time, MicroTime, Quantity, IntOrString, RawExtension, FieldsV1', async (t) => {
  const meta = msg(1, str(1, 'x'), msg(8, num(1, 1714979289)), msg(9 /* deletionTimestamp */), msg(17, str(1, 'kubectl'), msg(7, { no: 1, bytes: Buffer.from('{"f:data":{}}') })))
  const lease = value(t, decodeStrict(envelope('coordination.k8s.io/v1', 'Lease', [meta, msg(2, str(1, 'me'), msg(3, num(1, 1714979289), num(2, 123456789)), num(5, 0))])))
  t.equal(lease.metadata.creationTimestamp, '2024-05-06T07:08:09Z', 'Time: RFC 3339 seconds')
  t.notOk('deletionTimestamp' in lease.metadata, 'a zero Time is left out')
  t.same(lease.metadata.managedFields, [{ manager: 'kubectl', fieldsV1: { 'f:data': {} } }], 'FieldsV1 is its JSON')
  t.equal(lease.spec.acquireTime, '2024-05-06T07:08:09.123456Z', 'MicroTime: six fraction digits')
  t.equal(lease.spec.leaseTransitions, 0, 'pointer int32 zero kept')

  const rev = value(t, decodeStrict(envelope('apps/v1', 'ControllerRevision', [msg(1, str(1, 'r')), msg(2, { no: 1, bytes: Buffer.from('{"spec":{"a":1}}') }), num(3, 4)])))
  t.same(rev.data, { spec: { a: 1 } }, 'RawExtension is its JSON')
  t.equal(rev.revision, 4)

  const strategy = msg(4, str(1, 'RollingUpdate'), msg(2, msg(1, num(1, 0), num(2, 0)), msg(2, num(1, 1), str(3, '25%'))))
  const resources = msg(8, msg(2, str(1, 'cpu'), msg(2, str(1, '100m'))), msg(1, str(1, 'memory'), msg(2)))
  const depSpec = msg(2, num(1, 0), num(5, 0), num(7, 0), strategy, podTemplate(resources))
  const dep = value(t, decodeStrict(envelope('apps/v1', 'Deployment', [msg(1, str(1, 'd')), depSpec])))
  t.same(dep.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } }, 'IntOrString: pointer int 0 kept, string as string')
  t.equal(dep.spec.replicas, 0, 'replicas 0 kept')
  t.notOk('minReadySeconds' in dep.spec, 'non-pointer int 0 left out (omitempty)')
  t.notOk('paused' in dep.spec, 'non-pointer false left out')
  t.same(dep.spec.template.spec.containers[0].resources, { requests: { cpu: '100m' }, limits: { memory: '0' } }, 'an empty Quantity is "0"')

  const svc = value(t, decodeStrict(envelope('v1', 'Service', [msg(1, str(1, 's')), msg(2, msg(1, num(3, 0), msg(4, num(1, 0), num(2, 0))))])))
  t.same(svc.spec.ports, [{ port: 0 }], 'a field without omitempty keeps 0; a zero targetPort is left for defaulting')

  const scale = value(t, decodeStrict(envelope('autoscaling/v1', 'Scale', [msg(1, str(1, 'd')), msg(2, num(1, 0))])))
  t.same(scale.spec, { replicas: 0 }, 'Scale spec.replicas 0 is kept: scaling to zero')
})

t.test('protobuf field semantics: packed and unpacked repeats, merged messages, last scalar wins', async (t) => {
  const sc = (groups: PbField[]) => msg(2, container(), msg(14, ...groups))
  const packed = value(t, decodeStrict(envelope('v1', 'Pod', [msg(1, str(1, 'p')), sc([{ no: 4, packed: [5, 6, 7] }])])))
  const unpacked = value(t, decodeStrict(envelope('v1', 'Pod', [msg(1, str(1, 'p')), sc([num(4, 5), num(4, 6), num(4, 7)])])))
  t.same(packed.spec.securityContext.supplementalGroups, [5, 6, 7])
  t.same(unpacked.spec.securityContext.supplementalGroups, [5, 6, 7])
  const merged = value(t, decodeStrict(envelope('v1', 'ConfigMap', [msg(1, str(1, 'a'), str(3, 'ns')), msg(1, msg(11, str(1, 'k'), str(2, 'v'))), msg(1, str(3, ''))])))
  t.same(merged.metadata, { name: 'a', labels: { k: 'v' } }, 'repeated occurrences of a message merge; a later zero scalar clears')
  const neg = value(t, decodeStrict(envelope('v1', 'Pod', [msg(1, str(1, 'p'), num(10, -5)), msg(2, container())])))
  t.equal(neg.metadata.deletionGracePeriodSeconds, -5, 'negative varints')
})

t.test('unknown field numbers: an error naming them under Strict, skipped otherwise', async (t) => {
  const body = envelope('apps/v1', 'Deployment', [msg(1, str(1, 'd')), msg(2, num(1, 2), podTemplate(str(99, 'surprise'), num(98, 1)))])
  const strict = decodeStrict(body)
  t.equal(strict.ok, false)
  if (!strict.ok) {
    t.equal(strict.status.code, 400)
    t.equal(strict.status.reason, 'BadRequest')
    t.equal(strict.status.message, 'strict decoding error: unknown field number 99 in k8s.io.api.core.v1.Container at "spec.template.spec.containers[0]"')
    t.same(strict.status.details?.causes?.[0]?.field, 'spec.template.spec.containers[0]')
  }
  for (const fv of [undefined, 'Warn', 'Ignore']) {
    const d = decodeBody(PROTOBUF_MEDIA_TYPE, body, { fieldValidation: fv })
    t.same(value(t, d).spec.template.spec.containers, [{ name: 'c', image: 'busybox' }], `fieldValidation=${fv}: skipped`)
  }
  const places: Array<[string, Uint8Array, RegExp]> = [
    ['envelope', envelope('v1', 'ConfigMap', [msg(1, str(1, 'a'))], [str(7, 'x')]), /unknown field number 7 in k8s\.io\.apimachinery\.pkg\.runtime\.Unknown/],
    ['map entry', envelope('v1', 'ConfigMap', [msg(1, str(1, 'a')), msg(2, str(1, 'k'), str(2, 'v'), num(3, 1))]), /unknown field number 3 in k8s\.io\.api\.core\.v1\.ConfigMap\.data map entry at "data"/],
    ['Time', envelope('v1', 'ConfigMap', [msg(1, str(1, 'a'), msg(8, num(1, 5), num(3, 1)))]), /unknown field number 3 in k8s\.io\.apimachinery\.pkg\.apis\.meta\.v1\.Time at "metadata\.creationTimestamp"/],
    ['top level', envelope('v1', 'Namespace', [msg(1, str(1, 'n')), str(9, 'x')]), /unknown field number 9 in k8s\.io\.api\.core\.v1\.Namespace$/],
  ]
  for (const [where, b, re] of places) {
    const d = decodeStrict(b)
    t.match(d.ok ? '' : d.status.message, re, where)
    t.equal(decodeBody(PROTOBUF_MEDIA_TYPE, b, {}).ok, true, `${where}: skipped without Strict`)
  }
})

t.test('malformed bodies are a 400 naming the problem, never a crash', async (t) => {
  const good = envelope('v1', 'ConfigMap', [msg(1, str(1, 'a')), msg(2, str(1, 'k'), str(2, 'v'))])
  const cases: Array<[string, Uint8Array, number, RegExp]> = [
    ['empty', new Uint8Array(0), 400, /"k8s\\0" prefix/],
    ['JSON sent as protobuf', Buffer.from('{"kind":"ConfigMap"}'), 400, /"k8s\\0" prefix/],
    ['truncated', good.subarray(0, good.length - 3), 400, /could not be decoded as application\/vnd\.kubernetes\.protobuf/],
    ['no kind', envelope('v1', '', [msg(1, str(1, 'a'))]), 400, /names no kind/],
    ['wrong wire type', envelope('v1', 'ConfigMap', [num(1, 3)]), 400, /field 1 \(metadata\) of k8s\.io\.api\.core\.v1\.ConfigMap has wire type varint, expected length-delimited/],
    ['string where a number belongs', envelope('apps/v1', 'Deployment', [msg(2, str(1, 'three'))]), 400, /field 1 \(replicas\) of k8s\.io\.api\.apps\.v1\.DeploymentSpec at "spec" has wire type length-delimited, expected varint/],
    ['field number 0', envelope('v1', 'ConfigMap', Buffer.from([0x02, 0x00])), 400, /field number 0/],
    ['time out of range', envelope('v1', 'ConfigMap', [msg(1, msg(8, num(1, 1e15)))]), 400, /time at "metadata\.creationTimestamp" is out of range/],
    ['bad IntOrString type', envelope('v1', 'Service', [msg(2, msg(1, num(3, 80), msg(4, num(1, 7))))]), 400, /IntOrString at "spec\.ports\[0\]\.targetPort" has type 7/],
    ['RawExtension not JSON', envelope('apps/v1', 'ControllerRevision', [msg(2, { no: 1, bytes: Buffer.from('{nope') })]), 400, /RawExtension at "data" does not hold JSON/],
    ['int64 beyond 2^53', envelope('v1', 'ConfigMap', [msg(1, num(7, 2 ** 60))]), 400, /does not fit a JSON number exactly/],
    ['nested length past the end', Buffer.concat([Buffer.from('k8s\0', 'latin1'), encode([msg(1, str(1, 'v1'), str(2, 'ConfigMap'))]), Buffer.from([0x12, 0x05, 0x0a, 0x40, 0x0a])]), 400, /could not be decoded/],
    ['gzip content encoding', envelope('v1', 'ConfigMap', [msg(1, str(1, 'a'))], [str(3, 'gzip')]), 415, /content encoding "gzip"/],
    ['JSON inside the envelope', envelope('v1', 'ConfigMap', [msg(1, str(1, 'a'))], [str(4, 'application/json')]), 415, /holds "application\/json"/],
  ]
  for (const [name, body, code, re] of cases) {
    let d: ReturnType<typeof decodeProtobufBody> | undefined
    t.doesNotThrow(() => (d = decodeProtobufBody(body, 'Strict')), name)
    t.equal(d?.ok, false, name)
    if (d && !d.ok) {
      t.equal(d.status.code, code, `${name}: ${d.status.message}`)
      t.match(d.status.message, re, name)
      t.equal(d.status.kind, 'Status')
    }
  }
})

t.test('the media type routes to the decoder, with or without parameters', async (t) => {
  const body = envelope('v1', 'Namespace', [msg(1, str(1, 'n'))])
  t.same(value(t, decodeBody('application/vnd.kubernetes.protobuf; charset=binary', body)), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } })
  const unknownType = decodeBody('application/x-protobuf', body)
  t.equal(unknownType.ok ? 0 : unknownType.status.code, 415)
  t.match(unknownType.ok ? '' : unknownType.status.message, /application\/vnd\.kubernetes\.protobuf/, 'the 415 lists protobuf among accepted types')
})
