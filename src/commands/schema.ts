import { z } from 'zod';
import type { Command } from './types.js';
import { Config } from '../config/schema.js';
import { EXIT } from '../errors.js';

export function configJsonSchema(): unknown {
  return z.toJSONSchema(Config, { io: 'input', unrepresentable: 'any' });
}

export const command: Command = {
  command: 'schema',
  describe: 'Print the JSON Schema of the config file (for editor validation)',
  examples: [['$0 schema > nhi-recon.schema.json', 'write the schema; point your editor\'s YAML plugin at it']],
  async run(_args, io) {
    io.out(JSON.stringify(configJsonSchema(), null, 2));
    return EXIT.ok;
  },
};
