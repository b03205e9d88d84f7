/** table renders rows as aligned columns under a header, two spaces apart (the last column unpadded). */
export function table(head: string[], rows: string[][]): string {
  if (rows.length === 0) return '(none)';
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : (c ?? '').padEnd(widths[i]!))).join('  '))
    .join('\n');
}
