// Writing answers: JSON bodies, Status errors, plain text. Thin helpers over the response.
import type { HttpHandler } from '../../../runtime/io/http.ts'
import type { Status } from '../../../protocols/k8s.ts'

export type Req = Parameters<HttpHandler>[0]
export type Res = Parameters<HttpHandler>[1]

export function sendJson(res: Res, code: number, body: unknown, contentType = 'application/json'): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const text = JSON.stringify(body)
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' })
  res.end(text)
}

export function sendStatus(res: Res, status: Status): void {
  sendJson(res, status.code, status)
}

export function sendText(res: Res, code: number, text: string): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache, private' })
  res.end(text)
}
