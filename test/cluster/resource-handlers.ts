import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceType } from './registry.ts';
import type { KubeObject, ObjectStore, StoreEvent } from './store.ts';
import { apiVersionOf, hasStatusSubresource, typeKey } from './registry.ts';
import { StoreError } from './store.ts';
import { ApiError, errors, readJsonBody, sendJson } from './status.ts';
import { matches, parseFieldSelector, parseRequirements, SelectorError } from './selectors.ts';
import { selectableFields, supportedFields } from './field-sets.ts';
import type { Requirement } from './selectors.ts';
import { toTable, wantsTable } from './tables.ts';
import { mergePatch } from './merge-patch.ts';

export interface ResourceRequest {
  req: IncomingMessage;
  res: ServerResponse;
  type: ResourceType;
  version: string;
  verb: string;
  namespace?: string;
  name?: string;
  query: URLSearchParams;
}

const BOOKMARK_INTERVAL_MS = 5_000;
const NAMESPACES_KEY = typeKey('', 'namespaces');

function storeError(e: unknown, type: ResourceType, name: string): never {
  if (e instanceof StoreError) {
    if (e.reason === 'NotFound') throw errors.notFound(type.resource, type.group, name);
    if (e.reason === 'AlreadyExists') throw errors.alreadyExists(type.resource, type.group, name);
    if (e.reason === 'Conflict') throw errors.conflict(type.resource, type.group, name, e.message);
    if (e.reason === 'Expired') throw errors.expired(e.message);
  }
  throw e;
}

interface Selection {
  labels: Requirement[];
  fields: Requirement[];
}

export function parseSelection(type: ResourceType, query: URLSearchParams): Selection {
  try {
    return { labels: parseRequirements(query.get('labelSelector') ?? '', true), fields: parseFieldSelector(query.get('fieldSelector') ?? '', supportedFields(type)) };
  } catch (e) {
    if (e instanceof SelectorError) throw errors.badRequest(e.message);
    throw e;
  }
}

function selected(type: ResourceType, object: KubeObject, namespace: string | undefined, selection: Selection): boolean {
  if (namespace !== undefined && object.metadata.namespace !== namespace) return false;
  if (!matches(selection.labels, object.metadata.labels ?? {})) return false;
  return selection.fields.length === 0 || matches(selection.fields, selectableFields(type, object));
}

/** Where a paged list stopped, and the revision its first page was served at (every page is served from it). */
interface ContinueToken {
  rv: number;
  after: string;
}

const idOf = (object: KubeObject) => `${object.metadata.namespace ?? ''}/${object.metadata.name}`;

function encodeContinue(rv: number, object: KubeObject): string {
  const token: ContinueToken = { rv, after: idOf(object) };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as ContinueToken;
    if (typeof token.after !== 'string') throw new Error('missing position');
    if (!Number.isInteger(token.rv) || token.rv < 1) throw new Error('missing resource version');
    return token;
  } catch {
    throw errors.badRequest(`invalid continue token ${JSON.stringify(text)}`);
  }
}

function parseLimit(text: string | null): number | undefined {
  if (text === null || text === '' || text === '0') return undefined;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 0) throw errors.badRequest(`limit must be a non-negative integer, got ${JSON.stringify(text)}`);
  return limit;
}

// The API server's words when etcd has compacted the revision a continue token names.
const EXPIRED_CONTINUE = 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.';

