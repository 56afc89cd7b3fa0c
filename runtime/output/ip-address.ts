// IPv4 and IPv6 addresses as the kernel keeps them (network byte order in memory) to and from
// their text: `10.0.0.1`, and `fe80::1` in RFC 5952's canonical form (lower case, the longest run
// of zero groups as `::`, an IPv4-mapped address as `::ffff:1.2.3.4`).

/**
 * An IPv4 address from the u32 that holds its 4 bytes in memory order (the kernel's `__be32`
 * read on this little-endian machine: 10.0.0.1 is 0x0100000a), or from the 4 bytes themselves.
 */
export function formatIpv4(address: number | ArrayLike<number>): string {
  if (typeof address !== "number") return Array.from({ length: 4 }, (_, i) => address[i] & 0xff).join(".");
  return `${address & 0xff}.${(address >>> 8) & 0xff}.${(address >>> 16) & 0xff}.${address >>> 24}`;
}

/** `10.0.0.1` as the u32 formatIpv4 reads (0x0100000a); undefined if it is not an IPv4 address. */
export function parseIpv4(text: string): number | undefined {
  if (!IPV4.test(text)) return undefined;
  const [a, b, c, d] = text.split(".").map(Number);
  return (a | (b << 8) | (c << 16) | (d << 24)) >>> 0;
}

// Written out rather than node:net's isIP, which would load Node's network stack into every run.
const BYTE = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`^${BYTE}(?:\\.${BYTE}){3}$`);
const GROUPS = /^[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*$/i;

/** An IPv6 address from its 16 bytes. */
export function formatIpv6(bytes: ArrayLike<number>): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `::ffff:${formatIpv4(Array.from({ length: 4 }, (_, i) => bytes[12 + i]))}`;
  // The longest run of two or more zero groups (the first of equal ones) becomes "::".
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(":");
  if (best.at < 0) return hex(groups);
  return `${hex(groups.slice(0, best.at))}::${hex(groups.slice(best.at + best.length))}`;
}

/** The 16 bytes of an IPv6 address's text (`::1`, `::ffff:1.2.3.4`); undefined if it is not one (or has a zone). */
export function parseIpv6(text: string): number[] | undefined {
  // A dotted IPv4 tail is the last two groups.
  const v4 = /(?:^|:)(\d+(?:\.\d+){3})$/.exec(text);
  let hexOnly = text;
  if (v4) {
    const n = parseIpv4(v4[1]);
    if (n === undefined) return undefined;
    const group = (a: number, b: number) => ((a << 8) | b).toString(16);
    hexOnly = `${text.slice(0, text.length - v4[1].length)}${group(n & 0xff, (n >>> 8) & 0xff)}:${group((n >>> 16) & 0xff, n >>> 24)}`;
  }
  const halves = hexOnly.split("::");
  if (halves.length > 2 || halves.some((h) => h !== "" && !GROUPS.test(h))) return undefined;
  const groupsOf = (part: string) => (part ? part.split(":").map((g) => parseInt(g, 16)) : []);
  const left = groupsOf(halves[0]);
  const right = halves.length === 2 ? groupsOf(halves[1]) : undefined;
  if (right === undefined ? left.length !== 8 : left.length + right.length > 7) return undefined;
  const groups = right === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}
