/**
 * Prints a plan the way `pulumi preview` shows it, for a reader new to the stack: a summary first
 * (clouds, resources by provider, the policy result, placeholders left), a warning for every
 * placeholder value still in the stack, then the details: the tree of type and name under their
 * parents, counts by provider and by type, and the stack outputs (YAML, secrets masked). The CLI
 * prints the policy results after it, and `nextStep` last.
 */
import * as YAML from "yaml";
import type { PlaceholderFinding } from "../lib/placeholders";
import { isRecord } from "../lib/stack-files";
import type { Verdict } from "./gate";
import { mapAtPaths, type RecordedResource } from "./mocks";
import type { PlanResult } from "./run";

const SECRET = "[secret]";

interface Node {
    readonly resource: RecordedResource;
    readonly children: Node[];
}

/** Builds the parent/child tree; resources whose parent is unknown hang off the root. */
export function buildTree(resources: readonly RecordedResource[]): Node[] {
    const nodes = new Map(resources.map((r) => [r.urn, { resource: r, children: [] as Node[] }]));
    const roots: Node[] = [];
    for (const node of nodes.values()) {
        const parent = node.resource.parent ? nodes.get(node.resource.parent) : undefined;
        (parent ? parent.children : roots).push(node);
    }
    return roots;
}

/** The package a type belongs to: `aws` for `aws:ec2/vpc:Vpc`, `aws` for `pulumi:providers:aws`. */
export function packageOf(type: string): string {
    if (type.startsWith("pulumi:providers:")) return type.slice("pulumi:providers:".length);
    return type.split(":")[0];
}

/** Counts by package, then by type within it, sorted by name. The stack itself is left out. */
export function countByProvider(
    resources: readonly RecordedResource[],
): Map<string, Map<string, number>> {
    const counts = new Map<string, Map<string, number>>();
    for (const r of resources.filter((r) => r.type !== "pulumi:pulumi:Stack")) {
        const pkg = packageOf(r.type);
        const types = counts.get(pkg) ?? new Map<string, number>();
        types.set(r.type, (types.get(r.type) ?? 0) + 1);
        counts.set(pkg, types);
    }
    return new Map(
        [...counts.entries()]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([pkg, types]) => [
                pkg,
                new Map([...types.entries()].sort(([a], [b]) => a.localeCompare(b))),
            ]),
    );
}

/** Replaces the secret paths of `value` by `[secret]`. */
export function maskSecrets(
    value: Record<string, unknown>,
    secretPaths: readonly string[],
): Record<string, unknown> {
    return mapAtPaths(value, secretPaths, () => SECRET) as Record<string, unknown>;
}

function providerLabel(r: RecordedResource): string {
    if (!r.custom || r.type.startsWith("pulumi:providers:")) return "";
    return r.provider ? `  (provider: ${r.provider.split("::").pop()})` : "  (default provider)";
}

/** What the plan found besides the resources, for the summary and the warnings. */
export interface PlanReport {
    /** The policy gate's verdict; undefined with `--no-policy`. */
    readonly verdict?: Verdict;
    /** The placeholder values still in the stack (lib/placeholders.ts findPlaceholders). */
    readonly placeholders?: readonly PlaceholderFinding[];
    /** Full key -> the file that sets it, to say where a placeholder is written. */
    readonly files?: Readonly<Record<string, string>>;
    /** The summary's policy line when there is no verdict. @default "not checked (--no-policy)" */
    readonly policies?: string;
}

function plural(n: number, one: string, many = `${one}s`): string {
    return `${n} ${n === 1 ? one : many}`;
}

/** A structured config key's value as the stack files hold it (`multicloud:aws`), or undefined. */
function sectionOf(plan: PlanResult, key: string): Record<string, unknown> | undefined {
    const value = plan.settings.written[`${plan.project.name}:${key}`];
    return isRecord(value) ? value : undefined;
}