/** The first index in `sorted` (by namespace/name) after the id `after`. */
function indexAfter(sorted: readonly KubeObject[], after: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (idOf(sorted[middle]!) <= after) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * A list, whole or one page of `limit`. As in Kubernetes, every page of a paged
 * list is served at the revision of its first page and carries that
 * resourceVersion, so a watch from it misses and repeats nothing; a continue
 * token whose revision has been compacted away is 410 Expired.
 */
export function list(r: ResourceRequest, store: ObjectStore): void {
  const selection = parseSelection(r.type, r.query);
  const limit = parseLimit(r.query.get('limit'));
  const continueText = r.query.get('continue');
  const token = continueText ? decodeContinue(continueText) : undefined;
  const key = typeKey(r.type.group, r.type.resource);
  if (token && !['', '0', null].includes(r.query.get('resourceVersion'))) {
    throw errors.badRequest('specifying resource version is not allowed when using continue');
  }
  const revision = token?.rv ?? store.currentRevision();
  let all: KubeObject[];
  try {
    all = token ? store.listAt(key, r.namespace, token.rv) : store.list(key, r.namespace);
  } catch (e) {
    if (e instanceof StoreError && e.reason === 'Expired') throw errors.expired(EXPIRED_CONTINUE);
    throw e;
  }
  const from = token ? indexAfter(all, token.after) : 0;
  const page: KubeObject[] = [];
  let next = from;
  for (; next < all.length && (limit === undefined || page.length < limit); next++) {
    if (selected(r.type, all[next]!, undefined, selection)) page.push(all[next]!);
  }
  const everything = selection.labels.length === 0 && selection.fields.length === 0;
  const remaining = everything ? all.length - next : all.slice(next).filter((o) => selected(r.type, o, undefined, selection)).length;
  const metadata = {
    resourceVersion: String(revision),
    ...(remaining > 0 ? { continue: encodeContinue(revision, page[page.length - 1]!), remainingItemCount: remaining } : {}),
  };
  if (wantsTable(r.req.headers.accept)) {
    sendJson(r.res, 200, toTable(r.type.kind, page, metadata));
    return;
  }
  sendJson(r.res, 200, { kind: `${r.type.kind}List`, apiVersion: apiVersionOf(r.type.group, r.version), metadata, items: page });
}

export function get(r: ResourceRequest, store: ObjectStore): void {
  const object = store.get(typeKey(r.type.group, r.type.resource), r.namespace, r.name!);
  if (!object) throw errors.notFound(r.type.resource, r.type.group, r.name!);
  if (wantsTable(r.req.headers.accept)) {
    sendJson(r.res, 200, toTable(r.type.kind, [object], { resourceVersion: object.metadata.resourceVersion }));
    return;
  }
  sendJson(r.res, 200, object);
}

/** Newline-delimited watch events; a selector change turns MODIFIED into ADDED/DELETED as the object enters or leaves. */
export function watch(r: ResourceRequest, store: ObjectStore): void {
  const selection = parseSelection(r.type, r.query);
  const key = typeKey(r.type.group, r.type.resource);
  const rvText = r.query.get('resourceVersion') ?? '';
  const since = rvText === '' || rvText === '0' ? undefined : Number(rvText);
  if (since !== undefined && !Number.isInteger(since)) throw errors.badRequest(`invalid resourceVersion ${JSON.stringify(rvText)}`);
  const bookmarks = r.query.get('allowWatchBookmarks') === 'true';
  const timeoutSeconds = Number(r.query.get('timeoutSeconds') ?? '0');

  r.res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  r.res.flushHeaders();
  const send = (type: string, object: unknown): void => {
    r.res.write(JSON.stringify({ type, object }) + '\n');
  };
  const onEvent = (e: StoreEvent): void => {
    const now = e.type !== 'DELETED' && selected(r.type, e.object, r.namespace, selection);
    const before = e.type === 'DELETED' ? selected(r.type, e.object, r.namespace, selection) : e.previous !== undefined && selected(r.type, e.previous, r.namespace, selection);
    if (e.type === 'ADDED' && now) send('ADDED', e.object);
    else if (e.type === 'DELETED' && before) send('DELETED', e.object);
    else if (e.type === 'MODIFIED') {
      if (now && before) send('MODIFIED', e.object);
      else if (now) send('ADDED', e.object);
      else if (before) send('DELETED', e.object);
    }
  };

  let start = since;
  if (start === undefined) {
    start = store.currentRevision();
    for (const object of store.list(key, r.namespace)) if (selected(r.type, object, undefined, selection)) send('ADDED', object);
  }
  let subscription: { stop(): void };
  try {
    subscription = store.watch(key, start, onEvent);
  } catch (e) {
    if (e instanceof StoreError && e.reason === 'Expired') {
      send('ERROR', new ApiError(410, 'Expired', e.message).body());
      r.res.end();
      return;
    }
    throw e;
  }
  const timers: NodeJS.Timeout[] = [];
  const finish = (): void => {
    subscription.stop();
    timers.forEach((t) => clearTimeout(t));
    if (!r.res.writableEnded) r.res.end();
  };
  if (bookmarks) {
    timers.push(setInterval(() => send('BOOKMARK', { kind: r.type.kind, apiVersion: apiVersionOf(r.type.group, r.version), metadata: { resourceVersion: String(store.currentRevision()) } }), BOOKMARK_INTERVAL_MS));
  }
  if (timeoutSeconds > 0) timers.push(setTimeout(finish, timeoutSeconds * 1000));
  r.res.on('close', finish);
}

function asObject(body: unknown, r: ResourceRequest): KubeObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('the request body must be a JSON object');
  const object = body as KubeObject;
  object.metadata = (object.metadata ?? {}) as KubeObject['metadata'];
  if (typeof object.metadata !== 'object' || object.metadata === null) throw errors.badRequest('metadata must be an object');
  const apiVersion = apiVersionOf(r.type.group, r.version);
  if (object.kind !== undefined && object.kind !== r.type.kind) {
    throw errors.badRequest(`the kind of the provided object (${String(object.kind)}) does not match the resource ${r.type.resource} (${r.type.kind})`);
  }
  object.kind = r.type.kind;
  object.apiVersion ??= apiVersion;
  if (r.type.namespaced) {
    if (object.metadata.namespace !== undefined && object.metadata.namespace !== r.namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    object.metadata.namespace = r.namespace;
  } else {
    delete object.metadata.namespace;
  }
  if (object.kind === 'Secret') {
    foldStringData(object);
    if (!object['type']) object['type'] = 'Opaque';
  }
  if (object.kind === 'Event') checkEvent(object);
  return object;
}

/** The part of core/v1 Event validation a writer can get wrong: the Event lives beside the object it is about. */
function checkEvent(event: KubeObject): void {
  const involved = (event['involvedObject'] ?? {}) as { namespace?: unknown; kind?: unknown };
  const name = event.metadata.name ?? '';
  if (typeof involved.kind !== 'string' || involved.kind === '') {
    throw errors.invalid(`Event "${name}" is invalid: involvedObject.kind: Required value`);
  }
  if (typeof involved.namespace === 'string' && involved.namespace !== '' && involved.namespace !== event.metadata.namespace) {
    throw errors.invalid(`Event "${name}" is invalid: involvedObject.namespace: Invalid value: "${involved.namespace}": does not match event.namespace`);
  }
  const count = event['count'];
  if (count !== undefined && (typeof count !== 'number' || !Number.isInteger(count) || count < 0)) {
    throw errors.invalid(`Event "${name}" is invalid: count: Invalid value: ${JSON.stringify(count)}: must be a non-negative integer`);
  }
}

/** Secrets accept `stringData` on writes and store it base64-encoded in `data`, like the API server. */
function foldStringData(secret: KubeObject): void {
  const stringData = secret['stringData'] as Record<string, string> | undefined;
  if (stringData === undefined) return;
  const data = { ...(secret['data'] as Record<string, string> | undefined) };
  for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v)).toString('base64');
  secret['data'] = data;
  delete secret['stringData'];
}

