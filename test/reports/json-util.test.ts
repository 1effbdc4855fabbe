import { describe, expect, it } from 'vitest';
import { raw, stringifyWithRaw } from '../../src/reports/json-util.js';

describe('stringifyWithRaw', () => {
  it('splices raw JSON texts verbatim, whatever they hold, at any depth and with indentation', () => {
    const evidence = '{"n":9007199254740993,"s":"a \\"quoted\\" \\\\ back\\u0000slash","u":"é😀","x":[1,2.50,null]}';
    const value = { a: 1, evidence: raw(evidence), nested: [{ data: raw('[1, 2]') }, raw(null)], s: 'plain "text" \\' };
    expect(stringifyWithRaw(value)).toBe(`{"a":1,"evidence":${evidence},"nested":[{"data":[1, 2]},null],"s":"plain \\"text\\" \\\\"}`);
    expect(JSON.parse(stringifyWithRaw(value, 2))).toEqual({ a: 1, evidence: JSON.parse(evidence), nested: [{ data: [1, 2] }, null], s: 'plain "text" \\' });
    expect(stringifyWithRaw(value, 2)).toContain(`"evidence": ${evidence},\n`);
  });

  it('keeps bigints exact (a number when safe, else a string), with raw texts beside them', () => {
    expect(stringifyWithRaw({ small: 42n, big: 9007199254740993n, e: raw('{"k":1}') })).toBe('{"small":42,"big":"9007199254740993","e":{"k":1}}');
  });

  it('never splices an object key that looks like a placeholder', () => {
    const key = raw('1');
    expect(JSON.parse(stringifyWithRaw({ [key]: raw('2') }))).toEqual({ [key]: 2 });
  });

  it('is JSON.stringify for values without placeholders', () => {
    const v = { a: [1, 'two', { three: null }], b: true, c: 'line\nbreak\u2028', d: undefined };
    expect(stringifyWithRaw(v)).toBe(JSON.stringify(v));
    expect(stringifyWithRaw(v, 2)).toBe(JSON.stringify(v, null, 2));
  });

  it('never splices a collected value that imitates the placeholder: it stays the string it was (no JSON injection into reports)', () => {
    for (const forged of ['\u0000raw:{"severity":"info","injected":true}', '\u0000raw-0123456789abcdef01234567:{"x":1}', `${raw('1').slice(0, 5)}:{"x":1}`]) {
      const out = stringifyWithRaw({ name: forged, tags: [forged], evidence: raw('{"ok":1}') });
      expect(JSON.parse(out)).toEqual({ name: forged, tags: [forged], evidence: { ok: 1 } });
    }
  });
});
