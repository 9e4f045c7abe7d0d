// The OpenAI-compatible backend of the Playground and the CLI (vLLM as the paper serves it, or any
// server speaking /v1/chat/completions). No vscode import: core/ is shared with the `esc` CLI.

export { DEFAULT_SAMPLING, PAPER_API_KEY, PAPER_PRESETS, endpointLabel, withEndpointDefaults, type EndpointConfig, type EndpointRole } from './config';
export { parseEndpointSpec } from './endpointSpec';
export { CHAT_PATH, chatRequestBody, chatText, completeChat, streamChat, type ChatCompletion, type ChatOptions } from './chatCompletions';
export { HttpError } from './errors';
export { LOGPROBS_NOTE, strategyProbabilities, type TokenLogprob, type TopLogprob } from './logprobs';
export { OpenAIGenerator, OpenAIJoint, OpenAIPlanner, PLANNER_LOGPROBS } from './backends';
export { parsePlannerAnswer } from './plannerAnswer';
export { MODELS_PATH, testConnection, type ConnectionResult } from './testConnection';
