// `tsbpf/plugin`, the TypeScript language-service plugin (docs/editor.md). A folder of its own at
// the package's root: the TypeScript server finds plugins by Node 10's rules, which do not read
// package.json's "exports".
module.exports = require("../dist/compiler/editor/plugin.js");
