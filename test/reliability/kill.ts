// Spawning real nhi-recon child processes and killing them: shared by the crash and secret-leak suites.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onCleanup } from '../helpers/index.js';

export const CHILD = fileURLToPath(new URL('./fixtures/stage-child.ts', import.meta.url));
export const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Whether our SIGKILL ended it (rather than it finishing first). */
  killed: boolean;
  stdout: string;
  stderr: string;
  /** Milliseconds from spawn to each stage marker. */
  marks: Record<string, number>;
}

export interface ChildOptions {
  env?: NodeJS.ProcessEnv;
  /** SIGKILL the child this many ms after it prints `stage:<at>`. */
  kill?: { at: string; afterMs: number };
  timeoutMs?: number;
  onMark?: (stage: string) => void;
}

/** Runs the stage child (`stages <config>` or `cli <args…>`), optionally killing it inside a stage. */
export function runChild(args: string[], opts: ChildOptions = {}): Promise<ChildResult> {
  const started = Date.now();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    cwd: REPO, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  onCleanup(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  const res: ChildResult = { code: null, signal: null, killed: false, stdout: '', stderr: '', marks: {} };
  let pending = '';
  child.stdout!.on('data', (d: Buffer) => {
    res.stdout += d.toString();
    pending += d.toString();
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      const m = /^stage:(\w+)$/.exec(line);
      if (!m) continue;
      res.marks[m[1]!] = Date.now() - started;
      opts.onMark?.(m[1]!);
      if (opts.kill && m[1] === opts.kill.at) {
        setTimeout(() => { if (child.exitCode === null && child.signalCode === null) { res.killed = true; child.kill('SIGKILL'); } }, opts.kill.afterMs);
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => { res.stderr += d.toString(); });
  const limit = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  return new Promise((resolve) => child.on('exit', (code, signal) => {
    clearTimeout(limit);
    res.code = code;
    res.signal = signal;
    // Our SIGKILL may land as the child is already exiting on its own: then it finished, it was not killed.
    res.killed = res.killed && signal === 'SIGKILL';
    resolve(res);
  }));
}
