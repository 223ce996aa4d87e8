// Reading a request body up to a size limit. Over the limit: 413, and the rest is not buffered.
import type { Status } from '../../../protocols/k8s.ts'
import type { Req } from './respond.ts'
import { statusError } from './status.ts'

export function readBody(req: Req, maxBytes: number): Promise<{ ok: true; body: Uint8Array } | { ok: false; status: Status }> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'] ?? '0')
    if (declared > maxBytes) {
      req.resume()
      resolve({ ok: false, status: statusError(413, `Request entity too large: limit is ${maxBytes}`) })
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    req.on('data', (c: Buffer) => {
      if (done) return
      size += c.length
      if (size > maxBytes) {
        done = true
        chunks.length = 0
        resolve({ ok: false, status: statusError(413, `Request entity too large: limit is ${maxBytes}`) })
        return
      }
      chunks.push(c)
    })
    req.on('end', () => {
      if (done) return
      done = true
      resolve({ ok: true, body: Buffer.concat(chunks) })
    })
    req.on('error', () => {
      if (done) return
      done = true
      resolve({ ok: false, status: statusError(400, 'error reading the request body') })
    })
  })
}
