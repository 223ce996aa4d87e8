// The kubeconfig `actorkube up` writes into the data dir: one cluster (plain http through the
// load balancer, insecure-skip-tls-verify so @kubernetes/client-node accepts http), one user
// (a bearer token when configured), one context 'actorkube'.
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { stringify } from 'yaml'

export interface KubeconfigOptions {
  host?: string
  port: number
  token?: string
  namespace?: string
  /** The load balancer serves HTTPS (needed for kubectl to send a bearer token). */
  https?: boolean
}

export function kubeconfigDocument(opts: KubeconfigOptions): Record<string, unknown> {
  const host = opts.host ?? '127.0.0.1'
  const server = `${opts.https ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${opts.port}`
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'actorkube', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'actorkube', user: opts.token ? { token: opts.token } : {} }],
    contexts: [{ name: 'actorkube', context: { cluster: 'actorkube', user: 'actorkube', namespace: opts.namespace ?? 'default' } }],
    'current-context': 'actorkube',
    preferences: {},
  }
}

/** Write <dataDir>/kubeconfig (mode 0600) and return its path and the `export KUBECONFIG=...` line. */
export async function writeKubeconfig(dataDir: string, opts: KubeconfigOptions): Promise<{ path: string; exportLine: string }> {
  const path = resolve(join(dataDir, 'kubeconfig'))
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, stringify(kubeconfigDocument(opts)), { mode: 0o600 })
  return { path, exportLine: `export KUBECONFIG=${path}` }
}
