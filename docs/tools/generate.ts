/**
 * The parts of the guides that come from code, so they cannot go stale:
 *
 * - the capability matrix of docs/providers/README.md, from each provider plugin's declared
 *   `capabilities`, `limits` and exported extension tokens (`*Tokens`);
 * - the options table of each provider's page (docs/providers/<plugin id>.md), from the options
 *   interface the package registers for `defineConfig` (`PaykitPluginOptions`), option by option
 *   with its TSDoc.
 *
 * Each generated part sits between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` in a
 * committed page, so the pages read the same on GitHub and in the site. `npm run docs` rewrites
 * them before typedoc runs; `--check` only says which pages differ (docs/test/generated.test.ts
 * runs the same check).
 *
 *   node --conditions=@paykit/source --import tsx/esm docs/tools/generate.ts [--check]
 */
import { readdirSync, readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { CAPABILITIES, type Capability, type ProviderPlugin } from '@paykit/core';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** One option of a provider, as its options interface declares it. */
export interface OptionDoc {
  /** The option's key. */
  readonly name: string;
  /** Whether the interface marks it required (no `?`). */
  readonly required: boolean;
  /** Its type as a merchant writes it (references such as `env:NAME` left out). */
  readonly type: string;
  /** Its TSDoc, as one line of markdown. */
  readonly doc: string;
}

/** What the generated parts say about one provider package. */
export interface ProviderFacts {
  /** The package name, e.g. `@paykit/provider-lianlian-web`. */
  readonly packageName: string;
  /** The plugin as the package exports it. */
  readonly plugin: Pick<ProviderPlugin, 'id' | 'displayName' | 'capabilities' | 'limits'>;
  /** Extension tokens the package exports (`LianlianWebTokens.Cards`, …). */
  readonly extensions: readonly string[];
  /** The options interface registered for the plugin id. */
  readonly optionsInterface: string;
  /** Its options, in declaration order. */
  readonly options: readonly OptionDoc[];
  /** The provider's page, relative to the root: docs/providers/<plugin id>.md. */
  readonly page: string;
}

const isPlugin = (v: unknown): v is ProviderPlugin =>
  typeof v === 'object' && v !== null && typeof (v as ProviderPlugin).id === 'string' &&
  Array.isArray((v as ProviderPlugin).capabilities) && 'configCodec' in v && 'module' in v;

const isTokenSet = (name: string, v: unknown): v is Readonly<Record<string, symbol>> =>
  name.endsWith('Tokens') && typeof v === 'object' && v !== null &&
  Object.values(v).length > 0 && Object.values(v).every((t) => typeof t === 'symbol');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** A TSDoc comment as one line of table markdown: `{@link X}` as code, paragraphs kept apart. */
function docText(node: ts.Node): string {
  const jsDoc = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc).at(-1);
  if (jsDoc === undefined) return '';
  const text = ts.getTextOfJSDocComment(jsDoc.comment) ?? '';
  const tags = (jsDoc.tags ?? [])
    .filter((t) => t.tagName.text === 'defaultValue')
    .map((t) => `Default: ${ts.getTextOfJSDocComment(t.comment) ?? ''}`);
  return [text, ...tags]
    .join('\n\n')
    .replace(/\{@link(?:code|plain)?\s+([^}|\s]+)(?:\s*\|\s*([^}]+))?\}/g, (_, target: string, label?: string) => label ?? `\`${target}\``)
    .split(/\n\s*\n/)
    .map(oneLine)
    .filter((p) => p !== '')
    .join('<br><br>');
}

/**
 * A type as a merchant writes it in a config: `ConfigText` is a string, the `ConfigReference`
 * member of a union is left out (the page says once that any string may be a reference), string
 * literals are quoted as in JSON.
 */
function typeText(node: ts.TypeNode): string {
  if (ts.isUnionTypeNode(node)) {
    return node.types.filter((t) => !(ts.isTypeReferenceNode(t) && t.typeName.getText() === 'ConfigReference')).map(typeText).join(' | ');
  }
  if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) return JSON.stringify(node.literal.text);
  if (ts.isTypeReferenceNode(node) && node.typeName.getText() === 'ConfigText') return 'string';
  if (ts.isTypeOperatorNode(node) && node.operator === ts.SyntaxKind.ReadonlyKeyword) return typeText(node.type);
  if (ts.isArrayTypeNode(node)) return `${typeText(node.elementType)}[]`;
  if (ts.isTypeLiteralNode(node)) {
    const members = node.members.filter(ts.isPropertySignature).map((m) => `${m.name.getText()}${m.questionToken ? '?' : ''}: ${m.type ? typeText(m.type) : 'unknown'}`);
    return `{ ${members.join(', ')} }`;
  }
  return oneLine(node.getText());
}

