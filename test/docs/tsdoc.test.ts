// Checks that the public surface (everything reachable from src/index.ts) carries TSDoc.
// Walks the exports with the TypeScript compiler API: namespaces recursively (nn, nn.utils.rnn,
// optim.lrScheduler, ...), and the public members of every exported class, including the Tensor
// methods added by `declare module` augmentations in src/ops/*.ts. Rules:
// - every symbol has a doc comment with a description (tags alone do not count);
// - every namespace (`export * as nn`) has a comment typedoc shows: one on an `export * as` line, or
//   its file's leading comment tagged `@module`;
// - every exported function, callable const and class also has an `@example` tag;
// - every exported function, callable const and class links to the page it mirrors (any http(s)
//   URL, e.g. `See https://pytorch.org/docs/1.13/generated/torch.nn.LSTM.html`), or says
//   "No PyTorch counterpart";
// - members (methods, properties, accessors) need a description only; an override that inherits
//   its base member's comment counts as documented, as it does in typedoc's output, except
//   `forward`, whose inputs and outputs differ per module;
// - overloads are documented on their first signature (typedoc copies that comment to the others);
// - `@internal`, private, protected, `#private` members and constructors are not part of the surface.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Finding {
  name: string;
  where: string;
}

interface Report {
  checked: number;
  noDoc: Finding[];
  noExample: Finding[];
  noLink: Finding[];
}

function hasTag(decl: ts.Node, tag: string): boolean {
  return ts.getJSDocTags(decl).some((t) => t.tagName.text === tag);
}

/** The JSDoc blocks written directly on a declaration (for a variable, on its statement). */
function jsDocsOf(decl: ts.Node): ts.JSDoc[] {
  const own = (decl as { jsDoc?: ts.JSDoc[] }).jsDoc ?? [];
  if (own.length > 0) return own;
  if (ts.isVariableDeclaration(decl)) {
    const stmt = decl.parent?.parent;
    if (stmt && ts.isVariableStatement(stmt)) return (stmt as { jsDoc?: ts.JSDoc[] }).jsDoc ?? [];
  }
  return [];
}

function docText(doc: ts.JSDoc): string {
  const c = doc.comment;
  if (c === undefined) return '';
  return typeof c === 'string' ? c : c.map((p) => p.text).join('');
}

/** Overloads: typedoc shows the first signature's comment (the implementation's is not shown). */
function docDecls(decls: readonly ts.Node[]): readonly ts.Node[] {
  const fnLike = (d: ts.Node): boolean => ts.isFunctionDeclaration(d) || ts.isMethodDeclaration(d) || ts.isMethodSignature(d);
  return decls.length > 1 && decls.every(fnLike) ? [decls[0]!] : decls;
}

function hasDescription(decls: readonly ts.Node[]): boolean {
  return docDecls(decls).some((d) => jsDocsOf(d).some((j) => docText(j).trim().length > 0));
}

function hasLink(decls: readonly ts.Node[]): boolean {
  return docDecls(decls).some((d) => jsDocsOf(d).some((j) => /https?:\/\/|no pytorch counterpart/i.test(j.getFullText())));
}

function hasExample(decls: readonly ts.Node[]): boolean {
  return docDecls(decls).some((d) => jsDocsOf(d).some((j) => (j.tags ?? []).some((t) => t.tagName.text === 'example')));
}

function isInternal(decls: readonly ts.Node[]): boolean {
  return decls.some((d) => jsDocsOf(d).some((j) => (j.tags ?? []).some((t) => t.tagName.text === 'internal')) || hasTag(d, 'internal'));
}

/** The file's leading `/** ... *\/` comment, if it is tagged `@module` / `@packageDocumentation` and has text. */
function moduleCommentOf(sf: ts.SourceFile): boolean {
  const text = sf.getFullText();
  const ranges = ts.getLeadingCommentRanges(text, 0) ?? [];
  return ranges.some((r) => {
    const c = text.slice(r.pos, r.end);
    if (!c.startsWith('/**') || !/@(module|packageDocumentation)\b/.test(c)) return false;
    const body = c.slice(3, c.indexOf('@')).replace(/^\s*\*/gm, '').trim();
    return body.length > 0;
  });
}

