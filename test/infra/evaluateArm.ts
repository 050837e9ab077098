// A small evaluator of ARM template expressions ("[split(parameters('id'), '/')[2]]"), enough to
// tell, for given parameter values, whether a compiled resource is deployed (its `condition`) and
// which exact resource id its role assignment lands on. It implements only the functions the
// templates under infra/ use and throws on anything else (or on an out-of-range index, as ARM
// does), so a template change it cannot follow fails the test instead of passing unchecked.
// guid() and uniqueString() return readable stand-ins, not Azure's hashes: equal inputs still give
// equal outputs, which is what the tests compare.

export type Json = unknown;

/** Where an expression is evaluated: what parameters(), variables(), reference() and the scope functions see. */
export interface ArmScope {
  parameter(name: string): Json;
  variable(name: string): Json;
  /** reference('symbolicName') of a module in the same template: its outputs, evaluated when read. */
  reference(symbolicName: string): Json;
  subscriptionId(): string;
  /** Undefined in a subscription-scoped template. */
  resourceGroupName(): string | undefined;
  /** copyIndex() inside a copy loop, for the iteration being evaluated; absent outside one (copyIndex() then throws). */
  copyIndex?(): number;
}

/** Values of the lambda variables in scope (lambdaVariables('x')), innermost lambda last. */
type Lambdas = ReadonlyMap<string, Json>;
const NO_LAMBDAS: Lambdas = new Map();

/** Evaluates `value` deeply: expression strings ("[...]") are evaluated, other strings are kept, arrays and objects are walked. */
export function evaluateArm(value: Json, scope: ArmScope): Json {
  if (typeof value === "string") {
    if (!value.startsWith("[") || value.startsWith("[[") || !value.endsWith("]")) return value;
    const parser = new Parser(value.slice(1, -1));
    const node = parser.expression();
    parser.end();
    return evaluateNode(node, scope, NO_LAMBDAS);
  }
  if (Array.isArray(value)) return value.map((v) => evaluateArm(v, scope));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluateArm(v, scope)]));
  }
  return value;
}

type Node =
  | { readonly kind: "literal"; readonly value: string | number }
  | { readonly kind: "call"; readonly name: string; readonly args: readonly Node[] }
  | { readonly kind: "index"; readonly target: Node; readonly index: Node }
  | { readonly kind: "property"; readonly target: Node; readonly name: string };

class Parser {
  private at = 0;
  constructor(private readonly text: string) {}

  expression(): Node {
    this.skipSpace();
    let node = this.primary();
    for (;;) {
      this.skipSpace();
      const c = this.text[this.at];
      if (c === "[") {
        this.at++;
        const index = this.expression();
        this.expect("]");
        node = { kind: "index", target: node, index };
      } else if (c === ".") {
        this.at++;
        node = { kind: "property", target: node, name: this.identifier() };
      } else {
        return node;
      }
    }
  }

  end(): void {
    this.skipSpace();
    if (this.at !== this.text.length) throw new Error(`unexpected '${this.text.slice(this.at)}' in [${this.text}]`);
  }

  private primary(): Node {
    const c = this.text[this.at];
    if (c === "'") return { kind: "literal", value: this.string() };
    if (c !== undefined && /[-\d]/.test(c)) {
      const number = /^-?\d+/.exec(this.text.slice(this.at))![0];
      this.at += number.length;
      return { kind: "literal", value: Number(number) };
    }
    const name = this.identifier();
    this.expect("(");
    const args: Node[] = [];
    this.skipSpace();
    if (this.text[this.at] === ")") {
      this.at++;
      return { kind: "call", name, args };
    }
    for (;;) {
      args.push(this.expression());
      this.skipSpace();
      if (this.text[this.at] === ",") {
        this.at++;
        continue;
      }
      this.expect(")");
      return { kind: "call", name, args };
    }
  }

  private string(): string {
    let out = "";
    this.at++; // opening quote
    for (;;) {
      const c = this.text[this.at];
      if (c === undefined) throw new Error(`unterminated string in [${this.text}]`);
      this.at++;
      if (c !== "'") {
        out += c;
      } else if (this.text[this.at] === "'") {
        out += "'";
        this.at++;
      } else {
        return out;
      }
    }
  }

