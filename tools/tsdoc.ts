/**
 * What the TSDoc of the project's sources tells a reader, read with TypeScript's own parser: the
 * text and the `@default` of each documented setting (a config schema's key, a component
 * argument), so that a test holds the default to the value the code applies and
 * tools/config-doc.ts writes the config reference from it. Reads text only: nothing here loads
 * the modules.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const PROJECT_DIR = path.resolve(__dirname, "..");

/** One property of an interface or of an object literal in a variable's initializer. */
export interface DocumentedProperty {
    /** Where it stands: the declaring interface or variable, then its path (`AwsSchema.fleet`). */
    readonly key: string;
    /** The file that declares it, from the project folder. */
    readonly file: string;
    /** Its TSDoc text without the tags, on one line ("" when it has none). */
    readonly text: string;
    /** Its `@default`, trimmed. */
    readonly default?: string;
    /**
     * The identifiers its value is built from, outside object literals and functions
     * (`fleet: AwsFleetSchema.prefault({})` gives `AwsFleetSchema`): where the keys of a schema
     * declared elsewhere are documented.
     */
    readonly refs: readonly string[];
}

/** An interface or a variable of a file, with its own TSDoc text. */
export interface DocumentedOwner {
    readonly name: string;
    readonly file: string;
    readonly text: string;
}

/** What `documentedSources` reads from a set of files. */
export interface DocumentedSources {
    /** Every property, keyed by `DocumentedProperty.key`; the first file wins a repeated key. */
    readonly properties: ReadonlyMap<string, DocumentedProperty>;
    /** Every interface and variable, by name; the first file wins a repeated name. */
    readonly owners: ReadonlyMap<string, DocumentedOwner>;
    /** The file's opening TSDoc (its module comment), by file. */
    readonly modules: ReadonlyMap<string, string>;
}

/** Whitespace (line breaks included) collapsed: TSDoc text as one line. */
export function oneLine(text: string | undefined): string {
    return (text ?? "").replace(/\s+/g, " ").trim();
}

/** The TSDoc text (without tags) and the `@default` of a node. */
function docOf(node: ts.Node): { text: string; default?: string } {
    const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
    const doc = docs[docs.length - 1];
    const tag = ts.getJSDocTags(node).find((t) => t.tagName.text === "default");
    const value = tag && ts.getTextOfJSDocComment(tag.comment)?.trim();
    return {
        text: oneLine(doc && ts.getTextOfJSDocComment(doc.comment)),
        ...(value ? { default: value } : {}),
    };
}

/** The identifiers an expression is built from, outside object literals and functions. */
function refsOf(expression: ts.Expression | undefined): string[] {
    const refs: string[] = [];
    const visit = (node: ts.Node) => {
        if (ts.isIdentifier(node)) refs.push(node.text);
        else if (ts.isPropertyAccessExpression(node)) visit(node.expression);
        else if (
            !ts.isObjectLiteralExpression(node) &&
            !ts.isArrowFunction(node) &&
            !ts.isFunctionExpression(node)
        )
            ts.forEachChild(node, visit);
    };
    if (expression) visit(expression);
    return refs;
}

function readSource(file: string): ts.SourceFile {
    const text = fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
    return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
}

/**
 * Every property of `file` (a path from the project folder), keyed by where it stands: the
 * interface or variable that declares it, then the property's path in it
 * (`AsgFleetArgs.instanceRefresh.minHealthyPercentage`, `AppSchema.ingress.className`), and the
 * interfaces and variables themselves.
 */
