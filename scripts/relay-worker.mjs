// The Miniflare worker options that load the built relay (build/worker.js, relay.js and relay_bg.wasm), shared
// by the end-to-end tests and the load benchmark so they all run the worker the same way.
export const COMPATIBILITY_DATE = "2026-04-01";

/** Options for one Miniflare worker running the built relay; `extra` adds bindings and the like. */
export function relayWorker(extra = {}) {
  return {
    name: "relay",
    scriptPath: "build/worker.js",
    modules: true,
    modulesRules: [
      { type: "ESModule", include: ["**/*.js"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: COMPATIBILITY_DATE,
    ...extra,
  };
}

/** Drains the worker's stdout/stderr without printing: an unread pipe fills up and stalls workerd. */
export function discardOutput(stdout, stderr) {
  stdout.resume();
  stderr.resume();
}
