// A thread's CPU time, for the hang check: Linux tells it per thread in /proc. Elsewhere (or if
// /proc is not mounted) these return undefined and the check goes by silence alone.
import { readFileSync, readlinkSync } from 'node:fs'

/** The OS id of the calling thread ('/proc/thread-self' links to '<pid>/task/<tid>'). */
export function currentTid(): number | undefined {
  try {
    const m = /\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))
    return m ? Number(m[1]) : undefined
  } catch {
    return undefined
  }
}

/** User + system CPU time (ms) used so far by thread `tid` of this process. */
export function threadCpuMs(tid: number): number | undefined {
  try {
    return parseStatCpuMs(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8'))
  } catch {
    return undefined
  }
}

/**
 * utime + stime from a /proc stat line, in ms. Fields are counted after the command name, which
 * is in parentheses and may itself hold spaces and parentheses; times are in clock ticks, which
 * Linux reports to user space at 100 per second.
 */
export function parseStatCpuMs(stat: string, ticksPerSecond = 100): number | undefined {
  const close = stat.lastIndexOf(')')
  if (close < 0) return undefined
  // After ')': state is field 3, utime field 14, stime field 15.
  const f = stat.slice(close + 2).split(' ')
  const utime = Number(f[11])
  const stime = Number(f[12])
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined
  return ((utime + stime) * 1000) / ticksPerSecond
}