function readFile(file: string): {
    properties: DocumentedProperty[];
    owners: DocumentedOwner[];
    module: string;
} {
    const source = readSource(file);
    const properties: DocumentedProperty[] = [];
    const owners: DocumentedOwner[] = [];
    const visit = (node: ts.Node, at: string | undefined) => {
        if (
            (ts.isInterfaceDeclaration(node) || ts.isVariableDeclaration(node)) &&
            ts.isIdentifier(node.name)
        ) {
            owners.push({ name: node.name.text, file, text: docOf(node).text });
            at = `${node.name.text}.`;
        } else if (
            (ts.isPropertySignature(node) || ts.isPropertyAssignment(node)) &&
            (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) &&
            at !== undefined
        ) {
            const key = `${at}${node.name.text}`;
            properties.push({
                key,
                file,
                ...docOf(node),
                refs: ts.isPropertyAssignment(node) ? refsOf(node.initializer) : [],
            });
            at = `${key}.`;
        } else if (ts.isShorthandPropertyAssignment(node) && at !== undefined) {
            // `{ oidcIssuerUrl }`: a key whose value is the variable of that name.
            properties.push({
                key: `${at}${node.name.text}`,
                file,
                ...docOf(node),
                refs: [node.name.text],
            });
        }
        ts.forEachChild(node, (child) => visit(child, at));
    };
    visit(source, undefined);
    const first = source.statements[0];
    const module = first
        ? oneLine(
              ts
                  .getJSDocCommentsAndTags(first)
                  .filter(ts.isJSDoc)
                  .map((d) => ts.getTextOfJSDocComment(d.comment))[0],
          )
        : "";
    return { properties, owners, module };
}

/** The properties, owners and module comments of `files` (paths from the project folder). */
export function documentedSources(files: readonly string[]): DocumentedSources {
    const properties = new Map<string, DocumentedProperty>();
    const owners = new Map<string, DocumentedOwner>();
    const modules = new Map<string, string>();
    for (const file of files) {
        const read = readFile(file);
        for (const p of read.properties) if (!properties.has(p.key)) properties.set(p.key, p);
        for (const o of read.owners) if (!owners.has(o.name)) owners.set(o.name, o);
        modules.set(file, read.module);
    }
    return { properties, owners, modules };
}

/**
 * Every `@default` of `file` (a path from the project folder), its text trimmed, keyed by where it
 * stands: the interface or variable that declares it, then the property's path in it
 * (`AsgFleetArgs.instanceRefresh.minHealthyPercentage`, `AppSchema.ingress.className`).
 * With `owner`, only those of that interface or variable (which `file` must declare), keyed by
 * the path in it (`instanceRefresh.minHealthyPercentage`).
 */
export function documentedDefaults(file: string, owner?: string): Map<string, string> {
    const read = readFile(file);
    const defaults = new Map<string, string>();
    for (const p of read.properties) {
        if (p.default !== undefined) defaults.set(p.key, p.default);
    }
    if (owner === undefined) return defaults;
    if (!read.owners.some((o) => o.name === owner)) throw new Error(`${file} declares no ${owner}`);
    return new Map(
        [...defaults]
            .filter(([key]) => key.startsWith(`${owner}.`))
            .map(([key, value]) => [key.slice(owner.length + 1), value]),
    );
}

/** The start of a `@default` text that is a value as TypeScript writes it. */
const DOCUMENTED_VALUE =
    /^("(?:[^"\\]|\\.)*"|\[[^\]]*\]|\{[^}]*\}|-?\d+(?:\.\d+)?(?![\w.])|true\b|false\b)/;

/**
 * The value a `@default` text starts with: a quoted string, a number, a boolean, a list or an
 * object as TypeScript writes them (`"app"`, `2`, `true`, `["0.0.0.0/0"]`,
 * `{ cpu: "100m", memory: "128Mi" }`); undefined when it starts with prose ("none: required",
 * "a key created with rotation on").
 */
export function documentedValue(text: string | undefined): unknown {
    return documentedValueParts(text)?.value;
}

/**
 * `documentedValue`, with the text that follows the value (`[] (any account)` gives `[]` and
 * "(any account)"); undefined when the text starts with prose.
 */
export function documentedValueParts(
    text: string | undefined,
): { value: unknown; rest: string } | undefined {
    const trimmed = text?.trim() ?? "";
    const m = DOCUMENTED_VALUE.exec(trimmed);
    if (!m) return undefined;
    // Object keys as TypeScript writes them (`{ cpu: "100m" }`) quoted for JSON.
    const value: unknown = JSON.parse(m[1].replace(/([{,]\s*)([A-Za-z_$][\w$]*)\s*:/g, '$1"$2":'));
    return { value, rest: trimmed.slice(m[1].length).trim() };
}
