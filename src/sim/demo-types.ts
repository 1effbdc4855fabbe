// What each provider simulator contributes to `nhi-recon demo`: a running simulator, the config source blocks that
// point the real connector at it, fake credentials for the environment, and authoritative records for its estate.
export interface DemoParts {
  /** Config `sources` entries (name, type, tenants, options …) pointing at the simulator. */
  sources: Record<string, unknown>[];
  /** Environment the connector reads its (fake) credentials from. */
  env: Record<string, string>;
  authority: { grants: Record<string, unknown>[]; owners: Record<string, unknown>[]; people: Record<string, unknown>[] };
  integrations?: Record<string, unknown>[];
  /** Finding kinds this estate is built to produce. */
  expect: string[];
  close(): Promise<void>;
}
