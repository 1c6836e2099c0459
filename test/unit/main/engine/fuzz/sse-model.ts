/**
 * A reference reading of an event stream, written straight from the WHATWG "interpreting an
 * event stream" steps (https://html.spec.whatwg.org/multipage/server-sent-events.html) with
 * no concern for speed or chunking: the whole body is decoded at once, split into lines,
 * and each line processed in order. The fuzz tests hold the real transport to it.
 */

export interface ModelFrame {
  data: string;
  /** The event type buffer, `null` when empty (dispatched as `message`). */
  event: string | null;
  /** The last event ID string at dispatch, `null` when empty. */
  id: string | null;
}

export interface ModelResult {
  frames: ModelFrame[];
  retries: number[];
  lastEventId: string | null;
}

/** Reads a complete body as the spec does; `lastEventId` is the id in force before it. */
export function interpretEventStream(body: Uint8Array, lastEventId: string | null = null): ModelResult {
  // "UTF-8 decode": replacement characters for errors, then one leading BOM is ignored.
  let text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(body);
  if (text.startsWith('\uFEFF')) text = text.slice(1);

  const frames: ModelFrame[] = [];
  const retries: number[] = [];
  let data = '';
  let eventType = '';
  let idBuffer = lastEventId ?? '';
  let lastEventIdString = idBuffer;

  const dispatch = (): void => {
    lastEventIdString = idBuffer;
    if (data === '') {
      eventType = '';
      return;
    }
    if (data.endsWith('\n')) data = data.slice(0, -1);
    frames.push({
      data,
      event: eventType === '' ? null : eventType,
      id: lastEventIdString === '' ? null : lastEventIdString,
    });
    data = '';
    eventType = '';
  };

  const processField = (field: string, value: string): void => {
    switch (field) {
      case 'event':
        eventType = value;
        break;
      case 'data':
        data += `${value}\n`;
        break;
      case 'id':
        if (!value.includes('\0')) idBuffer = value;
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) retries.push(Number.parseInt(value, 10));
        break;
      default:
        // "Otherwise: The field is ignored."
        break;
    }
  };

  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char !== '\n' && char !== '\r') continue;
    const line = text.slice(start, i);
    // CRLF is one line ending.
    if (char === '\r' && text[i + 1] === '\n') i++;
    start = i + 1;
    if (line === '') dispatch();
    else if (line.startsWith(':')) continue;
    else {
      const colon = line.indexOf(':');
      if (colon === -1) processField(line, '');
      else {
        const value = line.slice(colon + 1);
        processField(line.slice(0, colon), value.startsWith(' ') ? value.slice(1) : value);
      }
    }
  }
  // What follows the last line ending is an incomplete line: discarded at the end of the body,
  // like any event that was not dispatched.
  return { frames, retries, lastEventId: lastEventIdString === '' ? null : lastEventIdString };
}
