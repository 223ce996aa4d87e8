// Pure: which runtime a pod runs on (spec.runtimeClassName, else the node's default).
import type { Pod } from '../../protocols/k8s.ts'

export type RuntimeName = 'sim' | 'process'

export function runtimeFor(pod: Pod, nodeDefault: RuntimeName, available: ReadonlySet<RuntimeName>): { runtime: RuntimeName; fallback?: string } {
  const asked = pod.spec.runtimeClassName
  const want: string = asked === undefined || asked === '' ? nodeDefault : asked
  if ((want === 'sim' || want === 'process') && available.has(want)) return { runtime: want }
  const runtime = available.has(nodeDefault) ? nodeDefault : 'sim'
  return { runtime, fallback: want }
}
