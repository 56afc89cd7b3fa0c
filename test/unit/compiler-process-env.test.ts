// The compiler's process asks glibc for transparent huge pages behind its large blocks (D194),
// without taking a tunable the user set away.
import { compilerProcessEnv } from "../../compiler/snapshot/compiler-snapshot.js";

test("glibc's hugetlb tunable is added to an environment without tunables", () => {
  const env = compilerProcessEnv({ PATH: "/usr/bin" });
  expect(env).toEqual({ PATH: "/usr/bin", GLIBC_TUNABLES: "glibc.malloc.hugetlb=1" });
});

test("the user's tunables are kept, with it after them", () => {
  expect(compilerProcessEnv({ GLIBC_TUNABLES: "glibc.malloc.check=3" }).GLIBC_TUNABLES).toBe("glibc.malloc.check=3:glibc.malloc.hugetlb=1");
});

test("a hugetlb tunable the user set is theirs: nothing changes", () => {
  const env = { GLIBC_TUNABLES: "glibc.malloc.hugetlb=0" };
  expect(compilerProcessEnv(env)).toBe(env);
});

test("the caller's environment object is not changed", () => {
  const env: NodeJS.ProcessEnv = { HOME: "/root" };
  compilerProcessEnv(env);
  expect(env).toEqual({ HOME: "/root" });
});
