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
      /** The first served model, offered when none is configured or the configured one is not served. */
      suggestedModel?: string;
    }
  | { ok: false; message: string };

function modelIds(raw: string): string[] | undefined {
  try {
    const j = JSON.parse(raw) as { data?: unknown };
    if (!Array.isArray(j?.data)) return undefined;
    return j.data.flatMap((m: unknown) =>
      typeof m === 'object' && m !== null && typeof (m as { id?: unknown }).id === 'string' ? [(m as { id: string }).id] : [],
    );
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
    const models = modelIds(raw);
    if (!models) throw malformedError(ctx, `a ${MODELS_PATH} answer without a "data" list`, raw);
    const where = `${endpointUrl(cfg, '')} answered in ${ms} ms`;
    if (models.length === 0) {
      return { ok: true, models, ms, message: `${where} but serves no model.` };
    }
    if (!cfg.model) {
      return {
        ok: true,
        models,
        ms,
        suggestedModel: models[0],
        message: `${where}; no model is set — it serves ${list(models)}; use "${models[0]}"?`,
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
      suggestedModel: models[0],
      message: `${where} but does not serve "${cfg.model}"; it serves ${list(models)}.`,
    };
  } catch (err) {
    return { ok: false, message: asInferenceError(err, deadline, ctx).message };
  } finally {
    deadline.dispose();
  }
}
