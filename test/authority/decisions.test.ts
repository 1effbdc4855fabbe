// The decisions log read back as authority: latest decision per item wins; revoke withdraws the exact grants it
// names (so the access is reported ungranted and the usual rails act); transfer gives an owner record and a draft.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadAuthority } from '../../src/authority/index.js';
import { tempDir } from '../helpers/index.js';

const item = (id: string, extra: Record<string, unknown>) => ({ item: id, run_id: 'run-1', provider: 'prov', tenant: 't1', identity: 'svc', resource: `repo/${id}`,
  permission: 'write', level: 'write', reviewer: 'carol', date: '2026-06-01T00:00:00Z', expires_at: '2026-09-01T00:00:00Z', ...extra });

describe('decisions log as authority', () => {
  it('certify → approved grant; revoke → named grants withdrawn; transfer → owner record and draft; latest wins', async () => {
    const dir = tempDir();
    const grants = join(dir, 'grants.yaml');
    writeFileSync(grants, stringify({ grants: [
      { id: 'D-a', status: 'draft', provider: 'prov', identity: 'svc', resource: 'repo/a', permission: 'write' },
      { id: 'D-b', status: 'draft', provider: 'prov', identity: 'svc', resource: 'repo/b', permission: 'write' },
      { id: 'GLOB', provider: 'prov', identity: 'svc*', resource: 'repo/*' },
    ] }));
    const log = join(dir, 'decisions.ndjson');
    writeFileSync(log, [
      item('A', { decision: 'revoke', grant_ids: ['D-a'], date: '2026-05-01T00:00:00Z' }),
      item('A', { decision: 'certify', grant_ids: ['D-a'], owner: 'alice', owner_team: 'platform' }),
      item('B', { decision: 'revoke', grant_ids: ['D-b', 'GLOB'] }),
      item('C', { decision: 'transfer-to', transfer_to: 'dave' }),
    ].map((x) => JSON.stringify(x)).join('\n') + '\n');
    const a = await loadAuthority({ grants: [grants], owners: [], people: [], exceptions: [], decisions: [log] });
    const ids = a.grants.map((g) => g.value.id).sort();
    // D-b withdrawn; the glob grant covers other access and is never withdrawn by one item's revocation.
    expect(ids).toEqual(['D-a', 'GLOB', 'review-A', 'review-C']);
    const certified = a.grants.find((g) => g.value.id === 'review-A')!.value;
    expect(certified).toMatchObject({ status: 'approved', owner: 'alice', reviewer: 'carol', owner_team: 'platform', max_level: 'write' });
    expect(certified.last_reviewed?.toISOString()).toBe('2026-06-01T00:00:00.000Z');
    expect(a.grants.find((g) => g.value.id === 'review-C')!.value).toMatchObject({ status: 'draft', owner: 'dave' });
    expect(a.owners.map((o) => o.value)).toEqual([expect.objectContaining({ identity: 'svc', owner: 'dave' })]);
  });

  it('a malformed log entry names file and line', async () => {
    const dir = tempDir();
    const log = join(dir, 'decisions.ndjson');
    writeFileSync(log, JSON.stringify(item('A', { decision: 'approve' })) + '\n');
    await expect(loadAuthority({ grants: [], owners: [], people: [], exceptions: [], decisions: [log] })).rejects.toThrow(/decisions\.ndjson:1 decision/);
  });
});
