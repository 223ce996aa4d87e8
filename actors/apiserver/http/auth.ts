// Pure: static bearer tokens (kube-apiserver --token-auth-file) and the request check.
import type { ApiServerArgs } from '../../args.ts'

export type TokenEntry = NonNullable<ApiServerArgs['tokens']>[number]

/** Parse a token file: CSV lines `token,user,uid[,"group1,group2"]`; '#' comments and blank lines skipped. */
export function parseTokenFile(text: string): TokenEntry[] {
  const out: TokenEntry[] = []
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const fields: string[] = []
    let cur = ''
    let quoted = false
    for (const ch of line) {
      if (ch === '"') quoted = !quoted
      else if (ch === ',' && !quoted) {
        fields.push(cur)
        cur = ''
      } else cur += ch
    }
    fields.push(cur)
    if (fields.length < 3 || fields[0] === '') continue
    const groups = fields[3] ? fields[3].split(',').map((g) => g.trim()).filter(Boolean) : []
    out.push({ token: fields[0], user: fields[1], uid: fields[2], groups })
  }
  return out
}

/** The user a request authenticates as, or undefined. With no tokens configured everyone is admitted. */
export function authenticate(tokens: TokenEntry[] | undefined, authorization: string | undefined): { user: string } | undefined {
  if (!tokens || tokens.length === 0) return { user: 'system:anonymous' }
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')
  if (!m) return undefined
  const hit = tokens.find((t) => t.token === m[1])
  return hit ? { user: hit.user } : undefined
}
