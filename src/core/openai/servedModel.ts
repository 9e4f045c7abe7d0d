// An endpoint configured without a model name talks to the first model its server lists (a vLLM
// server usually serves exactly one); asked once per use, since the server may be restarted with
// another model.

import type { EndpointConfig, EndpointRole } from './config';
import { testConnection } from './testConnection';
import { InferenceError } from '../dialogue/types';

export async function withServedModel(cfg: EndpointConfig, role: EndpointRole, signal?: AbortSignal): Promise<EndpointConfig> {
  if (cfg.model) return cfg;
  const r = await testConnection(cfg, signal, role);
  if (!r.ok) throw new InferenceError(r.message, 'refused', 'testConnection');
  const model = r.models[0];
  if (!model) {
    throw new InferenceError(`${cfg.baseUrl} serves no model; start the server with a model, or set the model name.`, 'model', 'configure');
  }
  return { ...cfg, model };
}
