// The Node HTTP forwarding adapter the ingress and the dashboard relay use.
import t from 'tap'
import type * as Tap from 'tap'
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { httpProxyIo } from '../../../runtime/io/http-proxy-node.ts'

async function listen(s: Server): Promise<number> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))
  return (s.address() as AddressInfo).port
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
    })
    req.on('error', reject)
    req.end()
  })
}

async function proxyTo(t: Tap.Test, target: { host: string; port: number }, timeoutMs?: number): Promise<number> {
  const proxy = createServer((req, res) => httpProxyIo.forward(req, res, target, timeoutMs === undefined ? {} : { timeoutMs }))
  t.teardown(() => new Promise<void>((r) => { proxy.closeAllConnections(); proxy.close(() => r()) }))
  return listen(proxy)
}

t.test('relays method, path and body; drops hop-by-hop headers; adds X-Forwarded-*', async (t) => {
  const backend = createServer((req, res) => {
    res.writeHead(201, { 'content-type': 'application/json', 'x-backend': 'yes', 'keep-alive': 'timeout=99', 'proxy-authenticate': 'Basic' })
    res.end(JSON.stringify({ url: req.url, method: req.method, headers: req.headers }))
  })
  t.teardown(() => new Promise<void>((r) => { backend.closeAllConnections(); backend.close(() => r()) }))
  const port = await proxyTo(t, { host: '127.0.0.1', port: await listen(backend) })
  const got = await get(port, '/a/b?c=1', { host: 'shop.example.com', 'x-forwarded-for': '10.1.1.1', connection: 'x-secret', 'x-secret': 's', te: 'trailers', 'x-keep': 'k' })
  t.equal(got.status, 201, 'the backend status')
  t.equal(got.headers['x-backend'], 'yes', 'backend headers come back')
  t.notMatch(String(got.headers['keep-alive']), /99/, 'hop-by-hop response headers are dropped')
  t.equal(got.headers['proxy-authenticate'], undefined, 'Proxy-Authenticate is dropped')
  const seen = JSON.parse(got.body) as { url: string; method: string; headers: Record<string, string> }
  t.equal(seen.url, '/a/b?c=1')
  t.equal(seen.method, 'GET')
  t.equal(seen.headers['x-keep'], 'k', 'end-to-end headers pass')
  t.equal(seen.headers['x-secret'], undefined, 'headers named in Connection are dropped')
  t.equal(seen.headers.te, undefined, 'TE is dropped')
  t.equal(seen.headers['x-forwarded-for'], '10.1.1.1, 127.0.0.1', 'X-Forwarded-For is appended to')
  t.equal(seen.headers['x-forwarded-host'], 'shop.example.com')
  t.equal(seen.headers['x-forwarded-proto'], 'http')
  t.equal(seen.headers.host, 'shop.example.com', 'the Host header is kept')
})

t.test('502 when the backend refuses, 504 when it does not answer in time', async (t) => {
  const closed = createServer()
  const deadPort = await listen(closed)
  await new Promise<void>((r) => closed.close(() => r()))
  const refused = await get(await proxyTo(t, { host: '127.0.0.1', port: deadPort }), '/')
  t.equal(refused.status, 502)
  t.match(refused.body, /Bad Gateway/)

  const slow = createServer(() => {})
  t.teardown(() => new Promise<void>((r) => { slow.closeAllConnections(); slow.close(() => r()) }))
  const timedOut = await get(await proxyTo(t, { host: '127.0.0.1', port: await listen(slow) }, 200), '/')
  t.equal(timedOut.status, 504)
  t.match(timedOut.body, /Gateway Timeout/)
})
