/**
 * Where a provider's demo scenario writes its readable log (the `paykit demo` command prints it).
 * Everything passed here is redacted by the reporter before printing.
 */
export interface DemoReporter {
  /** Starts a titled section (one provider, one scenario). */
  section(title: string): void;
  /** Logs one step: what happened, and optionally the data (request, reply, notification, state). */
  step(what: string, detail?: unknown): void;
}

/** A provider's demo: starts its simulator in-process, walks orders through it, stops it. */
export interface ProviderDemo {
  /** Title of the demo section. */
  readonly title: string;
  /** Runs the scenario; rejects only on a bug (the CLI reports it and exits non-zero). */
  run(reporter: DemoReporter): Promise<void>;
}
