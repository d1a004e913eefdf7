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

/**
 * Marks the issue of a number that a text key cannot take back as the text that was written;
 * `describeIssue` words it with the key's own `--type string` command.
 */
const NUMBER_AS_TEXT = "numberAsText";

/**
 * A scalar that a text key may receive instead of text, turned back into text where that is
 * lossless. `pulumi config set --path <key> <value>` stores `true`/`false` as booleans and a
 * run of digits without a leading zero as an integer, unless `--type string` is given
 * (pulumi/pulumi pkg/cmd/pulumi/config/config.go, `--type`: "Save the value as the given type";
 * sdk/go/common/resource/config/object.go `coerce`); a YAML stack file reads an unquoted 11 or
 * 1.30 as a number too. A boolean or a safe integer prints back as it was written; a fraction
 * (1.30 reads as 1.3) or an integer past 2^53 (digits lost in JSON) does not, so with
 * `fractions: "refuse"` it is refused with the `--type string` command. Quantities (`0.5` CPU)
 * mean the same whatever the digits: `fractions: "accept"`.
 */
function textFrom<T extends z.ZodType>(fractions: "accept" | "refuse", schema: T) {
    // The schema itself, not a pipe after it: zod's JSON Schema (the config reference) sees
    // through a preprocess to the schema it feeds, so a required key stays required.
    return z.preprocess((v, ctx) => {
        if (typeof v === "boolean") return String(v);
        if (typeof v !== "number" || !Number.isFinite(v)) return v;
        if (Number.isSafeInteger(v) || (fractions === "accept" && !Number.isInteger(v))) {
            return String(v);
        }
        ctx.addIssue({
            code: "custom",
            message: "is a number that cannot be turned back into the text that was written",
            input: v,
            params: { [NUMBER_AS_TEXT]: true },
        });
        return z.NEVER;
    }, schema);
}

/**
 * Text that YAML or `pulumi config set --path` may have stored as a number or a boolean:
 * taken back as text where that is lossless (11, true), refused with the `--type string`
 * command where it is not (1.30, read as 1.3).
 */
export const text = <T extends z.ZodType<string> = z.ZodString>(schema?: T) =>
    textFrom("refuse", schema ?? z.string());
/** A Kubernetes quantity (CPU, memory), which may be written as a number (0.5, 1). */
export const quantityText = <T extends z.ZodType<string>>(schema: T) => textFrom("accept", schema);

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

/**
 * A command-line word: quoted when the shell would read it otherwise (a list position: zsh,
 * macOS's default shell, refuses an unquoted `[0]` that matches no file, "no matches found").
 * A word already quoted, or a `<placeholder>`, stays as it is.
 */
export function shellWord(text: string): string {
    return /[[\]*?$ ]/.test(text) && !/^['"<]/.test(text) ? `'${text}'` : text;
}

/** A key path as a shell word in a command (`'edge.sites[0].kubeconfig'`). */
export function pathArg(path: readonly PropertyKey[]): string {
    return shellWord(pathText(path));
}

/** Values longer than this (as JSON) are cut in messages: a kubeconfig pasted into a name. */
const SHOWN_MAX = 80;
/** How much of a cut value a message keeps. */
const SHOWN_HEAD = 60;

/** A value as a message quotes it: JSON, cut with an ellipsis and its length past SHOWN_MAX. */
export function show(v: unknown): string {
    const text = JSON.stringify(v) ?? String(v);
    if (text.length <= SHOWN_MAX) return text;
    const length = typeof v === "string" ? v.length : text.length;
    return `${text.slice(0, SHOWN_HEAD)}… (${length} characters)`;
}

/**
 * A message with each value it quotes ('...') cut as `show` cuts one: a rule's own message
 * (`'<region>' is claimed by no shard`) may quote whatever was pasted into the key.
 */
function shortenQuoted(message: string): string {
    return message.replace(QUOTED, (whole, before: string, quoted: string) => {
        if (quoted.length <= SHOWN_MAX) return whole;
        const text = JSON.stringify(quoted).slice(1, -1);
        return `${before}'${text.slice(0, SHOWN_HEAD)}…' (${quoted.length} characters)`;
    });
}

/**
 * A value a message quotes: the quote opens after a space or a parenthesis and closes before
 * one or a stop, so not the apostrophes of "the stack's account".
 */
const QUOTED = /(^|[\s(])'([^']*)'(?=$|[\s).,:;])/g;

/** Marks a rule's message that names no fix: `describeIssue` adds the key's set command. */
const SET_FIX = "setFix";

/**
 * The params of a custom issue whose message (a rule shared with a component, worded for its
 * argument) may name no fix: the set command of its key is added when it names none (no `: `
 * before an instruction, no command).
 */
