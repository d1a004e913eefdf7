/**
 * What a change does to a running stack, offline: the plan of the stack as it is (the head)
 * against the plan of the same stack at a base (a git commit, or a plan saved with `--json`),
 * resource by resource, the way `pulumi preview --diff` reports it against the state. Each rule
 * follows the Pulumi engine (pulumi/pulumi pkg/resource/deploy/step_generator.go, read at
 * 1b5949891b):
 *
 * - URNs as the engine builds them (the mock runtime's differ: it keeps the stack's type on
 *   top-level resources and only the last parent type on deeper ones; `savePlan` converts);
 * - resources matched by URN, else by their aliases, completed as `collapseAliasToUrn` completes
 *   them, with the alias a child inherits from its parent's (`inheritedChildAlias`): a match
 *   through an alias is a rename, not a delete and a create. Two resources claiming one old URN
 *   fail the preview, as they fail it in the engine (`errors`);
 * - for each matched resource, every changed input path, old -> new, secrets shown as `[secret]`
 *   (a saved plan keeps a digest of each secret value, so a rotated secret shows as changed
 *   without being written down), paths under `ignoreChanges` left out;
 * - "replace" instead of "update" where the engine replaces: a changed path one the provider
 *   replaces on (the `replaceOnChanges` the SDK sends, and `plan/replace-rules.ts`, each rule
 *   citing the provider's source), a new `replacementTrigger`, a `replaceWith` or `deletedWith`
 *   resource replaced, or a provider whose DiffConfig replaces (a new provider resource, or the
 *   same one replaced); a replacement makes the inputs computed from the replaced resource
 *   unknown, which replaces what cannot take them in place, and so on;
 * - the stack outputs that change.
 *
 * The mock runtime echoes inputs: the outputs a provider recomputes on an update are listed in
 * `RECOMPUTED_ON_UPDATE` (a launch template's latest version), and the inputs computed from them
 * show as known after apply; any other output recomputed on update is not seen to change.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as YAML from "yaml";
import { jsonOrValue } from "./json";
import { mapAtPaths, RecordedResource, unwrapSecrets } from "./mocks";
import {
    deletesBeforeReplace,
    operationWarnings,
    PROVIDER_INPUTS_REPLACING_RESOURCES,
    PROVIDER_REPLACE_ON_CHANGE,
    RECOMPUTED_ON_UPDATE,
    REPLACE_ON_CHANGE,
    ReplaceRule,
} from "./replace-rules";
import type { PlanResult } from "./run";
import { isSecretPlaceholder, PlanInputError } from "../lib/stack-files";

/** The format of a plan saved with `--json`; a saved plan of another format is refused. */
export const PLAN_FORMAT = "multicloud-plan/2";

const STACK_TYPE = "pulumi:pulumi:Stack";
const PROVIDER_PREFIX = "pulumi:providers:";

/**
 * One resource of a saved plan: what the engine would compare with the state. The recorded
 * registration with engine URNs, without the secret values and what the engine does not compare.
 */
export interface SavedResource extends Omit<
    RecordedResource,
    "inputs" | "secretPaths" | "dependencies" | "outputs" | "outputSecretPaths" | "replaceWith"
> {
    /** Inputs; each secret replaced by `[secret sha256:<digest>]`. Providers' JSON text decoded. */
    readonly inputs: Record<string, unknown>;
    /** The `replaceWith` option: replaced along with any of these; absent when empty. */
    readonly replaceWith?: string[];
}

/** A plan as `--json` writes it, and as `--diff <file>` reads it. */
export interface SavedPlan {
    readonly format: typeof PLAN_FORMAT;
    readonly project: string;
    readonly stack: string;
    /** The commit planned, when the project is a git checkout (the working tree may differ). */
    readonly commit?: string;
    /** Every registration but the stack's, in order. */
    readonly resources: SavedResource[];
    /** Stack outputs, secrets as in `inputs`. */
    readonly outputs: Record<string, unknown>;
}

const SECRET_PREFIX = "[secret sha256:";

/** What a saved plan keeps of a secret: a digest, enough to see that it changed. */
export function secretMarker(value: unknown): string {
    const text = typeof value === "string" ? value : JSON.stringify(value ?? null);
    return `${SECRET_PREFIX}${createHash("sha256").update(text).digest("hex").slice(0, 16)}]`;
}

function isSecretMarker(v: unknown): boolean {
    return typeof v === "string" && v.startsWith(SECRET_PREFIX);
}

/** `value` with the values at `secretPaths` replaced by their digests. */
function maskSecrets(value: unknown, secretPaths: readonly string[]): unknown {
    return mapAtPaths(value, secretPaths, secretMarker);
}

