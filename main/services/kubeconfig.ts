// Every context of the KUBECONFIG list (or ~/.kube/config), merged as kubectl
// merges: the first file that names a cluster, user or context wins, and the
// first file that sets current-context sets it. Problems stay local: a missing
// or malformed file, or a context whose cluster or user is broken, becomes an
// error on that entry while every other context stays usable. Files are polled
// (fs.watchFile survives editors that replace the file and files that appear later).
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { parseDocument } from 'yaml';
import type { ConnectionState, ContextInfo, DesktopError } from '../../shared/desktop-api.ts';
import { DesktopFailure } from './errors.ts';

/** One merged context and what it needs to connect, or why it cannot. */
export interface ContextEntry {
  name: string;
  file: string;
  context?: Context;
  cluster?: Cluster;
  user?: User;
  error?: DesktopError;
}

export interface MergedKubeconfig {
  entries: ContextEntry[];
  currentContext?: string;
}

export function defaultKubeconfigPaths(env: NodeJS.ProcessEnv, home = homedir()): string[] {
  const list = (env.KUBECONFIG ?? '').split(delimiter).filter((p) => p !== '');
  return list.length > 0 ? [...new Set(list)] : [join(home, '.kube', 'config')];
}

interface FileContents {
  clusters: Map<string, Cluster | DesktopError>;
  users: Map<string, User | DesktopError>;
  contexts: Map<string, Context | DesktopError>;
  currentContext?: string;
}

const kubeconfigError = (message: string, context?: string): DesktopError => (context === undefined ? { code: 'kubeconfig', message } : { code: 'kubeconfig', message, context });
const isError = (value: unknown): value is DesktopError => typeof value === 'object' && value !== null && 'code' in value && 'message' in value;

function readKubeconfigFile(path: string): FileContents | DesktopError {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return kubeconfigError(code === 'ENOENT' ? `the kubeconfig file ${path} does not exist` : `cannot read the kubeconfig file ${path}: ${(error as Error).message}`);
  }
  const document = parseDocument(text);
  const problem = document.errors[0];
  if (problem) return kubeconfigError(`the kubeconfig file ${path} is not valid YAML: ${problem.message.split('\n')[0]}`);
  const raw: unknown = document.toJS();
  if (raw === null || raw === undefined) return { clusters: new Map(), users: new Map(), contexts: new Map() };
  if (typeof raw !== 'object' || Array.isArray(raw)) return kubeconfigError(`the kubeconfig file ${path} is not a kubeconfig (expected a mapping with clusters, users and contexts)`);
  const obj = raw as Record<string, unknown>;
  const out: FileContents = {
    clusters: readEntries(obj.clusters, 'clusters', path, (kc) => kc.clusters[0]),
    users: readEntries(obj.users, 'users', path, (kc) => kc.users[0]),
    contexts: readEntries(obj.contexts, 'contexts', path, (kc) => kc.contexts[0]),
  };
  if (typeof obj['current-context'] === 'string' && obj['current-context'] !== '') out.currentContext = obj['current-context'];
  return out;
}

/** Each entry checked on its own (client-node refuses a whole file for one bad entry), relative file paths resolved. */
function readEntries<T>(list: unknown, kind: 'clusters' | 'users' | 'contexts', path: string, pick: (kc: KubeConfig) => T | undefined): Map<string, T | DesktopError> {
  const out = new Map<string, T | DesktopError>();
  if (!Array.isArray(list)) return out;
  list.forEach((entry: unknown, i) => {
    const name = typeof entry === 'object' && entry !== null && typeof (entry as { name?: unknown }).name === 'string' ? (entry as { name: string }).name : undefined;
    if (name === undefined || out.has(name)) return;
    try {
      const kc = new KubeConfig();
      kc.loadFromString(JSON.stringify({ [kind]: [entry] }));
      kc.makePathsAbsolute(dirname(path));
      const value = pick(kc);
      out.set(name, value ?? kubeconfigError(`${path}: ${kind}[${i}] "${name}" is incomplete`));
    } catch (error) {
      out.set(name, kubeconfigError(`${path}: ${kind}[${i}] "${name}" is invalid: ${(error as Error).message}`));
    }
  });
  return out;
}