function requireNamespace(store: ObjectStore, namespace: string | undefined): void {
  if (namespace !== undefined && !store.get(NAMESPACES_KEY, undefined, namespace)) throw errors.notFound('namespaces', '', namespace);
}

export async function create(r: ResourceRequest, store: ObjectStore): Promise<void> {
  const object = asObject(await readJsonBody(r.req), r);
  if (!object.metadata.name && object.metadata.generateName) {
    object.metadata.name = object.metadata.generateName + Math.random().toString(36).slice(2, 7);
  }
  if (!object.metadata.name) throw errors.invalid(`${r.type.kind} "" is invalid: metadata.name: Required value: name or generateName is required`);
  delete object.metadata.resourceVersion;
  if (hasStatusSubresource(r.type)) delete object['status'];
  if (r.type.namespaced) requireNamespace(store, r.namespace);
  if (r.query.get('dryRun') === 'All') {
    sendJson(r.res, 201, object);
    return;
  }
  let stored: KubeObject;
  try {
    stored = store.create(typeKey(r.type.group, r.type.resource), object);
  } catch (e) {
    storeError(e, r.type, object.metadata.name);
  }
  sendJson(r.res, 201, stored);
}

function current(r: ResourceRequest, store: ObjectStore): KubeObject {
  const object = store.get(typeKey(r.type.group, r.type.resource), r.namespace, r.name!);
  if (!object) throw errors.notFound(r.type.resource, r.type.group, r.name!);
  return object;
}

