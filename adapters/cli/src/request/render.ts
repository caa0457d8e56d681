import { err, ok } from 'neverthrow';
import { charsetOf, encodeText, guard, PaymentErrors, type HttpRequest, type PaymentAction, type PayResult } from '@paykit/core';

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

/** The form fields as [name, value] pairs, or undefined when they are not an object of strings. Never throws. */
function fieldsOf(fields: unknown): readonly (readonly [string, string])[] | undefined {
  try {
    if (typeof fields !== 'object' || fields === null) return undefined;
    const entries = Object.entries(fields);
    return entries.every(([, value]) => typeof value === 'string') ? entries as [string, string][] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Encodes form fields as the payer's browser would submit them in the form's charset. Fields that
 * are not an object of strings, or a charset that is not a name, are `InvalidRequest`.
 */
export function encodeForm(fields: Readonly<Record<string, string>>, charset: string): PayResult<string> {
  const entries = fieldsOf(fields);
  if (entries === undefined || typeof charset !== 'string') {
    return err(PaymentErrors.invalidRequest('encodeForm takes the form fields (an object of strings) and the form\'s charset name, e.g. "UTF-8"', { path: entries === undefined ? 'fields' : 'charset' }));
  }
  const parts: string[] = [];
  for (const [name, value] of entries) {
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
 * action is its payload. Anything else is `InvalidRequest`.
 */
export function renderAction(action: PaymentAction): PayResult<readonly (string | Uint8Array)[]> {
  return guard('renderAction', () => {
    if (!isAction(action)) {
      return err(PaymentErrors.invalidRequest('renderAction takes the action of a created payment: { kind: "redirect", method, url, fields, charset } or { kind: "sdk", payload }', { path: 'action' }));
    }
    return render(action);
  });
}

/** Whether a value has the shape of a {@link PaymentAction} (the fields are checked by {@link encodeForm}). Never throws. */
function isAction(v: unknown): v is PaymentAction {
  try {
    if (typeof v !== 'object' || v === null) return false;
    const a = v as Record<string, unknown>;
    if (a.kind === 'sdk') return typeof a.payload === 'string';
    return a.kind === 'redirect' && (a.method === 'GET' || a.method === 'POST') && typeof a.url === 'string';
  } catch {
    return false;
  }
}

function render(action: PaymentAction): PayResult<readonly (string | Uint8Array)[]> {
  if (action.kind === 'sdk') return ok([`${action.payload}\n`]);
  return encodeForm(action.fields, action.charset).map((body) => {
    if (action.method === 'GET') {
      const url = body.length === 0 ? action.url : `${action.url}${action.url.includes('?') ? '&' : '?'}${body}`;
      return [head('GET', url, {})];
    }
    return [head('POST', action.url, { 'content-type': `application/x-www-form-urlencoded; charset=${action.charset}` }), body];
  });
}
