/**
 * What every config schema of this repository shares: leaf types that accept what Pulumi hands a
 * program (top-level scalars arrive as strings, `pulumi config set --path` may store numbers as
 * strings), and one message per zod issue that names the key and the command that fixes it.
 * Used by config/ (the main program) and deployments/config.ts (the deployment settings).
 */
import { distance } from "fastest-levenshtein";
import { z } from "zod";

const fromString = (parse: (s: string) => unknown) => (v: unknown) =>
    typeof v === "string" && v.trim() !== "" ? parse(v.trim()) : v;

export const integer = () =>
    z.preprocess(
        fromString((s) => (/^-?\d+$/.test(s) ? Number(s) : s)),
        z.number().int(),
    );
export const number = () =>
    z.preprocess(
        fromString((s) => (/^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s)),
        z.number(),
    );
export const boolean = () =>
    z.preprocess(
        fromString((s) => (s === "true" ? true : s === "false" ? false : s)),
        z.boolean(),
    );

/** Text that YAML or `pulumi config set --path` may have stored as a number. */
export const text = () => z.preprocess((v) => (typeof v === "number" ? String(v) : v), z.string());

/**
 * Invalid stack config. A `RunError` to Pulumi, so `pulumi up` prints the message alone, without
 * a stack trace: `RunError.isInstance` checks only a true `__pulumiRunError` field
 * (@pulumi/pulumi errors.js; it works across copies of the SDK). Not a subclass, so that
 * importing the config loads no SDK at all. `problems` holds one line per problem.
 */
export class ConfigError extends Error {
    /** What `pulumi.RunError.isInstance` reads. */
    public readonly __pulumiRunError = true;

    constructor(
        public readonly problems: readonly string[],
        stack?: string,
    ) {
        super(
            `Invalid stack config${stack ? ` for stack '${stack}'` : ""} (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was created:\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** `["aws", "fleet", "maxSize"]` -> `aws.fleet.maxSize`; indices as `[0]`. */
export function pathText(path: readonly PropertyKey[]): string {
    return path
        .map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`))
        .join("");
}

function show(v: unknown): string {
    return typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
}

/** Edit distance up to which an unknown key is taken for a misspelling of a known one. */
function closeEnough(key: string): number {
    return Math.max(1, Math.floor(key.length / 3));
}

/**
 * The known key an unknown one most likely misspells (case-insensitive edit distance: regoin ->
 * region, maxsize -> maxSize), or undefined when none is close.
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
    const lower = key.toLowerCase();
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of known) {
        const d = distance(lower, candidate.toLowerCase());
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    return bestDistance <= closeEnough(lower) ? best : undefined;
}

/** Known keys of the object schema at `path`, for "not a known setting" messages. */
function knownKeysAt(root: z.ZodType, path: readonly PropertyKey[]): string[] {
    let schema: unknown = root;
    for (const seg of path) {
        schema = unwrap(schema);
        const def = (schema as { def?: { type?: string; valueType?: unknown; element?: unknown } })
            ?.def;
        // Maps (stacks.<name>) and lists (sites[0]) step into their value schema.
        if (def?.type === "record" && typeof seg === "string") {
            schema = def.valueType;
            continue;
        }
        if (def?.type === "array" && typeof seg === "number") {
            schema = def.element;
            continue;
        }
        const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
        if (!shape || typeof seg !== "string" || !(seg in shape)) return [];
        schema = shape[seg];
    }
    const shape = (unwrap(schema) as { shape?: Record<string, unknown> } | undefined)?.shape;
    return shape ? Object.keys(shape) : [];
}

function unwrap(schema: unknown): unknown {
    // Peel defaults, prefaults, optionals and pipes down to the object schema.
    let s = schema as { def?: Record<string, unknown>; shape?: unknown };
    for (let i = 0; i < 10 && s && !s.shape && s.def; i++) {
        const def = s.def;
        if (def.type === "record" || def.type === "array") break;
        s = (def.innerType ?? def.in ?? def.schema) as typeof s;
    }
    return s;
}

