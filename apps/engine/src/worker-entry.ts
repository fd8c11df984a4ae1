/**
 * A TypeScript worker's entry: Node 20's workers do not inherit tsx's loader (neither from
 * `node --import tsx`, how the launcher runs the engine, nor under vitest), so a small bootstrap
 * registers it first. `new Worker(...workerEntry(url), ...)`.
 */
export function workerEntry(url: URL): [string, { eval: true }] {
  const api = import.meta.resolve("tsx/esm/api");
  return [`import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`, { eval: true }];
}
