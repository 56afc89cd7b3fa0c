// Folders in /tmp only root can enter, for tests that give tsbpf a cache: it trusts a cache only
// where no other user could have written it (D35). Each is removed after its test file.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Makes such folders named `prefix…`, removed once the file's tests are done: call at a test file's top level. */
export function privateFolders(prefix: string): () => string {
  const made: string[] = [];
  afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
  return () => {
    const folder = mkdtempSync(join(tmpdir(), prefix));
    made.push(folder);
    chmodSync(folder, 0o700); // whatever the umask
    return folder;
  };
}
