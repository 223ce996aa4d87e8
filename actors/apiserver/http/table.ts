// Pure: meta.k8s.io/v1 Table answers (kubectl get) built from objects and the printers.
import type { KObject } from '../../../protocols/k8s.ts'
import { printerFor } from './printers.ts'

export type IncludeObject = 'None' | 'Metadata' | 'Object'

/** True when the Accept header asks for a Table (kubectl get). */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false
  return accept.split(',').some((p) => {
    const x = p.replace(/\s+/g, '')
    return x.startsWith('application/json') && x.includes('as=Table') && x.includes('g=meta.k8s.io')
  })
}

export function parseIncludeObject(v: string | null): IncludeObject {
  return v === 'None' || v === 'Object' ? v : 'Metadata'
}

function rowObject(o: KObject, include: IncludeObject): unknown {
  if (include === 'Object') return o
  if (include === 'None') return undefined
  const { managedFields: _mf, ...meta } = o.metadata ?? {}
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: meta }
}

export function toTable(plural: string, objects: KObject[], resourceVersion: string | undefined, now: number, include: IncludeObject = 'Metadata', noHeaders = false): Record<string, unknown> {
  const p = printerFor(plural)
  const rows = objects.map((o) => {
    let cells: unknown[]
    try {
      cells = p.cells(o, now)
    } catch {
      cells = p.columns.map((_, n) => (n === 0 ? o.metadata?.name ?? '' : ''))
    }
    const row: Record<string, unknown> = { cells }
    const obj = rowObject(o, include)
    if (obj !== undefined) row.object = obj
    return row
  })
  const table: Record<string, unknown> = {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: resourceVersion ? { resourceVersion } : {},
    columnDefinitions: noHeaders ? [] : p.columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 })),
    rows,
  }
  return table
}
