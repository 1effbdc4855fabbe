// The offline exports as people produce them: `aws iam get-account-authorization-details > details.json` in Windows
// PowerShell 5 writes UTF-16LE with a byte order mark; a truncated or hand-edited export must fail without quoting it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOffline } from '../../../src/connectors/aws/iam.js';
import { credentialReport } from '../../../src/sim/aws/server.js';
import { loadAuthorizationDetails, newEstate } from '../../../src/sim/aws/estate.js';
import { tempDir } from '../../helpers/index.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/aws/account-authorization-details.iam-vulnerable.json');
const utf16 = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);

describe('aws offline export files', () => {
  it('an export and a credential report in UTF-16LE (or UTF-8 with a byte order mark) read exactly as the UTF-8 files', () => {
    const dir = tempDir();
    const estate = newEstate(['200611803367']);
    loadAuthorizationDetails(estate.accounts.get('200611803367')!, estate, JSON.parse(readFileSync(FIXTURE, 'utf8')));
    const report = credentialReport(estate.accounts.get('200611803367')!);
    writeFileSync(join(dir, 'report.csv'), report);
    const plain = readOffline({ authorization_details_file: FIXTURE, credential_report_file: join(dir, 'report.csv') });
    expect(plain.details.UserDetailList.length).toBeGreaterThan(0);
    expect(plain.report?.rows.length).toBeGreaterThan(0);
    writeFileSync(join(dir, 'd16.json'), utf16(readFileSync(FIXTURE, 'utf8')));
    writeFileSync(join(dir, 'r16.csv'), utf16(report));
    writeFileSync(join(dir, 'd8.json'), `\uFEFF${readFileSync(FIXTURE, 'utf8')}`);
    writeFileSync(join(dir, 'r8.csv'), `\uFEFF${report}`);
    // A report row reads its cells through closures: compared by what they read, column by column.
    const columns = report.split('\n')[0]!.split(',');
    const view = (o: ReturnType<typeof readOffline>) => ({ details: o.details, account: o.account, arns: [...o.report!.byArn.keys()],
      rows: o.report!.rows.map((r) => [r.user, r.arn, r.isRoot, ...columns.map((c) => r.get(c))]) });
    expect(view(plain).rows[0]).toHaveLength(3 + columns.length);
    expect(view(readOffline({ authorization_details_file: join(dir, 'd16.json'), credential_report_file: join(dir, 'r16.csv') }))).toEqual(view(plain));
    expect(view(readOffline({ authorization_details_file: join(dir, 'd8.json'), credential_report_file: join(dir, 'r8.csv') }))).toEqual(view(plain));
  });

  it('a broken export fails naming file, line and column, never quoting its text', () => {
    const dir = tempDir();
    const f = join(dir, 'broken.json');
    writeFileSync(f, '{"UserDetailList": [],\n "RoleDetailList": [{"Tags": [{"Key": "db", "Value": "hunter2-do-not-print"} oops]}]}');
    expect(() => readOffline({ authorization_details_file: f })).toThrow(/broken\.json: cannot read the authorization details export: line 2: invalid JSON: syntax error at column \d+$/);
    expect(() => readOffline({ authorization_details_file: f })).not.toThrow(/hunter2|oops/);
  });
});
