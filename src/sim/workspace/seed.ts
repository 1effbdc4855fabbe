// The seeded Workspace customer used by tests and the demo: a risky third-party client with full mail access, a
// harmless read-only one, the organisation's own app, a departed person's still-working token, a suspended user's
// token, an anonymous native mail client, and domain-wide delegation grants (one to a GCP service account of the
// GCP simulator's estate, one to the connector itself).
import { generateKeyPairSync } from 'node:crypto';
import type { Estate, SimToken } from './estate.js';

export const DEMO_DOMAIN = 'acme.example';
export const CUSTOMER_ID = 'C03acme01';
const AUTH = 'https://www.googleapis.com/auth/';

/** The service account nhi-recon runs as (domain-wide delegation, acting as the admin). */
export const CONNECTOR_SA = { email: 'nhi-recon@acme-ops.iam.gserviceaccount.com', clientId: '130000000000000000099' };
export const ADMIN = `admin@${DEMO_DOMAIN}`;

export const CLIENTS = {
  notes: '1111-notes.apps.googleusercontent.com',
  mailmerge: '2222-mailmerge.apps.googleusercontent.com',
  intranet: '3333-intranet.apps.googleusercontent.com',
  sketchy: '4444-sketchysync.apps.googleusercontent.com',
  thunderbird: '5555-thunderbird.apps.googleusercontent.com',
  /** The GCP simulator's acme-data/etl service account (its uniqueId): delegated to read every mailbox. */
  etl: '120000000000000000001',
} as const;

const NOTES: SimToken = { clientId: CLIENTS.notes, displayText: 'Acme Notes', scopes: ['openid', `${AUTH}userinfo.email`, `${AUTH}calendar.readonly`] };
const MAILMERGE: SimToken = { clientId: CLIENTS.mailmerge, displayText: 'MailMerge Pro', scopes: ['https://mail.google.com/', `${AUTH}drive`, `${AUTH}userinfo.email`] };
const INTRANET: SimToken = { clientId: CLIENTS.intranet, displayText: 'Acme Intranet', scopes: ['openid', `${AUTH}userinfo.profile`, `${AUTH}admin.directory.user.readonly`] };
const SKETCHY: SimToken = { clientId: CLIENTS.sketchy, displayText: 'SketchySync', scopes: [`${AUTH}gmail.modify`, `${AUTH}drive`] };
const THUNDERBIRD: SimToken = { clientId: CLIENTS.thunderbird, displayText: 'Mozilla Thunderbird', scopes: ['https://mail.google.com/'], nativeApp: true, anonymous: true };

export interface KeyPair { publicKeyPem: string; privateKeyPem: string }

export function generateKey(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** A service-account key file as Google issues it (the private key never leaves the test or demo folder). */
export function keyFileJson(key: KeyPair, tokenUri: string): string {
  return JSON.stringify({
    type: 'service_account', project_id: 'acme-ops', private_key_id: 'k1', private_key: key.privateKeyPem,
    client_email: CONNECTOR_SA.email, client_id: CONNECTOR_SA.clientId, token_uri: tokenUri,
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
  });
}

export function seedEstate(now = new Date(), connectorPublicKeyPem = ''): Estate {
  const day = (n: number) => new Date(now.getTime() + n * 86_400_000).toISOString();
  const u = (n: number, local: string, given: string, family: string, extra: Partial<Estate['users'][number]> = {}) => ({
    id: `10${String(n).padStart(19, '0')}`, primaryEmail: `${local}@${DEMO_DOMAIN}`, givenName: given, familyName: family,
    creationTime: day(-900 + n), lastLoginTime: day(-1), tokens: [] as SimToken[], ...extra,
  });
  return {
    customerId: CUSTOMER_ID,
    domain: DEMO_DOMAIN,
    users: [
      u(1, 'admin', 'Ada', 'Admin', { isAdmin: true }),
      u(2, 'alice', 'Alice', 'Adams', { tokens: [NOTES, INTRANET] }),
      u(3, 'bob', 'Bob', 'Brown', { tokens: [NOTES, MAILMERGE], aliases: [`robert@${DEMO_DOMAIN}`] }),
      u(4, 'carol', 'Carol', 'Cole', { tokens: [MAILMERGE] }),
      // Departed 45 days ago (people directory), yet the account was never suspended: the token still works.
      u(5, 'dave', 'Dave', 'Dodd', { lastLoginTime: day(-50), tokens: [SKETCHY] }),
      u(6, 'erin', 'Erin', 'Evans', { tokens: [NOTES] }),
      // Departed and suspended: the token is dormant.
      u(7, 'frank', 'Frank', 'Fox', { suspended: true, lastLoginTime: day(-120), tokens: [THUNDERBIRD] }),
      u(8, 'grace', 'Grace', 'Green', { orgUnitPath: '/Contractors' }),
    ],
    privileges: {},
    delegations: [
      { clientId: CONNECTOR_SA.clientId, name: 'nhi-recon', serviceAccount: CONNECTOR_SA.email,
        scopes: [`${AUTH}admin.directory.user.readonly`, `${AUTH}admin.directory.user.security`] },
      { clientId: CLIENTS.etl, name: 'etl', serviceAccount: 'etl@acme-data.iam.gserviceaccount.com', scopes: [`${AUTH}gmail.readonly`, `${AUTH}drive.readonly`] },
    ],
    serviceAccounts: connectorPublicKeyPem ? [{ email: CONNECTOR_SA.email, clientId: CONNECTOR_SA.clientId, publicKeyPem: connectorPublicKeyPem }] : [],
  };
}
