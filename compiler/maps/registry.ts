// Every kind of map probe code can declare, by its stdlib class. A new kind is a file beside
// this one, added to this list (and its reader to runtime/maps/).

import { arrayMapKind } from "./array-map.js";
import { hashMapKind } from "./hash-map.js";
import type { MapKind } from "./map-kind.js";

export type { MapKind } from "./map-kind.js";

const KINDS: readonly MapKind[] = [arrayMapKind, hashMapKind];

const byName = new Map(KINDS.map((k) => [k.name, k]));

/** The map kind that the stdlib class `name` is, if it is one. */
export const mapKindNamed = (name: string): MapKind | undefined => byName.get(name);

/** The stdlib class names of all map kinds, for messages. */
export const MAP_KIND_NAMES = KINDS.map((k) => k.name);