/** kubectl's merge of several kubeconfig files; a file that cannot be read shows up as an entry named by its path. */
export function loadKubeconfigs(paths: readonly string[]): MergedKubeconfig {
  const clusters = new Map<string, Cluster | DesktopError>();
  const users = new Map<string, User | DesktopError>();
  const contexts = new Map<string, { value: Context | DesktopError; file: string }>();
  const fileErrors: ContextEntry[] = [];
  let currentContext: string | undefined;
  for (const path of paths) {
    const contents = readKubeconfigFile(path);
    if (isError(contents)) {
      fileErrors.push({ name: path, file: path, error: contents });
      continue;
    }
    for (const [name, value] of contents.clusters) if (!clusters.has(name)) clusters.set(name, value);
    for (const [name, value] of contents.users) if (!users.has(name)) users.set(name, value);
    for (const [name, value] of contents.contexts) if (!contexts.has(name)) contexts.set(name, { value, file: path });
    currentContext ??= contents.currentContext;
  }
  const entries: ContextEntry[] = [];
  for (const [name, { value, file }] of contexts) {
    if (isError(value)) {
      entries.push({ name, file, error: { ...value, context: name } });
      continue;
    }
    const entry: ContextEntry = { name, file, context: value };
    const cluster = clusters.get(value.cluster);
    const user = users.get(value.user);
    if (cluster === undefined) entry.error = kubeconfigError(`context "${name}" names cluster "${value.cluster}", which no kubeconfig file defines`, name);
    else if (isError(cluster)) entry.error = { ...cluster, context: name };
    else entry.cluster = cluster;
    if (user !== undefined && !isError(user)) entry.user = user;
    else if (entry.error === undefined) {
      entry.error = user === undefined ? kubeconfigError(`context "${name}" names user "${value.user}", which no kubeconfig file defines`, name) : { ...user, context: name };
    }
    entries.push(entry);
  }
  const merged: MergedKubeconfig = { entries: [...entries, ...fileErrors] };
  if (currentContext !== undefined) merged.currentContext = currentContext;
  return merged;
}

export interface KubeconfigService {
  paths: readonly string[];
  contexts(): ContextInfo[];
  entry(name: string): ContextEntry;
  current(): string | undefined;
  setCurrent(name: string): void;
  setState(name: string, state: ConnectionState, error?: DesktopError): void;
  /** Called after the files changed (with the names whose definition changed) or a state changed. */
  onChange(listener: (changed: readonly string[]) => void): () => void;
  close(): void;
}

export interface KubeconfigServiceOptions {
  paths: readonly string[];
  /** The context chosen in the app, when it still exists; else the kubeconfig's current-context. */
  selected?: string;
  pollMs?: number;
}

function fingerprint(entry: ContextEntry): string {
  return JSON.stringify([entry.context, entry.cluster, entry.user, entry.error]);
}

export function createKubeconfigService(options: KubeconfigServiceOptions): KubeconfigService {
  const { paths } = options;
  let merged = loadKubeconfigs(paths);
  let selected = options.selected;
  const states = new Map<string, { state: ConnectionState; error?: DesktopError }>();
  const listeners = new Set<(changed: readonly string[]) => void>();
  const emit = (changed: readonly string[]) => {
    for (const listener of listeners) listener(changed);
  };

  const currentName = (): string | undefined => {
    const usable = merged.entries.filter((e) => e.context !== undefined);
    if (selected !== undefined && usable.some((e) => e.name === selected)) return selected;
    if (merged.currentContext !== undefined && usable.some((e) => e.name === merged.currentContext)) return merged.currentContext;
    return usable[0]?.name;
  };

  let reloadTimer: NodeJS.Timeout | undefined;
  const reload = () => {
    reloadTimer = undefined;
    const before = new Map(merged.entries.map((e) => [e.name, fingerprint(e)]));
    const next = loadKubeconfigs(paths);
    const changed = next.entries.filter((e) => before.get(e.name) !== fingerprint(e)).map((e) => e.name);
    for (const name of before.keys()) if (!next.entries.some((e) => e.name === name)) changed.push(name);
    const currentChanged = next.currentContext !== merged.currentContext;
    merged = next;
    for (const name of changed) states.delete(name);
    if (changed.length > 0 || currentChanged) emit(changed);
  };
  const onFileChange = (current: Stats, previous: Stats) => {
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size && current.ino === previous.ino) return;
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(reload, 50);
  };
  const pollMs = options.pollMs ?? 1000;
  for (const path of paths) watchFile(path, { interval: pollMs, persistent: false }, onFileChange);

  return {
    paths,
    contexts() {
      const current = currentName();
      return merged.entries.map((entry): ContextInfo => {
        const known = states.get(entry.name);
        const info: ContextInfo = {
          name: entry.name,
          cluster: entry.context?.cluster ?? '',
          server: entry.cluster?.server ?? '',
          user: entry.context?.user ?? '',
          current: entry.name === current,
          state: entry.error ? 'error' : (known?.state ?? 'unknown'),
        };
        if (entry.context?.namespace) info.namespace = entry.context.namespace;
        const error = entry.error ?? known?.error;
        if (error) info.error = error;
        return info;
      });
    },
    entry(name) {
      const entry = merged.entries.find((e) => e.name === name);
      if (!entry) throw new DesktopFailure('not-found', `there is no kubeconfig context named "${name}" (in ${paths.join(', ')})`, name);
      if (entry.error) throw new DesktopFailure(entry.error.code, entry.error.message, name);
      return entry;
    },
    current: currentName,
    setCurrent(name) {
      this.entry(name);
      selected = name;
      emit([]);
    },
    setState(name, state, error) {
      const before = states.get(name);
      if (before?.state === state && JSON.stringify(before.error) === JSON.stringify(error)) return;
      states.set(name, error ? { state, error } : { state });
      emit([]);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      clearTimeout(reloadTimer);
      for (const path of paths) unwatchFile(path, onFileChange);
      listeners.clear();
    },
  };
}
