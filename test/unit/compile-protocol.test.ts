// The compiler's process's answer (D156, D200): its frames come back whole and in order, however
// its stdout is cut into chunks; bytes that are not a whole answer (a process that died while
// writing, or is not tsbpf's) are none.
import { AnswerReader, encodeFrame, type AnswerFrame, type FinalFrame } from "../../compiler/snapshot/compile-protocol.js";
import { TsbpfError } from "../../contract/errors.js";

const part = (nth: number): AnswerFrame => ({ part: { ir: `; part ${nth} of 2 é\n`, of: 2 } });
const lowered: AnswerFrame = { lowered: { file: "/p/probe.ts", programs: [], params: [], maps: [], cached: false, parts: 2, timings: { typescript: 12.5 } } };
const checked: FinalFrame = { checked: { timings: { typescript: 20.25, lower: 3 } } };

const answer = (...frames: AnswerFrame[]) => Buffer.concat(frames.map((f, i) => encodeFrame(f, i === 0)));

/** `bytes` read in chunks of `size`: the frames handed over, and how the answer ended. */
function readIn(bytes: Buffer, size: number): { frames: AnswerFrame[]; final: FinalFrame | undefined } {
  const frames: AnswerFrame[] = [];
  const reader = new AnswerReader((f) => frames.push(f));
  for (let at = 0; at < bytes.length; at += size) reader.read(bytes.subarray(at, at + size));
  return { frames, final: reader.end() };
}

test("the IR's parts, the result, then the check's verdict come back as they went, in chunks of any size", () => {
  const bytes = answer(part(1), part(2), lowered, checked);
  for (const size of [1, 3, 7, 64, bytes.length]) expect(readIn(bytes, size)).toEqual({ frames: [part(1), part(2), lowered, checked], final: checked });
});

test("a user's error, whole, and a bug end an answer, with or without the IR before them", () => {
  const error = new TsbpfError("no such tracepoint", { subject: "/p/probe.ts", hint: "see tsbpf list", related: [new TsbpfError("second", { subject: "x" })] });
  for (const frames of [[{ error }], [part(1), part(2), lowered, { error }]] as AnswerFrame[][]) {
    const { final } = readIn(answer(...frames), 5);
    expect(final && "error" in final && final.error).toBeInstanceOf(TsbpfError);
    expect(final && "error" in final && final.error.format()).toBe(error.format());
  }
  expect(readIn(answer(part(1), { bug: "TypeError: x\n    at y" }), 9).final).toEqual({ bug: "TypeError: x\n    at y" });
});

test("an answer cut short, one that goes on after its end, or another's bytes are none", () => {
  const bytes = answer(part(1), part(2), lowered, checked);
  expect(readIn(bytes.subarray(0, bytes.length - 1), 4).final).toBeUndefined();
  expect(readIn(answer(part(1), part(2), lowered), 4).final).toBeUndefined(); // died after the IR
  expect(readIn(Buffer.concat([bytes, Buffer.from([1, 0, 0, 0, 0x7b])]), 4).final).toBeUndefined();
  expect(readIn(Buffer.concat([bytes, answer(checked).subarray(23)]), 4).final).toBeUndefined();
  expect(readIn(Buffer.from("tsbpf compile answer 2\n"), 4).final).toBeUndefined();
  expect(readIn(Buffer.from("hello, this is not an answer"), 4).final).toBeUndefined();
  const notAPart = encodeFrame({ part: { ir: 7, of: 1 } } as unknown as AnswerFrame, true);
  expect(readIn(Buffer.concat([notAPart, encodeFrame(checked, false)]), 4).final).toBeUndefined();
});
