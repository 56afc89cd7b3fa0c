// The errors one compile finds before lowering. The frontend's passes report each mistake here
// and go on with the rest of the file (the declaration or construct at fault is skipped), so
// that a compile shows every subset error at its line, not only the first; lowering starts only
// when none was found.

import type * as TS from "typescript";
import { TsbpfError } from "../../contract/errors.js";

/** How many errors one compile collects; at that many it stops looking (and says so). */
export const MAX_ERRORS = 50;

export class Diagnostics {
  private readonly errors: TsbpfError[] = [];
  /** Places already reported: a second error at the same place repeats the first one's cause. */
  private readonly places = new Set<string>();
  /** Constructs refused as a whole: later passes do not look inside them. */
  private readonly refused = new WeakSet<TS.Node>();
  private full = false;

  constructor(private readonly limit = MAX_ERRORS) {}

  get count(): number {
    return this.errors.length;
  }

  /** Records `error`; at the limit, ends the compile with what was found. */
  report(error: TsbpfError): void {
    const at = error.at;
    const place = at && `${at.file}:${at.line}:${at.column}`;
    if (place) {
      if (this.places.has(place)) return;
      this.places.add(place);
    }
    this.errors.push(error);
    if (this.errors.length >= this.limit) {
      this.full = true;
      throw this.combined(true);
    }
  }

  /**
   * Runs `pass`; a user error it throws is reported and `undefined` returned, so that the caller
   * skips the one thing `pass` was about. Anything else (a bug) is thrown on.
   */
  attempt<T>(pass: () => T): T | undefined {
    try {
      return pass();
    } catch (e) {
      if (!(e instanceof TsbpfError) || this.full) throw e;
      this.report(e);
      return undefined;
    }
  }

  /** Marks `node` as refused as a whole (a class, a closure): its inside is not checked further. */
  refuse(node: TS.Node): void {
    this.refused.add(node);
  }

  isRefused(node: TS.Node): boolean {
    return this.refused.has(node);
  }

  /**
   * Whether an error was reported inside `node`: a check of the construct around it would
   * mostly report a consequence (a call of something refused, a type with `any` in it).
   */
  reportedWithin(node: TS.Node): boolean {
    if (!this.errors.length) return false;
    const sf = node.getSourceFile();
    const start = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    const end = sf.getLineAndCharacterOfPosition(node.getEnd());
    const compare = (at: { line: number; column: number }, p: TS.LineAndCharacter) => at.line - 1 - p.line || at.column - 1 - p.character;
    return this.errors.some(({ at }) => at?.file === sf.fileName && compare(at, start) >= 0 && compare(at, end) < 0);
  }

  /** The errors so far as one TsbpfError (the first in the file, the others related), if any. */
  error(): TsbpfError | undefined {
    return this.errors.length ? this.combined(false) : undefined;
  }

  throwIfAny(): void {
    const e = this.error();
    if (e) throw e;
  }

  private combined(stopped: boolean): TsbpfError {
    const [first, ...rest] = sortedByPlace(this.errors);
    return new TsbpfError(first.message, { ...first.options, related: rest, ...(stopped ? { stoppedAfter: this.limit } : {}) });
  }
}

/** In the order of the file; errors about no place (the whole file) last. Stable. */
function sortedByPlace(errors: readonly TsbpfError[]): TsbpfError[] {
  const order = (a: TsbpfError, b: TsbpfError): number => {
    if (!a.at || !b.at) return (a.at ? 0 : 1) - (b.at ? 0 : 1);
    return a.at.line - b.at.line || a.at.column - b.at.column;
  };
  return [...errors].sort(order);
}
