// Apply any of the four patch types to a live object (a plain JSON document).
import type { PatchType } from '../../../protocols/api.ts'
import { badRequest } from '../errors.ts'
import { jsonPatch } from './json-patch.ts'
import { isPlainObject, mergePatch } from './merge.ts'
import { strategicMergePatch } from './strategic.ts'

export function applyPatch(type: PatchType, live: unknown, patch: unknown): unknown {
  switch (type) {
    case 'json':
      return jsonPatch(live, patch)
    case 'merge':
      if (!isPlainObject(patch)) throw badRequest('merge patch must be a JSON object')
      return mergePatch(live, patch)
    case 'strategic':
      return strategicMergePatch(live, patch)
    case 'apply':
      // Server-side apply, minimal: the applied configuration merges into the live object with
      // strategic merge rules (lists by merge key); fields it leaves out are kept.
      if (!isPlainObject(patch)) throw badRequest('apply patch must be a JSON or YAML object')
      return strategicMergePatch(live, patch)
    default:
      throw badRequest(`unsupported patch type ${String(type)}`)
  }
}