/** `object` with the status of `from`: what a write to the main resource keeps when status is a subresource. */
function statusOf(object: KubeObject, from: KubeObject | undefined): KubeObject {
  const out: KubeObject = { ...object };
  delete out['status'];
  if (from?.['status'] !== undefined) out['status'] = structuredClone(from['status']);
  return out;
}

function replace(r: ResourceRequest, store: ObjectStore, object: KubeObject): void {
  let stored: KubeObject;
  try {
    stored = store.update(typeKey(r.type.group, r.type.resource), object);
  } catch (e) {
    storeError(e, r.type, r.name!);
  }
  sendJson(r.res, 200, stored);
}

export async function update(r: ResourceRequest, store: ObjectStore): Promise<void> {
  const object = asObject(await readJsonBody(r.req), r);
  if (object.metadata.name !== r.name) {
    throw errors.badRequest(`the name of the object (${String(object.metadata.name)}) does not match the name on the URL (${r.name!})`);
  }
  replace(r, store, hasStatusSubresource(r.type) ? statusOf(object, current(r, store)) : object);
}

const MERGE_TYPES = ['application/merge-patch+json', 'application/strategic-merge-patch+json'];

export async function patch(r: ResourceRequest, store: ObjectStore): Promise<void> {
  const contentType = (r.req.headers['content-type'] ?? '').split(';')[0]!.trim();
  if (!MERGE_TYPES.includes(contentType)) throw errors.unsupportedMediaType(contentType);
  const body = await readJsonBody(r.req);
  const stored = current(r, store);
  const merged = asObject(mergePatch(structuredClone(stored), body), r);
  merged.metadata.name = r.name!;
  replace(r, store, hasStatusSubresource(r.type) ? statusOf(merged, stored) : merged);
}

/** GET, PUT and PATCH of `<object>/status`: only `.status` changes; a PUT's resourceVersion still guards the write. */
export async function status(r: ResourceRequest, store: ObjectStore): Promise<void> {
  const stored = current(r, store);
  if (r.verb === 'get') return get(r, store);
  let written: KubeObject;
  if (r.verb === 'update') {
    written = asObject(await readJsonBody(r.req), r);
    if (written.metadata.name !== r.name) {
      throw errors.badRequest(`the name of the object (${String(written.metadata.name)}) does not match the name on the URL (${r.name!})`);
    }
  } else {
    const contentType = (r.req.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (!MERGE_TYPES.includes(contentType)) throw errors.unsupportedMediaType(contentType);
    written = asObject(mergePatch(structuredClone(stored), await readJsonBody(r.req)), r);
  }
  const next = statusOf(structuredClone(stored), written);
  next.metadata.resourceVersion = written.metadata.resourceVersion ?? stored.metadata.resourceVersion;
  replace(r, store, next);
}

/** The preconditions of a DELETE's optional DeleteOptions body. */
async function deletePreconditions(req: IncomingMessage): Promise<{ uid?: string; resourceVersion?: string }> {
  const bodyless = (req.headers['content-length'] === undefined || req.headers['content-length'] === '0') && req.headers['transfer-encoding'] === undefined;
  if (bodyless) return {};
  const options = (await readJsonBody(req)) as { preconditions?: { uid?: unknown; resourceVersion?: unknown } } | null;
  const given = options?.preconditions ?? {};
  return {
    ...(typeof given.uid === 'string' ? { uid: given.uid } : {}),
    ...(typeof given.resourceVersion === 'string' ? { resourceVersion: given.resourceVersion } : {}),
  };
}

export async function remove(r: ResourceRequest, store: ObjectStore): Promise<void> {
  const preconditions = await deletePreconditions(r.req);
  let gone: KubeObject;
  try {
    gone = store.delete(typeKey(r.type.group, r.type.resource), r.namespace, r.name!, preconditions);
  } catch (e) {
    storeError(e, r.type, r.name!);
  }
  sendJson(r.res, 200, gone);
}