  private identifier(): string {
    const name = /^[A-Za-z_$][\w$#]*/.exec(this.text.slice(this.at))?.[0];
    if (name === undefined) throw new Error(`expected a name at '${this.text.slice(this.at)}' in [${this.text}]`);
    this.at += name.length;
    return name;
  }

  private expect(c: string): void {
    this.skipSpace();
    if (this.text[this.at] !== c) throw new Error(`expected '${c}' at '${this.text.slice(this.at)}' in [${this.text}]`);
    this.at++;
  }

  private skipSpace(): void {
    while (this.text[this.at] === " ") this.at++;
  }
}

function evaluateNode(node: Node, scope: ArmScope, lambdas: Lambdas): Json {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "index": {
      const target = evaluateNode(node.target, scope, lambdas);
      const index = evaluateNode(node.index, scope, lambdas);
      if (Array.isArray(target) && typeof index === "number") {
        if (index < 0 || index >= target.length) throw new Error(`array index '${index}' is out of bounds (length ${target.length})`);
        return target[index] as Json;
      }
      return property(target, String(index));
    }
    case "property":
      return property(evaluateNode(node.target, scope, lambdas), node.name);
    case "call":
      return call(node.name.toLowerCase(), node.args, scope, lambdas);
  }
}

function property(target: Json, name: string): Json {
  if (typeof target !== "object" || target === null || !(name in target)) {
    throw new Error(`no property '${name}' on ${JSON.stringify(target)}`);
  }
  return (target as Record<string, Json>)[name];
}

function call(name: string, argNodes: readonly Node[], scope: ArmScope, lambdas: Lambdas): Json {
  // if() evaluates only the branch taken, as ARM does.
  if (name === "if") {
    const [test, then, otherwise] = argNodes;
    return evaluateNode(bool(evaluateNode(test!, scope, lambdas)) ? then! : otherwise!, scope, lambdas);
  }
  // map(array, lambda('x', body)): the body once per element, with lambdaVariables('x') bound to it.
  if (name === "map") {
    const [source, fn] = argNodes;
    if (argNodes.length !== 2 || fn?.kind !== "call" || fn.name.toLowerCase() !== "lambda" || fn.args.length !== 2) {
      throw new Error("map() takes an array and a one-parameter lambda()");
    }
    const variable = str(evaluateNode(fn.args[0]!, scope, lambdas));
    const items = evaluateNode(source!, scope, lambdas);
    if (!Array.isArray(items)) throw new Error(`map() of a non-array: ${JSON.stringify(items)}`);
    return items.map((item: Json) => evaluateNode(fn.args[1]!, scope, new Map([...lambdas, [variable, item]])));
  }
  if (name === "lambda") throw new Error("lambda() outside map()");
  const args = argNodes.map((a) => evaluateNode(a, scope, lambdas));
  const text = (i: number): string => str(args[i]);
  const subscriptionId = (): string => scope.subscriptionId();
  switch (name) {
    case "parameters":
      return scope.parameter(text(0));
    case "variables":
      return scope.variable(text(0));
    case "reference":
      return scope.reference(text(0));
    case "copyindex": {
      if (args.length !== 0) throw new Error("evaluateArm: copyIndex() with arguments (loop name, offset) is not supported");
      if (scope.copyIndex === undefined) throw new Error("copyIndex() outside a copy loop");
      return scope.copyIndex();
    }
    case "lambdavariables": {
      if (!lambdas.has(text(0))) throw new Error(`lambdaVariables('${text(0)}') outside its lambda`);
      return lambdas.get(text(0));
    }
    case "subscription":
      return { id: `/subscriptions/${subscriptionId()}`, subscriptionId: subscriptionId() };
    case "resourcegroup": {
      const rg = scope.resourceGroupName();
      if (rg === undefined) throw new Error("resourceGroup() in a subscription-scoped template");
      return { id: `/subscriptions/${subscriptionId()}/resourceGroups/${rg}`, name: rg };
    }
    case "deployment":
      return { name: "deployment", location: "eastus" };
    // A made-up tenant, and the public cloud's login endpoint (environment() in the Azure public cloud).
    case "tenant":
      return { tenantId: "00000000-0000-4000-8000-0000000000e1" };
    case "environment":
      return { name: "AzureCloud", authentication: { loginEndpoint: "https://login.microsoftonline.com/" } };
    case "resourceid":
      return resourceId(args.map(str), scope);
    case "subscriptionresourceid":
      return `/subscriptions/${subscriptionId()}/providers/${typedName(args.map(str))}`;
    case "not":
      return !bool(args[0]);
    case "and":
      return args.every(bool);
    case "or":
      return args.some(bool);
    case "equals":
      return JSON.stringify(args[0]) === JSON.stringify(args[1]);
    case "empty": {
      const v = args[0];
      return v === null || v === "" || (Array.isArray(v) && v.length === 0) || (typeof v === "object" && Object.keys(v).length === 0);
    }
    case "length":
      return (array(args[0]) as Json[] | string).length;
    case "split":
      return text(0).split(text(1));
    case "last":
    case "first": {
      const v = array(args[0]);
      if (v.length === 0) throw new Error(`${name}() of an empty value`);
      return name === "last" ? v[v.length - 1] : v[0];
    }
    case "format":
      return text(0).replace(/\{(\d+)\}/g, (_, i: string) => str(args[Number(i) + 1]));
    case "concat":
      // Arrays concatenate as arrays, anything else as strings (ARM does not mix the two).
      if (args.length > 0 && args.every(Array.isArray)) return (args as Json[][]).flat(1);
      return args.map(str).join("");
    case "json":
      return JSON.parse(text(0)) as Json;
    case "createarray":
      return args;
    case "createobject": {
      if (args.length % 2 !== 0) throw new Error("createObject() takes key/value pairs");
      return Object.fromEntries(Array.from({ length: args.length / 2 }, (_, i) => [text(2 * i), args[2 * i + 1]]));
    }
    case "union": {
      // Arrays only (the templates union role scopes): the distinct elements of all, in order (ARM's union()).
      if (!args.every(Array.isArray)) throw new Error("evaluateArm: union() of objects is not supported");
      const seen = new Map<string, Json>();
      for (const item of (args as Json[][]).flat(1)) seen.set(JSON.stringify(item), item);
      return [...seen.values()];
    }
    case "flatten": {
      const v = args[0];
      if (!Array.isArray(v) || !v.every(Array.isArray)) throw new Error(`flatten() of something other than an array of arrays: ${JSON.stringify(v)}`);
      return (v as Json[][]).flat(1);
    }
    case "mul": {
      // Integers only, as ARM's mul(int, int).
      if (args.length !== 2 || !args.every(Number.isInteger)) throw new Error(`mul() takes two integers: ${JSON.stringify(args)}`);
      return (args[0] as number) * (args[1] as number);
    }
    case "tolower":
      return text(0).toLowerCase();
    case "guid":
      return `guid(${args.map(str).join(",")})`;
    case "uniquestring":
      return `unique(${args.map(str).join(",")})`;
    default:
      throw new Error(`evaluateArm: unsupported function ${name}()`);
  }
}

