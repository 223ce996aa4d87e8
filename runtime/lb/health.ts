// /readyz probes of each apiserver instance.
import { request, type Agent } from 'node:http'
import type { Backend } from './pool.ts'

export function probeReady(b: Backend, timeoutMs: number, agent?: Agent): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: b.host, port: b.port, path: '/readyz', method: 'GET', timeout: timeoutMs, agent }, (res) => {
      res.resume()
      resolve(res.statusCode === 200)
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(false))
    req.end()
  })
}