export function setFixUnlessGiven(message: string): Record<string, unknown> | undefined {
    // Not counting what the message quotes: a pasted value may hold ": ".
    const own = message.replace(QUOTED, "$1''");
    return /: \S|`pulumi /.test(own) ? undefined : { [SET_FIX]: true };
}

/** What a value is, for a message that must not quote it (a secret). */
function kind(v: unknown): string {
    const what = Array.isArray(v)
        ? "a list"
        : typeof v === "string"
          ? `a text of ${v.length} characters`
          : v === null
            ? "null"
            : typeof v === "object"
              ? "an object"
              : "a value";
    return `${what} (not shown: a secret key)`;
}

/** `edge.sites[0].kubeconfig` -> `edge.sites[].kubeconfig`, the form secret keys are listed in. */
function documentedPath(path: readonly PropertyKey[]): string {
    return pathText(path.map((p) => (typeof p === "number" ? -1 : p))).replace(/\[-1\]/g, "[]");
}

/** Whether the value at `path` is, holds or is part of a secret key's value. */
function touchesSecret(path: readonly PropertyKey[], secretKeys: readonly string[]): boolean {
    const at = documentedPath(path);
    const within = (inner: string, outer: string) =>
        inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
    return secretKeys.some((key) => at === "" || within(at, key) || within(key, at));
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

/** The issue of a number that a text key cannot take back (see `text`). */
function isNumberAsText(issue: z.core.$ZodIssue): boolean {
    return (
        issue.code === "custom" &&
        (issue.params as Record<string, unknown> | undefined)?.[NUMBER_AS_TEXT] === true
    );
}

/**
 * Whether the issue is about the key's own value (its type, format or range), not a check
 * across keys: a cross-key check on a key that failed on its own adds nothing.
 */
export function ownValueIssue(issue: z.core.$ZodIssue): boolean {
    return issue.code !== "custom" || isNumberAsText(issue);
}

/** What `describeIssue` needs to know about the config beyond its schema. */
export interface DescribeOptions {
    /**
     * Keys whose values are secrets, as the config reference writes them
     * (`edge.sites[].kubeconfig`): a message never quotes a value at, in or around one.
     */
    readonly secretKeys?: readonly string[];
    /**
     * The fix for a required key that is missing, where it is not `pulumi config set` (a key
     * that Pulumi.yaml gives every stack); undefined for the usual command.
     */
    readonly requiredFix?: (path: readonly PropertyKey[]) => string | undefined;
}

/**
 * One zod issue of `root` -> message lines `<ns>:<path> <what is wrong and how to fix it>`.
 * Values are quoted cut to SHOWN_MAX characters, and never when they are secrets.
 */
export function describeIssue(
    issue: z.core.$ZodIssue,
    ns: string,
    root: z.ZodType,
    options: DescribeOptions = {},
): string[] {
    const key = (path: readonly PropertyKey[]) =>
        path.length === 0 ? `the ${ns} stack config` : `${ns}:${pathText(path)}`;
    const input = (issue as { input?: unknown }).input;
    const secretKeys = options.secretKeys ?? [];
    const secret = touchesSecret(issue.path, secretKeys);
    // The value itself is a secret (not only part of a secret top-level key): set with --secret.
    const secretLeaf = secretKeys.includes(documentedPath(issue.path));
    const setHint = (path: readonly PropertyKey[]) =>
        `fix it with \`pulumi config set${secretLeaf ? " --secret" : ""} --path ${pathArg(path)} <value>\``;
    const given = (v: unknown) => (secret ? kind(v) : show(v));
    // Pulumi stores a secret as text, and --type cannot go with --secret (config.go).
    const textHint = (path: readonly PropertyKey[]) =>
        secretLeaf
            ? `${setHint(path)} (a secret is always stored as text)`
            : `set it as text with \`pulumi config set --path ${pathArg(path)} <value> --type string\`, or quote it in the stack file`;
    switch (issue.code) {
        case "invalid_type":
            if (input === undefined) {
                const fix = options.requiredFix?.(issue.path) ?? setHint(issue.path);
                return [`${key(issue.path)} is required: ${fix}`];
            }
            if (
                issue.expected === "string" &&
                (typeof input === "number" || typeof input === "boolean")
            ) {
                return [
                    `${key(issue.path)} must be text, got the ${typeof input} ${given(input)}: YAML and ` +
                        `\`pulumi config set --path\` store a value that looks like a number or true/false as one; ${textHint(issue.path)}`,
                ];
            }
            return [
                `${key(issue.path)} must be ${article(issue.expected)}, got ${given(input)}: ${setHint(issue.path)}`,
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
                      : `(${given(input)}) must be ${op} ${bound}`;
            return [`${key(issue.path)} ${what}: ${setHint(issue.path)}`];
        }
        case "unrecognized_keys": {
            const known = knownKeysAt(root, issue.path);
            const knownHere = known.length ? ` (known here: ${known.join(", ")})` : "";
            return issue.keys.map((k) => {
                const path = [...issue.path, k];
                const remove = `\`pulumi config rm --path ${pathArg(path)}\``;
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
                `${key(issue.path)} must be one of ${issue.values.map((v) => show(v)).join(", ")}, got ${given(input)}: ${setHint(issue.path)}`,
            ];
        case "invalid_format":
            // Digits alone in a text key: `pulumi config set --path` stores them as a number
            // (dropping a leading zero, as in an AWS account id) unless told `--type string`.
            return [
                `${key(issue.path)} ${issue.message}, got ${given(input)}: ${
                    typeof input === "string" && /^\d+$/.test(input)
                        ? textHint(issue.path)
                        : setHint(issue.path)
                }`,
            ];
        case "custom":
            if (isNumberAsText(issue)) {
                return [
                    `${key(issue.path)} takes text, but got ${secret ? "a number (not shown: a secret key)" : `the number ${show(input)}`}, which may not be what was written ` +
                        `(an unquoted 1.30 in YAML reads as 1.3; digits past 2^53 are lost): ${textHint(issue.path)}`,
                ];
            }
            return [
                `${key(issue.path)} ${shortenQuoted(issue.message)}${
                    (issue.params as Record<string, unknown> | undefined)?.[SET_FIX] === true
                        ? `: ${setHint(issue.path)}`
                        : ""
                }`,
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
