import { PaymentErrors, type VerifyToolOptions } from '@paykit/core';
import { stringOption } from '../argv.js';
import type { Command } from '../command.js';
import { readFileBytes } from '../io.js';
import { EXIT, fail, maskCardFields, redactedJson, usageError } from '../output.js';
import { findProvider, hideSecret, inFlagTerms, type KeyFlag, readKeyFile, resolveOptionValue } from './shared.js';

/** `paykit verify`: checks a provider message (raw bytes on standard input) and prints what it says. */
export const verifyCommand: Command = {
  name: 'verify',
  summary: 'verify a provider reply or notification (raw bytes on stdin)',
  options: { provider: 'string', key: 'string', 'md5-key': 'string', 'public-key': 'string', cert: 'string', message: 'string', explain: 'boolean' },
  help: `Usage: paykit verify --provider ID [--md5-key K | --public-key FILE | --cert FILE] [--message NAME] [--explain] < message

Reads a message the provider sent (a reply or a notification) as raw bytes on standard input,
decodes it and checks its signature. When it is valid, prints the decoded result as JSON (secrets
hidden, card numbers masked) and exits 0; otherwise prints why and exits 1.

Options:
  --provider ID        provider plugin id (required)
  --md5-key K          MD5 key; "env:NAME" or "file:PATH" read it from the environment or a file
  --key K              the same option under a generic name, for providers whose symmetric key
                       is not an MD5 key (e.g. Example Pay's HMAC key)
  --public-key FILE    provider RSA public key file (PEM, base64 or DER)
  --cert FILE          provider certificate file (PEM or DER)
  --message NAME       which message format, when it cannot be recognised
  --explain            also print the exact text whose signature was checked
  -h, --help           show this help

Example:
  paykit verify --provider example --md5-key env:EXAMPLE_MD5_KEY < notification.txt
`,
  async run(args, ctx) {
    const { io } = ctx;
    const id = stringOption(args, 'provider');
    if (id === undefined) return usageError(io, 'verify', '--provider is required');
    if (args.positionals.length > 0) return usageError(io, 'verify', `unexpected argument "${args.positionals[0]}"`);
    if (stringOption(args, 'md5-key') !== undefined && stringOption(args, 'key') !== undefined) return usageError(io, 'verify', '--key is another name for --md5-key: give one');
    const md5Option = stringOption(args, 'md5-key') ?? stringOption(args, 'key');
    // Errors name the symmetric key's flag as the user typed it.
    const keyFlag: KeyFlag = stringOption(args, 'key') !== undefined ? '--key' : '--md5-key';
    const publicKeyFile = stringOption(args, 'public-key');
    const certFile = stringOption(args, 'cert');
    if ([md5Option, publicKeyFile, certFile].filter((v) => v !== undefined).length > 1) {
      return usageError(io, 'verify', `give only one of ${keyFlag}, --public-key and --cert`);
    }
    const provider = findProvider(ctx, id);
    if (typeof provider === 'string') return usageError(io, 'verify', provider);
    const tools = provider.plugin.tools;
    if (tools === undefined) return fail(io, PaymentErrors.unsupported('tools', `provider ${id} offers no verification tool`, { providerId: id }));

    const md5Result = md5Option === undefined ? undefined : resolveOptionValue(io, md5Option, keyFlag);
    if (md5Result !== undefined && md5Result.isErr()) return fail(io, md5Result.error);
    const md5Key = md5Result?.value;
    const publicResult = publicKeyFile === undefined ? undefined : readKeyFile(io, publicKeyFile, '--public-key');
    if (publicResult !== undefined && publicResult.isErr()) return fail(io, publicResult.error);
    const publicKey = publicResult?.value;
    const cert = certFile === undefined ? undefined : readFileBytes(io, certFile);
    if (certFile !== undefined && cert === undefined) return fail(io, PaymentErrors.invalidRequest(`--cert: cannot read file ${certFile}`, { path: '--cert' }));

    const raw = await io.readStdin();
    if (raw.length === 0) return fail(io, PaymentErrors.invalidRequest('standard input is empty: pipe the raw message exactly as the provider sent it', { path: 'stdin' }));
    const message = stringOption(args, 'message');
    const options: VerifyToolOptions = {
      ...(md5Key !== undefined ? { md5Key } : {}),
      ...(publicKey !== undefined ? { publicKey } : {}),
      ...(cert !== undefined ? { cert } : {}),
      ...(message !== undefined ? { message } : {}),
    };
    const verified = tools.verify(raw, options);
    if (verified.isErr()) return fail(io, inFlagTerms(verified.error, keyFlag));
    const out: Record<string, unknown> = JSON.parse(redactedJson({ valid: true, message: verified.value.message, result: verified.value.result })) as Record<string, unknown>;
    // The signed text is printed exactly (it is what users compare byte for byte when a signature
    // does not match), with the key hidden and only card-number fields masked.
    if (args.options.explain === true) out.signedText = maskCardFields(hideSecret(verified.value.signedText, md5Key, '<md5Key>'));
    io.out(`${JSON.stringify(out, null, 2)}\n`);
    return EXIT.ok;
  },
};
