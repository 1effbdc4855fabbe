// Key Vault: per vault of a subscription, the metadata of secrets, keys and certificates (never a value: only the
// list operations, which return identifiers and attributes) and who may read them (access policies; RBAC role
// assignments on a vault arrive with the subscription's role assignments).
import type { TenantSink } from '../types.js';
import type { CredentialInput } from '../../model/index.js';
import { mapAccessPolicy } from './roles.js';
import { errorText, type AzureClients, type Ctx } from './clients.js';
import { all, refs, resolvePrincipals } from './collect.js';

type ItemType = 'secret' | 'key' | 'certificate';
interface ItemProps { name: string; enabled?: boolean; notBefore?: Date; expiresOn?: Date; createdOn?: Date; updatedOn?: Date; tags?: Record<string, string>; managed?: boolean; contentType?: string; recoveryLevel?: string; x509Thumbprint?: Uint8Array; x509ThumbprintString?: string }

/** Parses a vault's ARM id into the parts the data plane and remediation need. */
export function vaultParts(id: string): { subscription: string; resourceGroup: string; name: string } | null {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.KeyVault\/vaults\/([^/]+)/i.exec(id);
  return m ? { subscription: m[1]!, resourceGroup: m[2]!, name: m[3]! } : null;
}

/** A vault URI is used only when its host is under the configured Key Vault DNS suffix: no token goes elsewhere. */
export function vaultUriAllowed(uri: string, suffix: string): boolean {
  try {
    const u = new URL(uri);
    const host = u.hostname.toLowerCase(), s = suffix.toLowerCase().replace(/^\./, '');
    return u.protocol === 'https:' && (host === s || host.endsWith(`.${s}`));
  } catch { return false; }
}

export async function dataPlaneClients(clients: AzureClients, vaultUri: string) {
  const [{ SecretClient }, { KeyClient }, { CertificateClient }] = await Promise.all([
    import('@azure/keyvault-secrets'), import('@azure/keyvault-keys'), import('@azure/keyvault-certificates'),
  ]);
  // The SDK checks that the vault host is a subdomain of the challenge's resource (vault.azure.net). A loopback
  // simulator has no such subdomain; it is the only case where the check is off (vaultUriAllowed already pins hosts).
  const loopback = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i.test(new URL(vaultUri).hostname);
  const o = { ...clients.vaultOptions(), disableChallengeResourceVerification: loopback };
  return {
    secrets: new SecretClient(vaultUri, clients.credential, o),
    keys: new KeyClient(vaultUri, clients.credential, o),
    certificates: new CertificateClient(vaultUri, clients.credential, o),
  };
}

export async function collectKeyVaults(ctx: Ctx, clients: AzureClients, subscription: string, sink: TenantSink, names: Map<string, { type: string; name: string; login: string | null }>, used: Set<string>): Promise<void> {
  const kvm = await clients.keyVaultManagement(subscription);
  let vaults;
  try {
    vaults = await all(kvm.vaults.listBySubscription());
  } catch (e) {
    sink.partial(`subscription ${subscription}: Key Vault listing failed (${errorText(e)}); stored secrets not collected`);
    return;
  }
  // Access-policy principals not already named by the role assignments.
  const unknown = [...new Set(vaults.flatMap((v) => (v.properties.enableRbacAuthorization ? [] : v.properties.accessPolicies ?? []).map((p) => p.objectId)))].filter((id) => !names.has(id));
  if (unknown.length) {
    try { for (const [k, v] of await resolvePrincipals(clients, unknown)) names.set(k, v); } catch (e) {
      sink.partial(`access-policy principals could not be resolved (${errorText(e)})`);
    }
  }
  const tenant = ctx.options.tenant_id;
  const now = ctx.now.getTime();
  for (const v of vaults) {
    if (!v.id || !v.name) continue;
    const parts = vaultParts(v.id);
    const vaultId = v.id;
    // Readers under the access-policy model. Under RBAC (enableRbacAuthorization) the policies are ignored by Azure.
    if (!v.properties.enableRbacAuthorization) {
      for (const p of v.properties.accessPolicies ?? []) {
        const m = mapAccessPolicy(p.permissions ?? {});
        if (m.level === 'none') continue;
        const info = names.get(p.objectId);
        used.add(p.objectId);
        sink.entitlement({
          ref: `${vaultId}/accessPolicies/${p.objectId}${p.applicationId ? `/${p.applicationId}` : ''}`,
          identity_ref: refs.principal(tenant, info?.type, p.objectId), identity_name: info?.name ?? null,
          resource_ref: vaultId, permission: m.permission, level: m.level, privileged: m.privileged, via: 'policy',
          attributes: { access_model: 'access_policy', vault: v.name, principal_id: p.objectId, principal_type: info?.type ?? null, reasons: m.reasons,
            secrets: p.permissions?.secrets ?? [], keys: p.permissions?.keys ?? [], certificates: p.permissions?.certificates ?? [] },
        });
      }
    }
    const uri = v.properties.vaultUri;
    if (!uri || !vaultUriAllowed(uri, ctx.options.keyvault_dns_suffix)) {
      sink.partial(`vault ${v.name}: URI ${uri ?? '(none)'} is not under ${ctx.options.keyvault_dns_suffix}; its contents were not read`);
      continue;
    }
    const dp = await dataPlaneClients(clients, uri);
    const emit = (type: ItemType, it: ItemProps) => {
      if (it.managed) return; // the key and secret backing a certificate: the certificate stands for them
      const exp = it.expiresOn ?? null;
      const tags = it.tags ?? {};
      const rec: CredentialInput = {
        ref: `${vaultId}/${type}s/${it.name}`,
        kind: type === 'certificate' ? 'certificate' : 'stored_secret',
        name: `${v.name}/${it.name}`,
        identity_ref: null,
        owner: tags.owner ?? tags.Owner ?? null,
        created_by: tags['created-by'] ?? tags.createdBy ?? null,
        // The list returns the current version's attributes: created is when the current value was set.
        created_at: it.createdOn ?? null,
        last_used_at: null,
        last_used_known: false, // Key Vault records no last access outside diagnostic logs
        expires_at: exp,
        expiry_supported: true,
        status: it.enabled === false ? 'inactive' : exp && exp.getTime() <= now ? 'expired' : 'active',
        fingerprint: type === 'certificate' && it.x509Thumbprint ? Buffer.from(it.x509Thumbprint).toString('hex') : null,
        attributes: {
          store: 'azure-key-vault', item_type: type, item_name: it.name, vault: v.name, vault_id: vaultId, subscription, resource_group: parts?.resourceGroup ?? null,
          enabled: it.enabled ?? null, not_before: it.notBefore ?? null, updated_at: it.updatedOn ?? null, content_type: it.contentType ?? null,
          recovery_level: it.recoveryLevel ?? null, tags, owner_source: tags.owner || tags.Owner ? 'tag' : null,
        },
      };
      sink.credential(rec);
    };
    const listing = async (type: ItemType, f: () => Promise<ItemProps[]>) => {
      try { for (const it of await f()) emit(type, it); } catch (e) {
        sink.partial(`vault ${v.name}: listing ${type}s failed (${errorText(e)})`);
      }
    };
    await Promise.all([
      listing('secret', () => all(dp.secrets.listPropertiesOfSecrets())),
      listing('key', () => all(dp.keys.listPropertiesOfKeys())),
      listing('certificate', async () => (await all(dp.certificates.listPropertiesOfCertificates())).map((c) => ({ ...c, name: c.name ?? '' }))),
    ]);
  }
}
