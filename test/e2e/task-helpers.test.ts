// The helpers about the current task, read in the kernel against what the process knows of
// itself: ids from the process, the cgroup id from the cgroup2 directory's inode number.
import { readFileSync, statSync } from "node:fs";
import { open } from "../../runtime/index.js";
import { eventsOfOwnSyncfs } from "../helpers/kernel.js";
import { repo } from "../helpers/tsbpf-command.js";

/** Where cgroup2 is mounted, from /proc/self/mountinfo (/sys/fs/cgroup, or …/unified beside v1). */
function cgroup2Mount(): string | undefined {
  const line = readFileSync("/proc/self/mountinfo", "utf8").split("\n").find((l) => / - cgroup2 /.test(l));
  return line?.split(" ")[4];
}

test("pid, tid, uid, gid and cgroupId are this process's", async () => {
  await using probe = await open(repo("test/fixtures/language/current-task.ts"), { params: { TARGET: process.pid } });
  const seen = eventsOfOwnSyncfs(probe, "tasks");
  expect(seen.length).toBe(1);
  const [task] = seen;
  expect([task.pid, task.uid, task.gid]).toEqual([process.pid, process.getuid!(), process.getgid!()]);
  expect(task.tid).toBeGreaterThan(0);
  const mount = cgroup2Mount();
  if (!mount) {
    console.log("skipped the cgroup id's check: no cgroup2 mount here");
    return;
  }
  const path = /^0::(.*)$/m.exec(readFileSync("/proc/self/cgroup", "utf8"))![1];
  expect(task.cgroup).toBe(BigInt(statSync(`${mount}${path === "/" ? "" : path}`).ino));
});
