// Whether a process is running, for files that name the process holding something (a data
// dir's control.json, a network range claim).

/** True while `pid` runs, also when it belongs to another user (EPERM). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