/** Keys of the token object `name` whose TSDoc says `@internal` (bound by the plugin for itself, not extensions). */
function internalTokens(files: readonly ts.SourceFile[], name: string): Set<string> {
  const internal = new Set<string>();
  for (const file of files) {
    for (const statement of file.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      for (const d of statement.declarationList.declarations) {
        if (!ts.isIdentifier(d.name) || d.name.text !== name || d.initializer === undefined) continue;
        let init: ts.Expression = d.initializer;
        while (ts.isAsExpression(init) || ts.isSatisfiesExpression(init) || ts.isParenthesizedExpression(init)) init = init.expression;
        if (!ts.isObjectLiteralExpression(init)) continue;
        for (const p of init.properties) {
          if (p.name !== undefined && ts.getJSDocTags(p).some((t) => t.tagName.text === 'internal')) internal.add(p.name.getText());
        }
      }
    }
  }
  return internal;
}

/** Plugin id → options interface name, from `declare module '@paykit/core' { interface PaykitPluginOptions { … } }`. */
export function registeredOptions(file: ts.SourceFile): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (node: ts.Node): void => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === 'PaykitPluginOptions') {
      for (const m of node.members) {
        if (ts.isPropertySignature(m) && m.type && ts.isTypeReferenceNode(m.type)) {
          const key = ts.isStringLiteral(m.name) || ts.isIdentifier(m.name) ? m.name.text : m.name.getText();
          found.set(key, m.type.typeName.getText());
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

export function optionsOf(files: readonly ts.SourceFile[], interfaceName: string, packageName: string): OptionDoc[] {
  const declarations = files.flatMap((f) => f.statements.filter((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === interfaceName));
  if (declarations.length !== 1) throw new Error(`${packageName}: expected one declaration of ${interfaceName}, found ${declarations.length}`);
  return declarations[0]!.members.filter(ts.isPropertySignature).map((m) => {
    const name = m.name.getText().replace(/^['"]|['"]$/g, '');
    const doc = docText(m);
    if (doc === '') throw new Error(`${packageName}: option ${interfaceName}.${name} has no TSDoc: document it, it is the options page`);
    return { name, required: m.questionToken === undefined, type: m.type ? typeText(m.type) : 'unknown', doc };
  });
}

/** Reads every provider package under providers/: its plugin (imported), its options (parsed). */
export async function collectProviders(root = ROOT): Promise<ProviderFacts[]> {
  const providersDir = join(root, 'providers');
  const facts: ProviderFacts[] = [];
  for (const dir of readdirSync(providersDir).sort()) {
    const pkgPath = join(providersDir, dir, 'package.json');
    if (!existsSync(pkgPath)) continue;
    const packageName = (JSON.parse(readFileSync(pkgPath, 'utf8')) as { name: string }).name;
    const exports = (await import(packageName)) as Record<string, unknown>;
    const plugins = [...new Map(Object.values(exports).filter(isPlugin).map((p) => [p.id, p])).values()];
    if (plugins.length !== 1) throw new Error(`${packageName}: expected one exported provider plugin, found ${plugins.length}`);
    const plugin = plugins[0]!;
    const files = sourceFiles(join(providersDir, dir, 'src')).map((f) => ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true));
    const extensions = Object.entries(exports)
      .filter(([name, v]) => isTokenSet(name, v))
      .flatMap(([name, v]) => Object.keys(v as object).filter((k) => !internalTokens(files, name).has(k)).map((k) => `${name}.${k}`));
    const optionsInterface = files.map(registeredOptions).find((m) => m.has(plugin.id))?.get(plugin.id);
    if (optionsInterface === undefined) throw new Error(`${packageName}: no PaykitPluginOptions entry for plugin id "${plugin.id}"`);
    facts.push({
      packageName,
      plugin: { id: plugin.id, displayName: plugin.displayName, capabilities: plugin.capabilities, ...(plugin.limits ? { limits: plugin.limits } : {}) },
      extensions,
      optionsInterface,
      options: optionsOf(files, optionsInterface, packageName),
      page: `docs/providers/${plugin.id}.md`,
    });
  }
  return facts;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const duration = (ms: number): string => (ms % DAY === 0 ? `${ms / DAY} days` : ms % MINUTE === 0 ? `${ms / MINUTE} minutes` : `${ms} ms`);

function limitsText(limits: ProviderPlugin['limits']): string {
  const parts: string[] = [];
  if (limits?.queryWindowMs !== undefined) parts.push(`answers queries for ${duration(limits.queryWindowMs)}`);
  if (limits?.redeliveryWindowMs !== undefined) parts.push(`redelivers notifications for ${duration(limits.redeliveryWindowMs)}`);
  return parts.join('; ');
}

/**
 * The capability matrix: one column per provider (the template last), one row per capability core
 * knows, then the extensions and the provider-side limits.
 */
export function capabilityMatrix(providers: readonly ProviderFacts[], capabilities: readonly Capability[] = CAPABILITIES): string {
  const ordered = [...providers].sort((a, b) => Number(a.plugin.id === 'example') - Number(b.plugin.id === 'example') || a.plugin.id.localeCompare(b.plugin.id));
  const head = ['capability', ...ordered.map((p) => `[${p.plugin.displayName}](${p.plugin.id}.md)<br>\`${p.plugin.id}\``)];
  const rows = [
    ...capabilities.map((c) => [`\`${c}\``, ...ordered.map((p) => (p.plugin.capabilities.includes(c) ? '✓' : ''))]),
    ['extensions', ...ordered.map((p) => p.extensions.map((e) => `\`${e}\``).join(', '))],
    ['provider-side limits', ...ordered.map((p) => limitsText(p.plugin.limits))],
    ['package', ...ordered.map((p) => `\`${p.packageName}\``)],
  ];
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** The options table of one provider's page. */
export function optionsTable(p: ProviderFacts): string {
  return [
    '| option | type | meaning |',
    '| --- | --- | --- |',
    ...p.options.map((o) => `| \`${o.name}\`${o.required ? '<br>**required**' : ''} | ${cell(`\`${o.type}\``)} | ${cell(o.doc)} |`),
    '',
    `Every string option may also be written as a reference, \`env:NAME\` or \`file:PATH\` ` +
      `([Configuration](../configuration.md#credentials-env-and-file)); write keys that way. The table is ` +
      `\`${p.optionsInterface}\` of \`${p.packageName}\`, the type \`defineConfig\` checks these options against.`,
  ].join('\n');
}

const BEGIN = (name: string): string => `<!-- generated:${name} -->`;
const END = (name: string): string => `<!-- /generated:${name} -->`;
const NOTE = '<!-- Generated by docs/tools/generate.ts (npm run docs); edit the source it names, not this block. -->';

/** `text` with the block `name` replaced by `content`; an error when the page has no such block. */
export function replaceBlock(text: string, name: string, content: string, page: string): string {
  const begin = text.indexOf(BEGIN(name));
  const end = text.indexOf(END(name));
  if (begin < 0 || end < begin) throw new Error(`${page}: no ${BEGIN(name)} … ${END(name)} block to fill`);
  return `${text.slice(0, begin)}${BEGIN(name)}\n${NOTE}\n\n${content}\n\n${text.slice(end)}`;
}

/** Every generated page with its new text: path relative to the root → text. */
export function renderPages(providers: readonly ProviderFacts[], root = ROOT): Map<string, string> {
  const pages = new Map<string, string>();
  const read = (page: string): string => {
    const path = join(root, page);
    if (!existsSync(path)) throw new Error(`${page} is missing: every provider plugin needs its page there`);
    return pages.get(page) ?? readFileSync(path, 'utf8');
  };
  const overview = 'docs/providers/README.md';
  pages.set(overview, replaceBlock(read(overview), 'capabilities', capabilityMatrix(providers), overview));
  for (const p of providers) pages.set(p.page, replaceBlock(read(p.page), 'options', optionsTable(p), p.page));
  return pages;
}

/** Pages whose committed text differs from what the code says. */
export function stalePages(pages: ReadonlyMap<string, string>, root = ROOT): string[] {
  return [...pages].filter(([page, text]) => readFileSync(join(root, page), 'utf8') !== text).map(([page]) => page);
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const pages = renderPages(await collectProviders());
  const stale = stalePages(pages);
  if (check) {
    if (stale.length > 0) {
      console.error(`generated docs are stale: ${stale.join(', ')}; run npm run docs (or node --conditions=@paykit/source --import tsx/esm docs/tools/generate.ts)`);
      process.exitCode = 1;
    }
    return;
  }
  for (const page of stale) writeFileSync(join(ROOT, page), pages.get(page)!);
  console.log(stale.length > 0 ? `docs: regenerated ${stale.join(', ')}` : 'docs: generated parts are up to date');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main().catch((e: unknown) => {
    console.error(`docs/tools/generate.ts: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  });
}

