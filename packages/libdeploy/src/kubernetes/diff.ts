/**
 * A line diff of two texts (the YAML of what runs and of what would run),
 * in the unified format: `-` removed, `+` added, a few lines of context.
 */

type Op = { kind: ' ' | '-' | '+'; line: string };

function lineOps(a: string[], b: string[]): Op[] {
  // longest common subsequence: manifests are small (hundreds of lines)
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from(
    { length: n + 1 },
    () => new Uint32Array(m + 1),
  );
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] =
        a[i] === b[j]
          ? lcs[i + 1][j + 1] + 1
          : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i] });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
      ops.push({ kind: '-', line: a[i++] });
    } else {
      ops.push({ kind: '+', line: b[j++] });
    }
  }
  while (i < n) ops.push({ kind: '-', line: a[i++] });
  while (j < m) ops.push({ kind: '+', line: b[j++] });
  return ops;
}

/**
 * The changed lines of `after` against `before`, with `context` lines
 * around each change; empty when the texts are equal.
 */
export function unifiedDiff(
  before: string,
  after: string,
  context = 3,
): string[] {
  if (before === after) return [];
  const split = (t: string) =>
    t === '' ? [] : t.replace(/\n$/, '').split('\n');
  const ops = lineOps(split(before), split(after));
  const keep = new Array<boolean>(ops.length).fill(false);
  ops.forEach((op, k) => {
    if (op.kind === ' ') return;
    for (
      let x = Math.max(0, k - context);
      x <= Math.min(ops.length - 1, k + context);
      x++
    ) {
      keep[x] = true;
    }
  });
  const out: string[] = [];
  let skipped = false;
  ops.forEach((op, k) => {
    if (!keep[k]) {
      skipped = true;
      return;
    }
    if (skipped && out.length) out.push('  …');
    skipped = false;
    out.push(`${op.kind} ${op.line}`);
  });
  return out;
}
