// GET pods/NAME/log: the core answers api.get with subresource 'log'; follow=true polls the core
// and writes what is new until the pod finishes or the client goes away.
import type { Ctx } from '../../../runtime/actor.ts'
import type { ApiGet } from '../../../protocols/api.ts'
import type { ApiServerCore } from '../types.ts'
import type { Res } from './respond.ts'
import { sendStatus } from './respond.ts'
import { isStatus, statusError } from './status.ts'

const FOLLOW_POLL_MS = 500

/** The log text in a reply body: a string, or an object carrying it in `log`, `data` or `text`. */
export function logText(body: unknown): string {
  if (typeof body === 'string') return body
  if (body && typeof body === 'object') {
    for (const k of ['log', 'data', 'text', 'content']) {
      const v = (body as Record<string, unknown>)[k]
      if (typeof v === 'string') return v
    }
  }
  return ''
}

/** Keep the last n lines (tailLines). */
export function tail(text: string, n: number | undefined): string {
  if (n === undefined || n < 0) return text
  if (n === 0) return ''
  const lines = text.split('\n')
  const trailing = lines[lines.length - 1] === ''
  if (trailing) lines.pop()
  const out = lines.slice(-n).join('\n')
  return trailing && out !== '' ? out + '\n' : out
}

export async function serveLog(ctx: Ctx, core: ApiServerCore, call: ApiGet, follow: boolean, tailLines: number | undefined, res: Res): Promise<void> {
  const first = await core.handle(call)
  if (first.code !== 200) {
    sendStatus(res, isStatus(first.body) ? first.body : statusError(first.code, 'log unavailable'))
    return
  }
  let seen = logText(first.body)
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', ...(follow ? { 'Transfer-Encoding': 'chunked' } : {}) })
  res.write(tail(seen, tailLines))
  if (!follow) {
    res.end()
    return
  }
  res.flushHeaders()
  let closed = false
  res.on('close', () => {
    closed = true
  })
  while (!closed) {
    await ctx.sleep(FOLLOW_POLL_MS)
    if (closed) break
    const r = await core.handle(call).catch(() => undefined)
    if (!r || r.code !== 200) break
    const text = logText(r.body)
    if (text.length > seen.length && text.startsWith(seen)) res.write(text.slice(seen.length))
    else if (text !== seen && !text.startsWith(seen)) res.write(text)
    seen = text
    const pod = await core.handle({ type: 'api.get', group: '', version: 'v1', resource: 'pods', namespace: call.namespace, name: call.name }).catch(() => undefined)
    const phase = pod && pod.code === 200 ? (pod.body as { status?: { phase?: string } }).status?.phase : undefined
    if (!pod || pod.code === 404 || phase === 'Succeeded' || phase === 'Failed') break
  }
  if (!res.writableEnded) res.end()
}
