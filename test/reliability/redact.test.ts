// Secrets are recognised by their shape (wherever they appear: logs, errors, source_runs.error, reports) and by the
// name of the field that holds them (at any depth of a record's attributes).
import { describe, expect, it } from 'vitest';
import { redact } from '../../src/log.js';
import { scrubAttributes } from '../../src/pipeline/collect.js';

describe('redact() by value', () => {
  const cases: [string, string][] = [
    ['url userinfo', 'Request cannot be constructed from a URL that includes credentials: http://admin:CANARYurlPw0006xyz@127.0.0.1:8080/x'],
    ['url userinfo, no digits', 'fetch https://bob:correcthorsebatterystaple@git.example.com/repo.git failed'],
    ['url token as user', 'clone https://x-access-token:abcdefCANARYtok@github.com/o/r'],
    ['github classic', 'token ghp_CANARY0123456789abcdefghijklmn was refused'],
    ['github oauth', 'gho_CANARY0123456789abcdefghijklmn'],
    ['github server', 'ghs_CANARY0123456789abcdefghijklmn'],
    ['github user-to-server', 'ghu_CANARY0123456789abcdefghijklmn'],
    ['github fine-grained', 'github_pat_11CANARY0123456789_abcdefghijklmnopqrstuvwxyz'],
    ['slack bot', 'xoxb-1234567890-CANARYslack-abcdefghij'],
    ['slack user', 'xoxp-1234567890-CANARYslack-abcdefghij'],
    ['gitlab', 'glpat-CANARYgitlab0123456789'],
    ['jwt', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJDQU5BUlkifQ.CANARYsigCANARYsig'],
    ['pem', '-----BEGIN RSA PRIVATE KEY-----\nMIIECANARYpem\n-----END RSA PRIVATE KEY-----'],
    ['pem, truncated', 'bad key: -----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaCANARYpem'],
    ['aws secret in key=value', '[default] aws_secret_access_key=CANARYawssk0033xyzCANARYawssk0033xyzABCD'],
    ['secret_key: value', 'secret_key: CANARYsk0020xyz'],
    ['db_password=value', 'db_password=CANARYdbpw0011xyz'],
    ['passphrase in json', '{"passphrase":"CANARYpp0016xyz"}'],
    ['aws secret shape next to its name', 'SecretAccessKey wJalrCANARYtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
  ];
  for (const [what, text] of cases) {
    it(what, () => {
      const out = redact(text);
      expect(out).not.toMatch(/CANARY|correcthorse/);
      expect(out).toContain('[redacted]');
    });
  }

  it('keeps ordinary text and identifiers', () => {
    for (const s of ['tenant acme failed: 403 Forbidden', 'https://api.github.com/orgs/acme/members?page=2', 'git@github.com:o/r.git',
      'missing column(s) ref, kind', 'token_env: GITHUB_TOKEN', 'key_id=7c1b…']) expect(redact(s)).toBe(s);
  });
});

describe('scrubAttributes() by name, at any depth', () => {
  it('redacts names containing password/secret/token/key/passphrase/pwd/credential, and `value`', () => {
    const a = scrubAttributes({
      db_password: 'CANARYdbpw0011', aws_secret_access_key: 'CANARYaws0021', secret_access_key: 'CANARYsak0012', secret_key: 'CANARYsk0020',
      github_token: 'CANARYght0013', private_key_pem: 'CANARYpem0022', passphrase: 'CANARYpp0016', pwd: 'CANARYpwd0015', value: 'CANARYval0019',
      DbPassword: 'CANARYcamel', apiKey: 'CANARYapikey', pin: 1234, credentials: { client_secret: 'CANARYcs', nested_password: 'CANARYnp0024' },
      list: [{ signing_key: 'CANARYlist' }], deep: { a: { b: { c: { session_token: 'CANARYdeep' } } } },
    });
    expect(JSON.stringify(a)).not.toContain('CANARY');
    expect((a as Record<string, unknown>).db_password).toBe('[redacted]');
  });

  it('keeps metadata about a secret (ids, names, dates, types, counts, fingerprints, booleans) and permission maps', () => {
    const meta = {
      access_key_id: 'key-0001', key_id: 'k-1', keyId: 'k-2', token_id: 42, secret_name: 'db-password', credential_type: 'pat',
      token_expires_at: '2025-01-01', key_type: 'rsa', secret_count: 3, key_fingerprint: 'SHA256:abc', password_enabled: true,
      password_last_used: '2024-01-01', deploy_key: true, token_expired: false, secret_arn: 'arn:aws:secretsmanager:us-east-1:1:secret:db',
      public_key: 'ssh-ed25519 AAAAC3Nza', key_status: 'Active', password_status: 'set', key_name: 'ci',
      permissions: { secrets: 'read', secret_scanning_alerts: 'write' }, empty_token: '', null_secret: null,
    };
    const out = scrubAttributes(meta) as Record<string, unknown>;
    expect(out).toEqual(meta);
  });
});

describe('scrubAttributes() and trust-policy condition keys (issue 17)', () => {
  it('keeps a condition key whose issuer host merely contains "token" (the claim after the last colon is judged)', () => {
    const a = scrubAttributes({ conditions: { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/*', 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } } }) as any;
    expect(a.conditions.StringLike['token.actions.githubusercontent.com:sub']).toBe('repo:acme/*');
    expect(a.conditions.StringLike['token.actions.githubusercontent.com:aud']).toBe('sts.amazonaws.com');
    // Near miss: a claim that is itself secret-named is still redacted.
    expect((scrubAttributes({ 'vendor.example:client_secret': 'abc' }) as any)['vendor.example:client_secret']).toBe('[redacted]');
  });
});
