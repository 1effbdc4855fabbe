// Loads and validates the YAML config. Errors name the file, the line and the field path, and say what was expected.
import { statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { Config } from './schema.js';
import { InputError, UserError, type InputIssue } from '../errors.js';
import { loadConnector } from '../connectors/registry.js';
import { readCapped, refuseDangerousKeys, textEncoding, TooLargeError, yamlMessage } from '../io/records.js';

export interface LoadedConfig {
  config: Config;
  file: string | null;
  dir: string;
  /** Connector options, parsed by each connector's own schema, keyed by source name. */
  sourceOptions: Map<string, unknown>;
}

const MAX_CONFIG_BYTES = 1024 * 1024;

/** Keys that would hold a credential inline; only references (`*_env`, `*_file`, `profile`) are allowed. */
const INLINE_SECRET = /^(token|secret|password|private_key|client_secret|api_key|access_key|secret_access_key|key)$/i;

export async function loadConfig(file: string | null, overrides: Partial<Config> = {}): Promise<LoadedConfig> {
  let raw: unknown = {};
  let doc: Document | undefined;
  const lc = new LineCounter();
  const path = file ? resolve(file) : null;
  if (path) {
    let text: string;
    try {
      // A config is a page of YAML: refuse a huge file before the parser tries to hold it.
      const size = statSync(path).size;
      if (size > MAX_CONFIG_BYTES) throw new InputError([{ file: path, message: `config is ${Math.round(size / 1024)} KB; a config file is limited to ${MAX_CONFIG_BYTES / 1024} KB (records belong in grant/owner/people files)` }]);
      // A FIFO or a device reports size 0: the read itself is capped (D13).
      text = readCapped(path, MAX_CONFIG_BYTES, statSync(path).isFile() ? textEncoding(path) : 'utf8');
    } catch (e) {
      if (e instanceof InputError) throw e;
      if (e instanceof TooLargeError) throw new InputError([{ file: path, message: `config is larger than ${MAX_CONFIG_BYTES / 1024} KB; a config file is limited to ${MAX_CONFIG_BYTES / 1024} KB` }]);
      throw new UserError(`cannot read config ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length) {
      throw new InputError(doc.errors.map((e) => ({ file: path, line: e.linePos?.[0]?.line, message: yamlMessage(e) })));
    }
    try { raw = doc.toJS() ?? {}; } catch (e) {
      // An alias bomb or an unresolvable alias: the yaml package throws rather than expanding it.
      throw new InputError([{ file: path, message: yamlMessage(e as Error) }]);
    }
  }
  if (path) refuseDangerousKeys(path, undefined, raw);
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    // Spreading a scalar would silently load the defaults: a config must be a mapping.
    throw new InputError([{ file: path ?? '(config)', line: 1, message: `expected a mapping of settings (database:, sources:, …), got ${Array.isArray(raw) ? 'a list' : typeof raw}` }]);
  }
  const parsed = Config.safeParse({ ...(raw as object), ...overrides });
  if (!parsed.success) throw new InputError(zodIssues(parsed.error, path ?? '(config)', doc, lc));
  const config = parsed.data;
  const dir = path ? dirname(path) : process.cwd();
  const rel = (p: string) => (isAbsolute(p) ? p : resolve(dir, p));
  config.database = config.database === ':memory:' ? config.database : rel(config.database);
  config.reports.out_dir = rel(config.reports.out_dir);
  config.remediation.plan_dir = rel(config.remediation.plan_dir);
  for (const k of ['grants', 'owners', 'people', 'exceptions', 'integrations', 'decisions', 'terraform'] as const) config.authority[k] = config.authority[k].map(rel);

  const issues: InputIssue[] = [];
  const names = new Set<string>();
  const sourceOptions = new Map<string, unknown>();
  for (const [i, s] of config.sources.entries()) {
    const at = (field: string, ...p: (string | number)[]) => ({ file: path ?? '(config)', line: lineOf(doc, lc, ['sources', i, ...p]), field: `sources[${i}].${field}` });
    if (names.has(s.name)) issues.push({ ...at('name', 'name'), message: `duplicate source name "${s.name}"` });
    names.add(s.name);
    for (const k of Object.keys(s.options)) {
      if (INLINE_SECRET.test(k)) issues.push({ ...at(`options.${k}`, 'options', k), message: 'credentials may not be written in the config; reference them (e.g. token_env: GITHUB_TOKEN) or use the provider\'s default chain' });
    }
    for (const [p] of urlsWithCredentials(s.options)) {
      issues.push({ ...at(`options.${p.join('.')}`, 'options', ...p), message: 'a URL may not carry credentials (user:password@); reference them (e.g. token_env) and give the URL without them' });
    }
    const connector = await loadConnector(s.type).catch((e: Error) => { issues.push({ ...at('type', 'type'), message: e.message }); return null; });
    if (!connector) continue;
    const opts = connector.options.safeParse(resolveOptionPaths(s.options, rel));
    if (!opts.success) {
      for (const iss of opts.error.issues) {
        issues.push({ ...at(`options.${iss.path.join('.')}`, 'options', ...(iss.path as (string | number)[])), message: describeIssue(iss) });
      }
    } else sourceOptions.set(s.name, opts.data);
  }
  if (issues.length) throw new InputError(issues);
  return { config, file: path, dir, sourceOptions };
}

/** Every string option, at any depth, that is a URL with user-info (`scheme://user:pass@host`): the value is never echoed. */
function urlsWithCredentials(v: unknown, path: (string | number)[] = []): [(string | number)[], string][] {
  if (typeof v === 'string') return /^\s*[a-z][a-z0-9+.-]*:\/\/[^/?#\s]*@/i.test(v) ? [[path, v]] : [];
  if (Array.isArray(v)) return v.flatMap((x, i) => urlsWithCredentials(x, [...path, i]));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => urlsWithCredentials(x, [...path, k]));
  return [];
}

/** Option keys ending in _file or _path (and `path`/`files`), at any depth, are resolved relative to the config file. */
function resolveOptionPaths(options: Record<string, unknown>, rel: (p: string) => string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    const isPath = /(^path$|^files?$|_file$|_path$|_dir$)/.test(k);
    if (isPath && typeof v === 'string') out[k] = rel(v);
    else if (isPath && Array.isArray(v)) out[k] = v.map((x) => (typeof x === 'string' ? rel(x) : x));
    else if (v && typeof v === 'object' && !Array.isArray(v)) out[k] = resolveOptionPaths(v as Record<string, unknown>, rel);
    else out[k] = v;
  }
  return out;
}

function lineOf(doc: Document | undefined, lc: LineCounter, path: (string | number)[]): number | undefined {
  if (!doc) return undefined;
  for (let n = path.length; n > 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
    // A key that is present but whose value failed: point at the parent mapping.
  }
  return undefined;
}

export function describeIssue(iss: z.core.$ZodIssue): string {
  if (iss.code === 'unrecognized_keys') return `unknown field(s) ${iss.keys.map((k) => `"${k}"`).join(', ')}`;
  if (iss.code === 'invalid_type') return `expected ${iss.expected}${'received' in iss && iss.received ? `, got ${String(iss.received)}` : ''}`;
  if (iss.code === 'invalid_value') return `expected one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return iss.message;
}

export function zodIssues(err: z.ZodError, file: string, doc?: Document, lc?: LineCounter): InputIssue[] {
  return err.issues.map((iss) => {
    const path = iss.path as (string | number)[];
    const field = path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
    const keyPath = iss.code === 'unrecognized_keys' ? [...path, iss.keys[0]!] : path;
    return { file, line: lc ? lineOf(doc, lc, keyPath) : undefined, field: field || undefined, message: describeIssue(iss) };
  });
}
