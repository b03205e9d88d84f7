/** The result of reading catalog properties typed as `key=value` lines. */
export type PropertiesResult =
  { ok: true; properties: Record<string, string> } | { ok: false; error: string };

/**
 * parseProperties reads one `key=value` per line: blank lines and lines starting with '#' are skipped,
 * the first '=' splits, the key is trimmed, the value is kept as typed (only the line break trimmed).
 * A line without '=', an empty key or a repeated key is an error naming the line.
 */
export function parseProperties(text: string): PropertiesResult {
  const properties: Record<string, string> = Object.create(null) as Record<string, string>;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) return { ok: false, error: `line ${i + 1}: expected key=value` };
    const key = line.slice(0, eq).trim();
    if (key === '') return { ok: false, error: `line ${i + 1}: the key is empty` };
    if (Object.hasOwn(properties, key)) return { ok: false, error: `line ${i + 1}: "${key}" is set twice` };
    properties[key] = line.slice(eq + 1).trim();
  }
  return { ok: true, properties: { ...properties } };
}