/**
 * One zod issue of `root` -> message lines `<ns>:<path> <what is wrong and how to fix it>`.
 */
export function describeIssue(issue: z.core.$ZodIssue, ns: string, root: z.ZodType): string[] {
    const key = (path: readonly PropertyKey[]) =>
        path.length === 0 ? `the ${ns} stack config` : `${ns}:${pathText(path)}`;
    const setHint = (path: readonly PropertyKey[]) =>
        `fix it with \`pulumi config set --path ${pathText(path)} <value>\``;
    const input = (issue as { input?: unknown }).input;
    switch (issue.code) {
        case "invalid_type":
            if (input === undefined) {
                return [`${key(issue.path)} is required: ${setHint(issue.path)}`];
            }
            return [
                `${key(issue.path)} must be ${article(issue.expected)}, got ${show(input)}: ${setHint(issue.path)}`,
            ];
        case "too_small":
        case "too_big": {
            const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
            const op =
                issue.code === "too_small"
                    ? issue.inclusive
                        ? ">="
                        : ">"
                    : issue.inclusive
                      ? "<="
                      : "<";
            const what =
                issue.origin === "array"
                    ? `must list ${op} ${bound} items`
                    : issue.origin === "string"
                      ? `must have ${op} ${bound} characters`
                      : `(${show(input)}) must be ${op} ${bound}`;
            return [`${key(issue.path)} ${what}: ${setHint(issue.path)}`];
        }
        case "unrecognized_keys": {
            const known = knownKeysAt(root, issue.path);
            const knownHere = known.length ? ` (known here: ${known.join(", ")})` : "";
            return issue.keys.map((k) => {
                const path = [...issue.path, k];
                const remove = `\`pulumi config rm --path ${pathText(path)}\``;
                const near = closestKey(k, known);
                return near === undefined
                    ? `${key(path)} is not a known setting${knownHere}: remove it with ${remove} or fix its spelling`
                    : `${key(path)} is not a known setting${knownHere}: did you mean \`${near}\`? Rename it in the stack file, or remove it with ${remove}`;
            });
        }
        case "invalid_key":
            // A bad key in a map (tags): the fix is to rename the key, not to set a value.
            return issue.issues.map(
                (inner: z.core.$ZodIssue) =>
                    `${key(issue.path)} ${inner.message}: rename the key in the stack file`,
            );
        case "invalid_value":
            return [
                `${key(issue.path)} must be one of ${issue.values.map(show).join(", ")}, got ${show(input)}: ${setHint(issue.path)}`,
            ];
        case "invalid_format":
            return [
                `${key(issue.path)} ${issue.message}, got ${show(input)}: ${setHint(issue.path)}`,
            ];
        default:
            return [`${key(issue.path)} ${issue.message}`];
    }
}

function article(expected: string): string {
    const name = expected === "int" ? "whole number" : expected === "record" ? "object" : expected;
    return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}

/**
 * The values of namespace `ns` in the raw config map Pulumi gives a program
 * (`pulumi.runtime.allConfig()`: keys `<namespace>:<key>`, structured values as JSON text).
 * Structured values that are not valid JSON are reported in `problems`.
 */
export function namespaceValues(
    raw: Readonly<Record<string, string>>,
    ns: string,
    problems: string[],
): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const [fullKey, text] of Object.entries(raw)) {
        const colon = fullKey.indexOf(":");
        if (fullKey.slice(0, colon) !== ns) continue;
        try {
            values[fullKey.slice(colon + 1)] = /^\s*[[{]/.test(text) ? JSON.parse(text) : text;
        } catch {
            problems.push(
                `${fullKey} is not valid structured config: rewrite it as YAML in the stack file`,
            );
        }
    }
    return values;
}
