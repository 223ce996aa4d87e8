// Work-queue keys: "namespace/name", or "name" for cluster-scoped objects (client-go's MetaNamespaceKeyFunc).
import type { KObject } from '../../protocols/k8s.ts'

export function keyOf(obj: KObject): string {
  const ns = obj.metadata.namespace
  return ns ? `${ns}/${obj.metadata.name ?? ''}` : (obj.metadata.name ?? '')
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf('/')
  return i < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) }
}
