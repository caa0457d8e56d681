import { guardAsync, isSensitiveField, maskCardNumber, maskCardNumbersIn, maskFieldValue } from '@paykit/core';
import { stringOption } from '../argv.js';
import type { Command } from '../command.js';
import { EXIT, fail, redactedJson, usageError } from '../output.js';
import { REQUEST_OPERATIONS } from '../request/operations.js';
import { RecordingTransport } from '../request/recording-transport.js';
import { renderAction, renderRequest } from '../request/render.js';
import { buildFromConfigFile, parseJsonObject } from './shared.js';

const OPERATION_LIST = Object.entries(REQUEST_OPERATIONS).map(([name, o]) => `  ${name.padEnd(18)} input: ${o.input}`).join('\n');

function isAction(v: unknown): v is { readonly action: Parameters<typeof renderAction>[0] } {
  return typeof v === 'object' && v !== null && 'action' in v && typeof (v as { action: unknown }).action === 'object';
}

/** `paykit request`: prints the exact HTTP request an operation would send, sending nothing. */
/**
 * A part of the printed request with every card number masked (first 6 and last 4 digits), the
 * rest byte for byte: a card number never reaches CLI output, and merchant, order and provider
 * numbers (neither UnionPay's 62… nor Luhn-valid) stay readable. Card digits are ASCII in every
 * charset a provider uses (UTF-8, GBK), so body bytes are read one to one (latin1) and written back.
 */
function masked(part: string | Uint8Array): string | Uint8Array {
  const mask = (text: string): string => maskCardNumbersIn(maskSensitiveFields(text), { keepIdentifiers: true });
  return typeof part === 'string' ? mask(part) : Buffer.from(mask(Buffer.from(part).toString('latin1')), 'latin1');
}

/** A field written `k=v` (a form), `"k":"v"` (JSON) or `%22k%22%3A%22v%22` (JSON inside a form field): the text up to the value, the name, the value. */
const FIELD_FORMS = [/((?:^|[&?])([A-Za-z_][\w.]*)=)([^&\r\n]*)/g, /("([A-Za-z_][\w.]*)"\s*:\s*")([^"\\]*)/g, /(%22([A-Za-z_][\w.]*)%22%3A%22)(.*?)(?=%22)/gi];

/**
 * Masks by name what the digit heuristics may miss: card and account numbers (first 6 and last 4
 * kept), id numbers (the payer's `id_no`, `user_info_id_no` in LianLian's risk_item), security codes.
 */
function maskSensitiveFields(text: string): string {
  return FIELD_FORMS.reduce((out, form) => out.replace(form, (m: string, head: string, key: string, value: string) =>
    (!isSensitiveField(key) ? m : `${head}${/card|acct|account|pan/i.test(key) ? maskCardNumber(value) : maskFieldValue(key, value)}`)), text);
}

export const requestCommand: Command = {
  name: 'request',
  summary: 'print the exact HTTP request an operation would send (sends nothing)',
  options: { config: 'string' },
  help: `Usage: paykit request --config FILE OPERATION < input.json

Builds paykit from the config file, reads the operation's input as JSON on standard input and
prints the exact HTTP request the routed provider would send: request line, headers, blank line,
body bytes. Nothing is sent, and no record is read or written: the config's store section is
checked but not opened. For payments.create with a redirect action, prints the form
submission the payer's browser would make (URL-encoded in the form's charset); for an sdk action,
prints the payload. Dates (createdAt, requestedAt, registeredAt) are ISO 8601 strings with a zone;
money is { "amount": <integer minor units>, "currency": "CNY" }.

Operations:
${OPERATION_LIST}

Options:
  --config FILE   paykit config file (env:/file: references resolve relative to its directory)
  -h, --help      show this help

Example:
  echo '{"orderId":"A1001","amount":{"amount":4965,"currency":"CNY"},"description":"Tea"}' \\
    | paykit request --config paykit.config.json payments.create
`,
  async run(args, ctx) {
    const { io } = ctx;
    const configFile = stringOption(args, 'config');
    if (configFile === undefined) return usageError(io, 'request', '--config is required');
    const [opName, extra] = args.positionals;
    if (opName === undefined) return usageError(io, 'request', `missing OPERATION; one of ${Object.keys(REQUEST_OPERATIONS).join(', ')}`);
    if (extra !== undefined) return usageError(io, 'request', `unexpected argument "${extra}"`);
    const operation = REQUEST_OPERATIONS[opName];
    if (operation === undefined) return usageError(io, 'request', `unknown operation "${opName.slice(0, 40)}"; one of ${Object.keys(REQUEST_OPERATIONS).join(', ')}`);

    const input = parseJsonObject(await io.readStdin(), `${operation.input} input`);
    if (input.isErr()) return fail(io, input.error);
    const call = operation.prepare(input.value, opName);
    if (call.isErr()) return fail(io, call.error);
    const transport = new RecordingTransport();
    // The operation goes straight to the provider's service, which never reads or writes a record:
    // the store section is checked, not opened.
    const built = await buildFromConfigFile(ctx, configFile, transport, 'check');
    if (built.isErr()) return fail(io, built.error);
    const { paykit } = built.value;
    try {
      const svc = paykit.service(operation.capability, operation.name);
      if (svc.isErr()) return fail(io, svc.error);
      const result = await guardAsync(opName, () => call.value(svc.value.service));

      if (transport.captured.length > 0) {
        for (const [i, { request, options }] of transport.captured.entries()) {
          io.err(`# ${options.operation} (${options.kind}, timeout ${options.timeoutMs} ms) via instance ${svc.value.instance.id}: not sent\n`);
          if (i > 0) io.out('\n');
          for (const part of renderRequest(request)) io.out(masked(part));
          io.out('\n');
        }
        return EXIT.ok;
      }
      if (result.isErr()) return fail(io, result.error);
      if (opName === 'payments.create' && isAction(result.value)) {
        const action = result.value.action;
        const parts = renderAction(action);
        if (parts.isErr()) return fail(io, parts.error);
        io.err(action.kind === 'sdk'
          ? `# sdk action${action.mode !== undefined ? ` (mode ${action.mode})` : ''} via instance ${svc.value.instance.id}: hand this payload to the provider's SDK\n`
          : `# redirect action via instance ${svc.value.instance.id}: the payer's browser submits this form\n`);
        for (const part of parts.value) io.out(masked(part));
        io.out('\n');
        return EXIT.ok;
      }
      io.err(`# ${opName} sends no HTTP request with this provider; it returned:\n`);
      io.out(`${redactedJson(result.value)}\n`);
      return EXIT.ok;
    } finally {
      await paykit.close();
    }
  },
};