/**
 * Walks the exports of `entry`; declarations outside `srcDir` (lib.d.ts, node_modules) are not
 * ours to document. Locations are reported relative to `base`.
 */
function check(entry: string, srcDir: string, base = root): Report {
  const where = (decl: ts.Node): string => {
    const sf = decl.getSourceFile();
    const { line } = sf.getLineAndCharacterOfPosition(decl.getStart(sf));
    return `${path.relative(base, sf.fileName)}:${line + 1}`;
  };
  const isSourceDecl = (decl: ts.Node): boolean => {
    const f = decl.getSourceFile().fileName;
    return !f.includes('/node_modules/') && f.startsWith(srcDir + path.sep);
  };

  const program = ts.createProgram([entry], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const sf = program.getSourceFile(entry);
  if (!sf) throw new Error(`cannot load ${entry}`);
  const moduleSym = checker.getSymbolAtLocation(sf);
  if (!moduleSym) throw new Error('src/index.ts has no module symbol');

  const report: Report = { checked: 0, noDoc: [], noExample: [], noLink: [] };
  const seenSymbols = new Set<ts.Symbol>();
  const seenMembers = new Set<ts.Node>();

  const resolve = (s: ts.Symbol): ts.Symbol => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);

  /** A described JSDoc on one of the `export ... as name` declarations between `raw` and its target. */
  const aliasChainDocumented = (raw: ts.Symbol): boolean => {
    let s: ts.Symbol | undefined = raw;
    for (let i = 0; s && s.flags & ts.SymbolFlags.Alias && i < 10; i++) {
      for (const d of s.declarations ?? []) {
        const exportDecl = ts.isNamespaceExport(d) ? d.parent : ts.isExportSpecifier(d) ? d.parent.parent : d;
        if (hasDescription([exportDecl])) return true;
      }
      s = checker.getImmediateAliasedSymbol(s);
    }
    return false;
  };

  const visitMember = (owner: string, member: ts.Symbol, inheritedDocOk: boolean): void => {
    const decls = (member.declarations ?? []).filter(isSourceDecl);
    if (decls.length === 0) return; // e.g. members inherited from lib types
    // One report per declaration site, however many exported classes inherit it.
    const key = decls[0]!;
    if (seenMembers.has(key)) return;
    seenMembers.add(key);
    if (member.name.startsWith('#') || member.name.startsWith('__')) return;
    if (member.flags & ts.SymbolFlags.Prototype) return;
    const mods = decls.map((d) => ts.getCombinedModifierFlags(d as ts.Declaration));
    if (mods.some((m) => m & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected))) return;
    if (decls.some((d) => ts.isPrivateIdentifier((d as ts.NamedDeclaration).name ?? d))) return;
    if (isInternal(decls)) return;
    report.checked++;
    if (hasDescription(decls)) return;
    // An override without its own comment shows its base member's comment (TS and typedoc).
    // Not for `forward`: each module's inputs and outputs differ from Module.forward's.
    if (inheritedDocOk && member.name !== 'forward' && member.getDocumentationComment(checker).length > 0) return;
    report.noDoc.push({ name: `${owner}.${member.name}`, where: where(key) });
  };

  const visitClassMembers = (name: string, sym: ts.Symbol): void => {
    const type = checker.getDeclaredTypeOfSymbol(sym);
    for (const m of checker.getPropertiesOfType(type)) visitMember(name, m, true);
    // statics (exports of the class symbol, minus `prototype`)
    sym.exports?.forEach((m) => visitMember(name, m, true));
  };

  const visit = (name: string, raw: ts.Symbol): void => {
    const sym = resolve(raw);
    const decls = (sym.declarations ?? []).filter(isSourceDecl);
    if (decls.length === 0) return;
    if (seenSymbols.has(sym)) return;
    seenSymbols.add(sym);

    if (sym.flags & ts.SymbolFlags.ValueModule && decls.every((d) => ts.isSourceFile(d))) {
      // `export * as nn from './nn/index.js'`: documented like typedoc does it, by a comment on an
      // `export * as` declaration along the alias chain or by a file comment tagged `@module`.
      report.checked++;
      if (!aliasChainDocumented(raw) && !decls.some((d) => moduleCommentOf(d as ts.SourceFile))) {
        report.noDoc.push({ name, where: `${path.relative(base, decls[0]!.getSourceFile().fileName)}:1 (add @module to its file comment)` });
      }
      for (const e of checker.getExportsOfModule(sym)) visit(`${name}.${e.name}`, e);
      return;
    }
    if (isInternal(decls)) return;
    report.checked++;
    // `export const native = {...}` style namespace objects whose doc is on the alias itself
    const aliasDecls = raw === sym ? [] : (raw.declarations ?? []);
    if (!hasDescription(decls) && !hasDescription(aliasDecls)) report.noDoc.push({ name, where: where(decls[0]!) });

    const isClass = (sym.flags & ts.SymbolFlags.Class) !== 0;
    let needsExample = isClass || (sym.flags & ts.SymbolFlags.Function) !== 0;
    if (!needsExample && sym.flags & ts.SymbolFlags.Variable) {
      // `export const tanh = defineOp(...)`: a callable const is a function to its users.
      const t = checker.getTypeOfSymbol(sym);
      needsExample = t.getCallSignatures().length > 0 || t.getConstructSignatures().length > 0;
    }
    if (needsExample && !hasExample(decls) && !hasExample(aliasDecls)) report.noExample.push({ name, where: where(decls[0]!) });
    if (needsExample && !hasLink(decls) && !hasLink(aliasDecls)) report.noLink.push({ name, where: where(decls[0]!) });
    if (isClass) visitClassMembers(name, sym);
  };

  for (const e of checker.getExportsOfModule(moduleSym)) visit(`torch.${e.name}`, e);
  return report;
}

