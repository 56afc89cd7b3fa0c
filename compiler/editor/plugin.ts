// `tsbpf/plugin`: a TypeScript language-service plugin (tsconfig.json's `"plugins": [{ "name":
// "tsbpf/plugin" }]`, docs/editor.md) that adds the probe language's errors (TSBxxxx) to what the
// editor shows as the author types, from the compiler's own checks (probe-checks.ts), and quick
// fixes where one is obvious (quick-fixes.ts). It runs inside the editor's TypeScript server with
// that server's `typescript` module: it never loads its own, nor LLVM or libbpf. Nothing it does
// may break the editor: whatever goes wrong is logged to the server's log and left out (D175).

import type * as TS from "typescript";
import { withProbeChecks, type Log } from "./language-service.js";

function init(modules: { typescript: typeof TS }): TS.server.PluginModule {
  const ts = modules.typescript;
  return {
    create(info: TS.server.PluginCreateInfo): TS.LanguageService {
      const logger = info.project?.projectService?.logger;
      const log: Log = (message) => {
        try {
          logger?.info(`tsbpf/plugin: ${message}`);
        } catch {
          // a logger that fails has nowhere to say so
        }
      };
      try {
        const service = withProbeChecks(ts, info.languageService, info.languageServiceHost, log);
        log(`loaded into TypeScript ${ts.version}`);
        return service;
      } catch (e) {
        log(`not loaded (a bug in tsbpf: please report it): ${(e as Error)?.stack ?? e}`);
        return info.languageService;
      }
    },
  };
}

export = init;
