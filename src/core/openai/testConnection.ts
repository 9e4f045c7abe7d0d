// Test Connection: GET {baseUrl}/models, which every OpenAI-compatible server answers without
// generating anything, so it is quick and safe to run on demand. It proves the URL and API key
// work, times the round trip, and tells whether the configured model is actually served.

import { endpointUrl, type EndpointConfig, type EndpointRole } from './config';
import { IdleDeadline } from './deadline';
import { malformedError } from './errors';
import { asInferenceError, readText, requestContext, send } from './http';

const MODELS_PATH = '/models';

export type ConnectionResult =
  | {
      ok: true;
      models: string[];
      ms: number;
      message: string;
      /** Whether `cfg.model` is among `models` (undefined when no model is configured). */
      modelServed?: boolean;
      /**
       * The model offered when none is configured or the configured one is not served: the first LoRA
       * adapter the server lists (vLLM's model cards of `--lora-modules` name the base as their `parent`),
       * else the first model. An empty model name must not quietly reach the untrained base model.
       */
      suggestedModel?: string;
    }
  | { ok: false; message: string };

/** The served model ids, and the one to use when none is named (see suggestedModel). */
function modelIds(raw: string): { ids: string[]; preferred?: string } | undefined {
  try {
    const j = JSON.parse(raw) as { data?: unknown };
    if (!Array.isArray(j?.data)) return undefined;
    const cards = j.data.flatMap((m: unknown) =>
      typeof m === 'object' && m !== null && typeof (m as { id?: unknown }).id === 'string' ? [m as { id: string; parent?: unknown }] : [],
    );
    const lora = cards.find((c) => typeof c.parent === 'string' && c.parent !== '' && c.parent !== c.id);
    return { ids: cards.map((c) => c.id), preferred: lora?.id ?? cards[0]?.id };
  } catch {
    return undefined;
  }
}

const list = (models: string[]): string => models.map((m) => `"${m}"`).join(', ');

/** Never throws: every failure comes back as `{ ok: false, message }`. */
export async function testConnection(cfg: EndpointConfig, signal?: AbortSignal, role?: EndpointRole): Promise<ConnectionResult> {
  const ctx = requestContext(cfg, role);
  const deadline = new IdleDeadline(cfg.timeoutMs, signal);
  const started = performance.now();
  try {
    const res = await send(cfg, ctx, deadline, MODELS_PATH);
    const raw = await readText(res, deadline);
    const ms = Math.round(performance.now() - started);
    const listed = modelIds(raw);
    if (!listed) throw malformedError(ctx, `a ${MODELS_PATH} answer without a "data" list`, raw);
    const models = listed.ids;
    const where = `${endpointUrl(cfg, '')} answered in ${ms} ms`;
    if (models.length === 0) {
      return { ok: true, models, ms, message: `${where} but serves no model.` };
    }
    if (!cfg.model) {
      return {
        ok: true,
        models,
        ms,
        suggestedModel: listed.preferred,
        message: `${where}; no model is set — it serves ${list(models)}; use "${listed.preferred}"?`,
      };
    }
    if (models.includes(cfg.model)) {
      return { ok: true, models, ms, modelServed: true, message: `${where} and serves "${cfg.model}".` };
    }
    return {
      ok: true,
      models,
      ms,
      modelServed: false,
      suggestedModel: listed.preferred,
      message: `${where} but does not serve "${cfg.model}"; it serves ${list(models)}.`,
    };
  } catch (err) {
    return { ok: false, message: asInferenceError(err, deadline, ctx).message };
  } finally {
    deadline.dispose();
  }
}
