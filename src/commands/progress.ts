// Collection progress on stderr: a line per tenant redrawn in place on a terminal, plain start/end lines in CI.
import type { ProgressEvent } from '../pipeline/collect.js';
import type { CommandIO } from './types.js';

export function progressReporter(io: CommandIO, quiet?: boolean): ((ev: ProgressEvent) => void) | undefined {
  if (quiet) return undefined;
  if (!io.interactive) {
    return (ev) => {
      if (ev.phase === 'start') io.log.info(`collecting ${ev.source}/${ev.tenant}`);
      if (ev.phase === 'end') io.log.info(`collected ${ev.source}/${ev.tenant}: ${ev.rows} records, ${ev.status}`);
    };
  }
  const state = new Map<string, string>();
  let drawn = 0;
  const spin = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let tick = 0;
  const draw = () => {
    if (drawn) process.stderr.write(`\x1b[${drawn}A`);
    for (const line of state.values()) process.stderr.write(`\x1b[2K${line}\n`);
    drawn = state.size;
  };
  return (ev) => {
    const key = `${ev.source}/${ev.tenant}`;
    const mark = ev.phase === 'end' ? (ev.status === 'complete' ? '✔' : '✖') : spin[tick++ % spin.length];
    const bar = ev.phase === 'end' ? '█'.repeat(20) : '█'.repeat(Math.min(19, Math.floor(Math.log10(ev.rows + 1) * 4))).padEnd(20, '░');
    state.set(key, `${mark} ${key.padEnd(32)} ${bar} ${String(ev.rows).padStart(9)} records${ev.status ? ` ${ev.status}` : ''}`);
    draw();
  };
}
