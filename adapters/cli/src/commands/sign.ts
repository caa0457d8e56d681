import { PaymentErrors, type SignToolOptions } from '@paykit/core';
import { stringOption } from '../argv.js';
import type { Command } from '../command.js';
import { EXIT, fail, maskCardFields, usageError } from '../output.js';
import { findProvider, hideSecret, inFlagTerms, type KeyFlag, parseJsonObject, readKeyFile, resolveOptionValue } from './shared.js';

/** `paykit sign`: signs request fields read as JSON on standard input. */
export const signCommand: Command = {
  name: 'sign',
  summary: 'sign request fields (JSON on stdin) the way a provider expects',
  options: { provider: 'string', key: 'string', 'sign-type': 'string', 'md5-key': 'string', 'private-key': 'string', message: 'string', explain: 'boolean' },
  help: `Usage: paykit sign --provider ID [--sign-type T] [--md5-key K | --private-key FILE] [--message NAME] [--explain] < fields.json

Reads the request fields as a JSON object on standard input, signs them with the provider's
signing rules and prints the signature.

Options:
  --provider ID        provider plugin id (required)
  --sign-type T        sign type in the provider's vocabulary (e.g. MD5, RSA)
  --md5-key K          MD5 key; "env:NAME" or "file:PATH" read it from the environment or a file
  --key K              the same option under a generic name, for providers whose symmetric key
                       is not an MD5 key (e.g. Example Pay's HMAC key)
  --private-key FILE   RSA private key file (PEM, base64 or DER)
  --message NAME       which request format, for providers with several
  --explain            also print the field name and the exact signed text
                       (an MD5 key appears in it as <md5Key>)
  -h, --help           show this help

Example:
  echo '{"order_id":"A1001","amount":"49.65"}' | paykit sign --provider example --md5-key env:EXAMPLE_MD5_KEY --explain
`,
  async run(args, ctx) {
    const { io } = ctx;
    const id = stringOption(args, 'provider');
    if (id === undefined) return usageError(io, 'sign', '--provider is required');
    if (args.positionals.length > 0) return usageError(io, 'sign', `unexpected argument "${args.positionals[0]}"`);
    if (stringOption(args, 'md5-key') !== undefined && stringOption(args, 'key') !== undefined) return usageError(io, 'sign', '--key is another name for --md5-key: give one');
    const md5Option = stringOption(args, 'md5-key') ?? stringOption(args, 'key');
    // Errors name the symmetric key's flag as the user typed it.
    const keyFlag: KeyFlag = stringOption(args, 'key') !== undefined ? '--key' : '--md5-key';
    const keyFile = stringOption(args, 'private-key');
    if (md5Option !== undefined && keyFile !== undefined) return usageError(io, 'sign', `give either ${keyFlag} or --private-key, not both`);
    const provider = findProvider(ctx, id);
    if (typeof provider === 'string') return usageError(io, 'sign', provider);
    const tools = provider.plugin.tools;
    if (tools === undefined) return fail(io, PaymentErrors.unsupported('tools', `provider ${id} offers no signing tool`, { providerId: id }));

    const md5Result = md5Option === undefined ? undefined : resolveOptionValue(io, md5Option, keyFlag);
    if (md5Result !== undefined && md5Result.isErr()) return fail(io, md5Result.error);
    const md5Key = md5Result?.value;
    const keyResult = keyFile === undefined ? undefined : readKeyFile(io, keyFile, '--private-key');
    if (keyResult !== undefined && keyResult.isErr()) return fail(io, keyResult.error);
    const privateKey = keyResult?.value;
    const fields = parseJsonObject(await io.readStdin(), 'request fields');
    if (fields.isErr()) return fail(io, fields.error);

    const signType = stringOption(args, 'sign-type');
    const message = stringOption(args, 'message');
    const options: SignToolOptions = {
      ...(signType !== undefined ? { signType } : {}),
      ...(md5Key !== undefined ? { md5Key } : {}),
      ...(privateKey !== undefined ? { privateKey } : {}),
      ...(message !== undefined ? { message } : {}),
    };
    const signed = tools.sign(fields.value, options);
    if (signed.isErr()) return fail(io, inFlagTerms(signed.error, keyFlag));
    if (args.options.explain === true) {
      // Providers already write the key as <md5Key>; hiding it again here costs nothing. Card
      // numbers are masked as `verify --explain` masks them (first 6, last 4).
      const text = maskCardFields(hideSecret(signed.value.signedText, md5Key, '<md5Key>'));
      io.out(`field:       ${signed.value.field}\nsignature:   ${signed.value.signature}\nsigned text: ${text}\n`);
    } else {
      io.out(`${signed.value.signature}\n`);
    }
    return EXIT.ok;
  },
};
