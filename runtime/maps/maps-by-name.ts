// `probe.maps`: a property per map, its reader opened on first use and then kept, so that a probe
// whose maps are never read never loads the readers.

import type { MapInfo } from "../../contract/manifest.js";

export function mapsByName<T>(infos: readonly MapInfo[], open: (info: MapInfo) => T): Readonly<Record<string, T>> {
  // No prototype: a map may be named `constructor` or `__proto__`.
  const maps = Object.create(null) as Record<string, T>;
  for (const info of infos) {
    let map: T | undefined;
    Object.defineProperty(maps, info.name, { enumerable: true, get: () => (map ??= open(info)) });
  }
  return Object.freeze(maps);
}