// --- URNs ---------------------------------------------------------------------------------------

const qualifiedType = (urn: string) => urn.split("::")[2];
const typeOf = (urn: string) => qualifiedType(urn).split("$").pop()!;
const nameOf = (urn: string) => urn.split("::").slice(3).join("::");

/**
 * A URN as the engine builds it (sdk/go/common/resource/urn.go NewURN): the parent's qualified
 * type, `$`, the type, then the name; no parent type for a child of the stack.
 */
export function urnOf(
    project: string,
    stack: string,
    parentUrn: string | undefined,
    type: string,
    name: string,
): string {
    const parentType = parentUrn ? qualifiedType(parentUrn) : undefined;
    const qualified = parentType && parentType !== STACK_TYPE ? `${parentType}$${type}` : type;
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** resource.CreateURN: under a parent, the parent's URN up to its name, `$`, type and name. */
function createUrn(
    name: string,
    type: string,
    parent: string | undefined,
    project: string,
    stack: string,
): string {
    if (!parent) return `urn:pulumi:${stack}::${project}::${type}::${name}`;
    return `${parent.slice(0, parent.lastIndexOf("::"))}$${type}::${name}`;
}

// --- Saving a plan ------------------------------------------------------------------------------

/**
 * The pseudo input that holds a digest of the cluster a Kubernetes provider's kubeconfig points
 * at: what pulumi-kubernetes compares to choose between updating and replacing the provider.
 */
export const ACTIVE_CLUSTER = "kubeconfigActiveCluster";
/** Its value when the kubeconfig is an offline placeholder: the real cluster is unknown. */
const PLACEHOLDER_CLUSTER = "[an offline placeholder: the cluster is unknown]";

/** The cluster entry a kubeconfig's current context points at (server, certificate authority). */
function activeCluster(kubeconfig: unknown): unknown {
    if (typeof kubeconfig !== "string") return undefined;
    try {
        const doc = YAML.parse(kubeconfig) as {
            "current-context"?: string;
            contexts?: { name?: string; context?: { cluster?: string } }[];
            clusters?: { name?: string; cluster?: unknown }[];
        };
        const context = doc?.contexts?.find((c) => c.name === doc["current-context"])?.context;
        return doc?.clusters?.find((c) => c.name === context?.cluster)?.cluster ?? null;
    } catch {
        return undefined;
    }
}

function savedResource(r: RecordedResource, urns: ReadonlyMap<string, string>): SavedResource {
    const urn = (u: string) => urns.get(u) ?? u;
    let inputs = maskSecrets(r.inputs, r.secretPaths) as Record<string, unknown>;
    // A provider's structured inputs arrive as JSON text: compare what they say.
    if (r.type.startsWith(PROVIDER_PREFIX)) {
        inputs = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, jsonOrValue(v)]));
    }
    // A kubeconfig is a secret: keep a digest of its active cluster too, so that a change of
    // credentials alone (an update) can be told from a move to another cluster (a replacement).
    if (r.type === "pulumi:providers:kubernetes" && typeof r.inputs.kubeconfig === "string") {
        inputs[ACTIVE_CLUSTER] = isSecretPlaceholder(r.inputs.kubeconfig)
            ? PLACEHOLDER_CLUSTER
            : secretMarker(activeCluster(r.inputs.kubeconfig));
    }
    return {
        urn: urn(r.urn),
        type: r.type,
        name: r.name,
        custom: r.custom,
        parent: r.parent && urn(r.parent),
        provider: r.provider && urn(r.provider),
        inputs,
        aliases: r.aliases.map((a) => (a.parentUrn ? { ...a, parentUrn: urn(a.parentUrn) } : a)),
        replaceOnChanges: r.replaceOnChanges,
        ...(r.deleteBeforeReplace === undefined
            ? {}
            : { deleteBeforeReplace: r.deleteBeforeReplace }),
        ignoreChanges: r.ignoreChanges,
        propertyDependencies: Object.fromEntries(
            Object.entries(r.propertyDependencies).map(([k, deps]) => [k, deps.map(urn)]),
        ),
        ...(r.replacementTrigger === undefined
            ? {}
            : { replacementTrigger: unwrapTrigger(r.replacementTrigger) }),
        ...(r.replaceWith.length ? { replaceWith: r.replaceWith.map(urn) } : {}),
        ...(r.deletedWith ? { deletedWith: urn(r.deletedWith) } : {}),
        ...(r.retainOnDelete ? { retainOnDelete: true } : {}),
    };
}

/** A trigger as the SDK serialized it: a secret kept as a digest, other values as they are. */
function unwrapTrigger(value: unknown): unknown {
    const secrets: string[] = [];
    const plain = unwrapSecrets(value, "trigger", secrets);
    return secrets.length ? secretMarker(plain) : plain;
}

