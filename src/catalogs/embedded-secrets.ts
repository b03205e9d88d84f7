/**
 * Secrets inside values whose own key is not secret: the password of a URL's user info
 * (`http://user:pass@host`) and `name=value` pairs whose name is secret (`jdbc:…?user=a&password=b`,
 * `…;Password=b`). Used on catalog property values and on clusters' error texts.
 */

/** `scheme://user:password@` — the password part up to `@`. */
const USER_INFO = /(\/\/[^/\s:@'"]*):([^@/\s'"]+)@/g;
/** `name=value` with a name of letters, digits, `_`, `.`, `-`; the value runs to `&`, `;`, whitespace or a quote. */
const PAIR = /([A-Za-z][\w.-]*)(\s*=\s*)([^&;,\s'")]+)/g;

/**
 * scrubEmbeddedSecrets replaces embedded passwords with `***`. `found`, when given, receives each value
 * removed. Linear in the text (both patterns are anchored on a fixed character and never backtrack far).
 */
export function scrubEmbeddedSecrets(
  text: string,
  isSecretKey: (key: string) => boolean,
  found?: string[],
): string {
  if (text.indexOf('=') < 0 && text.indexOf('@') < 0) return text;
  return text
    .replace(USER_INFO, (_m, head: string, pass: string) => {
      found?.push(pass);
      return `${head}:***@`;
    })
    .replace(PAIR, (m, name: string, eq: string, value: string) => {
      if (!isSecretKey(name) || value === '***') return m;
      found?.push(value);
      return `${name}${eq}***`;
    });
}

/**
 * scrubKnownSecrets removes each known secret value from a text (a cluster's error echoing a property), then
 * embedded ones. Even a one-character secret is removed: a garbled message is better than a leaked secret.
 */
export function scrubKnownSecrets(
  text: string,
  secrets: readonly string[],
  isSecretKey: (key: string) => boolean,
): string {
  let out = text;
  for (const s of [...new Set(secrets)].sort((a, b) => b.length - a.length))
    if (s !== '' && s !== '***') out = out.split(s).join('***');
  return scrubEmbeddedSecrets(out, isSecretKey);
}
