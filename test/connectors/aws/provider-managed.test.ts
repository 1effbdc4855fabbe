// Issue 14: AWS's own roles are marked provider-managed, and the unused root password is standby (never "stale").
import { describe, expect, it } from 'vitest';
import { mapIam } from '../../../src/connectors/aws/map.js';
import { parseCredentialReport } from '../../../src/connectors/aws/credential-report.js';

const ACCT = '111111111111';
const role = (name: string, path: string) => ({ RoleName: name, RoleId: `AROA${name.length}`, Arn: `arn:aws:iam::${ACCT}:role${path}${name}`, Path: path, CreateDate: '2024-01-01T00:00:00Z', AssumeRolePolicyDocument: {}, RolePolicyList: [], AttachedManagedPolicies: [], Tags: [] });

describe('aws mapping: provider-managed roles and the root password', () => {
  it('marks service-linked roles provider-managed; Identity Center reserved roles (customer permission sets) and customer roles not; the root password is standby', () => {
    const ids: any[] = [];
    const creds: any[] = [];
    const report = parseCredentialReport(`user,arn,user_creation_time,password_enabled,password_last_used,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date\n<root_account>,arn:aws:iam::${ACCT}:root,2020-01-01T00:00:00+00:00,not_supported,N/A,true,false,N/A,N/A,false,N/A,N/A\n`);
    mapIam({
      account: ACCT, partition: 'aws', report, extraKeys: new Map(), principals: new Map(), policies: new Map(), privileges: new Map(),
      details: { UserDetailList: [], GroupDetailList: [], Policies: [], RoleDetailList: [
        role('AWSServiceRoleForSupport', '/aws-service-role/support.amazonaws.com/'),
        role('AWSReservedSSO_Admin_0123456789abcdef', '/aws-reserved/sso.amazonaws.com/'),
        role('AWSReservedSSO_Fake', '/'),
        role('deployer', '/'),
      ] } as never,
    }, { identity: (r) => ids.push(r), credential: (r) => creds.push(r), entitlement: () => undefined, partial: () => undefined, http: undefined as never });
    const pm = Object.fromEntries(ids.filter((i) => i.kind === 'role').map((i) => [i.name, i.provider_managed]));
    expect(pm).toEqual({ AWSServiceRoleForSupport: true, AWSReservedSSO_Admin_0123456789abcdef: false, AWSReservedSSO_Fake: false, deployer: false });
    const rootPw = creds.find((c) => c.ref === `arn:aws:iam::${ACCT}:root#password`);
    expect(rootPw).toMatchObject({ standby: true, last_used_at: null, last_used_known: true });
  });
});