/** The plan in the form `--json` writes and `--diff` compares: engine URNs, no secret value. */
export function savePlan(plan: PlanResult, commit?: string): SavedPlan {
    const project = plan.project.name;
    const stack = plan.settings.stack;
    // Registration order puts every parent before its children.
    const urns = new Map<string, string>();
    for (const r of plan.resources) {
        const parent = r.parent ? (urns.get(r.parent) ?? r.parent) : undefined;
        urns.set(
            r.urn,
            r.type === STACK_TYPE ? r.urn : urnOf(project, stack, parent, r.type, r.name),
        );
    }
    return {
        format: PLAN_FORMAT,
        project,
        stack,
        ...(commit ? { commit } : {}),
        resources: plan.resources
            .filter((r) => r.type !== STACK_TYPE)
            .map((r) => savedResource(r, urns)),
        outputs: maskSecrets(plan.outputs, plan.outputSecretPaths) as Record<string, unknown>,
    };
}

/** Reads a plan saved with `--json`. Throws `PlanInputError` when it is not one. */
export function readSavedPlan(file: string): SavedPlan {
    let doc: unknown;
    try {
        doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new PlanInputError(
            `--diff ${file}: not a readable JSON file: ${(e as Error).message}`,
        );
    }
    const plan = doc as Partial<SavedPlan> | null;
    if (plan?.format !== PLAN_FORMAT || !Array.isArray(plan.resources)) {
        throw new PlanInputError(
            `--diff ${file}: not a plan saved by \`npm run plan -- --json\` of this version (format ${PLAN_FORMAT}); ` +
                `save one again, or give a git ref`,
        );
    }
    return plan as SavedPlan;
}

// --- Property paths -----------------------------------------------------------------------------

/** A JSON document inside a string property: the diff descends into it under this segment. */
const JSON_SEGMENT = "(json)";
type Segment = string | number;

/**
 * Parses a property path as the engine does (sdk/go/common/resource/properties_path.go):
 * `a.b[0]`, `a["b.c"]`, and `*` or `[*]` for any key or index; plus the diff's `(json)`.
 */
export function parsePath(path: string): Segment[] {
    const segments: Segment[] = [];
    let i = 0;
    while (i < path.length) {
        if (path[i] === ".") i++;
        if (path.startsWith(JSON_SEGMENT, i)) {
            segments.push(JSON_SEGMENT);
            i += JSON_SEGMENT.length;
        } else if (path[i] === "[") {
            const close =
                path[i + 1] === '"' ? path.indexOf('"]', i + 2) + 1 : path.indexOf("]", i);
            if (close <= 0) throw new Error(`unterminated [ in property path '${path}'`);
            const inside = path.slice(i + 1, close);
            segments.push(
                inside === "*"
                    ? "*"
                    : inside.startsWith('"')
                      ? (JSON.parse(inside) as string)
                      : Number(inside),
            );
            i = close + 1;
        } else {
            let end = i;
            while (
                end < path.length &&
                !".[".includes(path[end]) &&
                !path.startsWith(JSON_SEGMENT, end)
            ) {
                end++;
            }
            segments.push(path.slice(i, end));
            i = end;
        }
    }
    return segments;
}

/** Writes segments as the engine prints a path: `a.b[0]`, `a["b.c"]`. */
function formatPath(segments: readonly Segment[]): string {
    return segments
        .map((s, i) =>
            typeof s === "number"
                ? `[${s}]`
                : s === JSON_SEGMENT
                  ? s
                  : /^[A-Za-z_$][\w$-]*$/.test(s)
                    ? `${i === 0 ? "" : "."}${s}`
                    : `[${JSON.stringify(s)}]`,
        )
        .join("");
}

/**
 * Whether `path` is `pattern` or lies beneath it. A `*` (or `[*]`) segment matches any key or
 * index, as in the engine's `PropertyPath.Contains`; `*` alone matches everything.
 */
export function pathMatches(pattern: string, path: string): boolean {
    const [p, s] = [parsePath(pattern), parsePath(path)];
    return p.length <= s.length && p.every((seg, i) => seg === "*" || String(seg) === String(s[i]));
}

// --- The diff -----------------------------------------------------------------------------------

export type Operation = "create" | "update" | "replace" | "delete" | "same";

export interface PropertyChange {
    readonly path: string;
    /** Absent: the property is not set on that side. Secrets as `[secret]`. */
    readonly old?: unknown;
    readonly new?: unknown;
    /**
     * Set when the value is unknown until apply: the URN of the resource it comes from, which is
     * replaced, or updated in a way that recomputes its outputs (`computedWhy` says which).
     */
    readonly computedFrom?: string;
    readonly computedWhy?: string;
    /** Set when this change replaces the resource: why (the rule and its source). */
    readonly replaces?: string;
}

