/**
 * Writes the config reference, docs/config.md, from the stack config's schema: every key of
 * `StackConfigSchema` (config/index.ts and the sections of config/) with its type and allowed
 * values, its default, whether it must be a secret, and its TSDoc. Types and defaults come from
 * zod (`z.toJSONSchema`), the text from the TSDoc of config/*.ts (tools/tsdoc.ts).
 *
 *   npm run config-doc            rewrite docs/config.md
 *   npm run config-doc -- --check exit 1, naming the stale or missing rows, when the committed
 *                                 file differs from the render (npm test runs it through
 *                                 tests/tools/config-doc.test.ts)
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { z } from "zod";
import { SECRET_CONFIG, StackConfigSchema } from "../config";
import { documentedSources, documentedValueParts, DocumentedSources, oneLine } from "./tsdoc";

const PROJECT_DIR = path.resolve(__dirname, "..");

/** The rendered file, relative to the project folder. */
export const CONFIG_DOC_FILE = "docs/config.md";

/** Where the schema and its TSDoc live. */
const CONFIG_DIR = "config";

/** Keys whose value the program refuses unless Pulumi holds it as a secret (config/index.ts). */
export const SECRET_KEYS: readonly string[] = SECRET_CONFIG.flatMap((s) => s.keys);

/** One row of the reference. */
export interface ConfigRow {
    /** The key path: `aws.loadBalancer.certificateArn`, `gcp.clusters[].name`, `edge.shards.<name>.regions`. */
    readonly key: string;
    readonly type: string;
    readonly default: string;
    readonly secret: boolean;
    readonly description: string;
}

/** One section of the reference: a top-level object key of the schema, or the other top-level keys. */
export interface ConfigSection {
    /** The section's key (`aws`), or undefined for the top-level keys. */
    readonly key?: string;
    readonly title: string;
    readonly intro: string;
    readonly rows: readonly ConfigRow[];
}

/** The slice of JSON Schema that `z.toJSONSchema` writes for these schemas. */
interface JsonNode {
    type?: string;
    enum?: unknown[];
    default?: unknown;
    properties?: Record<string, JsonNode>;
    required?: string[];
    items?: JsonNode;
    additionalProperties?: JsonNode | boolean;
}

/** JSON with object keys sorted, to compare a documented value with the schema's. */
function canonical(value: unknown): string {
    return JSON.stringify(value, (_k, v: unknown) =>
        v && typeof v === "object" && !Array.isArray(v)
            ? Object.fromEntries(
                  Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
                      a < b ? -1 : a > b ? 1 : 0,
                  ),
              )
            : v,
    );
}

const code = (text: string) => `\`${text}\``;

/** A node's shape: an object with keys, a map (record), a list, or a leaf. */
function shape(node: JsonNode): "object" | "map" | "list" | "leaf" {
    if (node.type === "object" && node.properties) return "object";
    if (node.type === "object") return "map";
    if (node.type === "array") return "list";
    return "leaf";
}

function mapValue(node: JsonNode): JsonNode {
    return typeof node.additionalProperties === "object" ? node.additionalProperties : {};
}

/** The type column: the input type (integer before coercion), allowed values for enums. */
function typeText(input: JsonNode, output: JsonNode, plural = false): string {
    if (output.enum) return `one of ${output.enum.map((v) => code(String(v))).join(", ")}`;
    switch (shape(output)) {
        case "object":
            return plural ? "objects" : "object";
        case "map":
            return `map of ${typeText(mapValue(input), mapValue(output), true)}`;
        case "list":
            return `list of ${typeText(input.items ?? {}, output.items ?? {}, true)}`;
    }
    const type = input.type === "integer" ? "integer" : output.type;
    if (type === undefined) return "any";
    return plural ? `${type}s` : type;
}

/** A value and the documented text after it (`[] (any account)`, `true, false on aks`). */
function valueWithRest(value: unknown, rest: string): string {
    const text = oneLine(rest);
    if (!text) return code(JSON.stringify(value));
    return `${code(JSON.stringify(value))}${/^[,;:.]/.test(text) ? "" : " "}${text}`;
}

/**
 * The default column: the schema's default, else the TSDoc's, else that of each key (an object
 * that defaults to `{}`), else required or none.
 */
function defaultText(
    input: JsonNode,
    output: JsonNode,
    documented: string | undefined,
    required: boolean,
): string {
    const parts = documentedValueParts(documented);
    if (output.default !== undefined) {
        const rest =
            parts && canonical(parts.value) === canonical(output.default) ? parts.rest : "";
        return valueWithRest(output.default, rest);
    }
    if (parts) return valueWithRest(parts.value, parts.rest);
    if (documented) return oneLine(documented);
    if (shape(output) === "object" && input.default !== undefined) return "each key's";
    return required ? "required" : "none";
}

/** Where the keys of a schema object are documented: `Owner.path.` prefixes, first match wins. */
type Scopes = readonly string[];

