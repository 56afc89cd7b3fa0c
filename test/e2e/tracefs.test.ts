// A fresh machine has tracefs unmounted: `tsbpf run` mounts it, says so, and works.
import { execFileSync, spawnSync } from "node:child_process";
import { repo, Running } from "../helpers/tsbpf-command.js";
import { triggerSyncfs } from "../helpers/kernel.js";

const TRACEFS = "/sys/kernel/tracing";
const mounted = () => spawnSync("mountpoint", ["-q", TRACEFS]).status === 0;

afterAll(() => {
  if (!mounted()) execFileSync("mount", ["-t", "tracefs", "nodev", TRACEFS]);
});

test("tsbpf run mounts tracefs when it is not mounted", async () => {
  if (mounted()) {
    const r = spawnSync("umount", [TRACEFS], { encoding: "utf8" });
    if (r.status !== 0) {
      console.log(`skipped: cannot unmount ${TRACEFS} here (${r.stderr.trim()})`);
      return;
    }
  }
  expect(mounted()).toBe(false);
  const run = new Running(["run", repo("examples/hello-syncfs.ts"), "--duration", "2"]);
  await run.waitFor("stderr", /Attached/);
  expect(run.stderr).toContain(`tsbpf: mounted tracefs at ${TRACEFS}`);
  triggerSyncfs();
  expect(await run.exited).toBe(0);
  expect(run.stdout).toMatch(/^syncfs called$/m);
  expect(mounted()).toBe(true);
});

test("SIGTERM detaches and exits cleanly", async () => {
  const run = new Running(["run", repo("examples/hello-syncfs.ts")]);
  await run.waitFor("stderr", /Attached/);
  run.child.kill("SIGTERM");
  expect(await run.exited).toBe(0);
  const progs = JSON.parse(execFileSync("bpftool", ["prog", "show", "-j"], { encoding: "utf8" })) as { name?: string; type: string }[];
  expect(progs.filter((p) => p.name === "hello" && p.type === "tracepoint")).toHaveLength(0);
});
