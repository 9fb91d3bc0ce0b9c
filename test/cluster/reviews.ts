import type { Authenticator, UserInfo } from './authn.ts';
import type { Attributes, PolicyRule, RbacAuthorizer } from './rbac.ts';
import { errors } from './status.ts';

/** The create-only review resources: answers computed from the caller, nothing stored. */
export interface ReviewContext {
  user: UserInfo;
  authn: Authenticator;
  authz: RbacAuthorizer;
}

interface AccessSpec {
  resourceAttributes?: { namespace?: string; verb?: string; group?: string; resource?: string; subresource?: string; name?: string };
  nonResourceAttributes?: { path?: string; verb?: string };
  user?: string;
  groups?: string[];
}

function specOf(body: unknown): Record<string, unknown> {
  const spec = (body as { spec?: unknown } | null)?.spec;
  if (spec === null || typeof spec !== 'object') throw errors.badRequest('spec is required');
  return spec as Record<string, unknown>;
}

function attributesOf(spec: AccessSpec): Attributes {
  const r = spec.resourceAttributes;
  if (r) {
    return {
      kind: 'resource', verb: r.verb ?? '', group: r.group ?? '', resource: r.resource ?? '',
      ...(r.subresource ? { subresource: r.subresource } : {}),
      ...(r.namespace ? { namespace: r.namespace } : {}),
      ...(r.name ? { name: r.name } : {}),
    };
  }
  const n = spec.nonResourceAttributes;
  if (n) return { kind: 'nonResource', verb: n.verb ?? '', path: n.path ?? '' };
  throw errors.invalid('spec: Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified');
}

function envelope(group: string, kind: string, spec: unknown, status: unknown): object {
  return { kind, apiVersion: `${group}/v1`, metadata: { creationTimestamp: null }, spec, status };
}

function accessStatus(allowed: boolean): object {
  return allowed ? { allowed: true, reason: 'allowed by RBAC' } : { allowed: false };
}

function summarize(rules: PolicyRule[]): { resourceRules: object[]; nonResourceRules: object[] } {
  return {
    resourceRules: rules.filter((r) => r.nonResourceURLs === undefined).map((r) => ({
      verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}),
    })),
    nonResourceRules: rules.filter((r) => r.nonResourceURLs !== undefined).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs })),
  };
}

export type ReviewHandler = (body: unknown, ctx: ReviewContext) => object;

export const reviewHandlers: Record<string, ReviewHandler> = {
  'authorization.k8s.io/selfsubjectaccessreviews': (body, ctx) => {
    const spec = specOf(body) as AccessSpec;
    return envelope('authorization.k8s.io', 'SelfSubjectAccessReview', spec, accessStatus(ctx.authz.authorize(ctx.user, attributesOf(spec))));
  },
  'authorization.k8s.io/subjectaccessreviews': (body, ctx) => {
    const spec = specOf(body) as AccessSpec;
    if (!spec.user && !spec.groups) throw errors.invalid('spec.user: Invalid value: "": at least one of user or group must be specified');
    const subject = { username: spec.user ?? '', groups: spec.groups ?? [] };
    return envelope('authorization.k8s.io', 'SubjectAccessReview', spec, accessStatus(ctx.authz.authorize(subject, attributesOf(spec))));
  },
  'authorization.k8s.io/selfsubjectrulesreviews': (body, ctx) => {
    const spec = specOf(body) as { namespace?: string };
    const rules = ctx.authz.rulesFor(ctx.user, spec.namespace || undefined);
    return envelope('authorization.k8s.io', 'SelfSubjectRulesReview', spec, { ...summarize(rules), incomplete: false });
  },
  'authentication.k8s.io/selfsubjectreviews': (_body, ctx) =>
    ({ kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, status: { userInfo: ctx.user } }),
  'authentication.k8s.io/tokenreviews': (body, ctx) => {
    const spec = specOf(body) as { token?: string; audiences?: string[] };
    const user = spec.token ? ctx.authn.fromToken(spec.token) : undefined;
    const status = user
      ? { authenticated: true, user: { username: user.username, groups: user.groups }, audiences: spec.audiences ?? [] }
      : { authenticated: false, error: 'invalid bearer token' };
    return envelope('authentication.k8s.io', 'TokenReview', spec, status);
  },
};