export interface ResourceDiff {
    readonly op: Operation;
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** The URN in the base, when the resource was matched through an alias. */
    readonly renamedFrom?: string;
    readonly changes: PropertyChange[];
    /** Why the resource is replaced, in words (a changed path, its provider). */
    readonly replaceReasons: string[];
    /** The old resource goes before the new one exists (the option, or the provider's choice). */
    readonly deleteBeforeReplace?: boolean;
    /** What the offline plan cannot decide, and what it would change. */
    readonly warnings?: string[];
}

export interface DiffSummary {
    readonly create: number;
    readonly update: number;
    readonly replace: number;
    readonly delete: number;
    /** Matched through an alias (counted also under their operation, or as unchanged). */
    readonly renamed: number;
    readonly unchanged: number;
}

export interface PlanDiff {
    readonly project: string;
    readonly stack: string;
    readonly summary: DiffSummary;
    /** Every resource that changes or is renamed: head order, then deletions in base order. */
    readonly resources: ResourceDiff[];
    /** Stack outputs that change. */
    readonly outputs: PropertyChange[];
    /** What would fail `pulumi preview` against the base's state (conflicting aliases). */
    readonly errors: string[];
}

const shown = (v: unknown): unknown => (isSecretMarker(v) ? "[secret]" : v);

/** Leaf-level differences between two values, descending into objects, lists and JSON text. */
export function valueChanges(old: unknown, now: unknown): PropertyChange[] {
    const out: PropertyChange[] = [];
    const walk = (a: unknown, b: unknown, at: Segment[]) => {
        const change = () =>
            out.push({
                path: formatPath(at),
                ...(a === undefined ? {} : { old: shown(a) }),
                ...(b === undefined ? {} : { new: shown(b) }),
            });
        if (isSecretMarker(a) || isSecretMarker(b)) {
            if (a !== b) change();
            return;
        }
        if (typeof a === "string" && typeof b === "string" && a !== b) {
            const [x, y] = [jsonOrValue(a), jsonOrValue(b)];
            if (typeof x === "object" && x !== null && typeof y === "object" && y !== null) {
                walk(x, y, [...at, JSON_SEGMENT]);
                return;
            }
        }
        const isObject = (v: unknown): v is Record<string, unknown> =>
            typeof v === "object" && v !== null && !Array.isArray(v);
        if (Array.isArray(a) && Array.isArray(b)) {
            for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], [...at, i]);
            return;
        }
        if (isObject(a) && isObject(b)) {
            const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
            for (const k of keys) walk(a[k], b[k], [...at, k]);
            return;
        }
        if (JSON.stringify(a) !== JSON.stringify(b)) change();
    };
    walk(old, now, []);
    return out;
}

interface Rule {
    readonly path: string;
    readonly why: string;
    readonly onlyWhenUnknown?: boolean;
    readonly removedIsNoChange?: boolean;
}

function rulesFor(r: SavedResource): Rule[] {
    const fromOptions = r.replaceOnChanges.map((path) => ({
        path,
        why: `replaceOnChanges: ${path} (the provider schema, or the program's option)`,
    }));
    const table: readonly ReplaceRule[] = r.type.startsWith(PROVIDER_PREFIX)
        ? (PROVIDER_REPLACE_ON_CHANGE[r.type] ?? [])
        : (REPLACE_ON_CHANGE[r.type] ?? []);
    return [
        ...fromOptions,
        ...table.map((rule) => ({
            path: rule.path,
            why: rule.source,
            onlyWhenUnknown: rule.onlyWhenUnknown,
            removedIsNoChange: rule.removedIsNoChange,
        })),
    ];
}

/** The provider's own DiffConfig rules that a change of its inputs triggers. */
function diffConfigReplaces(
    old: SavedResource | undefined,
    now: SavedResource | undefined,
): string[] {
    if (!old || !now || old.type !== now.type) return old === now ? [] : ["another provider"];
    const rules = (PROVIDER_REPLACE_ON_CHANGE[now.type] ?? []).filter((r) => !r.onlyWhenUnknown);
    return valueChanges(old.inputs, now.inputs)
        .filter((c) => rules.some((r) => pathMatches(r.path, c.path)))
        .map((c) => `${c.path} changes`);
}

/** The replacementTrigger values as the engine compares them (shouldTriggerReplace). */
function triggerReplaces(old: unknown, now: unknown): boolean {
    // A missing trigger on either side is no trigger; secrets compare by their plain value.
    if (old === undefined || old === null || now === undefined || now === null) return false;
    const plain = (v: unknown) => (isSecretMarker(v) ? v : secretMarker(v));
    return plain(old) !== plain(now);
}

