/**
 * What a change does to a running stack, offline: the plan of the stack as it is (the head)
 * against the plan of the same stack at a base (a git commit, or a plan saved with `--json`),
 * resource by resource, the way `pulumi preview --diff` reports it against the state:
 *
 * - resources matched by URN, or by an alias (the `aliases` option, completed as the engine
 *   completes it, with the aliases a child inherits from its parents): a match through an alias
 *   is a rename, not a delete and a create;
 * - for each matched custom resource, every changed input path, old -> new, secrets shown as
 *   `[secret]` (a saved plan keeps a digest of each secret value, so a rotated secret shows as
 *   changed without being written down);
 * - "replace" instead of "update" when a changed path is one the provider replaces on (the
 *   `replaceOnChanges` the SDK sends at registration, and `plan/replace-rules.ts`, each rule
 *   citing the provider's source), when the resource moves to another provider, or when its
 *   provider is replaced; a replacement makes the inputs computed from the replaced resource
 *   unknown, which replaces the resources that cannot update them in place, and so on;
 * - the stack outputs that change.
 *
 * The mock runtime echoes inputs: a value a provider recomputes on an update (a launch
 * template's latest version) is not seen to change, as it is by `pulumi preview`.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import { AliasSpec, RecordedResource, unwrapSecrets } from "./mocks";
import * as YAML from "yaml";
import { jsonOrValue } from "./json";
import { PROVIDER_REPLACE_ON_CHANGE, REPLACE_ON_CHANGE, ReplaceRule } from "./replace-rules";
import type { PlanResult } from "./run";
import { PlanInputError } from "./stack-files";

/** The format of a plan saved with `--json`; a saved plan of another format is refused. */
export const PLAN_FORMAT = "multicloud-plan/1";

const STACK_TYPE = "pulumi:pulumi:Stack";
const PROVIDER_PREFIX = "pulumi:providers:";

/** One resource of a saved plan: what the engine would compare with the state. */
export interface SavedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly parent?: string;
    readonly provider?: string;
    /** Inputs; each secret replaced by `[secret sha256:<digest>]`. Providers' JSON text decoded. */
    readonly inputs: Record<string, unknown>;
    readonly aliases: AliasSpec[];
    readonly replaceOnChanges: string[];
    readonly deleteBeforeReplace: boolean;
    readonly ignoreChanges: string[];
    readonly propertyDependencies: Record<string, string[]>;
    /** The `replacementTrigger` option's value (a secret as a digest); absent when not set. */
    readonly replacementTrigger?: unknown;
    /** The `replaceWith` option: replaced along with any of these. */
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

/** `value` with the values at `secretPaths` (paths as the recorder writes them) replaced. */
function maskSecrets(value: unknown, secretPaths: readonly string[], at = ""): unknown {
    if (secretPaths.length === 0) return value;
    if (at && secretPaths.includes(at)) return secretMarker(value);
    if (Array.isArray(value))
        return value.map((v, i) => maskSecrets(v, secretPaths, `${at}[${i}]`));
    if (value && typeof value === "object") {
        return Object.fromEntries(
            Object.entries(value).map(([k, v]) => [
                k,
                maskSecrets(v, secretPaths, at ? `${at}.${k}` : k),
            ]),
        );
    }
    return value;
}

/** The `kubeconfig(active cluster)` the Kubernetes provider's DiffConfig compares (see below). */
const ACTIVE_CLUSTER = "kubeconfig(active cluster)";

/**
 * The cluster entry a kubeconfig's current context points at (server, certificate authority):
 * what pulumi-kubernetes compares to decide between updating and replacing the provider.
 */
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

function savedResource(r: RecordedResource): SavedResource {
    let inputs = maskSecrets(r.inputs, r.secretPaths) as Record<string, unknown>;
    // A provider's structured inputs arrive as JSON text: compare what they say.
    if (r.type.startsWith(PROVIDER_PREFIX)) {
        inputs = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, jsonOrValue(v)]));
    }
    // A kubeconfig is a secret: keep a digest of its active cluster too, so that a change of
    // credentials alone (an update) can be told from a move to another cluster (a replacement).
    if (r.type === "pulumi:providers:kubernetes" && r.inputs.kubeconfig !== undefined) {
        inputs[ACTIVE_CLUSTER] = secretMarker(activeCluster(r.inputs.kubeconfig));
    }
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        custom: r.custom,
        parent: r.parent,
        provider: r.provider,
        inputs,
        aliases: r.aliases,
        replaceOnChanges: r.replaceOnChanges,
        deleteBeforeReplace: r.deleteBeforeReplace,
        ignoreChanges: r.ignoreChanges,
        propertyDependencies: r.propertyDependencies,
        ...(r.replacementTrigger === undefined
            ? {}
            : { replacementTrigger: unwrapTrigger(r.replacementTrigger) }),
        ...(r.replaceWith.length ? { replaceWith: r.replaceWith } : {}),
    };
}