/** resourceId([subscriptionId], [resourceGroupName], type, name...) in a resource-group-scoped template. */
function resourceId(args: readonly string[], scope: ArmScope): string {
  const typeAt = args.findIndex((a) => a.includes("/"));
  if (typeAt < 0 || typeAt > 2) throw new Error(`resourceId(${args.join(", ")}): no resource type`);
  const sub = typeAt === 2 ? args[0]! : scope.subscriptionId();
  const rg = typeAt >= 1 ? args[typeAt - 1]! : scope.resourceGroupName();
  if (rg === undefined) throw new Error(`resourceId(${args.join(", ")}) outside a resource group`);
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/${typedName(args.slice(typeAt))}`;
}

/** ("Microsoft.X/a/b", "n1", "n2") -> "Microsoft.X/a/n1/b/n2" */
function typedName([type, ...names]: readonly string[]): string {
  const [namespace, ...types] = type!.split("/");
  if (types.length !== names.length) throw new Error(`type ${type} takes ${types.length} name(s), got ${names.length}`);
  return [namespace, ...types.flatMap((t, i) => [t, names[i]])].join("/");
}

function str(v: Json): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw new Error(`not a string: ${JSON.stringify(v)}`);
}

function bool(v: Json): boolean {
  if (typeof v !== "boolean") throw new Error(`not a boolean: ${JSON.stringify(v)}`);
  return v;
}

function array(v: Json): readonly Json[] | string {
  if (typeof v === "string" || Array.isArray(v)) return v as readonly Json[] | string;
  throw new Error(`not an array or string: ${JSON.stringify(v)}`);
}
