import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Authenticator, UserInfo } from './authn.ts';
import type { FaultInjector } from './faults.ts';
import type { VmController } from './kubevirt.ts';
import type { Attributes, RbacAuthorizer } from './rbac.ts';
import type { ResourceRegistry, ResourceType } from './registry.ts';
import type { RequestInfo } from './request-info.ts';
import type { ObjectStore } from './store.ts';
import type { SerialHub } from './serial/serial-hub.ts';
import type { ConsoleHub } from './vnc/console-hub.ts';
import { discoveryDocument } from './discovery.ts';
import { openApiDocument } from './openapi.ts';
import { forbiddenMessage } from './rbac.ts';
import { parseRequestInfo } from './request-info.ts';
import * as resources from './resource-handlers.ts';
import type { ResourceRequest } from './resource-handlers.ts';
import { reviewHandlers } from './reviews.ts';
import { pinnedName } from './selectors.ts';
import { ApiError, errors, readJsonBody, sendError, sendJson, writeRawResponse } from './status.ts';
import { consoleTarget, requireRunningInstance } from './vnc-target.ts';

export interface ApiServerDeps {
  registry: ResourceRegistry;
  store: ObjectStore;
  authn: Authenticator;
  authz: RbacAuthorizer;
  faults: FaultInjector;
  vms: VmController;
  hub: ConsoleHub;
  serial: SerialHub;
  /** Address advertised in `/api` discovery. */
  serverAddress: () => string;
  log: (line: string) => void;
}

type ResourceInfo = Extract<RequestInfo, { kind: 'resource' }>;

const HEALTH_PATHS = new Set(['/healthz', '/livez', '/readyz']);
/** The VMI subresources served as websockets: VNC and the serial console. */
const WEBSOCKET_SUBRESOURCES = new Set(['vnc', 'console']);

function forbidden(user: UserInfo, attrs: Attributes): ApiError {
  const details = attrs.kind === 'resource' ? { ...(attrs.name ? { name: attrs.name } : {}), group: attrs.group, kind: attrs.resource } : undefined;
  return new ApiError(403, 'Forbidden', forbiddenMessage(user, attrs), details);
}