/** The TSDoc of `key` in `scopes`, and the scopes of its own keys. */
function lookUp(docs: DocumentedSources, scopes: Scopes, key: string) {
    const property = scopes.map((s) => docs.properties.get(`${s}${key}`)).find(Boolean);
    if (!property) return { text: "", default: undefined, scopes: [] as string[], refs: [] };
    // Only the schemas with keys of their own (not `D`, a constant of defaults).
    const refs = property.refs.filter(
        (r) => docs.owners.has(r) && [...docs.properties.keys()].some((k) => k.startsWith(`${r}.`)),
    );
    return {
        text: property.text,
        default: property.default,
        scopes: [`${property.key}.`, ...refs.map((r) => `${r}.`)],
        refs,
    };
}

/** The TSDoc of the schema a key's value is built from (`AwsWafSchema`), for a key without its own. */
function ownerText(docs: DocumentedSources, refs: readonly string[]): string {
    return refs.map((r) => docs.owners.get(r)?.text).find(Boolean) ?? "";
}

/** Rows for every key under an object node, depth first in schema order. */
function objectRows(
    docs: DocumentedSources,
    prefix: string,
    input: JsonNode,
    output: JsonNode,
    scopes: Scopes,
    rows: ConfigRow[],
): void {
    for (const [key, out] of Object.entries(output.properties ?? {})) {
        const inp = input.properties?.[key] ?? {};
        const keyPath = prefix ? `${prefix}.${key}` : key;
        const doc = lookUp(docs, scopes, key);
        rows.push({
            key: keyPath,
            type: typeText(inp, out),
            default: defaultText(inp, out, doc.default, input.required?.includes(key) ?? false),
            secret: SECRET_KEYS.includes(keyPath),
            description: doc.text || (shape(out) === "leaf" ? "" : ownerText(docs, doc.refs)) || "",
        });
        childRows(docs, keyPath, inp, out, doc.scopes, rows);
    }
}

/** Rows for the keys inside a value: an object's keys, a list's items, a map's values. */
function childRows(
    docs: DocumentedSources,
    keyPath: string,
    input: JsonNode,
    output: JsonNode,
    scopes: Scopes,
    rows: ConfigRow[],
): void {
    switch (shape(output)) {
        case "object":
            return objectRows(docs, keyPath, input, output, scopes, rows);
        case "list":
            return childRows(
                docs,
                `${keyPath}[]`,
                input.items ?? {},
                output.items ?? {},
                scopes,
                rows,
            );
        case "map": {
            const value = mapValue(output);
            if (shape(value) === "object") {
                objectRows(docs, `${keyPath}.<name>`, mapValue(input), value, scopes, rows);
            }
            return;
        }
    }
}

/** The schema as JSON Schema, before (`input`) and after (`output`) parsing. */
export function stackConfigJsonSchema(io: "input" | "output"): JsonNode {
    return z.toJSONSchema(StackConfigSchema, { io, unrepresentable: "any" }) as JsonNode;
}

/** The reference's sections: the top-level keys, then one per section object of the schema. */
export function configSections(): ConfigSection[] {
    const files = fs
        .readdirSync(path.join(PROJECT_DIR, CONFIG_DIR))
        .filter((f) => f.endsWith(".ts"))
        .sort()
        .map((f) => `${CONFIG_DIR}/${f}`);
    const docs = documentedSources(files);
    const input = stackConfigJsonSchema("input");
    const output = stackConfigJsonSchema("output");
    const rootScopes = ["StackConfigSchema."];
    const topLevel: ConfigRow[] = [];
    const sections: ConfigSection[] = [];
    for (const [key, out] of Object.entries(output.properties ?? {})) {
        const inp = input.properties?.[key] ?? {};
        // A section: an object the parsed config always holds (a default, or required).
        const section = shape(out) === "object" && (output.required ?? []).includes(key);
        if (!section) {
            objectRows(
                docs,
                "",
                { ...input, properties: { [key]: inp } },
                { ...output, properties: { [key]: out } },
                rootScopes,
                topLevel,
            );
            continue;
        }
        const doc = lookUp(docs, rootScopes, key);
        const owner = doc.refs.map((r) => docs.owners.get(r)).find(Boolean);
        const intro =
            doc.text ||
            ownerText(docs, doc.refs) ||
            (owner ? (docs.modules.get(owner.file) ?? "") : "");
        const rows: ConfigRow[] = [];
        childRows(docs, key, inp, out, doc.scopes, rows);
        sections.push({
            key,
            title: code(key),
            intro: [intro, owner ? `Schema: ${code(owner.file)}.` : ""].filter(Boolean).join(" "),
            rows,
        });
    }
    const all = [
        {
            title: "Top-level keys",
            intro: "Keys that belong to no section. Schema: `config/index.ts`.",
            rows: topLevel,
        },
        ...sections,
    ];
    const keys = new Set(all.flatMap((s) => s.rows.map((r) => r.key)));
    const unknown = SECRET_KEYS.filter((k) => !keys.has(k));
    if (unknown.length) {
        throw new Error(`SECRET_KEYS names keys the schema does not have: ${unknown.join(", ")}`);
    }
    return all;
}