/** A trigger as the SDK serialized it: a secret kept as a digest, other values as they are. */
function unwrapTrigger(value: unknown): unknown {
    const secrets: string[] = [];
    const plain = unwrapSecrets(value, "trigger", secrets);
    return secrets.length ? secretMarker(plain) : plain;
}

/** The plan in the form `--json` writes and `--diff` compares: no secret value in it. */
export function savePlan(plan: PlanResult, commit?: string): SavedPlan {
    return {
        format: PLAN_FORMAT,
        project: plan.project.name,
        stack: plan.settings.stack,
        ...(commit ? { commit } : {}),
        resources: plan.resources.filter((r) => r.type !== STACK_TYPE).map(savedResource),
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

// --- Paths --------------------------------------------------------------------------------------

/**
 * Whether `path` (as the diff writes it: `a.b[0].c`, `policy(json).Statement[0]`) is `pattern`
 * or lies beneath it. In patterns `[*]` matches any index, a `*` segment any key, and `*` alone
 * everything (as in the `replaceOnChanges` and `ignoreChanges` options).
 */
export function pathMatches(pattern: string, path: string): boolean {
    if (pattern === "*") return true;
    const source = pattern
        .split(/(\[\*\]|\*)/)
        .map((part) =>
            part === "[*]"
                ? "\\[\\d+\\]"
                : part === "*"
                  ? "[^.\\[(]+"
                  : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
        )
        .join("");
    return new RegExp(`^${source}(?=$|[.\\[(])`).test(path);
}

// --- The diff -----------------------------------------------------------------------------------

export type Operation = "create" | "update" | "replace" | "delete" | "same";

export interface PropertyChange {
    readonly path: string;
    /** Absent: the property is not set on that side. Secrets as `[secret]`. */
    readonly old?: unknown;
    readonly new?: unknown;
    /** Set when the value is unknown until apply: the URN of the replaced resource it comes from. */
    readonly computedFrom?: string;
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
    readonly deleteBeforeReplace?: boolean;
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
}

const shown = (v: unknown): unknown => (isSecretMarker(v) ? "[secret]" : v);

/** Leaf-level differences between two values, descending into objects, lists and JSON text. */
export function valueChanges(old: unknown, now: unknown, at = ""): PropertyChange[] {
    if (isSecretMarker(old) || isSecretMarker(now)) {
        return old === now ? [] : [{ path: at, old: shown(old), new: shown(now) }];
    }
    const json = (v: unknown) => (typeof v === "string" ? jsonOrValue(v) : v);
    if (typeof old === "string" && typeof now === "string" && old !== now) {
        const [a, b] = [json(old), json(now)];
        if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
            return valueChanges(a, b, `${at}(json)`);
        }
    }
    const isObject = (v: unknown): v is Record<string, unknown> =>
        typeof v === "object" && v !== null && !Array.isArray(v);
    if (Array.isArray(old) || Array.isArray(now)) {
        if (Array.isArray(old) && Array.isArray(now)) {
            const out: PropertyChange[] = [];
            for (let i = 0; i < Math.max(old.length, now.length); i++) {
                out.push(...valueChanges(old[i], now[i], `${at}[${i}]`));
            }
            return out;
        }
    } else if (isObject(old) && isObject(now)) {
        const keys = [...new Set([...Object.keys(old), ...Object.keys(now)])].sort();
        return keys.flatMap((k) => valueChanges(old[k], now[k], at ? `${at}.${k}` : k));
    }
    if (JSON.stringify(old) === JSON.stringify(now)) return [];
    return [
        {
            path: at,
            ...(old === undefined ? {} : { old: shown(old) }),
            ...(now === undefined ? {} : { new: shown(now) }),
        },
    ];
}

const qualifiedType = (urn: string) => urn.split("::")[2];

/** A URN as the engine builds it: the parent's qualified type, `$`, the type, then the name. */
export function urnOf(
    project: string,
    stack: string,
    parentUrn: string | undefined,
    type: string,
    name: string,
): string {
    const qualified = parentUrn ? `${qualifiedType(parentUrn)}$${type}` : type;
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/**
 * Every URN a resource may have had: its own, its aliases completed as the engine completes
 * them (empty parts are the resource's own), and the same under every URN its parent may have
 * had (the aliases a child inherits).
 */
function previousUrns(
    r: SavedResource,
    plan: SavedPlan,
    byUrn: ReadonlyMap<string, SavedResource>,
    memo: Map<string, Set<string>>,
): Set<string> {
    const known = memo.get(r.urn);
    if (known) return known;
    const urns = new Set<string>([r.urn]);
    memo.set(r.urn, urns);
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    const parents = parent ? [...previousUrns(parent, plan, byUrn, memo)] : [r.parent];
    for (const p of parents) urns.add(urnOf(plan.project, plan.stack, p, r.type, r.name));
    for (const a of r.aliases) {
        if (a.urn) {
            urns.add(a.urn);
            continue;
        }
        const aliasParents = a.noParent
            ? [undefined]
            : a.parentUrn && a.parentUrn !== r.parent
              ? [a.parentUrn]
              : parents;
        for (const p of aliasParents) {
            urns.add(
                urnOf(
                    a.project ?? plan.project,
                    a.stack ?? plan.stack,
                    p,
                    a.type ?? r.type,
                    a.name ?? r.name,
                ),
            );
        }
    }
    return urns;
}

interface Rule {
    readonly path: string;
    readonly why: string;
    readonly onlyWhenUnknown?: boolean;
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
        })),
    ];
}

