// Directory API payloads, parsed before mapping (named after what they describe, as in the discovery document).
import { z } from 'zod';

const str = z.string().nullish().transform((v) => v ?? undefined);

export const User = z.object({
  id: z.string().min(1), primaryEmail: z.string().min(1), customerId: str, suspended: z.boolean().nullish(), archived: z.boolean().nullish(),
  isAdmin: z.boolean().nullish(), orgUnitPath: str,
});
export type User = z.infer<typeof User>;

export const UserList = z.object({ users: z.array(User).nullish().transform((v) => v ?? []), nextPageToken: str });

export const Token = z.object({
  clientId: z.string().min(1), displayText: z.string().nullish().transform((v) => v || null),
  scopes: z.array(z.string()).nullish().transform((v) => v ?? []),
  anonymous: z.boolean().nullish().transform((v) => !!v), nativeApp: z.boolean().nullish().transform((v) => !!v),
});
export type Token = z.infer<typeof Token>;

export const TokenList = z.object({ items: z.array(Token).nullish().transform((v) => v ?? []) });
