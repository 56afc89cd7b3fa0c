// One error type for everything a user can get wrong. The CLI prints `format()` and exits
// non-zero; it never shows a JavaScript stack for a TsbpfError. Anything else that escapes is a
// bug in tsbpf and is reported as such.

export interface SourceSpan {
  file: string;
  line: number; // 1-based
  column: number; // 1-based
  length?: number;
  lineText?: string; // the source line, for the caret display
}

const MAX_SHOWN = 10;

export class TsbpfError extends Error {
  constructor(
    message: string,
    readonly options: {
      code?: string; // stable code (TSBxxxx) for language errors, TSxxxx for TypeScript's own
      at?: SourceSpan; // where in the user's file
      subject?: string; // or: what is missing (a library, a tracepoint, a permission)
      why?: string; // what in the probe caused it, in plain words (a verifier refusal's explanation)
      hint?: string; // what to do about it
      detail?: string; // extra text shown after the hint (e.g. a verifier log excerpt)
      related?: TsbpfError[]; // further errors of the same run
      stoppedAfter?: number; // the run stopped looking for errors after this many
    } = {},
  ) {
    super(message);
    this.name = "TsbpfError";
  }

  get code(): string | undefined {
    return this.options.code;
  }
  get at(): SourceSpan | undefined {
    return this.options.at;
  }

  /** The error and up to MAX_SHOWN - 1 related ones; a count of the rest. */
  format(): string {
    const all = [this, ...(this.options.related ?? [])];
    const shown = all.slice(0, MAX_SHOWN).map(formatOne);
    const more = all.length - MAX_SHOWN;
    const stopped = this.options.stoppedAfter ? ` (tsbpf stops looking after ${this.options.stoppedAfter})` : "";
    if (more > 0) shown.push(`… and ${more} more error${more === 1 ? "" : "s"}${stopped}`);
    return shown.join("\n\n");
  }
}

function formatOne(e: TsbpfError): string {
  const { code, at, subject, why, hint, detail } = e.options;
  const where = at ? `${visible(at.file)}:${at.line}:${at.column}` : subject && visible(subject);
  const head = `${where ? where + ": " : ""}error${code ? " " + code : ""}: ${visible(e.message)}`;
  const lines = [head];
  if (at?.lineText !== undefined) {
    const gutter = String(at.line).length;
    const { text, caret, width } = excerpt(at.lineText, at.column - 1, at.length ?? 1);
    lines.push(`${" ".repeat(gutter)} |`);
    lines.push(`${at.line} | ${text}`);
    lines.push(`${" ".repeat(gutter)} | ${" ".repeat(caret)}${"^".repeat(width)}`);
  }
  if (why) lines.push(`why: ${visible(why)}`);
  if (hint) lines.push(`hint: ${visible(hint)}`);
  if (detail) lines.push(visible(detail));
  return lines.join("\n");
}

/**
 * Text from the user's file (or the kernel) made safe for a terminal: control characters and
 * bidirectional overrides are shown as escapes instead of being obeyed (an ESC sequence in a
 * probe file must not recolour or rewrite the user's screen). Newlines and tabs stay.
 */
export function visible(text: string): string {
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, "0")}` : `\\u{${n.toString(16)}}`;
  });
}

/** Longest source excerpt shown; a longer line is cut to a window around the span. */
const EXCERPT_WIDTH = 120;

/** The line as shown (escaped, tabs as spaces, cut around the span), and where the carets go. */
function excerpt(line: string, start: number, length: number): { text: string; caret: number; width: number } {
  const show = (s: string) => visible(s.replace(/\t/g, " "));
  let before = show(line.slice(0, start));
  const spanText = show(line.slice(start, start + Math.max(1, length)));
  let after = show(line.slice(start + Math.max(1, length)));
  let span = spanText;
  if (before.length + span.length + after.length > EXCERPT_WIDTH) {
    span = span.length > EXCERPT_WIDTH / 2 ? span.slice(0, EXCERPT_WIDTH / 2) + "…" : span;
    const room = Math.max(0, EXCERPT_WIDTH - span.length);
    if (before.length > room / 2) before = "…" + before.slice(before.length - Math.floor(room / 2));
    if (after.length > room - before.length) after = after.slice(0, Math.max(0, room - before.length)) + "…";
  }
  return { text: before + span + after, caret: before.length, width: Math.max(1, span.length) };
}

/** The 0-based offset where 1-based `line` starts in `text` (its end, if it has fewer lines). */
export function lineStart(text: string, line: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf("\n", offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return offset;
}

/** Builds a span from a 0-based character offset in `text`. */
export function spanAt(file: string, text: string, offset: number, length = 1): SourceSpan {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  const lineEnd = text.indexOf("\n", lineStart);
  const lineText = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd).replace(/\r$/, "");
  return { file, line, column: offset - lineStart + 1, length, lineText };
}
