// kube-apiserver --token-auth-file: CSV lines `token,user,uid[,"group1,group2"]`; '#' comments.

export interface StaticToken {
  token: string
  user: string
  uid: string
  groups: string[]
}

export function parseTokenFile(text: string, fail: (line: number, message: string) => never): StaticToken[] {
  const out: StaticToken[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const cells = splitCsv(line)
    if (cells.length < 3 || cells.slice(0, 3).some((c) => c === '')) fail(i + 1, 'expected token,user,uid[,"group1,group2"]')
    const [token, user, uid, groups = ''] = cells
    out.push({ token, user, uid, groups: groups.split(',').map((g) => g.trim()).filter(Boolean) })
  })
  return out
}

function splitCsv(line: string): string[] {
  const cells: string[] = []
  let cur = ''
  let quoted = false
  for (const ch of line) {
    if (ch === '"') quoted = !quoted
    else if (ch === ',' && !quoted) {
      cells.push(cur.trim())
      cur = ''
    } else cur += ch
  }
  cells.push(cur.trim())
  return cells
}