/** The clouds the stack config enables, each with where it deploys; undefined without sections. */
export function cloudsLine(plan: PlanResult): string | undefined {
    const clouds = [
        { key: "aws", label: "AWS", where: ["region"] },
        { key: "gcp", label: "Google Cloud", where: ["project", "region"] },
        { key: "azure", label: "Azure", where: ["location"] },
    ];
    const sections = clouds.map((c) => ({ ...c, section: sectionOf(plan, c.key) }));
    if (sections.every((c) => c.section === undefined)) return undefined;
    const enabled = (v: unknown) => v === true || v === "true";
    const on = sections.filter((c) => enabled(c.section?.enabled));
    const off = sections.filter((c) => !enabled(c.section?.enabled));
    const where = (c: (typeof on)[number]) => {
        const parts = c.where.map((k) => c.section?.[k]).filter((v) => typeof v === "string");
        return parts.length ? `${c.label} (${parts.join(", ")})` : c.label;
    };
    const sites = sectionOf(plan, "edge")?.sites;
    const edge = Array.isArray(sites) ? `; ${plural(sites.length, "edge site")}` : "";
    return (
        (on.length ? on.map(where).join(", ") : "none enabled") +
        (off.length ? `; off: ${off.map((c) => c.label).join(", ")}` : "") +
        edge
    );
}

/** Resources to create by provider package, most first, then the components that group them. */
export function resourcesLine(resources: readonly RecordedResource[]): string {
    const created = resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
    const byPackage = new Map<string, number>();
    for (const r of created.filter((r) => r.custom)) {
        byPackage.set(packageOf(r.type), (byPackage.get(packageOf(r.type)) ?? 0) + 1);
    }
    const components = created.filter((r) => !r.custom).length;
    const parts = [...byPackage.entries()]
        .sort(([a, n], [b, m]) => m - n || a.localeCompare(b))
        .map(([pkg, n]) => `${pkg} ${n}`);
    if (components) parts.push(`and ${plural(components, "component")}`);
    return `${created.length} to create${parts.length ? `: ${parts.join(", ")}` : ""}`;
}

/** The policy result in one line: the counts and whether the gate passes. */
export function policyLine(
    verdict: Verdict | undefined,
    unchecked = "not checked (--no-policy)",
): string {
    if (!verdict) return unchecked;
    const counts =
        `${verdict.mandatory} mandatory, ${plural(verdict.advisory, "advisory violation")} ` +
        `(${plural(verdict.policies.length, "policy", "policies")})`;
    return verdict.mandatory > 0
        ? `the gate FAILS: ${counts}; \`pulumi preview --policy-pack policy\` would stop here`
        : `the gate passes: ${counts}${verdict.advisory ? "; advisory ones are reported, not enforced" : ""}`;
}

