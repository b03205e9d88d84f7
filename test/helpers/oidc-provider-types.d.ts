// oidc-provider 8 ships no types; the tests use only its constructor and Koa callback.
declare module 'oidc-provider' {
  const Provider: new (issuer: string, config: never) => { callback(): unknown };
  export default Provider;
}
