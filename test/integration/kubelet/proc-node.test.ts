// The process runtime's adapter against real child processes on loopback pod IPs.
import t from 'tap'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { HTTP_TIMED_OUT } from '../../../runtime/io/proc.ts'
import { nodeProcIo } from '../../../runtime/io/proc-node.ts'
import { nodeTcpIo } from '../../../runtime/io/tcp-node.ts'
import { ProcessRuntime } from '../../../actors/kubelet/process-runtime.ts'
import type { Clock } from '../../../actors/kubelet/clock.ts'

const FIXTURE = new URL('../../fixtures/http-server.js', import.meta.url).pathname
const realClock: Clock = {
  now: () => Date.now(),
  schedule: (ms, fn) => {
    const h = setTimeout(fn, ms)
    return () => clearTimeout(h)
  },
}

function get(host: string, port: number, path = '/'): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, agent: false, timeout: 2000 }, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => (body += d.toString()))
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

async function until(pred: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await pred()) return true
    await new Promise((r) => setTimeout(r, 25))
  }
  return pred()
}

const port = 18000 + (process.pid % 1000)

t.test('a fixture server bound to a 127.244.x.y pod IP answers, is probed, and dies when killed', async (t) => {
  const proc = nodeProcIo()
  const ip = '127.244.77.2'
  const h = proc.spawn({ command: process.execPath, args: [FIXTURE], env: { POD_IP: ip, PORT: String(port), POD_NAME: 'web-1' } })
  const lines: string[] = []
  h.onOutput((_s, l) => lines.push(l))
  let exit: { code: number | null; signal: string | null } | undefined
  h.onExit((code, signal) => (exit = { code, signal }))
  t.teardown(() => h.kill('SIGKILL'))
  t.ok(await until(() => lines.some((l) => l.startsWith('listening')), 15_000), 'server started')
  const r = await get(ip, port)
  t.equal(r.body, 'web-1\n', 'answers with its pod name on the pod IP')
  t.equal(await proc.httpGet({ host: ip, port, path: '/healthz', timeoutMs: 1000 }), 200)
  t.equal(await proc.httpGet({ host: '127.244.77.3', port, path: '/healthz', timeoutMs: 1000 }), 0, 'nothing on another pod IP')
  // A server that accepts and never answers: a timeout, told apart from a refused connection.
  const silent = createServer(() => {})
  await new Promise<void>((r) => silent.listen(0, '127.244.77.4', r))
  t.teardown(() => silent.close())
  const silentPort = (silent.address() as AddressInfo).port
  t.equal(await proc.httpGet({ host: '127.244.77.4', port: silentPort, path: '/ready', timeoutMs: 200 }), HTTP_TIMED_OUT, 'no answer in time')
  t.ok(await nodeTcpIo().probe({ host: ip, port, timeoutMs: 1000 }))
  const ex = await proc.exec({ command: 'sh', args: ['-c', 'echo hi; exit 3'], env: {}, timeoutMs: 2000 })
  t.same(ex, { code: 3, output: 'hi\n' })
  const u = await proc.usage?.(h.pid)
  t.ok(u && u.memoryBytes > 1024 * 1024, 'RSS measured')
  h.kill('SIGKILL')
  t.ok(await until(() => exit !== undefined, 15_000))
  t.equal(exit?.signal, 'SIGKILL')
  t.equal(await proc.httpGet({ host: ip, port, path: '/healthz', timeoutMs: 500 }), 0, 'gone after kill')
})

t.test('ProcessRuntime: env, graceful stop, exit codes, probes, logs', async (t) => {
  const rt = new ProcessRuntime(nodeProcIo(), nodeTcpIo(), realClock)
  t.teardown(() => rt.close())
  const exits: string[] = []
  rt.onContainerExit((id) => exits.push(id))
  const pod = { uid: 'abcdef0123', name: 'web-1', namespace: 'default', nodeName: 'n1', ip: '127.244.78.2', annotations: {} }
  const container = { name: 'web', image: 'node', command: [process.execPath, FIXTURE], args: ['--fail-liveness-after=800'], ports: [{ name: 'http', containerPort: port + 1 }] }
  const env = { POD_IP: pod.ip, POD_NAME: 'web-1', POD_NAMESPACE: 'default', NODE_NAME: 'n1', PORT: String(port + 1) }
  const id = await rt.createContainer({ container, sandboxId: 's', pod, env, attempt: 0 })
  await rt.startContainer(id)
  t.equal(rt.containerStatus(id)?.state, 'running')
  t.ok(await until(async () => (await rt.probe(id, 'readiness', { httpGet: { path: '/ready', port: 'http' } }, pod.ip, 1000)).result === 'success', 15_000), 'httpGet probe on a named port')
  t.equal((await rt.probe(id, 'liveness', { tcpSocket: { port: port + 1 } }, pod.ip, 1000)).result, 'success')
  t.equal((await rt.probe(id, 'liveness', { exec: { command: ['sh', '-c', 'test "$POD_NAME" = web-1'] } }, pod.ip, 1000)).result, 'success', 'exec probe sees the pod env')
  await new Promise((r) => setTimeout(r, 900))
  const bad = await rt.probe(id, 'liveness', { httpGet: { path: '/healthz', port: port + 1 } }, pod.ip, 1000)
  t.same(bad, { result: 'failure', message: 'HTTP probe failed with statuscode: 500' })
  const silent = createServer(() => {})
  await new Promise<void>((r) => silent.listen(0, '127.244.78.9', r))
  t.teardown(() => silent.close())
  const silentPort = (silent.address() as AddressInfo).port
  const late = await rt.probe(id, 'readiness', { httpGet: { host: '127.244.78.9', path: '/ready', port: silentPort } }, pod.ip, 200)
  t.same(late, { result: 'failure', message: `Get "http://127.244.78.9:${silentPort}/ready": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` }, 'a probe that times out says so')
  await rt.stopContainer(id, 5000)
  const st = rt.containerStatus(id)
  t.equal(st?.state, 'exited')
  t.equal(st?.exitCode, 0, 'the fixture exits 0 on SIGTERM')
  t.same(exits, [id])
  t.ok(rt.logs(id).some((l) => l.line === 'SIGTERM received, shutting down'), 'output captured')

  const crash = await rt.createContainer({ container: { name: 'c', image: 'sh', command: ['sh', '-c', 'echo boom >&2; exit 7'] }, sandboxId: 's', pod, env: {}, attempt: 0 })
  await rt.startContainer(crash)
  t.ok(await until(() => rt.containerStatus(crash)?.state === 'exited', 15_000))
  t.equal(rt.containerStatus(crash)?.exitCode, 7)
  t.same(rt.logs(crash).map((l) => [l.stream, l.line]), [['stderr', 'boom']])

  const stubborn = await rt.createContainer({ container: { name: 's', image: 'sh', command: ['sh', '-c', "trap '' TERM; echo trapped; while true; do sleep 0.05; done"] }, sandboxId: 's', pod, env: {}, attempt: 0 })
  await rt.startContainer(stubborn)
  t.ok(await until(() => rt.logs(stubborn).some((l) => l.line === 'trapped'), 15_000), 'SIGTERM ignored from now on')
  const t0 = Date.now()
  await rt.stopContainer(stubborn, 300)
  t.ok(Date.now() - t0 >= 250, 'waited the grace period')
  t.equal(rt.containerStatus(stubborn)?.exitCode, 137, 'SIGKILL after the grace period')
})
