// The `data:` payloads of a server-sent-events body, in order, as they arrive. Framing (lines
// split across TCP reads, CRLF, multi-line data, comments such as keep-alive pings) is left to
// eventsource-parser; this only adds the byte decoding and the idle-timer restarts.

import { createParser } from 'eventsource-parser';
import type { IdleDeadline } from './deadline';

export async function* sseData(res: Response, deadline: IdleDeadline): AsyncGenerator<string> {
  if (!res.body) return;
  const queue: string[] = [];
  // unknown fields and bad retry values are ignored, as the SSE spec says a client must
  const parser = createParser({ onEvent: (event) => queue.push(event.data) });
  const reader = res.body.getReader();
  // stream mode keeps a multi-byte character split across two reads intact
  const decoder = new TextDecoder();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      deadline.touch();
      parser.feed(decoder.decode(value, { stream: true }));
      while (queue.length > 0) yield queue.shift() as string;
    }
    parser.feed(decoder.decode());
    // an event not closed by a blank line when the body ended is discarded, as the SSE spec says
    finished = true;
  } finally {
    // a consumer that stopped early (found [DONE], or gave up) leaves the rest unread: drop it
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
