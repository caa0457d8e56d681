import type { HttpReply } from '@paykit/core';

/** A short plain-text reply for what no provider format covers (wrong method, unknown instance). */
export function plainReply(status: number, text: string, extraHeaders: Readonly<Record<string, string>> = {}): HttpReply {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...extraHeaders }, body: text };
}

/**
 * The headers to send with a reply: the reply's own, minus any `content-length` it carries,
 * plus the exact UTF-8 byte length of its body.
 */
export function headersToSend(reply: HttpReply, bodyBytes: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.headers)) {
    if (name.toLowerCase() !== 'content-length') out[name] = value;
  }
  out['content-length'] = String(bodyBytes);
  return out;
}
