// Pure: /version, /healthz, /livez and /readyz answers shaped like kube-apiserver's.

export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2024-12-11T00:00:00Z',
  goVersion: 'go1.23.3',
  compiler: 'gc',
  platform: 'linux/amd64',
}

export interface HealthAnswer {
  code: number
  text: string
}

/** One check per line in verbose mode; `ready` is the instance's etcd reachability. */
export function healthAnswer(check: 'healthz' | 'livez' | 'readyz', ready: boolean, verbose: boolean, single?: string): HealthAnswer {
  const checks: Array<[string, boolean]> = [['ping', true], ['log', true], ['etcd', check === 'livez' ? true : ready]]
  if (check === 'readyz') checks.push(['etcd-readiness', ready], ['informer-sync', true], ['shutdown', true])
  if (single !== undefined) {
    const c = checks.find(([n]) => n === single)
    if (!c) return { code: 404, text: '404 page not found\n' }
    return c[1] ? { code: 200, text: 'ok' } : { code: 500, text: `internal server error: ${single} check failed\n` }
  }
  const ok = checks.every(([, pass]) => pass)
  if (!verbose && ok) return { code: 200, text: 'ok' }
  const lines = checks.map(([n, pass]) => (pass ? `[+]${n} ok` : `[-]${n} failed: reason withheld`))
  lines.push(ok ? `${check} check passed` : `${check} check failed`)
  return { code: ok ? 200 : 500, text: lines.join('\n') + '\n' }
}
