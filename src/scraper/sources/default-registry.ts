import type { Config } from '../../config.ts';
import type { SectionSpec } from '../../core/index.ts';
import { createAurionSource } from './aurion.source.ts';
import { createIcsFileSource, createIcsUrlSource } from './ics-url.source.ts';
import { createSourceRegistry } from './registry.ts';
import type { Source } from './source.ts';
import { createWebdbfSource } from './webdbf.source.ts';

/** Every source kind the app knows, configured (app.ts and the scrape worker share it). */
export function createDefaultSourceRegistry(
  config: Pick<Config, 'webdbf' | 'aurion'>,
): (section: SectionSpec) => Source {
  return createSourceRegistry({
    ics: createIcsUrlSource,
    file: createIcsFileSource,
    webdbf: () => createWebdbfSource({ config: config.webdbf }),
    aurion: () => createAurionSource({ config: config.aurion }),
  });
}
