/** Label and field selectors as the API server parses them from the query string. */

export type Requirement =
  | { key: string; op: 'eq' | 'neq'; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'doesnotexist' };

export type Selector = (fields: Readonly<Record<string, string>>) => boolean;

export class SelectorError extends Error {}

/** Splits on commas outside parentheses, so `a in (x,y),b` is two requirements. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

export function parseRequirements(text: string, allowSets: boolean): Requirement[] {
  return splitTerms(text).map((term): Requirement => {
    const set = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(term);
    if (set) {
      if (!allowSets) throw new SelectorError(`invalid selector "${term}": set-based requirements are not supported here`);
      const values = set[3]!.split(',').map((v) => v.trim()).filter((v) => v !== '');
      return { key: set[1]!, op: set[2] as 'in' | 'notin', values };
    }
    const eq = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (eq) return { key: eq[1]!, op: eq[2] === '!=' ? 'neq' : 'eq', value: eq[3]! };
    if (allowSets && /^![^=!\s(),]+$/.test(term)) return { key: term.slice(1), op: 'doesnotexist' };
    if (allowSets && /^[^=!\s(),]+$/.test(term)) return { key: term, op: 'exists' };
    throw new SelectorError(`unable to parse requirement: "${term}"`);
  });
}

export function matches(requirements: readonly Requirement[], fields: Readonly<Record<string, string>>): boolean {
  return requirements.every((r) => {
    const has = Object.hasOwn(fields, r.key);
    const value = fields[r.key];
    switch (r.op) {
      case 'eq': return value === r.value;
      case 'neq': return value !== r.value;
      case 'in': return has && r.values.includes(value!);
      case 'notin': return !has || !r.values.includes(value!);
      case 'exists': return has;
      case 'doesnotexist': return !has;
    }
  });
}

/** A field selector over the fields a resource publishes (`field-sets.ts`); any other field is refused. */
export function parseFieldSelector(text: string, supported: readonly string[]): Requirement[] {
  const requirements = parseRequirements(text, false);
  for (const r of requirements) {
    if (!supported.includes(r.key)) {
      throw new SelectorError(`field label not supported: ${r.key}`);
    }
  }
  return requirements;
}

/** The single name a field selector pins, which RBAC treats like a named request. */
export function pinnedName(requirements: readonly Requirement[]): string | undefined {
  const names = requirements.filter((r) => r.key === 'metadata.name' && r.op === 'eq');
  return names.length === 1 && names[0]!.op === 'eq' ? names[0]!.value : undefined;
}
