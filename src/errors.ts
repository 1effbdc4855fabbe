// A user's mistake (bad config, bad records, bad flags) is not a bug: it gets a clear message and its own exit code.
export const EXIT = {
  ok: 0,
  findings: 1,
  usage: 2,
  incomplete: 3,
  breaker: 4,
  locked: 5,
  internal: 70,
} as const;

export class UserError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.usage) {
    super(message);
    this.name = 'UserError';
  }
}

/** One error per bad input location, so a user fixes a whole file in one pass. */
export interface InputIssue { file: string; line?: number; field?: string; message: string }

export class InputError extends UserError {
  constructor(readonly issues: InputIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'InputError';
  }
}

export function formatIssue(i: InputIssue): string {
  const where = [i.file, i.line !== undefined ? String(i.line) : undefined].filter(Boolean).join(':');
  return `${where}${i.field ? ` ${i.field}` : ''}: ${i.message}`;
}
