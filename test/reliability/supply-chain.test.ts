// Supply chain: every dependency is pinned by the lockfile with an integrity hash, resolved from the npm registry
// only, and the packages that run an install script are exactly the ones reviewed in docs/security.md.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  lockfileVersion: number; packages: Record<string, { version?: string; resolved?: string; integrity?: string; link?: boolean; hasInstallScript?: boolean; dev?: boolean }>;
};
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const entries = Object.entries(lock.packages).filter(([k]) => k !== '');

/** Install scripts reviewed (what each does) in docs/security.md. */
const REVIEWED_INSTALL_SCRIPTS = ['esbuild', 'protobufjs'];

describe('supply chain', () => {
  it('the lockfile pins every package with an integrity hash, from the npm registry only', () => {
    expect(lock.lockfileVersion).toBeGreaterThanOrEqual(2);
    expect(entries.length).toBeGreaterThan(0);
    for (const [path, e] of entries) {
      expect(e.link, `${path} is a link to a local folder`).toBeFalsy();
      expect(e.version, `${path} has a version`).toMatch(/^\d+\.\d+\.\d+/);
      expect(e.integrity, `${path} has an integrity hash`).toMatch(/^sha512-[A-Za-z0-9+/]+={0,2}$/);
      if (e.resolved !== undefined) expect(e.resolved, `${path} resolves from the npm registry`).toMatch(/^https:\/\/registry\.npmjs\.org\//);
    }
  });

  it('direct dependencies are exact versions (no ranges), matching the lockfile', () => {
    for (const [name, spec] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
      expect(spec, `${name} is pinned`).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
      expect(lock.packages[`node_modules/${name}`]?.version, `${name} in the lockfile`).toBe(spec);
    }
  });

  it('only reviewed packages run install scripts, and docs/security.md explains each', () => {
    const withScripts = entries.filter(([, e]) => e.hasInstallScript).map(([p]) => p.replace(/^.*node_modules\//, ''));
    expect([...new Set(withScripts)].sort()).toEqual(REVIEWED_INSTALL_SCRIPTS);
    const doc = readFileSync(new URL('docs/security.md', root), 'utf8');
    for (const name of REVIEWED_INSTALL_SCRIPTS) expect(doc, `docs/security.md reviews ${name}`).toMatch(new RegExp(`\\*\\*${name}\\*\\*`));
  });
});
