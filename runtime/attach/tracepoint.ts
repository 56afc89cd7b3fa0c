// tracepoint/<category>/<event>: checked against tracefs first, so that a missing tracepoint is
// named, with the nearest ones this kernel has.

import { existsSync, readdirSync } from "node:fs";
import { release } from "node:os";
import { TsbpfError } from "../../contract/errors.js";
import { errnoText, lastErrno, libbpf, takeLibbpfMessages } from "../../native/libbpf.js";
import type { LoadedProgram } from "../loader.js";
import { declarationSpan } from "../source-span.js";
import { ensureTracefs } from "../tracefs.js";
import type { Link } from "./link.js";
import { ownLink } from "./link.js";
import { nearestNames } from "../../contract/nearest-names.js";
import type { ProgramAttacher } from "./program-attacher.js";

export const tracepointAttacher: ProgramAttacher = { kind: "tracepoint", attach: attachTracepoint };

function attachTracepoint(p: LoadedProgram, file: string): Link {
  const root = ensureTracefs();
  const [category, event] = p.info.target.split("/");
  if (!existsSync(`${root}/events/${category}/${event}`)) {
    const near = nearest(root, category, event);
    throw new TsbpfError(`tracepoint '${p.info.target}' does not exist on this kernel (${release()})`, {
      at: declarationSpan(file, p.info.targetAt.line, p.info.targetAt.column, p.info.targetAt.length),
      hint: near.length
        ? `did you mean ${near.map((n) => `'${n}'`).join(", ")}? The list is in ${root}/available_events`
        : `the tracepoints this kernel has are listed in ${root}/available_events`,
    });
  }
  const link = libbpf().attachTracepoint(p.handle, category, event);
  if (!link) {
    const errno = lastErrno();
    throw new TsbpfError(`cannot attach to tracepoint '${p.info.target}' (${errnoText(errno)})`, {
      at: declarationSpan(file, p.info.line, p.info.column, p.info.name.length),
      detail: takeLibbpfMessages().join(""),
    });
  }
  return ownLink(link, `tracepoint:${p.info.target}`);
}

function nearest(root: string, category: string, event: string): string[] {
  const list = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  const categories = list(`${root}/events`);
  const names = categories.includes(category)
    ? list(`${root}/events/${category}`).map((e) => `${category}/${e}`)
    : categories.map((c) => `${c}/${event}`).filter((n) => existsSync(`${root}/events/${n}`));
  return nearestNames(`${category}/${event}`, names);
}
