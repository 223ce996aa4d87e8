// Client of the supervisor's loopback control endpoint, found through <dataDir>/control.json
// ({ url, pid }): GET /status, POST /faults, DELETE /faults[/<id>], GET /events?follow=1.
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { ClusterUnavailableError, ControlError } from './errors.ts'
import { processAlive } from '../pid.ts'

export interface ControlInfo {
  url: string
  pid: number
}

export const CONTROL_FILE = 'control.json'

export function controlFile(dataDir: string, cwd: string): string {
  return join(resolve(cwd, dataDir), CONTROL_FILE)
}

export async function readControl(dataDir: string, cwd: string): Promise<ControlInfo> {
  const file = controlFile(dataDir, cwd)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    throw new ClusterUnavailableError(`no running cluster in ${resolve(cwd, dataDir)} (no ${CONTROL_FILE}); start one with: actorkube up`)
  }
  let info: ControlInfo
  try {
    info = JSON.parse(text) as ControlInfo
  } catch {
    throw new ClusterUnavailableError(`${file} is not valid JSON`)
  }
  if (typeof info.url !== 'string') throw new ClusterUnavailableError(`${file} has no url`)
  if (typeof info.pid === 'number' && !processAlive(info.pid)) {
    throw new ClusterUnavailableError(`the cluster in ${resolve(cwd, dataDir)} is not running (process ${info.pid} is gone); start one with: actorkube up`)
  }
  return info
}

export class ControlClient {
  constructor(readonly url: string) {}

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response
    try {
      res = await fetch(new URL(path, this.url), {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    } catch (err) {
      throw new ClusterUnavailableError(`cannot reach the control endpoint at ${this.url}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`)
    }
    const text = await res.text()
    let json: unknown
    try {
      json = text ? JSON.parse(text) : undefined
    } catch {
      json = undefined
    }
    if (!res.ok) {
      // The endpoint answers { error: <code>, field?, message }.
      const e = (json ?? {}) as { code?: string; message?: string; error?: string }
      throw new ControlError(res.status, e.code ?? e.error ?? `HTTP_${res.status}`, e.message ?? (text || res.statusText))
    }
    return json
  }

  status(): Promise<unknown> {
    return this.call('GET', '/status')
  }

  inject(fault: object): Promise<unknown> {
    return this.call('POST', '/faults', fault)
  }

  heal(id?: string): Promise<unknown> {
    return this.call('DELETE', id ? `/faults/${encodeURIComponent(id)}` : '/faults')
  }

  /** Stream GET /events?follow=1 (NDJSON) to `onEvent` until the server ends it or `signal` aborts. */
  async follow(onEvent: (rec: Record<string, unknown>) => void, signal?: AbortSignal): Promise<void> {
    let res: Response
    try {
      res = await fetch(new URL('/events?follow=1', this.url), { signal })
    } catch (err) {
      if (signal?.aborted) return
      throw new ClusterUnavailableError(`cannot reach the control endpoint at ${this.url}: ${(err as Error).message}`)
    }
    if (!res.ok || !res.body) throw new ControlError(res.status, `HTTP_${res.status}`, await res.text())
    const decoder = new TextDecoder()
    let buf = ''
    try {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true })
        let nl: number
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim()
          buf = buf.slice(nl + 1)
          if (!line) continue
          try {
            onEvent(JSON.parse(line) as Record<string, unknown>)
          } catch {
            // a torn or foreign line: skip it
          }
        }
      }
    } catch (err) {
      if (!signal?.aborted) throw err
    }
  }
}
