import { err, ok } from 'neverthrow';
import { charsetOf, encodeText, type HttpRequest, type PaymentAction, type PayResult } from '@paykit/core';

const UNRESERVED = /^[A-Za-z0-9*\-._]$/;

/** application/x-www-form-urlencoded bytes of one string in a charset, as a browser submits them. */
function formPart(text: string, charset: string): PayResult<string> {
  return charsetOf(charset).andThen((cs) => encodeText(text, cs)).map((bytes) => {
    let out = '';
    for (const b of bytes) {
      const ch = String.fromCharCode(b);
      if (b === 0x20) out += '+';
      else if (b < 0x80 && UNRESERVED.test(ch)) out += ch;
      else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    }
    return out;
  });
}

/** Encodes form fields as the payer's browser would submit them in the form's charset. */
export function encodeForm(fields: Readonly<Record<string, string>>, charset: string): PayResult<string> {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(fields)) {
    const n = formPart(name, charset);
    if (n.isErr()) return err(n.error);
    const v = formPart(value, charset);
    if (v.isErr()) return err(v.error);
    parts.push(`${n.value}=${v.value}`);
  }
  return ok(parts.join('&'));
}

/** The head of an HTTP request as text: request line, headers, blank line. */
function head(method: string, url: string, headers: Readonly<Record<string, string>>): string {
  return `${method} ${url}\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\n`).join('')}\n`;
}

/** An HTTP request as printable parts: the head (text) and the exact body bytes or text. */
export function renderRequest(request: HttpRequest): readonly (string | Uint8Array)[] {
  return request.body === undefined ? [head(request.method, request.url, request.headers)] : [head(request.method, request.url, request.headers), request.body];
}

/**
 * What the payer's browser or app would send for a payment action: a redirect becomes the browser's
 * form submission (POST with a url-encoded body in the form's charset, or GET with a query); an sdk
 * action is its payload.
 */
export function renderAction(action: PaymentAction): PayResult<readonly (string | Uint8Array)[]> {
  if (action.kind === 'sdk') return ok([`${action.payload}\n`]);
  return encodeForm(action.fields, action.charset).map((body) => {
    if (action.method === 'GET') {
      const url = body.length === 0 ? action.url : `${action.url}${action.url.includes('?') ? '&' : '?'}${body}`;
      return [head('GET', url, {})];
    }
    return [head('POST', action.url, { 'content-type': `application/x-www-form-urlencoded; charset=${action.charset}` }), body];
  });
}
