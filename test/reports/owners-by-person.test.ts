// Issue 14: the owner table groups by *person*: logins, emails and ids of one person (resolved through the people
// directory of the run) are one row with that person's real status; owners the directory does not know stay rows.
import { describe, expect, it } from 'vitest';
import { openStore } from '../helpers/index.js';
import { ownerGroups } from '../../src/reports/data.js';
import { insertFinding, insertRun } from './seed.js';

describe('owner groups by person', () => {
  it('merges a person\'s logins and email into one row with their status; unknown owners stay apart', async () => {
    const store = await openStore();
    await insertRun(store, { run_id: 'r1', seq: 1, started_at: '2026-12-01T00:00:00Z', status: 'complete' });
    await store.run(`INSERT INTO people (run_id, person_id, name, email, status) VALUES ('r1', 'p-bob', 'Bob', 'bob@example.com', 'departed'), ('r1', 'p-amy', 'Amy', NULL, 'active')`);
    await store.run(`INSERT INTO person_logins VALUES ('r1', 'p-bob', 'github', 'bobgh'), ('r1', 'p-bob', 'aws', 'bob.admin'), ('r1', 'p-amy', 'github', 'amy')`);
    const owners = ['bobgh', 'bob.admin', 'BOB@example.com', 'amy', 'stranger', null];
    for (const [i, owner] of owners.entries()) {
      await insertFinding(store, 'r1', { finding_id: `f${i}`, rule_id: 'orphaned-identity', severity: i === 0 ? 'critical' : 'high', status: 'open', provider: 'github', tenant: 't', source: 's',
        subject_type: 'identity', subject_ref: `x${i}`, owner, owner_status: owner === 'stranger' ? 'unknown' : 'active', reason: 'r', first_seen: '2026-12-01T00:00:00Z', last_seen: '2026-12-01T00:00:00Z' });
    }
    const g = await ownerGroups(store, 'r1');
    const bob = g.find((x) => x.person_id === 'p-bob')!;
    expect(bob).toMatchObject({ owner: 'Bob (p-bob)', owner_status: 'departed', open: 3, aliases: ['BOB@example.com', 'bob.admin', 'bobgh'] });
    expect(bob.by_severity.critical).toBe(1);
    expect(g.find((x) => x.person_id === 'p-amy')).toMatchObject({ owner: 'Amy (p-amy)', owner_status: 'active', open: 1 });
    expect(g.find((x) => x.owner === 'stranger')).toMatchObject({ person_id: null, owner_status: 'unknown', open: 1 });
    expect(g[0]!.owner).toBeNull(); // unowned first
    expect(g).toHaveLength(4);
    store.close();
  });
});
