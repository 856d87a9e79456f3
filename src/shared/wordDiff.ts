/*
 * Word-level diff of two texts for the compare panel: the longest common subsequence over
 * word and whitespace tokens. `same` segments are in both texts, `removed` only in the first
 * (the control), `added` only in the second. Adjacent segments of one kind are merged.
 * Common prefix and suffix are matched first; when the rest is still too large for the
 * O(n·m) table (`maxCells`), it is reported as one removed and one added segment.
 */

export type DiffKind = 'same' | 'added' | 'removed';
export interface DiffSegment { text: string; kind: DiffKind }

/** Words and runs of whitespace; concatenating the tokens gives the text back. */
export function wordTokens(text: string): string[] {
  return text.match(/\s+|[^\s]+/g) ?? [];
}

export function wordDiff(control: string, variant: string, maxCells = 4_000_000): DiffSegment[] {
  const a = wordTokens(control), b = wordTokens(variant);
  const out: DiffSegment[] = [];
  const push = (text: string, kind: DiffKind) => {
    if (!text) return;
    const last = out[out.length - 1];
    if (last && last.kind === kind) last.text += text; else out.push({ text, kind });
  };
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  push(a.slice(0, pre).join(''), 'same');
  const am = a.slice(pre, a.length - suf), bm = b.slice(pre, b.length - suf);
  const n = am.length, m = bm.length;
  if (n === 0 || m === 0 || (n + 1) * (m + 1) > maxCells) {
    push(am.join(''), 'removed');
    push(bm.join(''), 'added');
  } else {
    // lcs[i][j] = LCS length of am[i..] and bm[j..], row-major in one typed array.
    const w = m + 1;
    const lcs = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * w + j] = am[i] === bm[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
      }
    }
    let i = 0, j = 0;
    while (i < n && j < m) {
      if (am[i] === bm[j]) { push(am[i]!, 'same'); i++; j++; } else if (lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) { push(am[i]!, 'removed'); i++; } else { push(bm[j]!, 'added'); j++; }
    }
    while (i < n) push(am[i++]!, 'removed');
    while (j < m) push(bm[j++]!, 'added');
  }
  push(a.slice(a.length - suf).join(''), 'same');
  return out;
}
