import { describe, expect, it } from 'vitest';
import { generateEstate } from '../../../src/sim/github/estate.js';
import { collectRun } from '../../helpers/index.js';
import { setup } from './helpers.js';

// Secret-scanning alerts carry the leaked value. It is requested only when the user opts in to matching alerts to
// SAML-authorized tokens by their last eight characters, and it is never stored either way.
function estateWithLeak() {
  const estate = generateEstate({ repos: 4, seed: 11 });
  const org = estate.orgs[0]!;
  const auth = org.credentialAuthorizations![0]!;
  org.alerts = [{ number: 7, secret_type: 'github_personal_access_token', secret_type_display_name: 'GitHub Personal Access Token',
    secret: `ghp_LEAKEDVALUE0000000000000000${auth.token_last_eight}`, repo: org.repos[0]!.name, created_at: '2026-05-01T00:00:00Z', state: 'open', validity: 'active' }];
  return { estate, org: org.login, credRef: `github:${org.login}/credential_authorization/${auth.credential_id}` };
}

describe('github secret-scanning alerts', () => {
  for (const match of [false, true]) {
    it(match ? 'opt-in: matches an alert to the authorized token, storing no secret value' : 'default: never requests secret values (hide_secret=true) and stores none', async () => {
      const { estate, credRef } = estateWithLeak();
      const t = await setup({ estate, options: { skip: ['fine_grained_pats'], match_leaked_tokens: match }, source: { tenants: [estate.orgs[0]!.login] } });
      const seen: string[] = [];
      t.sim.server.on('request', (req: { url?: string }) => { if (req.url?.includes('secret-scanning')) seen.push(req.url); });
      const { runId } = await collectRun(t.store, t.loaded, { env: t.env });
      expect(seen.length).toBeGreaterThan(0);
      for (const u of seen) expect(u).toContain(`hide_secret=${!match}`);
      const cred = await t.store.one<{ leak_signal: string | null }>('SELECT leak_signal FROM credentials WHERE run_id = $1 AND ref = $2', [runId, credRef]);
      if (match) expect(cred!.leak_signal).toMatch(/open secret-scanning alert #7/);
      else expect(cred!.leak_signal).toBeNull();
      const dump = JSON.stringify(await t.store.all('SELECT * FROM credentials UNION ALL BY NAME SELECT * FROM http_cache'));
      expect(dump).not.toContain('LEAKEDVALUE');
    });
  }
});
