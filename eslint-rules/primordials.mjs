// Node's `prefer-primordials`, for audithook: code that runs in audited processes (src/core,
// src/instrument, src/agent, src/policy/decide.ts, src/contract) must not reach anything the program
// can replace once it runs. Inside functions it may not
// - call a method of a built-in (Array.prototype.push, String.prototype.slice, Object.keys,
//   JSON.stringify, Buffer.from, process.nextTick, fs.writeSync...): the program can replace it;
//   call the capture of src/core/primordials.ts (`ArrayPrototypePush(list, x)`) instead;
// - read a property that built-ins implement as a prototype getter (URL#href, Map#size,
//   TypedArray#length, Symbol#description, ...): a getter the program can redefine;
// - use a built-in global (`new Map()`, `String(x)`, `Error`): globalThis's properties can be replaced;
// - spread (`[...x]`, `f(...x)`, `{ ...x }`), destructure an array or iterate with `for..of`: the
//   iterator and getters run;
// - use `instanceof`: Symbol.hasInstance answers it;
// - define a property with a descriptor that has a prototype: get, set, value, writable... are read
//   through the prototype chain;
// - make a Proxy whose handler has a prototype: every trap it lacks is looked up there, at each use;
// - call a function imported by name from a node: module: the bundle reads it from the module object.
// Module top level runs at load, before any user code: captures happen there. The type checker tells
// built-ins (declared in TypeScript's lib or @types/node) from the package's own objects.
import { ESLintUtils } from '@typescript-eslint/utils';
import ts from 'typescript';

const { SyntaxKind } = ts;

/** Properties that built-ins implement as prototype getters, by the (apparent) type that has them. */
const GETTERS = {
  URL: ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'searchParams', 'hash'],
  Map: ['size'], Set: ['size'], ReadonlyMap: ['size'], ReadonlySet: ['size'],
  ArrayBuffer: ['byteLength'], SharedArrayBuffer: ['byteLength'],
  DataView: ['buffer', 'byteLength', 'byteOffset'],
  Symbol: ['description'],
  RegExp: ['flags', 'source', 'global', 'ignoreCase', 'multiline', 'sticky', 'unicode', 'dotAll', 'hasIndices'],
};
const TYPED_ARRAYS = ['Buffer', 'Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array', 'Float32Array',
  'Float64Array', 'BigInt64Array', 'BigUint64Array', 'Uint8ClampedArray', 'ArrayBufferView', 'NodeJS.TypedArray'];
for (const name of TYPED_ARRAYS) GETTERS[name] = ['length', 'byteLength', 'byteOffset', 'buffer'];

/** Built-in globals that must be captured, not looked up on globalThis at run time. */
const GLOBALS = new Set([
  'Object', 'Array', 'String', 'Number', 'Boolean', 'Symbol', 'BigInt', 'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'Promise',
  'Reflect', 'Proxy', 'JSON', 'Math', 'Date', 'RegExp', 'Error', 'TypeError', 'RangeError', 'SyntaxError', 'URL', 'URLSearchParams',
  'Buffer', 'TextDecoder', 'TextEncoder', 'Atomics', 'SharedArrayBuffer', 'ArrayBuffer', 'DataView', 'Function', 'eval',
  'parseInt', 'parseFloat', 'isNaN', 'isFinite', 'encodeURIComponent', 'decodeURIComponent', 'queueMicrotask', 'structuredClone',
  'setTimeout', 'setImmediate', 'setInterval', 'clearTimeout', 'clearImmediate', 'clearInterval', ...TYPED_ARRAYS.filter((n) => !n.includes('.')),
]);

const isBuiltinDeclaration = (declaration) => {
  const file = declaration.getSourceFile().fileName;
  return /\/typescript\/lib\/lib\.[^/]*\.d\.ts$/.test(file) || file.includes('/@types/node/');
};

/** TypeScript's expression forms: what they wrap is still a value. */
const VALUE_WRAPPERS = new Set(['TSAsExpression', 'TSNonNullExpression', 'TSSatisfiesExpression', 'TSTypeAssertion', 'TSInstantiationExpression']);
/** Whether `node` is part of a type, erased at run time. */
function inType(node) {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type.startsWith('TS') && !VALUE_WRAPPERS.has(current.type)) return true;
    if (current.type.endsWith('Statement') || current.type.endsWith('Declaration')) return false;
  }
  return false;
}

/** Whether `node` runs only when its module loads: not inside any function. */
function atModuleLoad(node) {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === 'FunctionDeclaration' || current.type === 'FunctionExpression' || current.type === 'ArrowFunctionExpression') return false;
    if (current.type === 'MethodDefinition' || current.type === 'PropertyDefinition') return false;
  }
  return true;
}

