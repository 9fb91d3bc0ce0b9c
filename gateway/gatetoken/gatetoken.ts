// The GateToken custom resource (kubegateway.kubevirt.io/v1beta1), as the
// kube-gateway operator defines it, and what signing one means: every check on
// the spec happens here, purely, so a bad GateToken gets a reason and a
// message in its status and never a token.

import { buildClaims, ClaimsError, DEFAULT_DURATION, parseFrom, type TokenClaims } from '../../shared/claims.ts';
import { DurationError, formatDuration, parseDuration } from '../../shared/duration.ts';
import { HTTP_VERBS, isHttpVerb } from '../../shared/verbs.ts';
import { scopeProblem } from './scope.ts';

export const GROUP = 'kubegateway.kubevirt.io';
export const VERSION = 'v1beta1';
export const PLURAL = 'gatetokens';
export const KIND = 'GateToken';

export interface GateTokenSpec {
  urls?: unknown;
  from?: unknown;
  duration?: unknown;
  verbs?: unknown;
  'secret-name'?: unknown;
  'secret-namespace'?: unknown;
  'secret-file'?: unknown;
}

/** What the upstream operator reports in `status.data`: the claims, readable. */
export interface GateTokenData {
  /** RFC 3339, the token's nbf. */
  from: string;
  /** RFC 3339, the token's exp. */
  until: string;
  duration: string;
  nbf: number;
  exp: number;
  urls: string[];
  verbs: string[];
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface GateTokenStatus {
  token?: string;
  data?: GateTokenData;
  phase?: 'Ready' | 'Error';
  conditions?: Condition[];
}

export interface GateToken {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion?: string;
    generation?: number;
    [key: string]: unknown;
  };
  spec?: GateTokenSpec;
  status?: GateTokenStatus;
}

export interface SecretRef {
  name: string;
  namespace: string;
  file: string;
}

/** Why a GateToken gets no token; the CamelCase reason of its Ready=False condition. */
export type SpecErrorReason =
  | 'InvalidSpec'
  | 'InvalidURLs'
  | 'URLOutsideNamespace'
  | 'InvalidDuration'
  | 'InvalidFrom'
  | 'InvalidVerbs'
  | 'LifetimeTooLong';

export type TokenPlan =
  | { ok: true; claims: TokenClaims; data: GateTokenData; secret: SecretRef }
  | { ok: false; reason: SpecErrorReason; message: string };

export interface PlanOptions {
  /** Unix milliseconds. */
  now: number;
  maxLifetimeMs: number;
  /** Where the gateway's private key lives when the spec does not say. */
  defaultSecret: SecretRef;
}

class SpecError extends Error {
  constructor(readonly reason: SpecErrorReason, message: string) {
    super(message);
  }
}

function optionalText(spec: GateTokenSpec, field: keyof GateTokenSpec): string | undefined {
  const value = spec[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new SpecError('InvalidSpec', `spec.${field} must be a string`);
  return value;
}

function readUrls(spec: GateTokenSpec, namespace: string): string[] {
  const { urls } = spec;
  if (!Array.isArray(urls) || urls.length === 0) {
    throw new SpecError('InvalidURLs', 'spec.urls must be a non-empty list of URL patterns');
  }
  urls.forEach((url: unknown, i) => {
    const problem = scopeProblem(url, namespace);
    if (problem === undefined) return;
    throw new SpecError(problem.kind === 'outside' ? 'URLOutsideNamespace' : 'InvalidURLs', `spec.urls[${i}] ${JSON.stringify(url)} ${problem.message}`);
  });
  return urls as string[];
}

function readVerbs(spec: GateTokenSpec): string[] | undefined {
  const { verbs } = spec;
  if (verbs === undefined || verbs === null) return undefined;
  if (!Array.isArray(verbs) || verbs.length === 0 || !verbs.every((v) => typeof v === 'string')) {
    throw new SpecError('InvalidVerbs', 'spec.verbs must be a non-empty list of HTTP verbs such as ["get"]');
  }
  const unknown = verbs.find((v: string) => !isHttpVerb(v.toLowerCase()));
  if (unknown !== undefined) {
    throw new SpecError('InvalidVerbs', `spec.verbs has unknown verb ${JSON.stringify(unknown)} (expected one of ${HTTP_VERBS.join(', ')})`);
  }
  return verbs as string[];
}

function readDuration(spec: GateTokenSpec, maxLifetimeMs: number): string {
  const text = optionalText(spec, 'duration') ?? DEFAULT_DURATION;
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (error) {
    if (error instanceof DurationError) throw new SpecError('InvalidDuration', `spec.duration: ${error.message}`);
    throw error;
  }
  if (ms > maxLifetimeMs) {
    throw new SpecError('LifetimeTooLong', `spec.duration ${JSON.stringify(text)} is longer than this controller's maximum token lifetime of ${formatDuration(maxLifetimeMs)}`);
  }
  return text;
}

function readFrom(spec: GateTokenSpec): string | undefined {
  const from = optionalText(spec, 'from');
  if (from === undefined) return undefined;
  try {
    parseFrom(from);
  } catch (error) {
    if (error instanceof ClaimsError) throw new SpecError('InvalidFrom', `spec.from: ${error.message}`);
    throw error;
  }
  return from;
}

function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The claims, status data and key secret for signing `token`, or why it must
 * not be signed. The token id is the GateToken's uid, so a token can be traced
 * back to (and revoked by) the object that asked for it.
 */
export function planToken(token: GateToken, options: PlanOptions): TokenPlan {
  const spec = token.spec ?? {};
  try {
    if (typeof spec !== 'object' || Array.isArray(spec)) throw new SpecError('InvalidSpec', 'spec must be an object');
    const urls = readUrls(spec, token.metadata.namespace);
    const verbs = readVerbs(spec);
    const duration = readDuration(spec, options.maxLifetimeMs);
    const from = readFrom(spec);
    const secret: SecretRef = {
      name: optionalText(spec, 'secret-name') ?? options.defaultSecret.name,
      namespace: optionalText(spec, 'secret-namespace') ?? options.defaultSecret.namespace,
      file: optionalText(spec, 'secret-file') ?? options.defaultSecret.file,
    };
    let claims: TokenClaims;
    try {
      claims = buildClaims({
        urls, duration, id: token.metadata.uid, now: options.now, maxLifetimeMs: options.maxLifetimeMs,
        ...(verbs !== undefined ? { verbs } : {}), ...(from !== undefined ? { from } : {}),
      });
    } catch (error) {
      if (!(error instanceof ClaimsError)) throw error;
      throw new SpecError('InvalidSpec', error.message);
    }
    const data: GateTokenData = {
      from: isoSeconds(claims.nbf), until: isoSeconds(claims.exp), duration, nbf: claims.nbf, exp: claims.exp, urls: claims.URLs, verbs: claims.verbs,
    };
    return { ok: true, claims, data, secret };
  } catch (error) {
    if (error instanceof SpecError) return { ok: false, reason: error.reason, message: error.message };
    throw error;
  }
}
