// An endpoint configured without a model name talks to the model its server suggests: the first
// LoRA adapter it lists (a vLLM server with --lora-modules also lists the base model, which is not what
// was trained), else the first model; asked once per use, since the server may be restarted with
// another model.

import type { EndpointConfig, EndpointRole } from './config';
import { testConnection } from './testConnection';
import { InferenceError } from '../dialogue/types';

export async function withServedModel(cfg: EndpointConfig, role: EndpointRole, signal?: AbortSignal): Promise<EndpointConfig> {
  if (cfg.model) return cfg;
  const r = await testConnection(cfg, signal, role);
  if (!r.ok) throw new InferenceError(r.message, 'refused', 'testConnection');
  const model = r.suggestedModel ?? r.models[0];
  if (!model) {
    throw new InferenceError(`${cfg.baseUrl} serves no model; start the server with a model, or set the model name.`, 'model', 'configure');
  }
  return { ...cfg, model };
}
