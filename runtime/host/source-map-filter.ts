// Keeps only some sources in a source map (version 3): code that came from the others is left
// unmapped. The worker bundle uses it so that coverage, which follows the map, reports the
// product's sources and not tests' fixtures bundled beside them.
import { decode, encode, type SourceMapSegment } from '@jridgewell/sourcemap-codec'

export interface SourceMapV3 {
  version: 3
  sources: string[]
  sourcesContent?: Array<string | null>
  names: string[]
  mappings: string
  [k: string]: unknown
}

/** The map with only the sources that `keep` accepts; code from the rest maps to nothing. */
export function keepSources(map: SourceMapV3, keep: (source: string) => boolean): SourceMapV3 {
  const index = new Map<number, number>()
  const sources: string[] = []
  const content: Array<string | null> = []
  map.sources.forEach((s, i) => {
    if (!keep(s)) return
    index.set(i, sources.length)
    sources.push(s)
    content.push(map.sourcesContent?.[i] ?? null)
  })
  if (sources.length === map.sources.length) return map
  const lines = decode(map.mappings).map((segs) =>
    segs.map((seg): SourceMapSegment => {
      if (seg.length === 1) return seg
      const to = index.get(seg[1])
      if (to === undefined) return [seg[0]]
      return seg.length === 4 ? [seg[0], to, seg[2], seg[3]] : [seg[0], to, seg[2], seg[3], seg[4]]
    }),
  )
  return { ...map, sources, ...(map.sourcesContent ? { sourcesContent: content } : {}), mappings: encode(lines) }
}
