// The runtime's registry of program kinds loads each kind's attacher on first use (D157): its
// keys are names it states itself, held here to the attachers' own and to the compiler's kinds.
import { attachableKinds, attacherOf } from "../../runtime/attach/attach-program.js";
import { programKindNamed } from "../../compiler/kinds/registry.js";

test("each kind in the runtime's registry loads the attacher of that kind, a kind the compiler builds", () => {
  expect(attachableKinds().length).toBeGreaterThan(10);
  for (const kind of attachableKinds()) expect([kind, attacherOf(kind)?.kind, programKindNamed(kind)?.name]).toEqual([kind, kind, kind]);
});