export default ESLintUtils.RuleCreator.withoutDocs({
  meta: {
    type: 'problem',
    schema: [],
    messages: {
      method: '{{name}} is a built-in method the program can replace: call its capture from src/core/primordials.ts',
      getter: '{{name}} is a built-in getter the program can redefine: read it through a capture from src/core/primordials.ts',
      global: '{{name}} is looked up on globalThis, which the program can change: use its capture from src/core/primordials.ts',
      spread: 'spreading runs the iterator or getters the program can replace: copy with an indexed loop',
      destructuring: 'array destructuring runs the iterator the program can replace: read the items by index',
      forOf: 'for..of runs the iterator the program can replace: use an indexed loop',
      instanceof: 'instanceof asks Symbol.hasInstance, which the program can define: use a brand check (util.types, a captured getter)',
      descriptor: 'a property descriptor with a prototype: defining the property reads get/set/value from Object.prototype, which the program can set: pass nullPrototype({ ... })',
      handler: 'a Proxy handler with a prototype: a trap it lacks (apply, get, has...) is looked up on Object.prototype, which the program can set: pass nullPrototype({ ... })',
      binding: '{{name}} is read from the module object of {{module}} at each call, where the program can replace it: capture it at load',
    },
  },
  defaultOptions: [],
  create(context) {
    const services = ESLintUtils.getParserServices(context);
    const checker = services.program.getTypeChecker();
    const declarationsOf = (node) => {
      const symbol = services.getSymbolAtLocation(node);
      return symbol?.getDeclarations() ?? [];
    };
    const isBuiltin = (node) => {
      const declarations = declarationsOf(node);
      return declarations.length > 0 && declarations.every(isBuiltinDeclaration);
    };
    const typeNames = (node) => {
      const type = checker.getApparentType(services.getTypeAtLocation(node));
      const names = [];
      const visit = (t) => {
        if (t.isUnion()) t.types.forEach(visit);
        const symbol = t.getSymbol() ?? t.aliasSymbol;
        if (symbol) names.push(checker.getFullyQualifiedName(symbol).replace(/^global\./, ''));
      };
      visit(type);
      return names;
    };
    const isNullPrototypeCall = (value) => value?.type === 'CallExpression' && value.callee.type === 'Identifier' && value.callee.name === 'nullPrototype';
    /** `nullPrototype(...)`, or a const initialised with it. */
    const isNullPrototype = (value, at) => {
      if (isNullPrototypeCall(value)) return true;
      if (value?.type !== 'Identifier') return false;
      for (let scope = context.sourceCode.getScope(at); scope; scope = scope.upper) {
        const variable = scope.set.get(value.name);
        if (variable === undefined) continue;
        const definition = variable.defs[0];
        return definition?.type === 'Variable' && definition.parent.kind === 'const' && isNullPrototypeCall(definition.node.init);
      }
      return false;
    };
    const name = (member) => `${context.sourceCode.getText(member.object)}.${member.computed ? `[${context.sourceCode.getText(member.property)}]` : member.property.name}`;

    return {
      MemberExpression(node) {
        if (atModuleLoad(node) || node.object.type === 'Super') return;
        const isCallee = node.parent.type === 'CallExpression' && node.parent.callee === node;
        if (isCallee) {
          if (isBuiltin(node.property) || (node.computed && isBuiltin(node))) context.report({ node, messageId: 'method', data: { name: name(node) } });
          return;
        }
        if (node.computed || node.parent.type === 'AssignmentExpression' && node.parent.left === node) return;
        const property = node.property.name;
        for (const type of typeNames(node.object)) {
          if (GETTERS[type]?.includes(property)) {
            context.report({ node, messageId: 'getter', data: { name: name(node) } });
            return;
          }
        }
      },
      CallExpression(node) {
        if (!atModuleLoad(node) && node.callee.type === 'Identifier' && /^(Object|Reflect)DefineProperty$/.test(node.callee.name)) {
          const descriptor = node.arguments[2];
          if (!isNullPrototype(descriptor, node)) context.report({ node: descriptor ?? node, messageId: 'descriptor' });
        }
        // A bundler turns `import { writeSync } from 'node:fs'` into a look-up on the module object at each call.
        if (node.callee.type !== 'Identifier' || atModuleLoad(node)) return;
        for (const declaration of declarationsOf(node.callee)) {
          if (declaration.kind !== SyntaxKind.ImportSpecifier) continue;
          const module = declaration.parent.parent.parent.moduleSpecifier.text;
          if (/^node:/.test(module)) context.report({ node: node.callee, messageId: 'binding', data: { name: node.callee.name, module } });
        }
      },
      Identifier(node) {
        if (!GLOBALS.has(node.name) || atModuleLoad(node)) return;
        const parent = node.parent;
        // Only references: not property names, keys, declarations or types.
        if (parent.type === 'MemberExpression' && parent.property === node && !parent.computed) return;
        if (parent.type === 'Property' && parent.key === node && !parent.computed) return;
        if (inType(node)) return;
        const declarations = declarationsOf(node);
        if (declarations.length === 0 || !declarations.every(isBuiltinDeclaration)) return;
        context.report({ node, messageId: 'global', data: { name: node.name } });
      },
      NewExpression(node) {
        if (node.callee.type !== 'Identifier' || !/^Proxy(Ctor)?$/.test(node.callee.name)) return;
        const handler = node.arguments[1];
        if (!isNullPrototype(handler, node)) context.report({ node: handler ?? node, messageId: 'handler' });
      },
      SpreadElement(node) {
        if (!atModuleLoad(node)) context.report({ node, messageId: 'spread' });
      },
      ArrayPattern(node) {
        if (!atModuleLoad(node)) context.report({ node, messageId: 'destructuring' });
      },
      ForOfStatement(node) {
        if (!atModuleLoad(node)) context.report({ node, messageId: 'forOf' });
      },
      BinaryExpression(node) {
        if (node.operator === 'instanceof' && !atModuleLoad(node)) context.report({ node, messageId: 'instanceof' });
      },
    };
  },
});