/** Compares two plans of one stack. */
export function diffPlans(base: SavedPlan, head: SavedPlan): PlanDiff {
    const baseByUrn = new Map(base.resources.map((r) => [r.urn, r]));
    const headByUrn = new Map(head.resources.map((r) => [r.urn, r]));
    const errors: string[] = [];

    // Match as the engine does (getOldResource), in registration order: by URN first, then by
    // each alias; remember which old URN each resource took (its children inherit it) and
    // which resource took each old URN.
    const matched = new Map<string, SavedResource>(); // head URN -> base resource
    const aliasUsed = new Map<string, string>(); // head URN -> the old URN it matched
    const aliasedBy = new Map<string, string>(); // old URN -> the head URN that aliased it
    const seen = new Set<string>();
    const collapse = (r: SavedResource, a: SavedResource["aliases"][number]): string => {
        if (a.urn) return a.urn;
        let parent = a.parentUrn ?? r.parent;
        if (a.parentUrn) parent = aliasUsed.get(a.parentUrn) ?? a.parentUrn;
        if (a.noParent || (parent && qualifiedType(parent) === STACK_TYPE)) parent = undefined;
        return createUrn(
            a.name ?? r.name,
            a.type ?? r.type,
            parent,
            a.project ?? head.project,
            a.stack ?? head.stack,
        );
    };
    const inherited = (type: string, name: string, parentName: string, parentAlias: string) =>
        urnOf(
            head.project,
            head.stack,
            parentAlias,
            type,
            name.startsWith(parentName)
                ? nameOf(parentAlias) + name.slice(parentName.length)
                : name,
        );
    for (const r of head.resources) {
        const aliases = new Set(r.aliases.map((a) => collapse(r, a)));
        const parentAlias = r.parent ? aliasUsed.get(r.parent) : undefined;
        if (r.parent && parentAlias) {
            const parentName = nameOf(r.parent);
            aliases.add(inherited(r.type, r.name, parentName, parentAlias));
            for (const a of r.aliases) {
                const own = collapse(r, a);
                aliases.add(inherited(typeOf(own), nameOf(own), parentName, parentAlias));
            }
        }
        if (aliasedBy.has(r.urn)) {
            errors.push(
                `Duplicate resource URN '${r.urn}': resource '${aliasedBy.get(r.urn)}' already claims it through an alias`,
            );
        }
        for (const candidate of [r.urn, ...aliases]) {
            const old = baseByUrn.get(candidate);
            if (!old) continue;
            if (candidate !== r.urn) {
                if (seen.has(candidate) || aliasedBy.has(candidate)) {
                    errors.push(
                        `Duplicate resource alias '${candidate}' applied to resource with URN '${r.urn}' ` +
                            `conflicting with resource with URN '${aliasedBy.get(candidate) ?? candidate}'`,
                    );
                }
                aliasedBy.set(candidate, r.urn);
                aliasUsed.set(r.urn, candidate);
            }
            matched.set(r.urn, old);
            break;
        }
        seen.add(r.urn);
    }
    const claimed = new Set([...matched.values()].map((r) => r.urn));

    interface Working {
        op: Operation;
        changes: PropertyChange[];
        reasons: string[];
        warnings: string[];
        /** A provider replaced by its DiffConfig: what it manages is replaced with it. */
        byDiffConfig?: boolean;
    }
    const work = new Map<string, Working>();
    for (const r of head.resources) {
        const was = matched.get(r.urn);
        if (!was) {
            work.set(r.urn, { op: "create", changes: [], reasons: [], warnings: [] });
            continue;
        }
        const ignored = (path: string) => r.ignoreChanges.some((p) => pathMatches(p, path));
        const rules = rulesFor(r);
        // An Optional + Computed property the program stops setting keeps its value: no change.
        const kept = (c: PropertyChange) =>
            c.new === undefined &&
            rules.some((x) => x.removedIsNoChange && pathMatches(x.path, c.path));
        const changes: PropertyChange[] = valueChanges(was.inputs, r.inputs)
            .filter((c) => !ignored(c.path) && !kept(c))
            .map((c) => {
                const rule = rules.find((x) => !x.onlyWhenUnknown && pathMatches(x.path, c.path));
                return rule ? { ...c, replaces: rule.why } : c;
            });
        const reasons = [
            ...new Set(changes.filter((c) => c.replaces).map((c) => `${c.path} changes`)),
        ];
        const warnings: string[] = [];
        const isProvider = r.type.startsWith(PROVIDER_PREFIX);
        if (
            r.type === "pulumi:providers:kubernetes" &&
            changes.some((c) => c.path === "kubeconfig") &&
            r.inputs[ACTIVE_CLUSTER] === PLACEHOLDER_CLUSTER
        ) {
            warnings.push(
                "the kubeconfig is a new secret, which the offline plan cannot read: if it names another cluster " +
                    "(server or certificate authority), this provider and everything it manages are replaced " +
                    "(pulumi-kubernetes DiffConfig); new credentials for the same cluster are an update",
            );
        }
        if (triggerReplaces(was.replacementTrigger, r.replacementTrigger)) {
            changes.push({
                path: "(replacementTrigger)",
                old: shown(was.replacementTrigger),
                new: shown(r.replacementTrigger),
                replaces:
                    "the resource's replacementTrigger option (the Pulumi engine replaces when it changes: step_generator.go shouldTriggerReplace)",
            });
            reasons.push("its replacementTrigger changes");
        }
        // A resource moved to another provider resource: the new provider's DiffConfig decides
        // (step_generator.go providerChanged). The same provider replaced is handled below.
        const provider = r.provider ? (matched.get(r.provider)?.urn ?? r.provider) : undefined;
        if (provider !== was.provider) {
            const replaces = diffConfigReplaces(
                was.provider ? baseByUrn.get(was.provider) : undefined,
                r.provider ? headByUrn.get(r.provider) : undefined,
            );
            if (replaces.length) {
                reasons.push(
                    `it moves to provider ${nameOf(r.provider ?? "::::default")}, whose DiffConfig replaces (${replaces.join(", ")})`,
                );
            }
        }
        work.set(r.urn, {
            op: reasons.length ? "replace" : changes.length ? "update" : "same",
            changes,
            reasons,
            warnings,
            byDiffConfig: isProvider && diffConfigReplaces(was, r).length > 0,
        });
    }

    // A replaced resource is a new one: its outputs are unknown until it exists, the inputs
    // computed from them with it; what it is deleted with, or replaced with, goes with it; a
    // provider its DiffConfig replaces replaces what it manages.
    for (let changed = true, rounds = 0; changed && rounds < 50; rounds++) {
        changed = false;
        const replaced = new Set(
            head.resources.filter((r) => work.get(r.urn)!.op === "replace").map((r) => r.urn),
        );
        // Outputs unknown until apply: a replaced resource's, and those an update recomputes.
        const unknown = new Map<string, string>([...replaced].map((u) => [u, "which is replaced"]));
        for (const r of head.resources) {
            const recomputed = RECOMPUTED_ON_UPDATE[r.type];
            const w = work.get(r.urn)!;
            if (!recomputed || w.op !== "update") continue;
            const kept = (path: string) => recomputed.unless.some((p) => pathMatches(p, path));
            if (w.changes.some((c) => !kept(c.path))) {
                unknown.set(r.urn, `whose ${recomputed.outputs.join(", ")} an update recomputes`);
            }
        }
        for (const r of head.resources) {
            const w = work.get(r.urn)!;
            if (w.op === "create" || w.op === "replace") continue;
            const replaceBecause = (reason: string) => {
                w.op = "replace";
                w.reasons.push(reason);
                changed = true;
            };
            const along = r.replaceWith?.find((u) => replaced.has(u));
            if (along) {
                replaceBecause(`it is replaced with ${nameOf(along)} (replaceWith)`);
                continue;
            }
            if (r.deletedWith && replaced.has(r.deletedWith)) {
                replaceBecause(
                    `it is deleted with ${nameOf(r.deletedWith)}, which is replaced (deletedWith)`,
                );
                continue;
            }
            if (r.provider && replaced.has(r.provider) && work.get(r.provider)!.byDiffConfig) {
                replaceBecause(`its provider ${nameOf(r.provider)} is replaced (its DiffConfig)`);
                continue;
            }
            const providerType = r.provider ? headByUrn.get(r.provider)?.type : undefined;
            const providerChanges = r.provider ? work.get(r.provider)!.changes : [];
            let byProviderInput = false;
            for (const rule of PROVIDER_INPUTS_REPLACING_RESOURCES[providerType ?? ""] ?? []) {
                const change = providerChanges.find((c) => pathMatches(rule.path, c.path));
                if (!change || rule.spares(r.type)) continue;
                w.changes.push({
                    ...change,
                    path: `(provider) ${change.path}`,
                    replaces: rule.source,
                });
                replaceBecause(`its provider's ${change.path} changes`);
                byProviderInput = true;
                break;
            }
            if (byProviderInput) continue;
            const rules = rulesFor(r);
            for (const [property, deps] of Object.entries(r.propertyDependencies)) {
                const from = deps.find((d) => unknown.has(d));
                if (!from || w.changes.some((c) => pathMatches(property, c.path))) continue;
                if (r.ignoreChanges.some((p) => pathMatches(p, property))) continue;
                const rule = rules.find((x) => pathMatches(x.path, property));
                const why = unknown.get(from)!;
                w.changes.push({
                    path: property,
                    computedFrom: from,
                    computedWhy: why,
                    ...(rule ? { replaces: rule.why } : {}),
                });
                changed = true;
                if (rule) {
                    replaceBecause(`${property} is computed from ${nameOf(from)}, ${why}`);
                    if (
                        r.type.startsWith(PROVIDER_PREFIX) &&
                        !rule.why.startsWith("replaceOnChanges")
                    ) {
                        w.byDiffConfig = true;
                    }
                } else if (w.op === "same") {
                    w.op = "update";
                }
            }
        }
    }

    const resources: ResourceDiff[] = [];
    const summary = { create: 0, update: 0, replace: 0, delete: 0, renamed: 0, unchanged: 0 };
    for (const r of head.resources) {
        const w = work.get(r.urn)!;
        const was = matched.get(r.urn);
        const renamedFrom = was && was.urn !== r.urn ? was.urn : undefined;
        if (renamedFrom) summary.renamed++;
        if (w.op === "same") summary.unchanged++;
        else summary[w.op]++;
        if (w.op === "same" && !renamedFrom && w.warnings.length === 0) continue;
        const deleteFirst = w.op === "replace" && was !== undefined && deletesBeforeReplace(was, r);
        if (w.op === "replace" && was) {
            w.warnings.push(...operationWarnings("replace", was, r, !deleteFirst));
        }
        resources.push({
            op: w.op,
            urn: r.urn,
            type: r.type,
            name: r.name,
            ...(renamedFrom ? { renamedFrom } : {}),
            changes: w.changes,
            replaceReasons: w.reasons,
            ...(deleteFirst ? { deleteBeforeReplace: true } : {}),
            ...(w.warnings.length ? { warnings: w.warnings } : {}),
        });
    }
    for (const r of base.resources) {
        if (claimed.has(r.urn)) continue;
        summary.delete++;
        // A retained resource is only forgotten: nothing the cloud refuses on delete applies.
        const warnings = r.retainOnDelete
            ? ["retainOnDelete: Pulumi forgets it and leaves it where it is"]
            : operationWarnings("delete", r, undefined, false);
        resources.push({
            op: "delete",
            urn: r.urn,
            type: r.type,
            name: r.name,
            changes: [],
            replaceReasons: [],
            ...(warnings.length ? { warnings } : {}),
        });
    }
    return {
        project: head.project,
        stack: head.stack,
        summary,
        resources,
        outputs: valueChanges(base.outputs, head.outputs),
        errors,
    };
}

