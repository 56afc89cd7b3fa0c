// Locations inside the installed tsbpf package, valid both from sources and from dist/.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

function findRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "stdlib", "index.d.ts"))) return dir;
  }
  throw new Error(`tsbpf: cannot find the package root above ${__dirname}`);
}

export const packageRoot = findRoot();
export const packageVersion: string = require(join(packageRoot, "package.json")).version;
