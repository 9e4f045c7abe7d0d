// What an empty conversation shows: the two stages, the strategy legend, and openers to click.

import type { StrategyChip } from '../../../src/protocol/playground';
import { chip } from '../shared/chips';
import { el } from '../shared/vscodeApi';
import { button } from './dom';

/** Written for this project: typical first messages of a help-seeker in ESConv-style dialogues. */
const OPENERS = [
  "I lost my job last week and I can't stop worrying about money.",
  'My best friend stopped answering my messages and I feel so alone.',
  "Exams start in two weeks and I haven't been able to sleep properly.",
  "My partner and I argue every evening, and I don't know how to fix it.",
];

export function intro(strategies: StrategyChip[], fill: (text: string) => void): HTMLElement {
  const box = el('div', { className: 'pg-intro' });
  box.dataset.testid = 'intro';
  box.append(
    el('p', { text: 'Write as the help-seeker. Each supporter reply is made in two stages:' }),
    el(
      'ol',
      { className: 'stages' },
      el(
        'li',
        {},
        el('strong', { text: 'Strategy planning' }),
        document.createTextNode(' — the planner picks one of the 8 strategies (click another to override).'),
      ),
      el(
        'li',
        {},
        el('strong', { text: 'Response generation' }),
        document.createTextNode(' — the generator writes the reply for that strategy.'),
      ),
    ),
  );
  if (strategies.length > 0) {
    const legend = el('ul', { className: 'legend', title: 'The 8 ESConv strategies' });
    legend.setAttribute('aria-label', 'Strategies');
    for (const s of strategies) legend.append(el('li', {}, chip(s.name)));
    box.append(legend);
  }
  const examples = el('div', { className: 'pg-openers' }, el('div', { className: 'muted', text: 'Try an opener:' }));
  for (const text of OPENERS) examples.append(button(text, () => fill(text), { className: 'pg-opener', testid: 'opener' }));
  box.append(examples);
  return box;
}
