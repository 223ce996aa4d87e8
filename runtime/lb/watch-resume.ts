// Pure: follow a watch stream (NDJSON) line by line, remember the newest resourceVersion it
// delivered, and build the URL that resumes it on another instance.

export function isWatchRequest(method: string | undefined, url: string | undefined): boolean {
  if ((method ?? 'GET').toUpperCase() !== 'GET' || !url) return false
  const u = new URL(url, 'http://lb')
  const w = u.searchParams.get('watch')
  return w === 'true' || w === '1' || /\/watch\//.test(u.pathname)
}

export class LineSplitter {
  private rest = ''
  /** Complete lines in `chunk` (with what was left over before), without the newline. */
  push(chunk: string): string[] {
    const text = this.rest + chunk
    const lines = text.split('\n')
    this.rest = lines.pop() ?? ''
    return lines
  }
}

export interface WatchLine {
  type?: string
  resourceVersion?: string
  /** ERROR events carry a Status code (410: the client must re-list). */
  errorCode?: number
}

/** What one event line says: its type and the resourceVersion of its object (or Table row). */
export function readWatchLine(line: string): WatchLine {
  let ev: any
  try {
    ev = JSON.parse(line)
  } catch {
    return {}
  }
  if (!ev || typeof ev !== 'object') return {}
  const obj = ev.object ?? {}
  if (ev.type === 'ERROR') return { type: 'ERROR', errorCode: typeof obj.code === 'number' ? obj.code : undefined }
  let rv: unknown = obj.metadata?.resourceVersion
  if (obj.kind === 'Table') rv = obj.rows?.[0]?.object?.metadata?.resourceVersion ?? obj.metadata?.resourceVersion
  return { type: ev.type, resourceVersion: typeof rv === 'string' && rv !== '' ? rv : undefined }
}

/** The original watch URL resumed from `rv`: no initial events, same filters. */
export function resumeUrl(url: string, rv: string | undefined): string {
  const u = new URL(url, 'http://lb')
  if (rv !== undefined) {
    u.searchParams.set('resourceVersion', rv)
    u.searchParams.delete('sendInitialEvents')
    u.searchParams.delete('resourceVersionMatch')
  }
  return u.pathname + u.search
}
