// A self-signed certificate for the load balancer's HTTPS listener (127.0.0.1 and localhost),
// made once with the openssl CLI and kept in the data dir.
import { execFile } from 'node:child_process'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ConfigError } from '../errors.ts'

const run = promisify(execFile)

export async function selfSignedCert(dir: string): Promise<{ key: string; cert: string }> {
  const keyPath = join(dir, 'lb.key')
  const certPath = join(dir, 'lb.crt')
  try {
    return { key: await readFile(keyPath, 'utf8'), cert: await readFile(certPath, 'utf8') }
  } catch {
    // not made yet
  }
  await mkdir(dir, { recursive: true })
  try {
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '365', '-subj', '/CN=actorkube-apiserver', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'])
  } catch (err) {
    throw new ConfigError('', `cannot make a TLS certificate with openssl: ${err instanceof Error ? err.message : String(err)}`)
  }
  return { key: await readFile(keyPath, 'utf8'), cert: await readFile(certPath, 'utf8') }
}
