// Collection of one tenant (a Workspace customer): every user (users.list, paged), each user's OAuth tokens
// (tokens.list, one call per user, bounded concurrency), and the domain-wide delegation grants of the export.
// Each OAuth client seen becomes one integration identity; each token a credential; each granted scope an entitlement.
import pLimit from 'p-limit';
import type { admin_directory_v1 } from '@googleapis/admin';
import type { ConnectorContext, TenantSink } from '../types.js';
import { UserError } from '../../errors.js';
import { apiError, createClients, describe, PagingError, type WorkspaceClients } from './clients.js';
import { loadDelegations } from './delegation.js';
import {
  delegationScopes, integrationIdentity, tokenCredential, userScopeEntitlement, type ClientSeen, type TokenInfo, type UserInfo,
} from './map.js';
import { TokenList, UserList } from './schema.js';
import type { WorkspaceOptions } from './options.js';

type Ctx = ConnectorContext<WorkspaceOptions>;

/** The configured customers, or the customer of the credentials (read from the first user: no extra scope needed). */
export async function discoverTenants(ctx: Ctx): Promise<string[]> {
  if (ctx.source.tenants.length) return ctx.source.tenants;
  const c = await createClients(ctx, ctx.http('discovery'));
  const r = await c.directory.users.list({ customer: ctx.options.customer, maxResults: 1 });
  const id = UserList.parse(r.data).users[0]?.customerId;
  if (!id) throw new UserError(`workspace source ${ctx.source.name}: users.list(customer=${ctx.options.customer}) returned no user with a customerId; list the customer id under \`tenants\``);
  return [id];
}

export async function collectTenant(ctx: Ctx, tenant: string, sink: TenantSink): Promise<void> {
  // A broken export stops the tenant before any call: half a delegation list would look like revoked grants.
  const delegations = (ctx.options.domain_wide_delegation_file ? await loadDelegations(ctx.options.domain_wide_delegation_file, ctx.source.tenants) : [])
    .filter((g) => !g.customer || g.customer === tenant);
  const c = await createClients(ctx, sink.http);
  const users = await listUsers(ctx, c, tenant, sink);
  const clients = new Map<string, ClientSeen>();
  const seen = (clientId: string): ClientSeen => {
    let s = clients.get(clientId);
    if (!s) { s = { clientId, names: new Set(), holders: [], activeHolders: 0, anonymous: false, nativeApp: false, delegation: null }; clients.set(clientId, s); }
    return s;
  };
  if (ctx.options.tokens) {
    const limit = pLimit(Math.max(1, sink.http.concurrency));
    let denied = 0;
    await Promise.all(users.map((u) => limit(async () => {
      let tokens: TokenInfo[];
      try {
        const r = await c.directory.tokens.list({ userKey: u.id });
        tokens = TokenList.parse(r.data).items;
      } catch (e) {
        const a = apiError(e);
        // A user deleted between the listing and this call holds no token: not a gap.
        if (a.status === 404) return;
        if (a.status === 403) denied++;
        sink.partial(`tokens.list(userKey=${u.email}): ${describe(e)}`);
        return;
      }
      for (const t of tokens) {
        const s = seen(t.clientId);
        if (t.displayText) s.names.add(t.displayText);
        s.holders.push(u.email);
        const active = !u.suspended && !u.archived;
        if (active) s.activeHolders++;
        s.anonymous ||= t.anonymous;
        s.nativeApp ||= t.nativeApp;
        sink.credential(tokenCredential(tenant, u, t));
        // A suspended or archived user's consent reaches nothing until the account is restored.
        if (active) for (const scope of t.scopes) sink.entitlement(userScopeEntitlement(tenant, u, t, scope));
      }
    })));
    if (denied === users.length && users.length > 0) ctx.log.warn(`${tenant}: every tokens.list call was refused: the admin needs the Security privilege (scope admin.directory.user.security)`);
  }
  for (const g of delegations) seen(g.clientId).delegation = g;
  for (const s of [...clients.values()].sort((a, b) => a.clientId.localeCompare(b.clientId))) {
    s.holders.sort();
    const id = integrationIdentity(tenant, s, ctx.options.first_party_client_ids);
    sink.identity(id);
    if (s.delegation) for (const e of delegationScopes(tenant, s.delegation, id.name)) sink.entitlement(e);
  }
}

/** Every user of the customer. A listing that breaks after its first page keeps what it read and marks the tenant partial. */
async function listUsers(ctx: Ctx, c: WorkspaceClients, customer: string, sink: TenantSink): Promise<UserInfo[]> {
  const out: UserInfo[] = [];
  const tokens = new Set<string>();
  let pageToken: string | undefined;
  for (let n = 1; ; n++) {
    let page: ReturnType<typeof UserList.parse>;
    try {
      const data: admin_directory_v1.Schema$Users = (await c.directory.users.list({ customer, maxResults: ctx.options.page_size, pageToken, projection: 'basic' })).data;
      const parsed = UserList.safeParse(data);
      if (!parsed.success) throw new Error(`unreadable answer (${parsed.error.issues[0]?.path.join('.') || 'body'}: ${parsed.error.issues[0]?.message ?? 'invalid'})`);
      page = parsed.data;
    } catch (e) {
      // Without the first page nothing is known: the tenant fails rather than look empty.
      if (n === 1) throw new Error(`users.list(customer=${customer}): ${describe(e)}`);
      sink.partial(`users.list(customer=${customer}) page ${n}: ${describe(e)}; the users after page ${n - 1} and their tokens are missing`);
      return out;
    }
    for (const u of page.users) {
      out.push({ id: u.id, email: u.primaryEmail, suspended: !!u.suspended, archived: !!u.archived, isAdmin: !!u.isAdmin, orgUnitPath: u.orgUnitPath ?? null });
    }
    const next = page.nextPageToken;
    if (!next) return out;
    try {
      if (tokens.has(next)) throw new PagingError(`users.list(customer=${customer}): the API returned a page token it had already returned; listing stopped after ${n} pages`);
      if (n >= ctx.options.max_pages) throw new PagingError(`users.list(customer=${customer}): listing did not end after ${ctx.options.max_pages} pages (options.max_pages); stopped`);
    } catch (e) {
      sink.partial((e as Error).message);
      return out;
    }
    tokens.add(next);
    pageToken = next;
  }
}
