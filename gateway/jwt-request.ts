// POST /auth/jwt/request (kube-gateway's): signs a token for a caller who may
// read the private key with their own Kubernetes token, and who may themselves
// do everything the token grants — each URL and verb is put to the API server
// as a SelfSubjectAccessReview made with the caller's token, so a key reader
// cannot lend out a console they may not open.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeQuestion, readAccessReview, selfSubjectAccessReview, SELF_SUBJECT_ACCESS_REVIEW_PATH, type AccessQuestion } from '../shared/access-review.ts';
import { buildClaims, ClaimsError } from '../shared/claims.ts';
import { formatDuration, parseDuration } from '../shared/duration.ts';
import { importPrivateKey, KeyError } from '../shared/node/keys.ts';
import { signToken } from '../shared/node/sign-token.ts';
import { BodyTooLargeError, readBody, sendError, sendJson } from './http-util.ts';
import { issuerQuestions } from './issuer-access.ts';
import type { Upstream } from './upstream.ts';

export interface JwtRequestOptions {
  upstream: Upstream;
  secret: { namespace: string; name: string; key: string };
  maxLifetimeMs: number;
  now?: () => number;
}

const maxBodyBytes = 64 * 1024;

/** kube-gateway reads the body's keys case-insensitively (Go's encoding/json). */
function field(body: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(body).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : body[key];
}

function stringList(value: unknown, what: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new ClaimsError(`${what} must be a list of strings`);
  return value as string[];
}

function optionalString(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ClaimsError(`${what} must be a string`);
  return value;
}

type Refusal = { status: number; message: string };

/** Asks each question with the caller's token; the first refusal, in words, or undefined when all are allowed. */
async function refusalOf(upstream: Upstream, bearer: string, questions: readonly AccessQuestion[]): Promise<Refusal | undefined> {
  const answers = await Promise.all(questions.map(async (question) => ({
    question,
    answer: await upstream.call({ method: 'POST', path: SELF_SUBJECT_ACCESS_REVIEW_PATH, body: selfSubjectAccessReview(question), bearer }),
  })));
  for (const { question, answer } of answers) {
    if (answer.status === 401) return { status: 401, message: 'the Kubernetes API server does not accept your token' };
    if (answer.status === 403) return { status: 403, message: 'you may not ask the Kubernetes API server about your own permissions (SelfSubjectAccessReview), so no token can be signed for you' };
    if (answer.status !== 201 && answer.status !== 200) return { status: 502, message: `asking the API server about your permissions failed (HTTP ${answer.status})` };
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      return { status: 502, message: 'the API server answered the permission question with something that is not JSON' };
    }
    const verdict = readAccessReview(body);
    if (!verdict.allowed) {
      return { status: 403, message: `you may not ${describeQuestion(question)} yourself, so you may not issue a token for it${verdict.reason ? ` (${verdict.reason})` : ''}` };
    }
  }
  return undefined;
}

function isoSeconds(unix: number): string {
  return new Date(unix * 1000).toISOString().replace('.000Z', 'Z');
}

export function createJwtRequestRoute(options: JwtRequestOptions) {
  const now = options.now ?? Date.now;
  return async function jwtRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return sendError(res, 405, 'use POST');
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer) return sendError(res, 401, 'send your Kubernetes token as Authorization: Bearer <token>');

    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(await readBody(req, maxBodyBytes));
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new SyntaxError('the body must be a JSON object');
      body = parsed as Record<string, unknown>;
    } catch (err) {
      if (err instanceof BodyTooLargeError) return sendError(res, 413, err.message);
      return sendError(res, 400, `malformed request body: ${(err as Error).message}`);
    }

    let claims;
    const durationText = optionalString(field(body, 'duration'), 'duration') ?? '1h';
    try {
      const urls = stringList(field(body, 'URLs'), 'URLs') ?? [];
      if (urls.length === 0) throw new ClaimsError('URLs must list at least one URL pattern');
      const verbs = stringList(field(body, 'verbs'), 'verbs');
      const from = optionalString(field(body, 'from'), 'from');
      const id = optionalString(field(body, 'id'), 'id');
      claims = buildClaims({
        urls,
        ...(verbs ? { verbs } : {}),
        ...(from ? { from } : {}),
        duration: durationText,
        ...(id ? { id } : { randomId: randomUUID }),
        now: now(),
        maxLifetimeMs: options.maxLifetimeMs,
      });
    } catch (err) {
      if (err instanceof ClaimsError) return sendError(res, 400, err.message);
      throw err;
    }

    const asked = issuerQuestions(claims.URLs, claims.verbs);
    if (!asked.ok) return sendError(res, 400, asked.message);

    let secret;
    try {
      // The caller's own token reads the key, so Kubernetes RBAC decides who may issue.
      secret = await options.upstream.call({
        method: 'GET',
        path: `/api/v1/namespaces/${encodeURIComponent(options.secret.namespace)}/secrets/${encodeURIComponent(options.secret.name)}`,
        bearer,
      });
    } catch (err) {
      return sendError(res, 502, `the Kubernetes API server is unreachable (${(err as Error).message})`);
    }
    if (secret.status === 401) return sendError(res, 401, 'the Kubernetes API server does not accept your token');
    if (secret.status === 403) return sendError(res, 403, `you may not read the signing key secret ${options.secret.namespace}/${options.secret.name}, so you may not issue tokens`);
    if (secret.status !== 200) return sendError(res, 502, `reading the signing key secret failed (HTTP ${secret.status})`);
    let key;
    try {
      const data = (JSON.parse(secret.body) as { data?: Record<string, string> }).data?.[options.secret.key];
      if (data === undefined) throw new KeyError(`the secret has no key ${JSON.stringify(options.secret.key)}`);
      key = importPrivateKey(Buffer.from(data, 'base64').toString('utf8'));
    } catch (err) {
      return sendError(res, 500, `the signing key cannot be used: ${(err as Error).message}`);
    }

    let refusal: Refusal | undefined;
    try {
      refusal = await refusalOf(options.upstream, bearer, asked.questions);
    } catch (err) {
      return sendError(res, 502, `the Kubernetes API server is unreachable (${(err as Error).message})`);
    }
    if (refusal) return sendError(res, refusal.status, refusal.message);

    const token = await signToken(claims, key);
    sendJson(res, 200, {
      ID: claims.id,
      From: isoSeconds(claims.nbf),
      Verbs: claims.verbs,
      Duration: formatDuration(parseDuration(durationText)),
      URLs: claims.URLs,
      NBf: claims.nbf,
      Exp: claims.exp,
      Until: isoSeconds(claims.exp),
      Token: token,
    });
  };
}
