/** pageUrl submits sql through base and walks to the page that carries `minBytes` of data. */
export async function pageUrl(
  base: string,
  sql: string,
  minBytes: number,
  authorization?: string,
): Promise<string> {
  const auth: Record<string, string> = authorization ? { authorization } : {};
  let page = (await (
    await fetch(`${base}/v1/statement`, {
      method: 'POST',
      body: sql,
      headers: { 'X-Trino-User': 'bench', ...auth },
    })
  ).json()) as { nextUri?: string };
  for (;;) {
    const uri = page.nextUri;
    if (!uri) throw new Error('query ended before its data page');
    const text = await (await fetch(uri, { headers: auth })).text();
    if (text.includes('"data"') && text.length >= minBytes) return uri;
    page = JSON.parse(text);
  }
}