const fmt = (fs: Finding[]): string => fs.map((f) => `  ${f.name}  (${f.where})`).join('\n');

describe('TSDoc on the public surface', () => {
  const report = check(path.join(root, 'src/index.ts'), path.join(root, 'src'));

  it('walks a substantial surface', () => {
    // Guards against the walker silently finding nothing (e.g. a resolution failure).
    expect(report.checked).toBeGreaterThan(500);
  });

  it('documents every exported symbol and public member', () => {
    expect(report.noDoc.length, `symbols without a doc comment:\n${fmt(report.noDoc)}`).toBe(0);
  });

  it('gives every exported function and class an @example', () => {
    expect(report.noExample.length, `exports without an @example:\n${fmt(report.noExample)}`).toBe(0);
  });

  it('links every exported function and class to the page it mirrors', () => {
    expect(report.noLink.length, `exports without a link (or "No PyTorch counterpart"):\n${fmt(report.noLink)}`).toBe(0);
  });
});

describe('the TSDoc checker itself', () => {
  it('reports undocumented exports, members, namespaces, examples and links', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdoc-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'index.ts'),
        [
          "export * as ns from './ns.js';",
          '/** Documented. See https://example.org @example f() */',
          'export function f(): void {}',
          'export function bare(): void {}',
          '/** Has text but no example or link. */',
          'export const g = (): number => 1;',
          '/** A class. See https://example.org @example new K() */',
          'export class K {',
          '  /** Documented member. */',
          '  a = 1;',
          '  b = 2;',
          '  private hidden = 3;',
          '  /** @internal */',
          '  _skip = 4;',
          '  forward(): void {}',
          '}',
        ].join('\n'),
      );
      fs.writeFileSync(path.join(dir, 'ns.ts'), '/** A file comment without the module tag: typedoc would not show it. */\nexport const v = 1;\n');
      const r = check(path.join(dir, 'index.ts'), dir, dir);
      expect(r.noDoc.map((f) => f.name).sort()).toEqual(['torch.K.b', 'torch.K.forward', 'torch.bare', 'torch.ns']);
      expect(r.noExample.map((f) => f.name).sort()).toEqual(['torch.bare', 'torch.g']);
      expect(r.noLink.map((f) => f.name).sort()).toEqual(['torch.bare', 'torch.g']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
