// The file a uprobe's binary names: an absolute path as it is; a library by short name ("libc",
// "libc.so.6") as the dynamic linker would find it (its cache, `ldconfig -p`, then the standard
// directories); anything else a command on PATH ("bash"). Each lookup says what it searched,
// for the error when nothing is found.

import { execFileSync } from "node:child_process";
import { accessSync, constants, readdirSync, realpathSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";

export type Resolved = { path: string } | { searched: string };

const isFile = (path: string): boolean => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return isFile(path);
  } catch {
    return false;
  }
};

/** Where the dynamic linker looks after its cache (Debian's multiarch directories first). */
function standardDirs(): string[] {
  const triple = { x64: "x86_64-linux-gnu", arm64: "aarch64-linux-gnu" }[process.arch as string];
  return [...(triple ? [`/lib/${triple}`, `/usr/lib/${triple}`] : []), "/lib64", "/usr/lib64", "/lib", "/usr/lib"];
}

// ldconfig -p: "\tlibc.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libc.so.6". Entries of another
// architecture (i386's "(libc6)" beside x86-64's) would be the wrong file.
const ARCH_FLAG: Record<string, RegExp> = { x64: /x86-64/, arm64: /AArch64/ };

function linkerCache(): { soname: string; path: string }[] {
  let out: string;
  try {
    out = execFileSync(isFile("/sbin/ldconfig") ? "/sbin/ldconfig" : "ldconfig", ["-p"], { encoding: "latin1", stdio: ["ignore", "pipe", "ignore"], timeout: 5000, maxBuffer: 16 << 20 });
  } catch {
    return [];
  }
  const arch = ARCH_FLAG[process.arch];
  const entries: { soname: string; path: string }[] = [];
  for (const m of out.matchAll(/^\s+(\S+) \(([^)]*)\) => (\S+)$/gm)) if (!arch || arch.test(m[2])) entries.push({ soname: m[1], path: m[3] });
  return entries;
}

/** A library's file: `name` a soname ("libc.so.6") or its stem ("libc" → libc.so.N). */
export function findLibrary(name: string): Resolved {
  const stem = name.replace(/\.so(\.[0-9.]*)?$/, "");
  const matches = (file: string) => file === name || file === `${stem}.so` || file.startsWith(`${stem}.so.`);
  const exact = (file: string) => file === name;
  const cached = linkerCache();
  const hit = cached.find((e) => exact(e.soname)) ?? cached.find((e) => matches(e.soname));
  if (hit && isFile(hit.path)) return { path: realpathSync(hit.path) };
  const dirs = standardDirs();
  for (const dir of dirs) {
    let files: string[];
    try {
      files = readdirSync(dir);
    } catch {
      continue;
    }
    const file = files.find(exact) ?? files.filter(matches).sort()[0];
    if (file && isFile(join(dir, file))) return { path: realpathSync(join(dir, file)) };
  }
  return { searched: `the dynamic linker's cache (ldconfig -p) and ${dirs.join(", ")}` };
}

/** A command's file on PATH. */
export function findCommand(name: string): Resolved {
  const dirs = (process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin").split(delimiter).filter((d) => d.startsWith("/"));
  for (const dir of dirs) if (executable(join(dir, name))) return { path: realpathSync(join(dir, name)) };
  return { searched: `PATH (${dirs.join(":")})` };
}

/** The file of a uprobe's binary as written in its target. */
export function findBinary(binary: string): Resolved {
  if (binary.startsWith("/")) return isFile(binary) ? { path: binary } : { searched: "that path" };
  return /^lib|\.so(\.|$)/.test(binary) ? findLibrary(binary) : findCommand(binary);
}
