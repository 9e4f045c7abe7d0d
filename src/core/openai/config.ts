// Where an OpenAI-compatible endpoint is and how to sample from it. The defaults are the paper's
// serving setup (FORMATS.md, "Serving and sampling"): vLLM with api key "EMPTY", the planner on
// port 8000, the generator on port 8001, temperature 0.7 and top_p 0.95 for all generation.

export interface EndpointConfig {
  /** Up to and including the API version, e.g. `http://localhost:8000/v1`. */
  baseUrl: string;
  /** The served model name (vLLM's `--served-model-name`, or the model path it was started with). */
  model: string;
  /** Sent as `Authorization: Bearer <key>` when set; vLLM without `--api-key` accepts anything. */
  apiKey?: string;
  temperature: number;
  topP: number;
  maxTokens: number;
  stream: boolean;
  /** Longest wait for the first byte of an answer, and for each further piece of a streamed one. */
  timeoutMs: number;
}

/** What each endpoint is used for; only changes the wording of hints (which port the paper uses). */
export type EndpointRole = 'planner' | 'generator' | 'joint';

export const DEFAULT_SAMPLING = { temperature: 0.7, topP: 0.95 } as const;

/** The paper's API key: vLLM started without `--api-key` ignores it, but clients must send one. */
export const PAPER_API_KEY = 'EMPTY';

const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * The paper's two servers. The model name is left empty: it is whatever the user served, and
 * Test Connection suggests the first model the server lists. The planner answers a strategy name
 * (a handful of tokens) and is not streamed; the generator streams its reply.
 */
export const PAPER_PRESETS: Readonly<Record<'planner' | 'generator', Readonly<EndpointConfig>>> = {
  planner: {
    baseUrl: 'http://localhost:8000/v1',
    model: '',
    apiKey: PAPER_API_KEY,
    ...DEFAULT_SAMPLING,
    maxTokens: 16,
    stream: false,
    timeoutMs: DEFAULT_TIMEOUT_MS,
  },
  generator: {
    baseUrl: 'http://localhost:8001/v1',
    model: '',
    apiKey: PAPER_API_KEY,
    ...DEFAULT_SAMPLING,
    maxTokens: 512,
    stream: true,
    timeoutMs: DEFAULT_TIMEOUT_MS,
  },
};

/**
 * A complete config from a partial one (e.g. what `parseEndpointSpec` returns): the paper preset
 * of the role fills the gaps. A joint (vanilla) model answers like the generator, so it starts from
 * the generator's preset.
 */
export function withEndpointDefaults(partial: Partial<EndpointConfig>, role: EndpointRole): EndpointConfig {
  const preset = PAPER_PRESETS[role === 'planner' ? 'planner' : 'generator'];
  // explicit `undefined`s (optional CLI flags left out) must not blank out the preset
  const given = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<EndpointConfig>;
  return { ...preset, ...given };
}

/** `${baseUrl}${path}` without a doubled slash when the configured base URL ends in "/". */
export function endpointUrl(cfg: Pick<EndpointConfig, 'baseUrl'>, path: string): string {
  return trimBaseUrl(cfg.baseUrl) + path;
}

export function trimBaseUrl(baseUrl: string): string {
  return baseUrl.trim().replace(/\/+$/, '');
}

/** How backends name themselves in the UI: `http://localhost:8000/v1 · planner-dpo`. */
export function endpointLabel(cfg: Pick<EndpointConfig, 'baseUrl' | 'model'>): string {
  return `${trimBaseUrl(cfg.baseUrl)} · ${cfg.model || '(server default model)'}`;
}

export function authHeaders(cfg: Pick<EndpointConfig, 'apiKey'>): Record<string, string> {
  return cfg.apiKey ? { authorization: `Bearer ${cfg.apiKey}` } : {};
}
