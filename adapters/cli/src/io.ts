import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Everything the CLI touches outside itself: standard streams, environment and working directory.
 * `runCli` takes one, so tests run the CLI in-process with captured output.
 */
export interface CliIo {
  /** Writes to standard output (text, or exact bytes such as a request body). */
  out(data: string | Uint8Array): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** Reads standard input to its end, as raw bytes. */
  readStdin(): Promise<Uint8Array>;
  /** Environment variables (for `env:` references). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory relative file paths are resolved from. */
  readonly cwd: string;
}

/** The real process streams, environment and working directory. */
export function processIo(): CliIo {
  return {
    out: (data) => process.stdout.write(data),
    err: (text) => process.stderr.write(text),
    readStdin: async () => {
      if (process.stdin.isTTY === true) return new Uint8Array();
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return new Uint8Array(Buffer.concat(chunks));
    },
    env: process.env,
    cwd: process.cwd(),
  };
}

/** A file's bytes, or undefined when it cannot be read. */
export function readFileBytes(io: CliIo, path: string): Uint8Array | undefined {
  try {
    return new Uint8Array(readFileSync(resolve(io.cwd, path)));
  } catch {
    return undefined;
  }
}
