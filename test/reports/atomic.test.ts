import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/index.js';
import { withSink, writeAtomic } from '../../src/reports/atomic.js';

describe('writeAtomic', () => {
  it('replaces the old report only once the new one is complete, 0600', async () => {
    const dir = tempDir();
    const file = join(dir, 'report.json');
    writeFileSync(file, 'old');
    let seenDuring = '';
    await writeAtomic(file, async (tmp) => {
      await withSink(tmp, async (s) => { await s.write('new '); seenDuring = readFileSync(file, 'utf8'); await s.write('content'); });
    });
    expect(seenDuring).toBe('old');
    expect(readFileSync(file, 'utf8')).toBe('new content');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('a failing writer leaves the previous report intact and no temp folder', async () => {
    const dir = tempDir();
    const file = join(dir, 'report.json');
    writeFileSync(file, 'previous');
    await expect(writeAtomic(file, async (tmp) => {
      await withSink(tmp, async (s) => { await s.write('half'); throw new Error('disk full'); });
    })).rejects.toThrow('disk full');
    expect(readFileSync(file, 'utf8')).toBe('previous');
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('the temp folder is private while the report is being written', async () => {
    const dir = tempDir();
    await writeAtomic(join(dir, 'x.csv'), async (tmp) => {
      expect(statSync(join(tmp, '..')).mode & 0o777).toBe(0o700);
      writeFileSync(tmp, 'a');
    });
  });
});
