// `nhi-recon explain RULE`: what a finding kind means, why it matters and how to fix it by hand, from the rule's own
// metadata (so the explanation and the rule cannot disagree). Without a rule it lists them all.
import type { Argv } from 'yargs';
import type { Command, GlobalArgs } from './types.js';
import { RULES } from '../reconcile/rules/index.js';
import type { Rule } from '../reconcile/rule.js';
import { UserError } from '../errors.js';
import { LEVELS } from '../model/index.js';

export interface ExplainArgs { rule?: string; json?: boolean }

function wrap(text: string, width = 96, indent = '  '): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + word.length + 1 > width) { out.push(indent + line); line = word; } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(indent + line);
  return out;
}

export function explainRule(rule: Rule): string[] {
  const lines = [`${rule.id} — ${rule.title}`, '', 'What it means:', ...wrap(rule.description), '', 'Why it matters:', ...wrap(rule.why), '', 'How to fix it by hand:', ...wrap(rule.fix), ''];
  lines.push(`Subject: ${rule.subject}`);
  lines.push(`Severity by level of access: ${LEVELS.map((l) => `${l}=${rule.severity[l]}`).join(', ')}`);
  const std = [...rule.standards.owasp_nhi.map((s) => `OWASP ${s}`), ...rule.standards.nist_csf.map((s) => `NIST CSF ${s}`), ...(rule.standards.cis ?? []).map((s) => `CIS ${s}`)];
  if (std.length) lines.push(`Standards: ${std.join('; ')}`);
  return lines;
}

export function findRule(id: string, rules: Rule[] = RULES): Rule {
  const rule = rules.find((r) => r.id === id.toLowerCase());
  if (rule) return rule;
  const near = rules.filter((r) => r.id.includes(id.toLowerCase()) || id.toLowerCase().includes(r.id.split('-')[0]!)).map((r) => r.id);
  throw new UserError(`no rule "${id}"${near.length ? `; did you mean ${near.join(', ')}?` : ''} Known rules: ${rules.map((r) => r.id).join(', ')}`);
}

export const explainCommand: Command<ExplainArgs> = {
  command: 'explain [rule]',
  describe: 'Explain a finding kind: what it means, why it matters, how to fix it by hand',
  examples: [
    ['nhi-recon explain expired-grant', 'Explain the expired-grant finding'],
    ['nhi-recon explain', 'List every rule with its title'],
  ],
  builder(y: Argv<GlobalArgs>) {
    return y
      .positional('rule', { type: 'string', describe: 'Rule id (the finding kind), e.g. stale-credential' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the rule metadata as JSON' });
  },
  async run(args, io) {
    if (!args.rule) {
      if (args.json) { io.out(JSON.stringify(RULES.map(({ sql: _sql, ...meta }) => meta), null, 2)); return 0; }
      const width = Math.max(...RULES.map((r) => r.id.length));
      for (const r of RULES) io.out(`${r.id.padEnd(width)}  ${r.title}`);
      io.out('');
      io.out('`nhi-recon explain RULE` for what a rule means and how to fix it.');
      return 0;
    }
    const rule = findRule(args.rule);
    if (args.json) { const { sql: _sql, ...meta } = rule; io.out(JSON.stringify(meta, null, 2)); return 0; }
    for (const l of explainRule(rule)) io.out(l);
    return 0;
  },
};

export default explainCommand;
