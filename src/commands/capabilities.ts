import type { Command } from './types.js';
import { CONNECTORS, loadConnector } from '../connectors/registry.js';
import { EXIT } from '../errors.js';

export interface CapabilitiesArgs { json?: boolean }

/** Capabilities are derived from what each connector declares, never listed by hand. */
export async function capabilities(): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const id of Object.keys(CONNECTORS).sort()) {
    const c = await loadConnector(id);
    out.push({
      id, provider: c.provider, description: c.description,
      identities: c.collects.identities, credentials: c.collects.credentials, entitlements: c.collects.entitlements,
      validate: Boolean(c.validate),
      actions: (c.remediation?.actions ?? []).map((a) => ({ operation: a.operation, kind: a.kind, subject: a.subject, kinds: a.kinds ?? [], reversible: a.reversible })),
      rollback: Boolean(c.remediation?.rollback),
    });
  }
  return out;
}

export const command: Command<CapabilitiesArgs> = {
  command: 'capabilities',
  describe: 'List each connector: what it collects and which remediation actions it supports',
  examples: [['$0 capabilities', 'a table of connectors and their actions'], ['$0 capabilities --json', 'the same as JSON']],
  builder: (y) => y.option('json', { type: 'boolean' }),
  async run(args, io) {
    const caps = await capabilities();
    if (args.json) { io.out(JSON.stringify(caps, null, 2)); return EXIT.ok; }
    for (const c of caps) {
      io.out(`${c.id} (${c.provider}): ${c.description}`);
      io.out(`  identities: ${(c.identities as string[]).join(', ') || '-'}`);
      io.out(`  credentials: ${(c.credentials as string[]).join(', ') || '-'}`);
      io.out(`  entitlements: ${c.entitlements ? 'yes' : 'no'}`);
      const acts = c.actions as { operation: string; kind: string; reversible: boolean }[];
      io.out(`  actions: ${acts.map((a) => `${a.operation} (${a.kind}${a.reversible ? ', reversible' : ''})`).join(', ') || 'none'}`);
    }
    return EXIT.ok;
  },
};
