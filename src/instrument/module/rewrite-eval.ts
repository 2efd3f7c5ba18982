/**
 * Rewrites a module's source so that `eval` is audited while keeping direct eval direct.
 * Bundled with acorn into dist/rewrite-eval.js and loaded only for sources that mention the word
 * `eval` (src/instrument/mentions-eval.ts): most modules never load it.
 *
 * - A direct call `eval(x)` becomes `eval(__audithook.direct(x, FILE))`: still a direct eval (the
 *   callee is untouched), and `direct` raises `compile` before returning `x` unchanged.
 *   `eval(...args)` becomes `eval(...__audithook.spread(args, FILE))`.
 * - Any other reference to `eval` (`(0, eval)(x)`, `const e = eval`, `eval?.(x)`) and the members
 *   `globalThis.eval`, `global.eval`, `window.eval`, `self.eval` become `__audithook.ref(<it>)`,
 *   which returns the audited indirect eval when the value is the real eval and the value itself
 *   otherwise: no scope analysis is needed, a local named `eval` keeps working.
 *
 * Insertions stay on the line of the code they wrap, so line numbers do not change (only columns
 * after an eval on its line do). Code inside `with` cannot be rewritten safely (the object could
 * provide `__audithook`) and the load is refused; so is a module that mentions the identifier
 * `__audithook` itself.
 */
import { parse } from 'acorn';
import { ERR_AUDITHOOK_UNAUDITABLE_SOURCE } from '../../core/errors.js';

const AUDIT = '__audithook';
const GLOBAL_OBJECTS = new Set(['globalThis', 'global', 'window', 'self']);

interface Node {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly [key: string]: unknown;
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Thrown for a source audithook refuses to load (the error the require or import fails with). */
export class UnauditableSourceError extends Error {
  readonly code = ERR_AUDITHOOK_UNAUDITABLE_SOURCE;
  constructor(filename: string, reason: string) {
    super(`audithook: refusing to load ${filename}: ${reason}`);
    this.name = 'UnauditableSourceError';
  }
}

/** The source with eval audited, or the source itself when it has nothing to rewrite or does not parse (Node reports its own SyntaxError). */
export function rewriteEval(source: string, filename: string, isModule: boolean): string {
  // A .js file Node detects as ESM syntax reaches the CommonJS compile step as a script first.
  const ast = parseAs(source, isModule) ?? (isModule ? undefined : parseAs(source, true));
  if (ast === undefined) return source;
  const edits: Edit[] = [];
  const file = JSON.stringify(filename);
  let withDepth = 0;

  const edit = (start: number, end: number, text: string): void => {
    if (withDepth > 0) throw new UnauditableSourceError(filename, `eval inside a with statement at offset ${start} cannot be audited`);
    edits.push({ start, end, text });
  };
  const wrapRef = (node: Node): void => {
    edit(node.start, node.start, `${AUDIT}.ref(`);
    edit(node.end, node.end, ')');
  };

  const visit = (node: Node, parent: Node | null, key: string): void => {
    switch (node.type) {
      case 'Identifier':
        if (node['name'] === AUDIT) throw new UnauditableSourceError(filename, `it uses the identifier ${AUDIT}, reserved by audithook`);
        if (node['name'] === 'eval' && isReference(parent, key)) wrapRef(node);
        return;
      case 'CallExpression': {
        const callee = node['callee'] as Node;
        const args = node['arguments'] as Node[];
        if (node['optional'] !== true && callee.type === 'Identifier' && callee['name'] === 'eval' && args.length > 0) {
          const first = args[0] as Node;
          const target = first.type === 'SpreadElement' ? (first['argument'] as Node) : first;
          edit(target.start, target.start, `${AUDIT}.${first.type === 'SpreadElement' ? 'spread' : 'direct'}(`);
          edit(target.end, target.end, `, ${file})`);
          for (const arg of args) visit(arg, node, 'arguments');
          return;
        }
        break;
      }
      case 'MemberExpression':
        if (isGlobalEval(node) && isReference(parent, key)) {
          wrapRef(node);
          return;
        }
        break;
      case 'Property':
        // `{ eval }` is `{ eval: eval }`: the value is a reference, written out in full.
        if (node['shorthand'] === true && parent?.type === 'ObjectExpression' && (node['key'] as Node)['name'] === 'eval') {
          edit(node.start, node.end, `eval: ${AUDIT}.ref(eval)`);
          return;
        }
        break;
      case 'WithStatement':
        visit(node['object'] as Node, node, 'object');
        withDepth++;
        visit(node['body'] as Node, node, 'body');
        withDepth--;
        return;
    }
    for (const childKey in node) {
      const child = node[childKey];
      if (Array.isArray(child)) {
        for (const item of child) if (isNode(item)) visit(item, node, childKey);
      } else if (isNode(child)) {
        visit(child, node, childKey);
      }
    }
  };
  visit(ast, null, '');
  if (edits.length === 0) return source;
  // Insertions before a replacement at the same offset come first (end ascending).
  edits.sort((a, b) => a.start - b.start || a.end - b.end);
  let output = '';
  let cursor = 0;
  for (const { start, end, text } of edits) {
    output += source.slice(cursor, start) + text;
    cursor = end;
  }
  return output + source.slice(cursor);
}

function parseAs(source: string, isModule: boolean): Node | undefined {
  try {
    return parse(source, {
      ecmaVersion: 'latest',
      sourceType: isModule ? 'module' : 'script',
      allowReturnOutsideFunction: !isModule,
      allowHashBang: true,
    }) as unknown as Node;
  } catch {
    return undefined;
  }
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** `globalThis.eval`, `global['eval']` and the like. */
function isGlobalEval(node: Node): boolean {
  const object = node['object'] as Node;
  const property = node['property'] as Node;
  if (object.type !== 'Identifier' || !GLOBAL_OBJECTS.has(object['name'] as string)) return false;
  return node['computed'] === true ? property.type === 'Literal' && property['value'] === 'eval' : property['name'] === 'eval';
}

/** Whether the node at `parent[key]` is read as a value (not declared, assigned, or a property name). */
function isReference(parent: Node | null, key: string): boolean {
  if (parent === null) return false;
  switch (parent.type) {
    case 'MemberExpression':
      return key === 'object' || parent['computed'] === true;
    case 'Property':
    case 'PropertyDefinition':
    case 'MethodDefinition':
      return key === 'value' || (key === 'key' && parent['computed'] === true);
    case 'VariableDeclarator':
      return key === 'init';
    case 'AssignmentExpression':
    case 'AssignmentPattern':
      return key === 'right';
    case 'UpdateExpression':
    case 'RestElement':
    case 'ArrayPattern':
    case 'ObjectPattern':
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
    case 'ImportSpecifier':
    case 'ImportDefaultSpecifier':
    case 'ImportNamespaceSpecifier':
    case 'ExportSpecifier':
    case 'CatchClause':
      return false;
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
    case 'ClassDeclaration':
    case 'ClassExpression':
      return key === 'body' || key === 'superClass';
    case 'ForInStatement':
    case 'ForOfStatement':
      return key !== 'left';
    case 'UnaryExpression':
      return parent['operator'] !== 'delete';
    default:
      return true;
  }
}
