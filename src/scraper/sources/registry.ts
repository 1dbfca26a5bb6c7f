import type { SectionSource, SectionSpec } from '../../core/index.ts';
import type { Source } from './source.ts';

/** Builds one source object per kind (sources keep their login session in it). */
export function createSourceRegistry(
  factories: Partial<Record<SectionSource['kind'], () => Source>>,
): (section: SectionSpec) => Source {
  const instances = new Map<SectionSource['kind'], Source>();
  return (section) => {
    const kind = section.source.kind;
    let source = instances.get(kind);
    if (source === undefined) {
      const factory = factories[kind];
      if (factory === undefined) throw new Error(`no source for "${kind}" sections`);
      source = factory();
      instances.set(kind, source);
    }
    return source;
  };
}
