// Measures analysis time (not a test: timing is never asserted). Usage:
//   npx tsx test/connectors/aws/privilege/measure.ts [count]     # count users + count roles (default 5000 + 5000)
import { readFileSync } from 'node:fs';
import { analyzeAuthorizationDetails, catalogue } from '../../../../src/connectors/aws/privilege/index.js';
import { syntheticAccount } from './synthetic.js';

const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const time = <T>(label: string, f: () => T): T => {
  const c = cpu(); const w = performance.now();
  const out = f();
  console.log(`${label}: wall ${(performance.now() - w).toFixed(0)} ms, cpu ${(cpu() - c).toFixed(0)} ms`);
  return out;
};

time('catalogue load (once per process)', () => catalogue());
const fixture = JSON.parse(readFileSync(new URL('../../../fixtures/aws/account-authorization-details.iam-vulnerable.json', import.meta.url), 'utf8'));
time('fixture (44 users, 5 groups, 78 roles, 84 policies), first run', () => analyzeAuthorizationDetails(fixture));
time('fixture, second run', () => analyzeAuthorizationDetails(fixture));
const n = Number(process.argv[2] ?? 5000);
const { details } = syntheticAccount(n);
const result = time(`synthetic ${n} users + ${n} roles`, () => analyzeAuthorizationDetails(details));
console.log(`principals analysed: ${result.size}; heap used ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`);
