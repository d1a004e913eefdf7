/**
 * What the TSDoc of the project's sources tells a reader, read with TypeScript's own parser: the
 * `@default` of each documented setting (a config schema's key, a component argument), so that a
 * test holds it to the value the code applies. Reads text only: nothing here loads the modules.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const PROJECT_DIR = path.resolve(__dirname, "..");

/**
 * Every `@default` of `file` (a path from the project folder), its text trimmed, keyed by where it
 * stands: the interface or variable that declares it, then the property's path in it
 * (`AsgFleetArgs.instanceRefresh.minHealthyPercentage`, `AppSchema.ingress.className`).
 * With `owner`, only those of that interface or variable (which `file` must declare), keyed by
 * the path in it (`instanceRefresh.minHealthyPercentage`).
 */
export function documentedDefaults(file: string, owner?: string): Map<string, string> {
    const text = fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const defaults = new Map<string, string>();
    const owners = new Set<string>();
    const visit = (node: ts.Node, at: string | undefined) => {
        if (
            (ts.isInterfaceDeclaration(node) || ts.isVariableDeclaration(node)) &&
            ts.isIdentifier(node.name)
        ) {
            owners.add(node.name.text);
            at = `${node.name.text}.`;
        } else if (
            (ts.isPropertySignature(node) || ts.isPropertyAssignment(node)) &&
            (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) &&
            at !== undefined
        ) {
            const key = `${at}${node.name.text}`;
            const tag = ts.getJSDocTags(node).find((t) => t.tagName.text === "default");
            const value = tag && ts.getTextOfJSDocComment(tag.comment)?.trim();
            if (value) defaults.set(key, value);
            at = `${key}.`;
        }
        ts.forEachChild(node, (child) => visit(child, at));
    };
    visit(source, undefined);
    if (owner === undefined) return defaults;
    if (!owners.has(owner)) throw new Error(`${file} declares no ${owner}`);
    return new Map(
        [...defaults]
            .filter(([key]) => key.startsWith(`${owner}.`))
            .map(([key, value]) => [key.slice(owner.length + 1), value]),
    );
}

/**
 * The value a `@default` text starts with: a quoted string, a number, a boolean, a list or an
 * object as TypeScript writes them (`"app"`, `2`, `true`, `["0.0.0.0/0"]`,
 * `{ cpu: "100m", memory: "128Mi" }`); undefined when it starts with prose ("none: required",
 * "a key created with rotation on").
 */
export function documentedValue(text: string | undefined): unknown {
    const m =
        /^("(?:[^"\\]|\\.)*"|\[[^\]]*\]|\{[^}]*\}|-?\d+(?:\.\d+)?(?![\w.])|true\b|false\b)/.exec(
            text?.trim() ?? "",
        );
    if (!m) return undefined;
    // Object keys as TypeScript writes them (`{ cpu: "100m" }`) quoted for JSON.
    return JSON.parse(m[1].replace(/([{,]\s*)([A-Za-z_$][\w$]*)\s*:/g, '$1"$2":'));
}
