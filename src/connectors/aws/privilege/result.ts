// The per-principal result of the privilege analysis: the contract between the engine (privilege/) and the
// connector's mapping and reports (map.ts → findings evidence → JSON/HTML). Plain data, JSON-serialisable.

/** One step of a path: an action the principal may perform, the resource it acts on, and what allows it. */
export interface PathStep {
  /** The IAM action, e.g. `iam:PassRole`, `lambda:CreateFunction`. */
  action: string;
  /** The resource the step acts on: an ARN, or an ARN pattern when the step may create/choose it (`arn:aws:lambda:*:123456789012:function:*`). */
  resource: string;
  /** The policy whose statement allows it: a managed policy ARN, or `inline:<owner ARN>#<policy name>`. */
  policy: string;
  /** The statement's Sid, or `#<index>` (0-based) when it has none. */
  statement: string;
}

export type PathClass = 'administrator' | 'escalation' | 'permissions-management';

/** One way the principal is, or becomes, more powerful than it was granted. */
export interface PrivilegePath {
  /** Stable family id from the catalogue, e.g. `iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction`. */
  family: string;
  /** What this path does, in one sentence a person can act on. */
  summary: string;
  /** What the path yields. */
  class: PathClass;
  steps: PathStep[];
  /** What the path reaches or changes: the role Lambda can assume, the user whose key is minted, the policy rewritten… */
  target: { kind: 'role' | 'user' | 'group' | 'policy' | 'instance-profile' | 'resource' | 'account'; ref: string };
  /** What must hold that IAM data cannot show, e.g. "an EC2 instance running with instance profile X exists". */
  assumptions: string[];
  /** For chains: the roles assumed, in order, before this path applies (empty for the principal's own permissions). */
  via: string[];
}

/** The effective privilege of one principal (user, role, or group as held by its members), all paths included. */
export interface PrincipalPrivilege {
  arn: string;
  type: 'user' | 'role' | 'group';
  name: string;
  class: PathClass | 'write' | 'read' | 'none';
  /** Every path found (not just the first), most direct first. */
  paths: PrivilegePath[];
  /** What limits the principal (a permissions boundary, an explicit Deny, an SCP when known), as sentences. */
  limits: string[];
}
