/**
 * What a user may ask of the engine on the command line (--backend, --engine). Kept apart from backend.ts and
 * select-core.ts, which load TensorFlow.js, so command definitions can list the choices without loading it.
 */
export const BACKEND_REQUESTS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendRequest = (typeof BACKEND_REQUESTS)[number];
export type BackendName = Exclude<BackendRequest, 'auto'>;

export const ENGINE_REQUESTS = ['auto', 'native', 'ref'] as const;
export type EngineRequest = (typeof ENGINE_REQUESTS)[number];

/** embed --pool: a sequence's vector is the mean or max over positions, or each direction's first or last state. */
export const EMBED_POOLS = ['mean', 'max', 'last', 'first'] as const;
export type EmbedPool = (typeof EMBED_POOLS)[number];
