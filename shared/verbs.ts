// HTTP methods as kube-gateway's token verbs: the lowercase method name, and a
// websocket upgrade (always a GET) needs `get`. HTTP methods are
// case-sensitive, so `get` or `Get` on the wire is not GET and is refused.

export class VerbError extends Error {
  override name = 'VerbError';
}

export const HTTP_VERBS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'] as const;
export type HttpVerb = (typeof HTTP_VERBS)[number];

const METHOD_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function isHttpVerb(value: unknown): value is HttpVerb {
  return typeof value === 'string' && (HTTP_VERBS as readonly string[]).includes(value);
}

/** The token verb a request needs; throws VerbError for a method the gateway does not forward. */
export function requestVerb(method: string, options: { upgrade?: boolean } = {}): HttpVerb {
  if (typeof method !== 'string' || !METHOD_TOKEN.test(method)) {
    throw new VerbError(`invalid HTTP method ${JSON.stringify(method)}: not an HTTP token`);
  }
  const verb = method.toLowerCase();
  if (method !== method.toUpperCase() || !isHttpVerb(verb)) {
    const known = HTTP_VERBS.map((v) => v.toUpperCase()).join(', ');
    throw new VerbError(`unsupported HTTP method ${JSON.stringify(method)} (methods are case-sensitive; expected one of ${known})`);
  }
  if (options.upgrade === true && verb !== 'get') {
    throw new VerbError(`a websocket upgrade must use GET, not ${method}`);
  }
  return verb;
}

/** Whether a token's verbs allow the request; false (never a throw) for a method requestVerb refuses. */
export function allowsVerb(claimVerbs: readonly string[], method: string, options: { upgrade?: boolean } = {}): boolean {
  let verb: HttpVerb;
  try {
    verb = requestVerb(method, options);
  } catch (error) {
    if (error instanceof VerbError) return false;
    throw error;
  }
  return claimVerbs.includes(verb);
}
