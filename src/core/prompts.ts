// The exact system prompts of the DecoupledESC release (FORMATS.md). Models are trained on these
// strings, so they are reproduced byte for byte; every other module imports them from here.

/** System prompt of the vanilla (joint strategy + response) SFT files. */
export const VANILLA_SYSTEM_PROMPT =
  "You are a psychologist with a professional background in psychology and mental health, providing empathic responses to help seekers' psychological problems and completing psychological counseling.\n" +
  "Your response should flow naturally, avoid being too long or too short, avoid using overly instructional language, and make sure your response fits the client's needs and context. Specially, your response should consist of two parts: 1. The reply strategy 2. The corresponding reply content aligned with the strategy. The strategies include:[Question], [Restatement or Paraphrasing], [Reflection of feelings], [Self-disclosure], [Affirmation and Reassurance], [Providing Suggestions], [Information], [Others]. For example, the format of response:[your strategy] your reply content.\n" +
  'The conversation is as follows:\n';

/** System prompt of the strategy planner (SP). */
export const PLANNER_SYSTEM_PROMPT =
  "You are an emotional strategy identifier. Based on the seeker's questions, as well as the conversation between the seeker and the supporter, please provide the supporter with reference emotional strategies.\n" +
  'The strategies include:Question, Restatement or Paraphrasing, Reflection of feelings, Self-disclosure, Affirmation and Reassurance, Providing Suggestions, Information, Others. Specially, your response should consist of only one part: the reply strategy.\n' +
  'The conversation is as follows:\n';

const GENERATOR_PREFIX =
  "You are a psychologist with a professional background in psychology and mental health, providing empathic responses to help seekers' psychological problems and completing psychological counseling.\n" +
  "Your response should flow naturally, avoid being too long or too short, avoid using overly instructional language, and make sure your response fits the client's needs and context. You will be provided with a reference response strategy, and you are to generate reply content based on that strategy. For example, the format of response: <your reply content>. The strategies include:Question, Restatement or Paraphrasing, Reflection of feelings, Self-disclosure, Affirmation and Reassurance, Providing Suggestions, Information, Others. Your current reference response strategy is ";
const GENERATOR_SUFFIX = '.\nThe conversation is as follows:\n';

/** System prompt of the response generator (RG) with `{reply_strategy}` filled in. */
export function generatorSystemPrompt(strategy: string): string {
  return GENERATOR_PREFIX + strategy + GENERATOR_SUFFIX;
}

const STRATEGY_SENTENCE_RE = /reference response strategy is ([^\n]+?)\.\s*(?:\n|$)/;

/**
 * The strategy a generator system prompt is conditioned on: exact for the paper's prompt, and also
 * found in edited prompts that keep the "reference response strategy is X." sentence.
 */
export function strategyOfGeneratorPrompt(systemPrompt: string): string | undefined {
  if (systemPrompt.startsWith(GENERATOR_PREFIX) && systemPrompt.endsWith(GENERATOR_SUFFIX)) {
    return systemPrompt.slice(GENERATOR_PREFIX.length, systemPrompt.length - GENERATOR_SUFFIX.length);
  }
  return STRATEGY_SENTENCE_RE.exec(systemPrompt)?.[1]?.trim();
}

export type PromptKind = 'vanilla' | 'planner' | 'generator';

/** Which paper prompt a system message is, if any (exact match, or the generator template). */
export function paperPromptKind(systemPrompt: string): PromptKind | undefined {
  if (systemPrompt === VANILLA_SYSTEM_PROMPT) return 'vanilla';
  if (systemPrompt === PLANNER_SYSTEM_PROMPT) return 'planner';
  if (systemPrompt.startsWith(GENERATOR_PREFIX) && systemPrompt.endsWith(GENERATOR_SUFFIX)) return 'generator';
  return undefined;
}

/** Loose recognition of edited prompts, by the sentence that defines each role. */
export function likelyPromptKind(systemPrompt: string): PromptKind | undefined {
  const exact = paperPromptKind(systemPrompt);
  if (exact) return exact;
  if (/emotional strategy identifier|consist of only one part: the reply strategy/i.test(systemPrompt)) return 'planner';
  if (STRATEGY_SENTENCE_RE.test(systemPrompt)) return 'generator';
  if (/consist of two parts/i.test(systemPrompt)) return 'vanilla';
  return undefined;
}
