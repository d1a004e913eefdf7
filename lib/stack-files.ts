/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the Pulumi CLI does, and turns them into
 * the config map the CLI hands a program (`PULUMI_CONFIG`): namespaced keys, scalars as text,
 * structured values as JSON, project-level values and defaults under stack values.
 *
 * There is no secrets provider offline, so every `secure:` value becomes a clearly marked
 * placeholder and its top-level key is reported as secret, exactly as the CLI reports it.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

/** A problem with the project or stack files: the CLI prints its message and exits non-zero. */
export class PlanInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PlanInputError";
    }
}

export interface ProjectFile {
    /** Folder holding `Pulumi.yaml`. */
    readonly dir: string;
    readonly name: string;
    readonly runtime: string;
    /** Absolute path of the program's entry point. */
    readonly main: string;
    /** Folder holding the stack files. */
    readonly stackConfigDir: string;
    /** The `config:` block of `Pulumi.yaml`, as written. */
    readonly config: Readonly<Record<string, unknown>>;
}

export interface StackSettings {
    readonly stack: string;
    /** Path of the stack file, relative to the project folder. */
    readonly file: string;
    /** What the program sees as `PULUMI_CONFIG`: `namespace:key` -> text. */
    readonly config: Record<string, string>;
    /** Keys holding a secret anywhere inside (`PULUMI_CONFIG_SECRET_KEYS`). */
    readonly secretKeys: string[];
    /** `pulumi:disable-default-providers`: packages that must use explicit providers ("*" = all). */
    readonly disableDefaultProviders: string[];
    /** Full paths (`ns:key.a[0].b`) of the secure values replaced by placeholders. */
    readonly placeholders: string[];
    /**
     * The same config as the files hold it, before secure values become placeholders:
     * `namespace:key` -> value, a `secure:` value as `{ secure: <ciphertext> }` (the offline
     * plan's warnings about template values read the ciphertext: lib/placeholders.ts).
     */
    readonly written: Record<string, unknown>;
    /** `namespace:key` -> the file that sets it: `Pulumi.yaml`, or the stack file (overrides too). */
    readonly sources: Record<string, string>;
}

const PLACEHOLDER_PREFIX = "<offline-plan placeholder for secret ";

/** Whether `text` is, or holds, a placeholder the offline plan put where a secret stands. */
export function isSecretPlaceholder(text: string): boolean {
    return text.includes(PLACEHOLDER_PREFIX);
}

/**
 * The text an offline plan puts where a `secure:` value stands. Never a real secret. A value
 * whose key ends in `kubeconfig` gets a well-formed kubeconfig, and one whose key ends in
 * `databaseUrl` a PostgreSQL URI with sslmode=verify-full, so validation still runs.
 *
 * It names the secret by a stable path (a list item by its `name`, not its position) and a
 * digest of the ciphertext, so that it is the same at every commit while the secret is: removing
 * the first edge site leaves the others' kubeconfigs as they were, and rotating a secret (a new
 * ciphertext) shows as a change in `npm run plan -- --diff`. The ciphertext is in the stack file
 * already; its digest reveals nothing more.
 */
export function secretPlaceholder(stablePath: string, ciphertext = ""): string {
    const digest = createHash("sha256").update(ciphertext).digest("hex").slice(0, 12);
    const marker = `${PLACEHOLDER_PREFIX}${stablePath}, ciphertext ${digest}>`;
    // A database URL placeholder is a URI that requires TLS, as config demands of a real one
    // (sslmode first: the marker after it has spaces).
    if (/databaseUrl$/i.test(stablePath)) {
        return `postgresql://offline-plan.invalid/app?sslmode=verify-full&application_name=${marker}`;
    }
    if (!/kubeconfig$/i.test(stablePath)) return marker;
    return [
        `# ${marker}`,
        "apiVersion: v1",
        "kind: Config",
        "current-context: offline-plan",
        "contexts: [{ name: offline-plan, context: { cluster: offline-plan, user: offline-plan } }]",
        "clusters: [{ name: offline-plan, cluster: { server: 'https://offline-plan.invalid' } }]",
        "users: [{ name: offline-plan, user: { token: offline-plan-placeholder } }]",
        "",
    ].join("\n");
}

const STACK_FILE = /^Pulumi\.(.+)\.ya?ml$/;

function readYaml(file: string): unknown {
    try {
        return YAML.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new PlanInputError(`${file} is not valid YAML: ${(e as Error).message}`);
    }
}