/** Markdown text of a table cell: pipes escaped; outside code spans, `<`, `>` and `*` too. */
function cell(text: string): string {
    return text
        .split(/(`[^`]*`)/)
        .map((part, i) => (i % 2 === 1 ? part : part.replace(/([<>*])/g, "\\$1")))
        .join("")
        .replace(/\|/g, "\\|");
}

const HEADER = `# Config reference

<!-- GENERATED by \`npm run config-doc\` (tools/config-doc.ts) from the stack config's schema. Do not edit: change the schema or its TSDoc in config/, then run \`npm run config-doc\`. -->

Generated from the stack config's schema (\`StackConfigSchema\` in \`config/index.ts\` and the
sections of \`config/\`) and its TSDoc: regenerate with \`npm run config-doc\`; \`npm test\` fails
while this file is stale (\`npm run config-doc -- --check\`).

Every key lives in the project namespace (\`multicloud:\`). Nested keys are set with \`--path\`
(\`pulumi config set --path aws.fleet.maxSize 10\`); \`[]\` stands for each item of a list
(\`gcp.clusters[0].name\`) and \`<name>\` for any key of a map. A key left out takes its default;
"required" keys have none (inside a list item or an optional object: when that is given). **Secret**: the program refuses the value unless Pulumi holds it as a
secret (\`pulumi config set --secret --path ...\`), which makes the whole top-level key secret.
`;

/** The reference as Markdown, formatted as Prettier leaves it. */
export async function renderConfigDoc(): Promise<string> {
    const body = configSections()
        .map((section) =>
            [
                `## ${section.title}`,
                "",
                section.intro,
                "",
                "| Key | Type | Default | Secret | Description |",
                "| --- | --- | --- | --- | --- |",
                ...section.rows.map(
                    (r) =>
                        `| ${[
                            code(r.key),
                            cell(r.type),
                            cell(r.default),
                            r.secret ? "yes" : "no",
                            cell(r.description),
                        ].join(" | ")} |`,
                ),
            ].join("\n"),
        )
        .join("\n\n");
    const file = path.join(PROJECT_DIR, CONFIG_DOC_FILE);
    // Loaded here, not on import: Prettier loads its formatters with import(), which jest's VM
    // refuses, and the tests read the rows without rendering.
    const prettier = await import("prettier");
    const options = (await prettier.resolveConfig(file)) ?? {};
    return prettier.format(`${HEADER}\n${body}\n`, { ...options, filepath: file });
}

/** The rows of a rendered reference, by key: the table lines that start with a key. */
function rowsByKey(text: string): Map<string, string> {
    const rows = new Map<string, string>();
    for (const line of text.split("\n")) {
        const m = /^\| `([^`]+)`/.exec(line);
        if (m) rows.set(m[1], line.replace(/\s+/g, " "));
    }
    return rows;
}

/** What differs between the committed reference and the render, one line each. */
export function staleRows(committed: string, rendered: string): string[] {
    const have = rowsByKey(committed);
    const want = rowsByKey(rendered);
    const lines: string[] = [];
    for (const [key, row] of want) {
        if (!have.has(key)) lines.push(`missing row: ${key}`);
        else if (have.get(key) !== row) lines.push(`stale row: ${key}`);
    }
    for (const key of have.keys()) {
        if (!want.has(key)) lines.push(`row of a key the schema does not have: ${key}`);
    }
    if (lines.length === 0 && committed !== rendered) lines.push("stale text outside the rows");
    return lines;
}

/** Where the command writes. */
export interface ConfigDocIo {
    out(text: string): void;
    err(text: string): void;
}

/** The command (`npm run config-doc -- [--check]`): resolves to its exit code. */
export async function main(
    argv: string[],
    io: ConfigDocIo = {
        out: (text) => process.stdout.write(text),
        err: (text) => process.stderr.write(text),
    },
): Promise<number> {
    const { values } = parseArgs({ args: argv, options: { check: { type: "boolean" } } });
    const file = path.join(PROJECT_DIR, CONFIG_DOC_FILE);
    const text = await renderConfigDoc();
    const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    if (values.check) {
        if (current === text) return 0;
        const problems = current === undefined ? ["the file is missing"] : staleRows(current, text);
        io.err(
            `${CONFIG_DOC_FILE} is not what the config schema renders: run \`npm run config-doc\` and commit the result\n` +
                problems.map((p) => `  ${p}\n`).join(""),
        );
        return 1;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    io.out(`${current === text ? "unchanged" : "wrote"} ${CONFIG_DOC_FILE}\n`);
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => (process.exitCode = code),
        (e: unknown) => {
            process.stderr.write(`${(e as Error).message}\n`);
            process.exitCode = 2;
        },
    );
}
