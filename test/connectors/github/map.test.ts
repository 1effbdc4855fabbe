import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRef, permissionSetLevel, ref, repoLevel, sshFingerprint, tokenLastEight } from '../../../src/connectors/github/map.js';

const name = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/).filter((s) => !['user', 'secret', 'fine_grained_pat', 'credential_authorization'].includes(s));

describe('github mapping', () => {
  it('parses back every ref remediation acts on', () => {
    fc.assert(fc.property(name, name, name, fc.nat(), fc.string({ minLength: 1, maxLength: 12 }), (org, repo, who, id, env) => {
      expect(parseRef(ref.collaborator(org, repo, who))).toEqual({ type: 'collaborator', org, repo, login: who });
      expect(parseRef(ref.teamRepo(org, repo, who))).toEqual({ type: 'team_repo', org, repo, slug: who });
      expect(parseRef(ref.deployKey(org, repo, id))).toEqual({ type: 'deploy_key', org, repo, id });
      expect(parseRef(ref.user(org, who))).toEqual({ type: 'user', org, login: who });
      expect(parseRef(ref.orgSecret(org, 'NPM_TOKEN'))).toEqual({ type: 'org_secret', org, name: 'NPM_TOKEN' });
      expect(parseRef(ref.repoSecret(org, repo, 'X'))).toEqual({ type: 'repo_secret', org, repo, name: 'X' });
      expect(parseRef(ref.envSecret(org, repo, env, 'X'))).toEqual({ type: 'env_secret', org, repo, env, name: 'X' });
      expect(parseRef(ref.pat(org, id))).toEqual({ type: 'fine_grained_pat', org, id });
      expect(parseRef(ref.credAuth(org, id))).toEqual({ type: 'credential_authorization', org, id });
    }));
    expect(parseRef('arn:aws:iam::1:user/x')).toBeNull();
    expect(parseRef('github:acme/web/team/eng/member/alice')).toBeNull();
  });

  it('maps repository roles and fine-grained permission sets to levels', () => {
    expect(['read', 'triage', 'write', 'maintain', 'admin'].map((r) => repoLevel(r))).toEqual(['read', 'read', 'write', 'write', 'admin']);
    expect(repoLevel('custom-auditor', { admin: false, maintain: false, push: true, triage: true, pull: true })).toBe('write');
    expect(permissionSetLevel({ contents: 'read', metadata: 'read' })).toEqual({ level: 'read', privileged: false });
    expect(permissionSetLevel({ contents: 'write' })).toEqual({ level: 'write', privileged: false });
    expect(permissionSetLevel({ secrets: 'read' })).toEqual({ level: 'read', privileged: true });
    expect(permissionSetLevel({ administration: 'write' })).toEqual({ level: 'admin', privileged: true });
  });

  it('keeps only metadata of keys and tokens', () => {
    expect(sshFingerprint('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHNpbXVsYXRlZCBrZXkgMDAwMDAwMDAwMDAwMDAwMA== ci')).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(tokenLastEight('github_personal_access_token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789')).toBe('23456789');
    expect(tokenLastEight('aws_access_key_id', 'AKIAABCDEFGHIJKLMNOP')).toBeNull();
  });
});
