import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';

/** A metric reader that collects only when asked: the demo's metrics are read once, at the end. */
class EndOfRunReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }

  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The metrics the demos produced, collected through OpenTelemetry's SDK. */
export interface DemoMetrics {
  /** Collects every metric recorded so far and renders it as text, one data point a line. */
  render(): Promise<string>;
  /** Unregisters the meter provider and shuts it down. */
  stop(): Promise<void>;
}

function attributesText(attributes: Readonly<Record<string, unknown>>): string {
  const parts = Object.keys(attributes).sort().map((k) => `${k}=${String(attributes[k])}`);
  return parts.length === 0 ? '' : `{${parts.join(', ')}}`;
}

function valueText(value: number | Histogram, unit: string): string {
  if (typeof value === 'number') return `${Number.isInteger(value) ? value : value.toFixed(3)}${unit === 's' ? ' s' : ''}`;
  const mean = value.count === 0 ? 0 : (value.sum ?? 0) / value.count;
  return `count ${value.count}, mean ${(mean * (unit === 's' ? 1000 : 1)).toFixed(unit === 's' ? 1 : 3)}${unit === 's' ? ' ms' : ''}`;
}

/**
 * Registers a meter provider globally for the demos' paykits (each picks it up when `createPaykit`
 * runs), so that `paykit demo --metrics` can print what paykit's instrumentation recorded.
 */
export function startDemoMetrics(): DemoMetrics {
  const reader = new EndOfRunReader();
  const provider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(provider);
  return {
    async render() {
      const { resourceMetrics } = await reader.collect();
      const lines: string[] = [];
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const m of scope.metrics) {
          const points = (m.dataPoints as DataPoint<number | Histogram>[])
            .map((p) => `  ${m.descriptor.name}${attributesText(p.attributes)}  ${valueText(p.value, m.descriptor.unit)}`)
            .sort();
          lines.push(...points);
        }
      }
      return lines.length === 0 ? '  (none recorded)\n' : `${lines.join('\n')}\n`;
    },
    async stop() {
      metrics.disable();
      await provider.shutdown().catch(() => undefined);
    },
  };
}
