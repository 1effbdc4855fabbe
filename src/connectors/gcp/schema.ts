// Provider payloads, parsed before mapping (named after what they describe). gax objects carry defaults for absent
// fields ('' and null), REST objects omit them: the schemas accept both.
import { z } from 'zod';

const str = z.string().nullish().transform((v) => v ?? undefined);
const strList = z.array(z.string()).nullish().transform((v) => v ?? []);

export const Binding = z.object({
  role: z.string().min(1),
  members: strList,
  condition: z.object({ title: str, description: str, expression: z.string().default('') }).nullish()
    .transform((c) => (c && c.expression ? { title: c.title || undefined, expression: c.expression } : null)),
});
export type Binding = z.infer<typeof Binding>;

export const AllowPolicy = z.object({
  version: z.number().nullish(),
  bindings: z.array(Binding).nullish().transform((v) => v ?? []),
});
export type AllowPolicy = z.infer<typeof AllowPolicy>;

export const DenyRule = z.object({
  deniedPrincipals: strList, exceptionPrincipals: strList, deniedPermissions: strList, exceptionPermissions: strList,
  denialCondition: z.object({ expression: str, title: str }).nullish(),
});

export const DenyPolicy = z.object({
  name: z.string(),
  rules: z.array(z.object({ description: str, denyRule: DenyRule.nullish() })).nullish().transform((v) => v ?? []),
});
export type DenyPolicy = z.infer<typeof DenyPolicy>;

export const ServiceAccount = z.object({
  name: z.string(), email: z.string(), uniqueId: str, displayName: str, description: str, disabled: z.boolean().nullish(), projectId: str,
});
export type ServiceAccount = z.infer<typeof ServiceAccount>;

export const ServiceAccountKey = z.object({
  name: z.string(), validAfterTime: str, validBeforeTime: str, keyType: str, keyOrigin: str, keyAlgorithm: str,
  disabled: z.boolean().nullish(), disableReason: str,
  extendedStatus: z.array(z.object({ key: str, value: str })).nullish(),
});
export type ServiceAccountKey = z.infer<typeof ServiceAccountKey>;

export const Role = z.object({ name: z.string(), includedPermissions: strList });

export const Activity = z.object({
  fullResourceName: str,
  observationPeriod: z.object({ startTime: str, endTime: str }).nullish(),
  activity: z.object({ lastAuthenticatedTime: str }).loose().nullish(),
});

export const WorkloadIdentityPoolProvider = z.object({
  name: z.string(), disabled: z.boolean().nullish(), state: str,
  attributeMapping: z.record(z.string(), z.string()).nullish(), attributeCondition: str,
  oidc: z.object({ issuerUri: str, allowedAudiences: strList }).nullish(),
  aws: z.object({ accountId: str }).nullish(),
  saml: z.object({ idpMetadataXml: str }).nullish(),
});
export type WorkloadIdentityPoolProvider = z.infer<typeof WorkloadIdentityPoolProvider>;

export const WorkloadIdentityPool = z.object({ name: z.string(), disabled: z.boolean().nullish(), state: str });
export type WorkloadIdentityPool = z.infer<typeof WorkloadIdentityPool>;
