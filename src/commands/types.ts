// The shape of a CLI command: src/cli.ts only wires these; each command is a plain typed function tests can call.
import type { Argv } from 'yargs';
import type { Logger } from '../log.js';

export interface GlobalArgs {
  config?: string;
  db?: string;
  out?: string;
  format?: string[];
  only?: string[];
  'fail-on'?: string;
  'json-logs'?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

export interface CommandIO {
  /** Results for the user (stdout). */
  out(line: string): void;
  log: Logger;
  env: NodeJS.ProcessEnv;
  /** stderr is a terminal: progress bars are fine. */
  interactive: boolean;
}

export interface Command<A = Record<string, unknown>> {
  /** yargs command string, e.g. 'apply <plan>'. */
  command: string;
  describe: string;
  /** At least one example per command: [command line, what it does]. */
  examples: [string, string][];
  builder?(y: Argv<GlobalArgs>): Argv<unknown>;
  /** Returns the exit code (see src/errors.ts EXIT). Throw UserError for the user's mistakes. */
  run(args: A & GlobalArgs, io: CommandIO): Promise<number>;
}
