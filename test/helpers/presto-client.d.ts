declare module 'presto-client' {
  const presto: {
    Client: new (opts: Record<string, unknown>) => { execute(opts: Record<string, unknown>): void };
  };
  export default presto;
}
