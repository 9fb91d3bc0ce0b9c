// Which console the page opens. The gateway's redirect names it in `?path=`
// (kube-gateway's viewer contract); nothing else in the URL is read, and there
// is no host or port parameter, so a crafted link can only ever point this page
// at a VM console behind this same gateway — never at someone else's server
// shown under the gateway's name.

import { viewerConsoleQuery } from '../../shared/console-presence.ts';
import { consoleKindPath, parseConsolePath } from '../../shared/kubevirt-paths.ts';
import type { ConsoleKind, ConsoleTargetPath } from '../../shared/kubevirt-paths.ts';

export const DEFAULT_API_PATH = '/k8s/';

const API_PATH_SHAPE = /^\/(?:[A-Za-z0-9_-][A-Za-z0-9._~-]*\/)*$/;

/** The gateway's api path as advertised, or undefined when it is not a plain "/segment/…/" path. */
export function apiPathOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || !API_PATH_SHAPE.test(value)) return undefined;
  if (value.split('/').some((segment) => segment === '.' || segment === '..')) return undefined;
  return value;
}

export type ConsoleTarget =
  | { ok: true; target: ConsoleTargetPath; /** The console's absolute path on this gateway, rebuilt from checked parts. */ path: string }
  | { ok: false; problem: string };

export function consoleTarget(pathParam: string | null, apiPath: string): ConsoleTarget {
  if (pathParam === null || pathParam === '') return { ok: false, problem: 'The page was opened without a console link.' };
  const prefix = apiPath.slice(1);
  if (!pathParam.startsWith(prefix)) {
    return { ok: false, problem: `The console path must start with "${prefix}" on this gateway.` };
  }
  const target = parseConsolePath(`/${pathParam.slice(prefix.length)}`);
  if (target === undefined) {
    return { ok: false, problem: 'The console path does not name exactly one virtual machine console.' };
  }
  return { ok: true, target, path: gatewayConsolePath(apiPath, target, target.kind) };
}

/** The absolute path on this gateway of the `kind` console of the VMI `target` names. */
export function gatewayConsolePath(apiPath: string, target: Omit<ConsoleTargetPath, 'kind'>, kind: ConsoleKind): string {
  return `${apiPath.slice(0, -1)}${consoleKindPath(kind, target.namespace, target.name, target.version)}`;
}

/** The page's `?path=` for a console path on this gateway: kube-gateway's form, without the leading slash. */
export function pathParamOf(path: string): string {
  return path.replace(/^\//, '');
}

/** The console websocket on this page's own origin, asking to be told who else is on it; `takeOver` drops preserveSession so the console is handed over. */
export function consoleSocketUrl(page: { protocol: string; host: string }, path: string, takeOver: boolean): string {
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${page.host}${path}${viewerConsoleQuery(takeOver)}`;
}
