// The gcp source's `options` block. Credentials only by reference: an env var naming a key file or holding an access
// token; otherwise the standard Application Default Credentials chain.
import { z } from 'zod';

const NodeId = (kind: 'folders' | 'organizations') =>
  z.string().regex(new RegExp(`^(${kind}/)?\\d+$`), `a numeric id or ${kind}/<id>`).transform((v) => (v.startsWith(`${kind}/`) ? v : `${kind}/${v}`));

export const GcpOptions = z.strictObject({
  organization: NodeId('organizations').optional().describe('Discover every project under this organisation (and collect its and its folders\' allow policies).'),
  folder: NodeId('folders').optional().describe('Discover every project under this folder, recursively (and collect the folders\' allow policies).'),
  api_endpoint: z.url().optional().describe('Base URL used for every Google API instead of *.googleapis.com (the simulator, a private endpoint).'),
  key_file_env: z.string().optional().describe('Name of an environment variable holding the path of a service-account key file. Default: Application Default Credentials.'),
  access_token_env: z.string().optional().describe('Name of an environment variable holding an OAuth access token (e.g. from `gcloud auth print-access-token`).'),
  secrets: z.boolean().default(true).describe('Collect Secret Manager secrets (metadata only, never payloads).'),
  activity: z.boolean().default(true).describe("Read last authentication of service accounts and keys from Policy Analyzer's activity API."),
  page_size: z.number().int().min(1).max(1000).default(100),
  max_pages: z.number().int().min(1).default(1000).describe('A listing still paging after this many pages is treated as broken: the tenant ends partial.'),
}).refine((o) => !(o.organization && o.folder), { message: 'give `organization` or `folder`, not both' });
export type GcpOptions = z.infer<typeof GcpOptions>;