// --- Rendering ----------------------------------------------------------------------------------

const SYMBOL: Record<Operation, string> = {
    create: "+",
    update: "~",
    replace: "+-",
    delete: "-",
    same: "=",
};

/** `+ 2 to create, ~ 1 to update, +- 1 to replace, - 1 to delete, 240 unchanged`, as `pulumi preview`. */
export function summaryLine(s: DiffSummary): string {
    const parts = [
        s.create && `+ ${s.create} to create`,
        s.update && `~ ${s.update} to update`,
        s.replace && `+- ${s.replace} to replace`,
        s.delete && `- ${s.delete} to delete`,
        s.renamed && `${s.renamed} renamed through an alias`,
        `${s.unchanged} unchanged`,
    ].filter(Boolean);
    return parts.join(", ");
}

/** A value as the diff prints it: JSON, long ones shortened. */
export function formatValue(v: unknown, max = 120): string {
    if (v === undefined) return "(unset)";
    if (v === "[secret]") return "[secret]";
    const text = JSON.stringify(v) ?? String(v);
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function changeLine(c: PropertyChange): string {
    const value = c.computedFrom
        ? `(known after apply: computed from ${c.computedFrom.split("::").pop()}, ${c.computedWhy ?? "which is replaced"})`
        : `${formatValue(c.old)} -> ${formatValue(c.new)}`;
    return `${c.path}: ${value}${c.replaces ? `  [forces replacement: ${c.replaces}]` : ""}`;
}

const resourceLabel = (r: ResourceDiff) => `${r.type} ${r.name}`;

/** The diff as text for a terminal. */
export function renderDiff(diff: PlanDiff, baseLabel: string, maxChanges = 25): string {
    const lines = [
        `Changes to stack ${diff.project}/${diff.stack} against ${baseLabel}, planned offline: nothing was deployed.`,
        "",
    ];
    if (diff.errors.length) {
        lines.push("Errors (`pulumi preview` against the base's state would fail):");
        for (const e of diff.errors) lines.push(`  ${e}`);
        lines.push("");
    }
    if (diff.resources.length === 0) lines.push("No resource changes.");
    for (const r of diff.resources) {
        lines.push(
            `${SYMBOL[r.op].padStart(2)} ${resourceLabel(r)}  ${r.op === "same" ? "renamed" : r.op}`,
        );
        if (r.renamedFrom) lines.push(`      renamed from ${r.renamedFrom}`);
        for (const reason of r.replaceReasons) lines.push(`      replaced because ${reason}`);
        if (r.deleteBeforeReplace) {
            lines.push("      deleted before its replacement is created (a gap while it is gone)");
        }
        for (const w of r.warnings ?? []) lines.push(`      ! ${w}`);
        for (const c of r.changes.slice(0, maxChanges)) lines.push(`      ${changeLine(c)}`);
        if (r.changes.length > maxChanges) {
            lines.push(`      … and ${r.changes.length - maxChanges} more changes (all in --json)`);
        }
    }
    if (diff.outputs.length) {
        lines.push("", "Outputs:");
        for (const c of diff.outputs) lines.push(`  ~ ${changeLine(c)}`);
    }
    lines.push("", `Resources: ${summaryLine(diff.summary)}`);
    return lines.join("\n");
}

// Each stack's diff shares one comment (GitHub allows 65,536 characters) with the others.
const GITHUB_COMMENT_LIMIT = 30000;

/** The diff as Markdown, for a pull-request comment (kept under GitHub's comment size). */
export function renderDiffMarkdown(diff: PlanDiff, baseLabel: string): string {
    const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
    const head = [
        `### Offline plan of \`${diff.stack}\`: ${summaryLine(diff.summary)}`,
        "",
        `Against ${baseLabel}. Planned under Pulumi's mock runtime: no credentials, nothing deployed; a real \`pulumi preview\` may show more (values the clouds compute).`,
        "",
    ];
    if (diff.errors.length) {
        head.push(
            "**`pulumi preview` against the base's state would fail:**",
            "",
            ...diff.errors.map((e) => `- ${e}`),
            "",
        );
    }
    if (diff.resources.length === 0 && diff.outputs.length === 0) {
        return [...head, "No resource changes."].join("\n");
    }
    const body: string[] = [];
    if (diff.resources.length) {
        body.push("| | Type | Name | Why |", "|---|---|---|---|");
        for (const r of diff.resources) {
            const why = [
                ...(r.renamedFrom
                    ? [`renamed from ${code(r.renamedFrom.split("::").pop()!)}`]
                    : []),
                ...r.replaceReasons,
                ...(r.deleteBeforeReplace ? ["deleted first"] : []),
                ...(r.warnings ?? []).map((w) => `⚠ ${w}`),
                ...(r.op === "update"
                    ? [`${r.changes.length} change${r.changes.length === 1 ? "" : "s"}`]
                    : []),
            ].join("; ");
            body.push(
                `| ${code(SYMBOL[r.op])} ${r.op === "same" ? "rename" : r.op} | ${code(r.type)} | ${code(r.name)} | ${why.replace(/\|/g, "\\|").replace(/</g, "&lt;")} |`,
            );
        }
    }
    // Values come from the program: nothing in them may close a code block or open HTML.
    const html = (t: string) =>
        t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    const block = (t: string) => t.replace(/`{3,}/g, (m) => "'".repeat(m.length));
    const details: string[] = [];
    for (const r of diff.resources.filter((r) => r.changes.length)) {
        details.push(
            `<details><summary>${SYMBOL[r.op]} ${html(r.type)} <b>${html(r.name)}</b></summary>`,
            "",
            "```",
            ...r.changes.map((c) => block(changeLine(c))),
            "```",
            "</details>",
        );
    }
    if (diff.outputs.length) {
        details.push(
            "<details><summary>Outputs</summary>",
            "",
            "```",
            ...diff.outputs.map((c) => block(changeLine(c))),
            "```",
            "</details>",
        );
    }
    let text = [...head, ...body, "", ...details].join("\n");
    if (text.length > GITHUB_COMMENT_LIMIT) {
        text = [
            ...head,
            ...body,
            "",
            "_The details do not fit in a comment: run `npm run plan -- --stack " +
                `${diff.stack} --diff <base>\` to see them._`,
        ].join("\n");
        if (text.length > GITHUB_COMMENT_LIMIT)
            text = `${text.slice(0, GITHUB_COMMENT_LIMIT)}\n\n_(cut)_`;
    }
    return text;
}
