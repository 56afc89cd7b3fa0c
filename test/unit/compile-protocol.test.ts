// The compiler's process's answer (D156, D200): each kind comes back whole; bytes that are not a
// whole answer (a process that died while writing, or is not tsbpf's) are none.
import { decodeAnswer, encodeAnswer, type CompileAnswer } from "../../compiler/snapshot/compile-protocol.js";
import { TsbpfError } from "../../contract/errors.js";

const lowered: CompileAnswer = {
  lowered: {
    result: { file: "/p/probe.ts", programs: [], params: [], maps: [], cached: false, parts: 2, timings: { typescript: 12.5 } },
    irParts: ["; part one é\n", "; part two\n"],
  },
};

test("a lowered build, an error and a bug come back as they went", () => {
  expect(decodeAnswer(encodeAnswer(lowered))).toEqual(lowered);
  const error = new TsbpfError("no such tracepoint", { at: { file: "/p/probe.ts", line: 3, column: 5 }, hint: "see tsbpf list", related: [new TsbpfError("second", {})] });
  const back = decodeAnswer(encodeAnswer({ error }));
  expect(back && "error" in back && back.error).toBeInstanceOf(TsbpfError);
  expect(back && "error" in back && back.error.format()).toBe(error.format());
  expect(decodeAnswer(encodeAnswer({ bug: "TypeError: x\n    at y" }))).toEqual({ bug: "TypeError: x\n    at y" });
});

test("a short answer, a longer one, or another's bytes are no answer", () => {
  const bytes = encodeAnswer(lowered);
  expect(decodeAnswer(bytes.subarray(0, bytes.length - 1))).toBeUndefined();
  expect(decodeAnswer(Buffer.concat([bytes, Buffer.from("x")]))).toBeUndefined();
  expect(decodeAnswer(Buffer.from("tsbpf compile answer 1\n"))).toBeUndefined();
  expect(decodeAnswer(Buffer.from("hello"))).toBeUndefined();
  const notParts = Buffer.from(bytes.toString("utf8").replace('"irParts":[', '"irParts":[1,'));
  notParts.writeUInt32LE(notParts.length - 27, 23);
  expect(decodeAnswer(notParts)).toBeUndefined();
});
