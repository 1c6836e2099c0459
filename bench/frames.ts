/** The benchmark event: a bot-hub `log` line of about `size` bytes of JSON, with an id. */
export function logPayload(id: number, stamp: number, size: number): string {
  const head = `{"timestamp_ms":${stamp},"level":"info","scope":"tcp","session_id":"bot-${id % 7}","transport":"tcp","direction":"incoming","n":${id},"message":"`;
  const tail = '"}';
  const fill = Math.max(8, size - head.length - tail.length);
  return `${head}${`VChk {ID=\\"VChk\\" OS=\\"Android\\" OSt=2} seq ${id} `.padEnd(fill, 'x')}${tail}`;
}

/** The same event as one SSE frame. */
export function sseLogFrame(id: number, stamp: number, size: number): string {
  return `event: log\nid: ${id}\ndata: ${logPayload(id, stamp, size)}\n\n`;
}
