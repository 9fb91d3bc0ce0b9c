/** Rules that make the stand-in misbehave on purpose: slow, failing or dropped requests. */
export interface FaultRule {
  /** Path prefix (without the query); omit both this and `pathRegex` to match every path. */
  path?: string | RegExp;
  /** A regular expression source, for fixture files where a RegExp cannot be written. */
  pathRegex?: string;
  /** Upper-case HTTP method; any when absent. */
  method?: string;
  latencyMs?: number;
  /** Answer with this status and a Kubernetes Status body instead of handling the request. */
  status?: number;
  message?: string;
  /** Destroy the connection without an answer. */
  drop?: boolean;
  /** Apply to this many matching requests, then retire; forever when absent. */
  times?: number;
}

export type FaultAction = { latencyMs: number; status?: number; message?: string; drop: boolean };

interface ActiveRule {
  id: number;
  rule: FaultRule;
  matchPath: (path: string) => boolean;
  remaining: number;
}

function pathMatcher(rule: FaultRule): (path: string) => boolean {
  if (rule.path !== undefined && rule.pathRegex !== undefined) throw new Error('a fault rule takes either path or pathRegex, not both');
  if (rule.path instanceof RegExp) {
    const re = rule.path;
    return (p) => re.test(p);
  }
  if (typeof rule.path === 'string') {
    const prefix = rule.path;
    return (p) => p.startsWith(prefix);
  }
  if (rule.pathRegex !== undefined) {
    let re: RegExp;
    try {
      re = new RegExp(rule.pathRegex);
    } catch (e) {
      throw new Error(`fault rule pathRegex ${JSON.stringify(rule.pathRegex)} is not a valid regular expression: ${(e as Error).message}`);
    }
    return (p) => re.test(p);
  }
  return () => true;
}

function validate(rule: FaultRule): void {
  if (rule.status !== undefined && (!Number.isInteger(rule.status) || rule.status < 100 || rule.status > 599)) {
    throw new Error(`fault rule status must be an HTTP status code, got ${String(rule.status)}`);
  }
  if (rule.latencyMs !== undefined && !(rule.latencyMs >= 0)) throw new Error(`fault rule latencyMs must be >= 0, got ${String(rule.latencyMs)}`);
  if (rule.times !== undefined && !(Number.isInteger(rule.times) && rule.times > 0)) {
    throw new Error(`fault rule times must be a positive integer, got ${String(rule.times)}`);
  }
  if (rule.latencyMs === undefined && rule.status === undefined && !rule.drop) {
    throw new Error('a fault rule needs at least one of latencyMs, status or drop');
  }
}

export class FaultInjector {
  private rules: ActiveRule[] = [];
  private nextId = 1;

  /** Returns an id for `clear(id)`. */
  add(rule: FaultRule): number {
    validate(rule);
    const id = this.nextId++;
    this.rules.push({ id, rule, matchPath: pathMatcher(rule), remaining: rule.times ?? Infinity });
    return id;
  }

  /** One rule by id, or all of them. */
  clear(id?: number): void {
    this.rules = id === undefined ? [] : this.rules.filter((r) => r.id !== id);
  }

  list(): FaultRule[] {
    return this.rules.map((r) => r.rule);
  }

  /** The first live rule matching this request, consuming one of its `times`. */
  match(method: string, path: string): FaultAction | undefined {
    const active = this.rules.find((r) => (r.rule.method === undefined || r.rule.method.toUpperCase() === method) && r.matchPath(path));
    if (!active) return undefined;
    active.remaining -= 1;
    if (active.remaining <= 0) this.clear(active.id);
    const { latencyMs = 0, status, message, drop = false } = active.rule;
    return { latencyMs, drop, ...(status !== undefined ? { status } : {}), ...(message !== undefined ? { message } : {}) };
  }
}
