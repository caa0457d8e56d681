import { maskCardNumbersIn, type DemoReporter } from '@paykit/core';
import { indent, redactedJson } from './output.js';

/**
 * The `paykit demo` reporter: section headers, numbered steps, and each step's detail as indented,
 * pretty JSON after core's `redact` (so no key or full card number is ever printed).
 *
 * @example
 * ```ts
 * const reporter = new ConsoleDemoReporter((line) => process.stdout.write(line));
 * await exampleDemo.run(reporter);
 * ```
 */
export class ConsoleDemoReporter implements DemoReporter {
  readonly #write: (text: string) => void;
  #step = 0;

  /**
   * Creates a reporter.
   * @param write where the text goes (standard output in the CLI).
   */
  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  /** Prints a section header and restarts step numbering. */
  section(title: string): void {
    this.#step = 0;
    this.#write(`\n--- ${maskCardNumbersIn(title)} ---\n`);
  }

  /** Prints a numbered step and its redacted detail. */
  step(what: string, detail?: unknown): void {
    this.#step += 1;
    this.#write(`  ${this.#step}. ${maskCardNumbersIn(what)}\n`);
    if (detail === undefined) return;
    const text = typeof detail === 'string' ? maskCardNumbersIn(detail) : redactedJson(detail);
    this.#write(`${indent(text, 6)}\n`);
  }
}