/** One warning line per placeholder, then what leaving them means; empty without any. */
export function placeholderWarnings(
    placeholders: readonly PlaceholderFinding[],
    files: Readonly<Record<string, string>> = {},
): string[] {
    if (placeholders.length === 0) return [];
    const fileOf = (key: string) => files[key.split(/[.[]/)[0]];
    return [
        `Warnings: ${plural(placeholders.length, "placeholder value")} of the template still in the stack:`,
        ...placeholders.map((p) => {
            const file = fileOf(p.key);
            return `  warning: ${p.key}${file === "Pulumi.yaml" ? " (Pulumi.yaml)" : ""} = ${p.value}; replace with ${p.where}`;
        }),
        `\`pulumi up\` would fail, or deploy into someone else's ids, until ${placeholders.length === 1 ? "it is" : "they are"} replaced.`,
    ];
}

/** The stack outputs as indented YAML (secrets masked), each line indented by `indent`. */
export function renderOutputs(outputs: Record<string, unknown>, indent = "  "): string[] {
    const shown = Object.fromEntries(
        Object.keys(outputs)
            .filter((k) => outputs[k] !== undefined)
            .sort()
            .map((k) => [k, outputs[k]]),
    );
    if (Object.keys(shown).length === 0) return [];
    return YAML.stringify(shown, { indent: 2, lineWidth: 0 })
        .trimEnd()
        .split("\n")
        .map((line) => `${indent}${line}`);
}

/**
 * The last line(s): what to do next, given the result. Mandatory violations first, then the
 * placeholders, then a real preview.
 */
export function nextStep(
    stack: string,
    verdict: Verdict | undefined,
    placeholders: readonly PlaceholderFinding[],
): string {
    const replace =
        `replace the ${plural(placeholders.length, "placeholder value")} listed at the top, ` +
        `each as its warning says (README.md#deploy-for-real)`;
    if (verdict && verdict.mandatory > 0) {
        return (
            `Next: fix the ${plural(verdict.mandatory, "mandatory violation")} above (under each, what to change in this stack), ` +
            `then plan again: \`npm run plan -- --stack ${stack}\`.` +
            (placeholders.length ? `\nThen ${replace}.` : "")
        );
    }
    if (placeholders.length) {
        return (
            `Next: \`pulumi stack init ${stack}\` on your backend, then ${replace}, ` +
            `and \`pulumi preview\`.`
        );
    }
    const advisory = verdict?.advisory
        ? ` (first, the ${plural(verdict.advisory, "advisory violation")} above may be worth fixing)`
        : "";
    const gate = verdict ? "" : " with the policy gate (drop --no-policy)";
    return `Next: \`pulumi preview\`${gate} of stack ${stack} on your backend, the last word on what \`pulumi up\` will do${advisory}.`;
}

export function renderPlan(plan: PlanResult, report: PlanReport = {}): string {
    const lines: string[] = [];
    const placeholders = report.placeholders ?? [];
    lines.push(
        `Plan for stack ${plan.project.name}/${plan.settings.stack} (${plan.settings.file}), ` +
            `run under Pulumi's mock runtime: nothing was deployed.`,
        "",
        "Summary:",
    );
    const clouds = cloudsLine(plan);
    if (clouds) lines.push(`  Clouds:        ${clouds}`);
    lines.push(`  Resources:     ${resourcesLine(plan.resources)}`);
    lines.push(`  Policies:      ${policyLine(report.verdict, report.policies)}`);
    lines.push(
        `  Placeholders:  ${
            placeholders.length
                ? `${plural(placeholders.length, "template value")} to replace before \`pulumi up\` (below)`
                : "none found"
        }`,
    );
    const warnings = placeholderWarnings(placeholders, report.files);
    if (warnings.length) lines.push("", ...warnings);
    if (plan.settings.placeholders.length) {
        lines.push(
            "",
            `Secrets replaced by offline placeholders: ${plan.settings.placeholders.join(", ")}`,
        );
    }
    lines.push("");

    const rows: [string, string][] = [];
    const walk = (nodes: Node[], prefix: string, isRoot: boolean) => {
        nodes.forEach((node, i) => {
            const last = i === nodes.length - 1;
            const branch = isRoot ? "" : last ? "└─ " : "├─ ";
            rows.push([
                `${prefix}${branch}${node.resource.type}`,
                node.resource.name + providerLabel(node.resource),
            ]);
            walk(node.children, isRoot ? "" : prefix + (last ? "   " : "│  "), false);
        });
    };
    walk(buildTree(plan.resources), "", true);
    const width = Math.max(4, ...rows.map(([label]) => label.length)) + 2;
    lines.push(`${"Type".padEnd(width)}Name`);
    for (const [label, name] of rows) lines.push(`${label.padEnd(width)}${name}`);

    const created = plan.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
    lines.push("", `Resources: ${created.length} to create`);
    for (const [pkg, types] of countByProvider(plan.resources)) {
        const total = [...types.values()].reduce((a, b) => a + b, 0);
        lines.push(`  ${pkg}: ${total}`);
        for (const [type, n] of types) lines.push(`    ${String(n).padStart(4)}  ${type}`);
    }

    const outputs = renderOutputs(maskSecrets(plan.outputs, plan.outputSecretPaths));
    if (outputs.length) lines.push("", "Outputs:", ...outputs);
    return lines.join("\n");
}