/** A plain object (not null, not a list). */
export function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Loads `Pulumi.yaml` (or `Pulumi.yml`) from `dir`. */
export function loadProject(dir: string): ProjectFile {
    const file = ["Pulumi.yaml", "Pulumi.yml"]
        .map((f) => path.join(dir, f))
        .find((f) => fs.existsSync(f));
    if (!file) {
        throw new PlanInputError(`no Pulumi.yaml in ${dir}: run the plan from the project folder`);
    }
    const doc = readYaml(file);
    if (!isRecord(doc) || typeof doc.name !== "string" || doc.runtime === undefined) {
        throw new PlanInputError(`${file} must set at least 'name' and 'runtime'`);
    }
    const runtime = isRecord(doc.runtime) ? String(doc.runtime.name) : String(doc.runtime);
    if (runtime !== "nodejs") {
        throw new PlanInputError(
            `${file}: runtime is '${runtime}', but the offline plan runs nodejs programs only`,
        );
    }
    const main = typeof doc.main === "string" ? doc.main : "index.ts";
    return {
        dir,
        name: doc.name,
        runtime,
        main: path.resolve(dir, main),
        stackConfigDir: path.resolve(
            dir,
            typeof doc.stackConfigDir === "string" ? doc.stackConfigDir : ".",
        ),
        config: isRecord(doc.config) ? doc.config : {},
    };
}