/** Compares two plans of one stack. */
export function diffPlans(base: SavedPlan, head: SavedPlan): PlanDiff {
    const baseByUrn = new Map(base.resources.map((r) => [r.urn, r]));
    const headByUrn = new Map(head.resources.map((r) => [r.urn, r]));
    const memo = new Map<string, Set<string>>();

    // Match each head resource to its base resource: by URN, else by an alias whose URN no head
    // resource has (the engine would otherwise see two resources claim one state entry).
    const matched = new Map<string, SavedResource>(); // head URN -> base
    const claimed = new Set<string>();
    for (const r of head.resources) {
        if (baseByUrn.has(r.urn)) {
            matched.set(r.urn, baseByUrn.get(r.urn)!);
            claimed.add(r.urn);
        }
    }
    for (const r of head.resources) {
        if (matched.has(r.urn)) continue;
        for (const urn of previousUrns(r, head, headByUrn, memo)) {
            if (baseByUrn.has(urn) && !claimed.has(urn) && !headByUrn.has(urn)) {
                matched.set(r.urn, baseByUrn.get(urn)!);
                claimed.add(urn);
                break;
            }
        }
    }
    const baseUrnOf = (headUrn: string | undefined) =>
        headUrn === undefined ? undefined : (matched.get(headUrn)?.urn ?? headUrn);

    interface Working {
        op: Operation;
        changes: PropertyChange[];
        reasons: string[];
    }
    const work = new Map<string, Working>();
    for (const r of head.resources) {
        const was = matched.get(r.urn);
        if (!was) {
            work.set(r.urn, { op: "create", changes: [], reasons: [] });
            continue;
        }
        if (!r.custom) {
            work.set(r.urn, { op: "same", changes: [], reasons: [] });
            continue;
        }
        const ignored = (path: string) => r.ignoreChanges.some((p) => pathMatches(p, path));
        const rules = rulesFor(r);
        const changes = valueChanges(was.inputs, r.inputs)
            .filter((c) => !ignored(c.path))
            .map((c) => {
                const rule = rules.find((x) => !x.onlyWhenUnknown && pathMatches(x.path, c.path));
                return rule ? { ...c, replaces: rule.why } : c;
            });
        const reasons = [
            ...new Set(changes.filter((c) => c.replaces).map((c) => `${c.path} changes`)),
        ];
        if (JSON.stringify(was.replacementTrigger) !== JSON.stringify(r.replacementTrigger)) {
            changes.push({
                path: "(replacementTrigger)",
                ...(was.replacementTrigger === undefined
                    ? {}
                    : { old: shown(was.replacementTrigger) }),
                ...(r.replacementTrigger === undefined ? {} : { new: shown(r.replacementTrigger) }),
                replaces:
                    "the resource's replacementTrigger option (the Pulumi engine replaces on any change of it)",
            });
            reasons.push("its replacementTrigger changes");
        }
        if (baseUrnOf(r.provider) !== was.provider) {
            reasons.push(
                `its provider changes (${was.provider ?? "the default provider"} -> ${r.provider ?? "the default provider"})`,
            );
        }
        work.set(r.urn, {
            op: reasons.length ? "replace" : changes.length ? "update" : "same",
            changes,
            reasons,
        });
    }

    // A replaced resource is a new one: its outputs are unknown until it exists, the inputs
    // computed from them with it, and the resources of a replaced provider are replaced.
    for (let changed = true, rounds = 0; changed && rounds < 50; rounds++) {
        changed = false;
        const replaced = new Set(
            head.resources.filter((r) => work.get(r.urn)!.op === "replace").map((r) => r.urn),
        );
        for (const r of head.resources) {
            const w = work.get(r.urn)!;
            if (!r.custom || w.op === "create" || w.op === "replace") continue;
            if (r.provider && replaced.has(r.provider)) {
                w.op = "replace";
                w.reasons.push(`its provider ${r.provider.split("::").pop()} is replaced`);
                changed = true;
                continue;
            }
            const along = r.replaceWith?.find((u) => replaced.has(u));
            if (along) {
                w.op = "replace";
                w.reasons.push(`it is replaced with ${along.split("::").pop()} (replaceWith)`);
                changed = true;
                continue;
            }
            const rules = rulesFor(r);
            for (const [property, deps] of Object.entries(r.propertyDependencies)) {
                const from = deps.find((d) => replaced.has(d));
                if (!from || w.changes.some((c) => pathMatches(property, c.path))) continue;
                const rule = rules.find((x) => pathMatches(x.path, property));
                w.changes.push({
                    path: property,
                    computedFrom: from,
                    ...(rule ? { replaces: rule.why } : {}),
                });
                if (rule) {
                    w.op = "replace";
                    w.reasons.push(
                        `${property} is computed from ${from.split("::").pop()}, which is replaced`,
                    );
                } else if (w.op === "same") {
                    w.op = "update";
                }
                changed = true;
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
        if (w.op === "same" && !renamedFrom) continue;
        resources.push({
            op: w.op,
            urn: r.urn,
            type: r.type,
            name: r.name,
            ...(renamedFrom ? { renamedFrom } : {}),
            changes: w.changes,
            replaceReasons: w.reasons,
            ...(w.op === "replace" && r.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
        });
    }
    for (const r of base.resources) {
        if (claimed.has(r.urn)) continue;
        summary.delete++;
        resources.push({
            op: "delete",
            urn: r.urn,
            type: r.type,
            name: r.name,
            changes: [],
            replaceReasons: [],
        });
    }
    return {
        project: head.project,
        stack: head.stack,
        summary,
        resources,
        outputs: valueChanges(base.outputs, head.outputs),
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
        ? `(known after apply: computed from ${c.computedFrom.split("::").pop()}, which is replaced)`
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
    if (diff.resources.length === 0) lines.push("No resource changes.");
    for (const r of diff.resources) {
        lines.push(
            `${SYMBOL[r.op].padStart(2)} ${resourceLabel(r)}  ${r.op === "same" ? "renamed" : r.op}`,
        );
        if (r.renamedFrom) lines.push(`      renamed from ${r.renamedFrom}`);
        for (const reason of r.replaceReasons) lines.push(`      replaced because ${reason}`);
        if (r.deleteBeforeReplace) lines.push("      deleted before its replacement is created");
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
                ...(r.op === "update"
                    ? [`${r.changes.length} change${r.changes.length === 1 ? "" : "s"}`]
                    : []),
            ].join("; ");
            body.push(
                `| ${code(SYMBOL[r.op])} ${r.op === "same" ? "rename" : r.op} | ${code(r.type)} | ${code(r.name)} | ${why.replace(/\|/g, "\\|")} |`,
            );
        }
    }
    const details: string[] = [];
    for (const r of diff.resources.filter((r) => r.changes.length)) {
        details.push(
            `<details><summary>${SYMBOL[r.op]} ${r.type} <b>${r.name}</b></summary>`,
            "",
            "```",
            ...r.changes.map(changeLine),
            "```",
            "</details>",
        );
    }
    if (diff.outputs.length) {
        details.push(
            "<details><summary>Outputs</summary>",
            "",
            "```",
            ...diff.outputs.map(changeLine),
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
