import type { Command } from './types.js';
import { loadConfigFor } from './context.js';
import { loadAuthorityFor } from '../pipeline/scan.js';
import { EXIT } from '../errors.js';
import { acceptAuthorityDropOption } from './collect.js';

export const command: Command<{ 'accept-authority-drop'?: boolean }> = {
  command: 'validate',
  describe: 'Check the config and the authoritative record files without collecting anything',
  examples: [['$0 validate --config nhi-recon.yaml', 'exit 0 when config, grants, owners, people, exceptions and the integration register are valid; 2 with every problem listed otherwise']],
  builder: (y) => y.option('accept-authority-drop', acceptAuthorityDropOption),
  async run(args, io) {
    const loaded = await loadConfigFor(args);
    const a = await loadAuthorityFor(loaded, { acceptAuthorityDrop: args['accept-authority-drop'] });
    io.out(`config ${loaded.file ?? '(defaults)'}: ${loaded.config.sources.length} source(s): ${loaded.config.sources.map((s) => `${s.name} (${s.type})`).join(', ') || 'none'}`);
    io.out(`authority: ${a.grants.length} grant(s), ${a.owners.length} owner record(s), ${a.people.length} people, ${a.exceptions.length} exception(s), ${a.integrations?.length ?? 0} integration register entr${a.integrations?.length === 1 ? 'y' : 'ies'}`);
    const ignored = Object.entries(a.terraformIgnored ?? {});
    if (ignored.length) io.out(`terraform: ignored ${ignored.reduce((n, [, c]) => n + c, 0)} resource(s) that declare no access: ${ignored.map(([t, c]) => `${t} ×${c}`).join(', ')}`);
    io.out('valid');
    return EXIT.ok;
  },
};
