// The CLI only wires commands (src/commands/*) to yargs and maps errors to exit codes, in one place.
import yargs, { type Argv } from 'yargs';
import { createLogger, redact, type Logger } from './log.js';
import { EXIT, UserError } from './errors.js';
import { terminalSafe } from './reports/escape.js';
import type { Command, CommandIO, GlobalArgs } from './commands/types.js';
import { COMMANDS } from './commands/index.js';

export const EPILOG = `Exit codes: 0 clean · 1 findings at or above --fail-on · 2 bad usage, config or records · 3 a source incomplete · 4 a remediation circuit breaker tripped · 5 the database is in use by another run.
Docs: docs/finding-kinds.md, docs/exit-codes.md, docs/report-schema.md, docs/remediation.md`;

/** Where process warnings (SDK deprecation and support notices) go: the command's logger, once it exists (D22). */
let warningLog: Logger | null = null;

function routeProcessWarnings(fallback: Logger): void {
  // Node prints warnings straight to stderr: under --quiet they must be quiet, under --json-logs they must be JSON.
  process.removeAllListeners('warning');
  process.on('warning', (w) => (warningLog ?? fallback).warn(`${w.name}: ${w.message}`, { warning: w.name }));
}

export function buildCli(argv: string[], io: CommandIO, setExit: (code: number) => void, customLog = false): Argv<GlobalArgs> {
  let cli = yargs(argv)
    .scriptName('nhi-recon')
    .usage('$0 <command> [options]\n\nReconciles the access that exists (identities, credentials, entitlements) with the access that was approved.')
    .option('config', { alias: 'c', type: 'string', describe: 'Config file (default: ./nhi-recon.yaml if present)' })
    .option('db', { type: 'string', describe: 'DuckDB file (overrides the config)' })
    .option('out', { alias: 'o', type: 'string', describe: 'Report folder (overrides the config)' })
    .option('format', { alias: 'f', type: 'array', string: true, describe: 'Report formats: json csv ocsf markdown html' })
    .option('only', { type: 'array', string: true, describe: 'Only these source names' })
    .option('fail-on', { type: 'string', describe: 'Exit 1 when an open finding is at or above: none info low medium high critical' })
    .option('json-logs', { type: 'boolean', describe: 'Log JSON lines on stderr' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'Only errors on stderr' })
    .option('verbose', { alias: 'v', type: 'boolean', describe: 'Debug logging' })
    .strict()
    // A scalar option given twice becomes an array in yargs and crashed deep inside a command (D18): refuse it here.
    .middleware(((args: Record<string, unknown>, y: unknown) => {
      // Options declared `array` (and their aliases and camelCase forms) take several values; no other does.
      const opts = (y as unknown as { getOptions(): { array: string[]; alias: Record<string, string[]> } }).getOptions();
      const arrays = new Set(['_']);
      for (const k of opts.array ?? []) for (const n of [k, ...(opts.alias?.[k] ?? [])]) { arrays.add(n); arrays.add(n.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())); }
      for (const [k, v] of Object.entries(args)) {
        if (Array.isArray(v) && !arrays.has(k)) throw new UserError(`--${k} was given ${v.length} times; give it once`);
      }
    }) as never, true)
    .demandCommand(1, 'Name a command; `nhi-recon --help` lists them.')
    .recommendCommands()
    .epilog(EPILOG)
    .wrap(Math.min(120, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => { throw err ?? new UserError(msg); }) as unknown as Argv<GlobalArgs>;
  for (const c of COMMANDS as Command<any>[]) {
    cli = cli.command(c.command, c.describe, (y) => {
      const built = (c.builder ? c.builder(y as Argv<GlobalArgs>) : y) as Argv<GlobalArgs>;
      for (const [cmd, what] of c.examples) built.example(cmd, what);
      return built;
    }, async (args) => {
      const log = customLog ? io.log : createLogger({ json: args['json-logs'], quiet: args.quiet, verbose: args.verbose });
      warningLog = log;
      setExit(await c.run(args as never, { ...io, log }));
    }) as Argv<GlobalArgs>;
  }
  return cli;
}

export async function main(argv: string[], io?: Partial<CommandIO>): Promise<number> {
  const fullIo: CommandIO = {
    // Whatever a command prints passes terminalSafe: provider-side names a command forgot to escape are shown, not obeyed.
    out: ((write: (line: string) => void) => (line: string) => write(terminalSafe(line)))(io?.out ?? ((line) => process.stdout.write(line + '\n'))),
    log: io?.log ?? createLogger({}),
    env: io?.env ?? process.env,
    interactive: io?.interactive ?? (Boolean(process.stderr.isTTY) && !process.env.CI),
  };
  let code: number = EXIT.ok;
  const jsonLogs = argv.includes('--json-logs');
  const log = io?.log ?? createLogger({ json: jsonLogs, quiet: argv.includes('--quiet') || argv.includes('-q') });
  if (!io) routeProcessWarnings(log);
  try {
    await buildCli(argv, fullIo, (c) => { code = c; }, Boolean(io?.log)).parseAsync();
    return code;
  } catch (e) {
    if (e instanceof UserError) {
      log.error(e.message);
      return e.exitCode;
    }
    const err = e as Error;
    if (err?.name === 'YError') { log.error(err.message); return EXIT.usage; }
    log.error(`internal error: ${redact(err?.message ?? String(e))}`);
    if (argv.includes('--verbose') || argv.includes('-v')) process.stderr.write(redact(err?.stack ?? '') + '\n');
    return EXIT.internal;
  }
}
