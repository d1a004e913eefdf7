/**
 * Prints a plan the way `pulumi preview` shows it: a tree of type and name under their parents,
 * then counts by provider and by type, then the stack outputs with secrets masked.
 */
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

export function renderPlan(plan: PlanResult): string {
    const lines: string[] = [];
    const created = plan.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
    lines.push(
        `Plan for stack ${plan.project.name}/${plan.settings.stack} (${plan.settings.file}), ` +
            `run under Pulumi's mock runtime: nothing was deployed.`,
    );
    if (plan.settings.placeholders.length) {
        lines.push(
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

    lines.push("", `Resources: ${created.length} to create`);
    for (const [pkg, types] of countByProvider(plan.resources)) {
        const total = [...types.values()].reduce((a, b) => a + b, 0);
        lines.push(`  ${pkg}: ${total}`);
        for (const [type, n] of types) lines.push(`    ${String(n).padStart(4)}  ${type}`);
    }

    const outputs = maskSecrets(plan.outputs, plan.outputSecretPaths);
    const keys = Object.keys(outputs).filter((k) => outputs[k] !== undefined);
    if (keys.length) {
        lines.push("", "Outputs:");
        for (const k of keys.sort()) lines.push(`  ${k}: ${JSON.stringify(outputs[k])}`);
    }
    return lines.join("\n");
}
