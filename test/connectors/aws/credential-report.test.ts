import { describe, expect, it } from 'vitest';
import { parseCredentialReport } from '../../../src/connectors/aws/credential-report.js';
import { decodeDocument } from '../../../src/connectors/aws/map.js';

// Columns in a different order than AWS's, plus one AWS might add: read by header name.
const HEAD = 'arn,user,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated,future_column';

describe('credential report parsing', () => {
  it('reads cells by header name and keeps N/A, no_information and not_supported apart', () => {
    const csv = [
      HEAD,
      'arn:aws:iam::1:root,<root_account>,2019-01-01T00:00:00+00:00,not_supported,no_information,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A,x',
      'arn:aws:iam::1:user/alice,alice,2020-01-01T00:00:00+00:00,true,2024-05-01T10:00:00+00:00,2023-01-01T00:00:00+00:00,N/A,true,true,2022-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A,y',
    ].join('\r\n');
    const r = parseCredentialReport(csv);
    const root = r.rows[0]!;
    expect(root.isRoot).toBe(true);
    expect(root.date('password_enabled')).toEqual({ kind: 'unsupported' });
    expect(root.date('password_last_used')).toEqual({ kind: 'unknown' });
    const alice = r.byArn.get('arn:aws:iam::1:user/alice')!;
    expect(alice.user).toBe('alice');
    expect(alice.bool('password_enabled')).toBe(true);
    expect(alice.date('access_key_1_last_used_date')).toEqual({ kind: 'na' });
    expect(alice.date('access_key_1_last_rotated')).toEqual({ kind: 'date', value: new Date('2022-01-01T00:00:00Z') });
    expect(alice.get('future_column')).toBe('y');
  });

  it('splits user names that contain commas (the report does not quote them)', () => {
    const head = 'user,arn,user_creation_time,password_enabled';
    const r = parseCredentialReport(`${head}\na,b,arn:aws:iam::1:user/a,b,2020-01-01T00:00:00+00:00,false\n`);
    expect(r.rows[0]).toMatchObject({ user: 'a,b', arn: 'arn:aws:iam::1:user/a,b' });
    expect(r.rows[0]!.bool('password_enabled')).toBe(false);
  });

  it('refuses a truncated row rather than guessing', () => {
    expect(() => parseCredentialReport('user,arn,user_creation_time\nalice,arn:aws:iam::1:user/alice\n')).toThrow(/line 2: 2 fields for 3 columns/);
  });

  it('decodes URL-encoded policy documents and passes objects through', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::a b/%' }] };
    expect(decodeDocument(encodeURIComponent(JSON.stringify(doc)))).toEqual(doc);
    expect(decodeDocument(doc)).toBe(doc);
    expect(decodeDocument(JSON.stringify(doc))).toEqual(doc);
  });
});
