// Node implementation of ProcIo: real child processes for the kubelet's process runtime.
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { request } from 'node:http'
import { createInterface } from 'node:readline'
import { HTTP_TIMED_OUT, type ProcHandle, type ProcIo, type ProcSpec, type ProcUsage } from './proc.ts'

const TICKS_PER_S = 100

/** Every live child, killed when this process exits so no pod process outlives the cluster. */
const live = new Set<ReturnType<typeof spawn>>()
let exitHookInstalled = false
function track(child: ReturnType<typeof spawn>): void {
  live.add(child)
  child.once('exit', () => live.delete(child))
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL')
    })
  }
}

function start(spec: ProcSpec) {
  return spawn(spec.command, spec.args, {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...spec.env },
    cwd: spec.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

export function nodeProcIo(): ProcIo {
  return {
    spawn(spec: ProcSpec): ProcHandle {
      const child = start(spec)
      track(child)
      const outputCbs: Array<(s: 'stdout' | 'stderr', l: string) => void> = []
      const exitCbs: Array<(code: number | null, signal: string | null) => void> = []
      let exited: { code: number | null; signal: string | null } | undefined
      const lines = (stream: 'stdout' | 'stderr') => (line: string) => {
        for (const cb of outputCbs) cb(stream, line)
      }
      createInterface({ input: child.stdout }).on('line', lines('stdout'))
      createInterface({ input: child.stderr }).on('line', lines('stderr'))
      const onDone = (code: number | null, signal: string | null) => {
        if (exited) return
        exited = { code, signal }
        for (const cb of exitCbs) cb(code, signal)
      }
      child.on('exit', (code, signal) => onDone(code, signal))
      // A command that cannot start (ENOENT) exits like a shell would: 127.
      child.on('error', () => onDone(127, null))
      return {
        get pid() {
          return child.pid ?? -1
        },
        onOutput(cb) {
          outputCbs.push(cb)
        },
        onExit(cb) {
          if (exited) cb(exited.code, exited.signal)
          else exitCbs.push(cb)
        },
        kill(signal) {
          if (!exited) child.kill(signal)
        },
      }
    },

    exec(spec): Promise<{ code: number | null; output: string }> {
      return new Promise((resolve) => {
        const child = start(spec)
        track(child)
        let output = ''
        child.stdout.on('data', (d: Buffer) => (output += d.toString()))
        child.stderr.on('data', (d: Buffer) => (output += d.toString()))
        const timer = setTimeout(() => child.kill('SIGKILL'), spec.timeoutMs)
        child.on('error', () => {
          clearTimeout(timer)
          resolve({ code: 127, output })
        })
        child.on('exit', (code) => {
          clearTimeout(timer)
          resolve({ code, output: output.slice(0, 4096) })
        })
      })
    },

    httpGet({ host, port, path, timeoutMs }): Promise<number> {
      return new Promise((resolve) => {
        const req = request({ host, port, path, method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        })
        req.on('timeout', () => {
          req.destroy()
          resolve(HTTP_TIMED_OUT)
        })
        req.on('error', () => resolve(0))
        req.end()
      })
    },

    async usage(pid: number): Promise<ProcUsage | undefined> {
      try {
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        const cpuTicks = Number(fields[11]) + Number(fields[12])
        const status = await readFile(`/proc/${pid}/status`, 'utf8')
        const rss = /VmRSS:\s+(\d+) kB/.exec(status)
        return { cpuSeconds: cpuTicks / TICKS_PER_S, memoryBytes: rss ? Number(rss[1]) * 1024 : 0 }
      } catch {
        return undefined
      }
    },
  }
}

/** The name runtime/io/node-io.ts looks for. */
export const nodeProc = nodeProcIo