/** Names of the stacks that have a settings file, sorted. */
export function listStacks(project: ProjectFile): string[] {
    return fs
        .readdirSync(project.stackConfigDir)
        .map((f) => STACK_FILE.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/**
 * Builds the program's config for `stack`: project-level values and defaults from `Pulumi.yaml`,
 * then the stack file's `config:` on top, then `overrides` (used by tests and benchmarks), each
 * applied like `pulumi config set --path <key> <value>` (`undefined` removes it, like `config rm`).
 */
export function loadStackSettings(
    project: ProjectFile,
    stack: string,
    overrides: Readonly<Record<string, unknown>> = {},
): StackSettings {
    const file = ["yaml", "yml"]
        .map((ext) => path.join(project.stackConfigDir, `Pulumi.${stack}.${ext}`))
        .find((f) => fs.existsSync(f));
    if (!file) {
        const stacks = listStacks(project);
        throw new PlanInputError(
            `unknown stack '${stack}': there is no Pulumi.${stack}.yaml in ${project.stackConfigDir}. ` +
                (stacks.length
                    ? `Stacks that exist: ${stacks.join(", ")}.`
                    : "No stack files exist yet.") +
                ` Create one with \`pulumi stack init ${stack}\` and \`pulumi config set ...\`.`,
        );
    }
    const doc = readYaml(file) ?? {};
    if (!isRecord(doc)) {
        throw new PlanInputError(`${file} must be a YAML mapping with a 'config:' block`);
    }
    if (doc.environment !== undefined) {
        throw new PlanInputError(
            `${file} imports Pulumi ESC environments ('environment:'), which cannot be opened offline: ` +
                `plan a stack whose config is all in its stack file`,
        );
    }
    const stackConfig = doc.config ?? {};
    if (!isRecord(stackConfig)) {
        throw new PlanInputError(`${file}: 'config:' must be a mapping of keys to values`);
    }

    const problems: string[] = [];
    const merged = new Map<string, unknown>();
    const sources: Record<string, string> = {};
    const requiredByProject: string[] = [];
    for (const [key, decl] of Object.entries(project.config)) {
        const full = fullKey(project.name, key);
        const { value, required, problem } = projectConfigValue(full, project.name, decl);
        if (problem) problems.push(`Pulumi.yaml: ${problem}`);
        if (required) requiredByProject.push(full);
        if (value !== undefined) {
            merged.set(full, value);
            sources[full] = "Pulumi.yaml";
        }
    }
    for (const [key, value] of Object.entries(stackConfig)) {
        const parts = key.split(":");
        if (parts.length === 1) {
            problems.push(
                `${path.basename(file)}: config key '${key}' has no namespace; write it as '${project.name}:${key}'`,
            );
            continue;
        }
        if (parts.length > 2 && !(parts.length === 3 && parts[1] === "config")) {
            problems.push(
                `${path.basename(file)}: config key '${key}' has more than one ':'; keys are <namespace>:<name>`,
            );
            continue;
        }
        const full = parts.length === 3 ? `${parts[0]}:${parts[2]}` : key;
        merged.set(full, value);
        sources[full] = path.relative(project.dir, file);
    }
    for (const [keyPath, value] of Object.entries(overrides)) {
        setPath(merged, project.name, keyPath, value);
        sources[fullKey(project.name, keyPath.split(/[.[]/)[0])] = path.relative(project.dir, file);
    }
    for (const key of requiredByProject.filter((k) => !merged.has(k))) {
        problems.push(
            `Stack '${stack}' is missing configuration value '${key}', which Pulumi.yaml declares without a default: ` +
                `set it with \`pulumi config set ${key.split(":")[1]} <value>\``,
        );
    }
    if (problems.length) throw new PlanInputError(problems.join("\n"));

    const written = Object.fromEntries(merged);
    for (const key of Object.keys(sources)) if (!merged.has(key)) delete sources[key];
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const placeholders: string[] = [];
    let disableDefaultProviders: string[] = [];
    for (const [key, value] of merged) {
        // The engine reads this one; the program sees it too, as with the CLI.
        if (key === "pulumi:disable-default-providers")
            disableDefaultProviders = toStringList(value);
        const found: string[] = [];
        const plain = replaceSecure(value, key, found);
        if (found.length) {
            secretKeys.push(key);
            placeholders.push(...found);
        }
        config[key] =
            typeof plain === "string"
                ? plain
                : isScalar(plain)
                  ? String(plain)
                  : JSON.stringify(plain);
    }
    return {
        stack,
        file: path.relative(project.dir, file),
        config,
        secretKeys,
        disableDefaultProviders,
        placeholders,
        written,
        sources,
    };
}

/** `pulumi config set --path` semantics: `aws.fleet.maxSize` sets `maxSize` inside `<project>:aws`. */
function setPath(
    merged: Map<string, unknown>,
    project: string,
    keyPath: string,
    value: unknown,
): void {
    const segments = keyPath
        .split(/\.|(?=\[)/)
        .map((s) => (/^\[\d+\]$/.test(s) ? Number(s.slice(1, -1)) : s));
    const top = fullKey(project, String(segments[0]));
    const rest = segments.slice(1);
    if (rest.length === 0) {
        if (value === undefined) merged.delete(top);
        else merged.set(top, value);
        return;
    }
    const root: unknown = structuredClone(merged.get(top) ?? {});
    let node = root as Record<string | number, unknown>;
    for (const [i, seg] of rest.slice(0, -1).entries()) {
        if (typeof node[seg] !== "object" || node[seg] === null) {
            node[seg] = typeof rest[i + 1] === "number" ? [] : {};
        }
        node = node[seg] as Record<string | number, unknown>;
    }
    const last = rest[rest.length - 1];
    if (value === undefined) delete node[last];
    else node[last] = value;
    merged.set(top, root);
}

function fullKey(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

/**
 * A `Pulumi.yaml` config entry, read as the CLI reads it: a short-form value (a string, number,
 * boolean or list), `{ value: ... }`, or, for the project's own keys only, a declaration
 * `{ type, description, default, secret, items }`: its `default` applies, and a declared key
 * without a default must be set by every stack.
 */
function projectConfigValue(
    key: string,
    project: string,
    decl: unknown,
): { value?: unknown; required?: boolean; problem?: string } {
    if (!isRecord(decl)) return { value: decl };
    const own = key.startsWith(`${project}:`);
    if ("value" in decl && "default" in decl) {
        return { problem: `config '${key}' sets both 'value' and 'default'; keep one` };
    }
    if ("value" in decl) return { value: decl.value };
    if (!own && ("default" in decl || "type" in decl)) {
        return {
            problem: `config '${key}' is not in the project's namespace, so it cannot be declared with 'type' or 'default'; write its value directly or under 'value:'`,
        };
    }
    if ("default" in decl) return { value: decl.default };
    return { required: true };
}

/** `pulumi:disable-default-providers` is JSON: a list of package names, or "*". */
function toStringList(value: unknown): string[] {
    let list = value;
    if (typeof value === "string") {
        try {
            list = JSON.parse(value);
        } catch {
            throw new PlanInputError(
                `pulumi:disable-default-providers must be a list such as ["*"] or ["aws", "gcp"], got ${JSON.stringify(value)}`,
            );
        }
    }
    if (!Array.isArray(list)) {
        throw new PlanInputError(
            `pulumi:disable-default-providers must be a list such as ["*"] or ["aws", "gcp"], got ${JSON.stringify(value)}`,
        );
    }
    return list.map((p) => String(p).trim());
}

function isScalar(v: unknown): boolean {
    return v === null || ["number", "boolean", "bigint"].includes(typeof v);
}

/** A `secure:` value as a stack file holds it: `{ secure: <ciphertext> }`. */
export function isSecure(v: unknown): v is { secure: string } {
    return isRecord(v) && Object.keys(v).length === 1 && typeof v.secure === "string";
}

/**
 * Replaces every `{ secure: ... }` inside `value` by a placeholder, collecting its path. `stable`
 * is the same path with list items named by their `name` when they have one.
 */
function replaceSecure(value: unknown, at: string, found: string[], stable = at): unknown {
    if (isSecure(value)) {
        found.push(at);
        return secretPlaceholder(stable, value.secure);
    }
    if (Array.isArray(value)) {
        return value.map((v, i) => {
            const key = isRecord(v) && typeof v.name === "string" ? v.name : String(i);
            return replaceSecure(v, `${at}[${i}]`, found, `${stable}[${key}]`);
        });
    }
    if (isRecord(value)) {
        return Object.fromEntries(
            Object.entries(value).map(([k, v]) => [
                k,
                replaceSecure(v, `${at}.${k}`, found, `${stable}.${k}`),
            ]),
        );
    }
    return value;
}
