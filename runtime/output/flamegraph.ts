// A flame graph as one SVG file (`tsbpf run --flamegraph out.svg`): each frame a box as wide as
// the samples under it, callers below callees, as Brendan Gregg's flamegraph.pl draws them. It is
// interactive in a browser without anything else: click a box to zoom to it (the frames above it
// widen to the whole graph), click the bottom box to zoom out, and "Search" to highlight the
// frames whose name matches a regular expression, with the share of samples they hold.

import type { FoldedStack } from "./folded.js";

interface Node {
  name: string;
  count: number;
  children: Map<string, Node>;
}

const WIDTH = 1200;
const ROW = 16;
const TOP = 40;

function tree(stacks: readonly FoldedStack[]): Node {
  const root: Node = { name: "all", count: 0, children: new Map() };
  for (const { frames, count } of stacks) {
    root.count += count;
    let node = root;
    for (const name of frames) {
      let child = node.children.get(name);
      if (!child) node.children.set(name, (child = { name, count: 0, children: new Map() }));
      child.count += count;
      node = child;
    }
  }
  return root;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A warm colour from the name, stable between graphs (the same function, the same colour). */
function colour(name: string): string {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return `rgb(${205 + (h % 50)},${(h >>> 8) % 200},${(h >>> 16) % 55})`;
}

export function flameGraphSvg(stacks: readonly FoldedStack[], title: string): string {
  const root = tree(stacks);
  let depth: number;
  const boxes: string[] = [];
  // Depth first; x in samples from the left, drawn scaled by the script (and without it, by viewBox).
  const levels = (node: Node): number => 1 + Math.max(0, ...[...node.children.values()].map(levels));
  depth = levels(root);
  const height = TOP + depth * ROW + 20;
  const scale = (WIDTH - 20) / Math.max(root.count, 1);
  const draw = (node: Node, level: number, x: number): void => {
    // Laid out here as well as by the script: the graph shows in a viewer that runs none.
    const px = x * scale + 10;
    const pw = node.count * scale;
    const y = height - 30 - (level + 1) * ROW;
    const fits = Math.floor((pw - 6) / 7);
    const label = fits < 3 ? "" : node.name.length <= fits ? node.name : node.name.slice(0, fits - 2) + "..";
    boxes.push(
      `<g class="f" data-x="${x}" data-w="${node.count}" data-l="${level}"><title>${escape(node.name)} (${node.count} samples, ${((100 * node.count) / Math.max(root.count, 1)).toFixed(2)}%)</title>` +
        `<rect x="${px.toFixed(1)}" y="${y}" width="${Math.max(pw - 0.5, 0).toFixed(1)}" height="${ROW - 1}" fill="${colour(node.name)}" rx="2"/><text x="${(px + 3).toFixed(1)}" y="${y + ROW - 4}">${escape(label)}</text></g>`,
    );
    let at = x;
    for (const child of [...node.children.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      draw(child, level + 1, at);
      at += child.count;
    }
  };
  draw(root, 0, 0);
  return `<?xml version="1.0" standalone="no"?>
<svg version="1.1" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" xmlns="http://www.w3.org/2000/svg" data-total="${root.count}" data-depth="${depth}">
<style>
  text { font: 12px monospace; fill: #000; pointer-events: none; }
  .f:hover rect { stroke: #000; stroke-width: 0.5; cursor: pointer; }
  .found rect { fill: rgb(230,0,230) !important; }
  #title { font-size: 17px; text-anchor: middle; }
  #search, #matched { font-size: 12px; }
  #search { cursor: pointer; }
</style>
<rect width="100%" height="100%" fill="#fffff0"/>
<text id="title" x="${WIDTH / 2}" y="24">${escape(title)}</text>
<text id="search" x="${WIDTH - 110}" y="24">Search</text>
<text id="matched" x="${WIDTH - 110}" y="${height - 6}"></text>
<text id="details" x="10" y="${height - 6}"></text>
${boxes.join("\n")}
<script><![CDATA[
(function () {
  var svg = document.documentElement, W = ${WIDTH}, ROW = ${ROW}, H = ${height};
  var total = +svg.getAttribute("data-total"), frames = [].slice.call(document.querySelectorAll(".f"));
  function layout(x0, w0, l0) {
    frames.forEach(function (g) {
      var x = +g.getAttribute("data-x"), w = +g.getAttribute("data-w"), l = +g.getAttribute("data-l");
      var inside = x >= x0 && x + w <= x0 + w0 && (l >= l0 || (x <= x0 && x + w >= x0 + w0));
      var px = ((x - x0) / w0) * (W - 20) + 10, pw = (w / w0) * (W - 20);
      g.style.display = inside && pw >= 0.5 ? "" : "none";
      var r = g.querySelector("rect"), t = g.querySelector("text"), y = H - 30 - (l + 1) * ROW;
      r.setAttribute("x", px); r.setAttribute("y", y); r.setAttribute("width", Math.max(pw - 0.5, 0)); r.setAttribute("height", ROW - 1);
      t.setAttribute("x", px + 3); t.setAttribute("y", y + ROW - 4);
      var name = g.querySelector("title").textContent.replace(/ \\(\\d+ samples.*$/, ""), fits = Math.floor((pw - 6) / 7);
      t.textContent = fits < 3 ? "" : name.length <= fits ? name : name.slice(0, fits - 2) + "..";
    });
  }
  frames.forEach(function (g) {
    g.addEventListener("click", function () { layout(+g.getAttribute("data-x"), +g.getAttribute("data-w"), +g.getAttribute("data-l")); });
    g.addEventListener("mouseover", function () { document.getElementById("details").textContent = g.querySelector("title").textContent; });
  });
  document.getElementById("search").addEventListener("click", function () {
    var term = prompt("Search for (a regular expression):", ""), matched = 0, re;
    frames.forEach(function (g) { g.classList.remove("found"); });
    if (!term) { document.getElementById("matched").textContent = ""; return; }
    try { re = new RegExp(term); } catch (e) { return; }
    var counted = [];
    frames.forEach(function (g) {
      var name = g.querySelector("title").textContent.replace(/ \\(\\d+ samples.*$/, "");
      if (!re.test(name)) return;
      g.classList.add("found");
      var x = +g.getAttribute("data-x"), w = +g.getAttribute("data-w");
      if (!counted.some(function (c) { return x >= c[0] && x + w <= c[0] + c[1]; })) { counted.push([x, w]); matched += w; }
    });
    document.getElementById("matched").textContent = "Matched: " + (100 * matched / Math.max(total, 1)).toFixed(1) + "%";
  });
  layout(0, Math.max(total, 1), 0);
})();
]]></script>
</svg>
`;
}
