/*
 * Label and field selectors as the API server reads them (the subset the
 * fake needs: `k=v`, `k==v`, `k!=v`, `k`). TEST-ONLY.
 */
type Obj = Record<string, any>;

export type Selector = Array<{
  key: string;
  op: '=' | '!=' | 'exists';
  value?: string;
}>;

export function parseSelector(text: string | null): Selector {
  if (!text) return [];
  return text
    .split(',')
    .filter(Boolean)
    .map(term => {
      const ne = term.indexOf('!=');
      if (ne > 0)
        return {
          key: term.slice(0, ne).trim(),
          op: '!=' as const,
          value: term.slice(ne + 2).trim(),
        };
      const eq = term.indexOf('=');
      if (eq > 0) {
        const value = term
          .slice(eq + 1)
          .replace(/^=/, '')
          .trim();
        return { key: term.slice(0, eq).trim(), op: '=' as const, value };
      }
      return { key: term.trim(), op: 'exists' as const };
    });
}

export function matches(selector: Selector, obj: Obj): boolean {
  const labels: Record<string, string> = obj.metadata?.labels ?? {};
  return selector.every(s =>
    s.op === 'exists'
      ? s.key in labels
      : s.op === '='
      ? labels[s.key] === s.value
      : labels[s.key] !== s.value,
  );
}

/** A field selector (`involvedObject.name=x,metadata.namespace!=y`) against an object. */
export function matchesFields(selector: Selector, obj: Obj): boolean {
  return selector.every(s => {
    const value = s.key
      .split('.')
      .reduce<any>((o, part) => (o === undefined ? undefined : o[part]), obj);
    const text = value === undefined ? '' : String(value);
    return s.op === '!=' ? text !== s.value : text === (s.value ?? '');
  });
}
