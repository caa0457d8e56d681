import { JsonLogger, MemoryLogger } from './src/index.js';
const throwingGetter = Object.defineProperty({}, 'amount', { get() { throw new Error('getter'); }, enumerable: true });
const hostileProxy = new Proxy({}, { get() { throw new Error('proxy get'); }, has() { throw new Error('proxy has'); }, ownKeys() { throw new Error('proxy keys'); }, getPrototypeOf() { throw new Error('proxy proto'); } });
const badToString = { toString() { throw new Error('toString'); }, valueOf() { throw new Error('valueOf'); } };
const NASTY: unknown[] = [null, undefined, throwingGetter, hostileProxy, badToString, Symbol('s'), 10n, Number.NaN, [], Object.create(null), () => 1, new Date(NaN)];
const lines: string[] = [];
for (const L of [new JsonLogger({ write: (s: string) => lines.push(s) } as never), new MemoryLogger()]) {
  for (const a of NASTY) for (const b of NASTY) {
    for (const lvl of ['info', a]) {
      try { (L as { log: (...x: unknown[]) => void }).log(lvl, a, b); } catch (e) { console.log(L.constructor.name, 'threw', String((e as Error).message).slice(0, 60), typeof a, typeof b); }
      try { (L as { log: (...x: unknown[]) => void }).log('info', 'msg', { f: a, g: b }); } catch (e) { console.log(L.constructor.name, 'threw(fields)', String((e as Error).message).slice(0, 60)); }
    }
  }
}
console.log('done', lines.length);
