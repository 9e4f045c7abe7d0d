// Plain-language descriptions of a detected layout, shared by the CLI and the editor.

import type { Container } from '../json/scanner';
import type { RecordLayout } from './classify';

export function describeContainer(container: Container | undefined, bom: boolean): string {
  const c = container === 'jsonl' ? 'JSON Lines' : container === 'json-array' ? 'JSON array' : 'unreadable';
  return bom ? `${c}, UTF-8 with BOM` : `${c}, UTF-8`;
}

export function describeLayout(layout: RecordLayout): string {
  const parts: string[] = [];
  if (layout.pairLayout === 'trl') parts.push('TRL prompt/chosen/rejected');
  else if (layout.pairLayout === 'sharegpt') parts.push('LLaMA-Factory sharegpt ranking');
  if (layout.conversationKey) parts.push(`conversation in "${layout.conversationKey}"`);
  if (layout.tags) parts.push(`${layout.tags} tags`);
  if (layout.systemPrompt === 'paper') parts.push("the paper's system prompt");
  else if (layout.systemPrompt === 'custom') parts.push('an edited system prompt');
  else if (layout.systemPrompt === 'none' && layout.kind.startsWith('sft')) parts.push('no system prompt');
  return parts.join('; ');
}
