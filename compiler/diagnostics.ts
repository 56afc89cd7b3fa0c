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
      hint?: string; // what to do about it
      detail?: string; // extra text shown after the hint (e.g. a verifier log excerpt)
      related?: TsbpfError[]; // further errors of the same run
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
    if (all.length > MAX_SHOWN) shown.push(`… and ${all.length - MAX_SHOWN} more error${all.length - MAX_SHOWN === 1 ? "" : "s"}`);
    return shown.join("\n\n");
  }
}

function formatOne(e: TsbpfError): string {
  const { code, at, subject, hint, detail } = e.options;
  const where = at ? `${at.file}:${at.line}:${at.column}` : subject;
  const head = `${where ? where + ": " : ""}error${code ? " " + code : ""}: ${e.message}`;
  const lines = [head];
  if (at?.lineText !== undefined) {
    const gutter = String(at.line).length;
    const text = at.lineText.replace(/\t/g, " ");
    const width = Math.max(1, Math.min(at.length ?? 1, text.length - (at.column - 1)));
    lines.push(`${" ".repeat(gutter)} |`);
    lines.push(`${at.line} | ${text}`);
    lines.push(`${" ".repeat(gutter)} | ${" ".repeat(at.column - 1)}${"^".repeat(width)}`);
  }
  if (hint) lines.push(`hint: ${hint}`);
  if (detail) lines.push(detail);
  return lines.join("\n");
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