function attributesOf(info: ResourceInfo, name = info.name): Attributes {
  return {
    kind: 'resource', verb: info.verb, group: info.group, resource: info.resource,
    ...(info.subresource !== undefined ? { subresource: info.subresource } : {}),
    ...(info.namespace !== undefined ? { namespace: info.namespace } : {}),
    ...(name !== undefined ? { name } : {}),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The HTTP side of the stand-in: faults, authentication, RBAC, then discovery, stored resources, reviews and KubeVirt subresources. */
export class ApiServer {
  constructor(private readonly deps: ApiServerDeps) {}

  readonly handleRequest = (req: IncomingMessage, res: ServerResponse): void => {
    this.serve(req, res).catch((e: unknown) => {
      if (e instanceof ApiError) {
        if (!res.headersSent) sendError(res, e);
        else res.end();
        return;
      }
      this.deps.log(`internal error on ${req.method ?? ''} ${req.url ?? ''}: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) sendError(res, new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`));
      else res.end();
    });
  };

  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    this.upgrade(req, socket, head).catch((e: unknown) => {
      const error = e instanceof ApiError ? e : new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`);
      if (!(e instanceof ApiError)) this.deps.log(`internal error on upgrade ${req.url ?? ''}: ${(e as Error).stack ?? String(e)}`);
      if (socket.writable) writeRawResponse(socket, error.code, error.body());
    });
  };

  /** Applies a matching fault rule; returns false when the request was answered or dropped by it. */
  private async applyFault(req: IncomingMessage, path: string, answer: (error: ApiError) => void): Promise<boolean> {
    const fault = this.deps.faults.match(req.method ?? 'GET', path);
    if (!fault) return true;
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    if (fault.drop) {
      req.socket.destroy();
      return false;
    }
    if (fault.status !== undefined) {
      answer(new ApiError(fault.status, fault.status === 503 ? 'ServiceUnavailable' : 'InternalError', fault.message ?? `injected fault: ${fault.status}`));
      return false;
    }
    return true;
  }

  private authenticate(req: IncomingMessage): UserInfo {
    const result = this.deps.authn.authenticate(req);
    if ('error' in result) throw errors.unauthorized();
    return result.user;
  }

  private authorize(user: UserInfo, attrs: Attributes): void {
    if (!this.deps.authz.authorize(user, attrs)) throw forbidden(user, attrs);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://stand-in');
    if (!(await this.applyFault(req, url.pathname, (e) => sendError(res, e)))) return;
    const user = this.authenticate(req);
    const info = parseRequestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
    this.deps.log(`${req.method ?? ''} ${req.url ?? ''} as ${user.username}`);
    if (info.kind === 'nonResource') {
      this.authorize(user, info);
      if (HEALTH_PATHS.has(url.pathname)) {
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
        return;
      }
      const doc = info.verb === 'get'
        ? discoveryDocument(this.deps.registry, url.pathname, this.deps.serverAddress()) ?? openApiDocument(this.deps.registry, url.pathname)
        : undefined;
      if (!doc) throw errors.pageNotFound();
      sendJson(res, 200, doc);
      return;
    }
    const type = this.deps.registry.lookup(info.group, info.version, info.resource);
    if (!type || (info.namespace !== undefined && !type.namespaced)) throw errors.pageNotFound();
    if (info.subresource !== undefined) {
      await this.serveSubresource(req, res, user, info, type);
      return;
    }
    if (!type.verbs.includes(info.verb as ResourceType['verbs'][number])) throw errors.methodNotAllowed();
    const selection = info.verb === 'list' || info.verb === 'watch' ? resources.parseSelection(type, url.searchParams) : undefined;
    // As in Kubernetes, a list or watch pinned to one name by a field selector is authorized like a request for that name.
    this.authorize(user, attributesOf(info, selection ? pinnedName(selection.fields) : info.name));

    if (type.storage === 'virtual') {
      const handler = reviewHandlers[`${type.group}/${type.resource}`];
      if (!handler) throw errors.methodNotAllowed();
      const body = await readJsonBody(req);
      sendJson(res, 201, handler(body, { user, authn: this.deps.authn, authz: this.deps.authz }));
      return;
    }
    const r: ResourceRequest = {
      req, res, type, version: info.version, verb: info.verb, query: url.searchParams,
      ...(info.namespace !== undefined ? { namespace: info.namespace } : {}),
      ...(info.name !== undefined ? { name: info.name } : {}),
    };
    const store = this.deps.store;
    switch (info.verb) {
      case 'list': return resources.list(r, store);
      case 'watch': return resources.watch(r, store);
      case 'get': return resources.get(r, store);
      case 'create': return resources.create(r, store);
      case 'update': return resources.update(r, store);
      case 'patch': return resources.patch(r, store);
      case 'delete': return resources.remove(r, store);
      default: throw errors.methodNotAllowed();
    }
  }

  private async serveSubresource(req: IncomingMessage, res: ServerResponse, user: UserInfo, info: ResourceInfo, type: ResourceType): Promise<void> {
    const sub = type.subresources?.find((s) => s.name === info.subresource);
    if (!sub || info.name === undefined || info.namespace === undefined) throw errors.pageNotFound();
    if (!sub.verbs.includes(info.verb as ResourceType['verbs'][number])) throw errors.methodNotAllowed();
    this.authorize(user, attributesOf(info));
    if (sub.name === 'status' && type.storage === 'stored') {
      const url = new URL(req.url ?? '/', 'https://stand-in');
      return resources.status({ req, res, type, version: info.version, verb: info.verb, namespace: info.namespace, name: info.name, query: url.searchParams }, this.deps.store);
    }
    const route = `${type.group}/${type.resource}/${sub.name}`;
    switch (route) {
      case 'subresources.kubevirt.io/virtualmachines/start':
      case 'subresources.kubevirt.io/virtualmachines/stop':
      case 'subresources.kubevirt.io/virtualmachines/restart':
        this.deps.vms.power(info.namespace, info.name, sub.name as 'start' | 'stop' | 'restart');
        res.writeHead(202).end();
        return;
      // virt-api answers these two 200, the others 202.
      case 'subresources.kubevirt.io/virtualmachineinstances/pause':
      case 'subresources.kubevirt.io/virtualmachineinstances/unpause':
        this.deps.vms.power(info.namespace, info.name, sub.name as 'pause' | 'unpause');
        res.writeHead(200).end();
        return;
      case 'subresources.kubevirt.io/virtualmachineinstances/vnc/screenshot': {
        const png = await this.deps.hub.screenshot(consoleTarget(this.deps.store, info.namespace, info.name));
        res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length }).end(png);
        return;
      }
      case 'subresources.kubevirt.io/virtualmachineinstances/vnc':
        consoleTarget(this.deps.store, info.namespace, info.name);
        throw errors.badRequest('the vnc subresource needs a websocket upgrade');
      case 'subresources.kubevirt.io/virtualmachineinstances/console':
        requireRunningInstance(this.deps.store, info.namespace, info.name);
        throw errors.badRequest('the console subresource needs a websocket upgrade');
      default:
        throw errors.pageNotFound();
    }
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://stand-in');
    if (!(await this.applyFault(req, url.pathname, (e) => writeRawResponse(socket, e.code, e.body())))) return;
    const user = this.authenticate(req);
    const info = parseRequestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
    const isConsole = info.kind === 'resource' && info.group === 'subresources.kubevirt.io' && info.resource === 'virtualmachineinstances'
      && info.subresource !== undefined && WEBSOCKET_SUBRESOURCES.has(info.subresource) && info.verb === 'get' && info.namespace !== undefined && info.name !== undefined
      && this.deps.registry.lookup(info.group, info.version, info.resource) !== undefined;
    if (!isConsole) throw errors.pageNotFound();
    this.authorize(user, attributesOf(info));
    this.deps.log(`websocket ${url.pathname}${url.search} as ${user.username}`);
    if (info.subresource === 'console') {
      requireRunningInstance(this.deps.store, info.namespace!, info.name!);
      this.deps.serial.handleUpgrade(req, socket, head, { namespace: info.namespace!, name: info.name! });
      return;
    }
    const target = consoleTarget(this.deps.store, info.namespace!, info.name!);
    this.deps.hub.handleUpgrade(req, socket, head, target, { preserveSession: url.searchParams.get('preserveSession') === 'true' });
  }
}
