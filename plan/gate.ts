/**
 * The policy gate of the offline plan: the planned resources go to the policy pack over the
 * analyzer protocol (Analyze per resource, then AnalyzeStack), as in `pulumi preview
 * --policy-pack`, and the verdict is printed, written as JSON, or written as SARIF 2.1.0 for
 * GitHub code scanning. What the engine analyzes beyond the program's own registrations comes
 * from plan/expand.ts: the objects of each `kubernetes:yaml/v2:ConfigGroup` (the provider
 * registers them in a real preview) and a Helm Release as the provider's Check returns it.
 */
import * as fs from "fs";
import type * as sarif from "sarif";
import * as path from "path";
import { PolicyConfigError, readPolicyConfig } from "../policy/config";
import { redactCredentials } from "../policy/policies/types";
import {
    AnalyzedResource,
    AnalyzerInfo,
    Diagnostic,
    PolicyConfig,
    PolicyPackError,
    PolicyPackProcess,
    secretValue,
    UNKNOWN_STRING,
} from "./analyzer";
import {
    checkedRelease,
    expandConfigGroups,
    type Expansion,
    HELM_RELEASE_TYPE,
    isUnknown,
    previewReleaseOutputs,
} from "./expand";
import { mapAtPaths, type RecordedResource } from "./mocks";
import type { PlanResult } from "./run";
import { STACK_TYPE } from "./run";

export interface Verdict {
    readonly pack: { readonly name: string; readonly version: string };
    readonly policies: AnalyzerInfo["policies"];
    readonly diagnostics: readonly (Diagnostic & { type?: string; name?: string })[];
    readonly mandatory: number;
    readonly advisory: number;
    /**
     * Planned resources sent to the pack (the stack excepted); the objects of ConfigGroups come
     * on top, counted in `expanded`.
     */
    readonly resources: number;
    /**
     * Typed resources the gate added for the objects of `kubernetes:yaml/v2:ConfigGroup` and
     * `ConfigFile` components, which the provider registers in a real preview.
     */
    readonly expanded?: number;
    /** What the gate could not check as a real preview would, and why (each names a resource). */
    readonly notes?: readonly string[];
    /** The policy config file used, if any. */
    readonly config: string | null;
    /** Where the time went: starting and configuring the pack, then checking the resources. */
    readonly timing: {
        readonly startupMs: number;
        readonly checkMs: number;
        /**
         * Analyze calls made (one per custom resource, the objects of ConfigGroups included);
         * AnalyzeStack comes on top.
         */
        readonly analyzeCalls: number;
        /**
         * The pack process's peak resident memory in MB, read just before it is stopped;
         * absent where the OS does not report it (no /proc).
         */
        readonly packPeakRssMb?: number;
    };
}

/**
 * Reads a policy config file (see policy/config.ts: the standard format plus group names) and
 * returns the per-policy config to send with Configure. Unknown keys and levels are errors.
 */
export function loadPolicyConfig(file: string | undefined, known: readonly string[]): PolicyConfig {
    if (file === undefined) return {};
    try {
        return readPolicyConfig(file, known) as PolicyConfig;
    } catch (e) {
        if (e instanceof PolicyConfigError) throw new PolicyPackError(e.message);
        throw e;
    }
}

/**
 * A recorded registration as the engine hands it to an analyzer: secrets in wire form, values
 * not known yet as the engine's sentinel. A Helm Release goes as the provider's Check returns it
 * (Analyze) and as its preview reports it (AnalyzeStack); see plan/expand.ts.
 */
export function toAnalyzed(
    r: RecordedResource,
    providers: Map<string, RecordedResource>,
    projectDir: string = process.cwd(),
): AnalyzedResource {
    const providerUrn = r.provider?.split("::").slice(0, 4).join("::");
    const provider = providerUrn ? providers.get(providerUrn) : undefined;
    const wire = (value: Record<string, unknown>, secretPaths: readonly string[]) => {
        const properties = withSentinels(structuredClone(value)) as Record<string, unknown>;
        for (const p of secretPaths) wrapSecret(properties, p);
        return properties;
    };
    let properties: Record<string, unknown>;
    let stackProperties: Record<string, unknown> | undefined;
    if (r.type === HELM_RELEASE_TYPE) {
        const checked = checkedRelease(r, provider, { projectDir });
        const preview = previewReleaseOutputs(checked);
        properties = wire(checked.inputs, checked.secretPaths);
        stackProperties = wire(preview.outputs, preview.secretPaths);
    } else {
        properties = wire(r.inputs, r.secretPaths);
    }
    return {
        type: r.type,
        name: r.name,
        urn: r.urn,
        properties,
        ...(stackProperties ? { stackProperties } : {}),
        parent: r.parent,
        dependencies: r.dependencies,
        propertyDependencies: r.propertyDependencies,
        provider: provider
            ? { type: provider.type, name: provider.name, urn: provider.urn, properties: {} }
            : undefined,
    };
}

/** `value` with every value not known yet (as the mocks record it) as the engine's sentinel. */
function withSentinels(value: unknown): unknown {
    if (isUnknown(value)) return UNKNOWN_STRING;
    if (Array.isArray(value)) return value.map(withSentinels);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withSentinels(v)]));
    }
    return value;
}

function wrapSecret(root: Record<string, unknown>, dotted: string): void {
    const steps = dotted.split(/\.|\[(\d+)\]/).filter((s) => s !== undefined && s !== "");
    let node: unknown = root;
    for (const step of steps.slice(0, -1)) {
        if (typeof node !== "object" || node === null) return;
        node = (node as Record<string, unknown>)[step];
    }
    const last = steps[steps.length - 1];
    if (typeof node === "object" && node !== null && last in node) {
        const holder = node as Record<string, unknown>;
        holder[last] = secretValue(holder[last]);
    }
}

// ---------------------------------------------------------------------------------------------
/**
 * No secret leaves the gate. Policies receive secrets unwrapped and the pack's messages strip
 * the credentials they quote, but a message (of a pack not this one, or a policy that forgets)
 * may still echo one: what the gate prints, and writes as JSON and SARIF, has every secret input
 * value of the plan replaced by `[secret]`, and URL credentials stripped as the pack does.
 */
/** What stands for a secret value in a diagnostic. */
export const SECRET_PLACEHOLDER = "[secret]";
/** Shorter secret values are left alone: they would match ordinary words of the messages. */
export const MIN_SECRET_LENGTH = 8;

/**
 * A plan's resources with the objects of its ConfigGroups (plan/expand.ts), computed once per
 * plan: the gate, the printed verdict and the SARIF all need it (secret values and analysis),
 * and expanding parses every group's YAML and reads its files.
 */
const EXPANSIONS = new WeakMap<readonly RecordedResource[], Expansion>();
function expansionOf(
    resources: readonly RecordedResource[],
    projectDir: string | undefined,
): Expansion {
    let expansion = EXPANSIONS.get(resources);
    if (!expansion) {
        expansion = expandConfigGroups(resources, { projectDir: projectDir ?? process.cwd() });
        EXPANSIONS.set(resources, expansion);
    }
    return expansion;
}

/**
 * The secret values of a plan, longest first: every string of at least `MIN_SECRET_LENGTH`
 * characters at or under a secret path of a resource's inputs or outputs (the objects the
 * ConfigGroups register included: a Secret's data, a secret the program put in `objs`), or of
 * the stack outputs, as it is and as JSON text escapes it (a message may quote a JSON document).
 */
export function secretValues(
    plan: Partial<Pick<PlanResult, "resources" | "outputs" | "outputSecretPaths" | "project">>,
): string[] {
    const found = new Set<string>();
    const strings = (value: unknown): void => {
        if (typeof value === "string") {
            if (value.length < MIN_SECRET_LENGTH) return;
            found.add(value);
            found.add(JSON.stringify(value).slice(1, -1));
        } else if (Array.isArray(value)) {
            value.forEach(strings);
        } else if (typeof value === "object" && value !== null) {
            Object.values(value).forEach(strings);
        }
    };
    const walk = (value: unknown, paths: readonly string[]) =>
        mapAtPaths(value, paths, (found) => {
            strings(found);
            return found;
        });
    const resources = plan.resources
        ? expansionOf(plan.resources, plan.project?.dir).resources
        : [];
    for (const r of resources) {
        if (r.secretPaths?.length) walk(r.inputs, r.secretPaths);
        if (r.outputs && r.outputSecretPaths?.length) walk(r.outputs, r.outputSecretPaths);
    }
    if (plan.outputs && plan.outputSecretPaths?.length) {
        walk(plan.outputs, plan.outputSecretPaths);
    }
    return [...found].sort((a, b) => b.length - a.length);
}

/** `text` without any of `secrets` (each replaced by `[secret]`) and without URL credentials. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
    let out = text;
    for (const s of secrets) if (out.includes(s)) out = out.split(s).join(SECRET_PLACEHOLDER);
    return redactCredentials(out);
}

/** The verdict with no secret value in its diagnostics or notes (see `redactSecrets`). */
export function redactVerdict(v: Verdict, secrets: readonly string[]): Verdict {
    return {
        ...v,
        ...(v.notes ? { notes: v.notes.map((n) => redactSecrets(n, secrets)) } : {}),
        diagnostics: v.diagnostics.map((d) => ({
            ...d,
            message: redactSecrets(d.message, secrets),
            description: redactSecrets(d.description, secrets),
        })),
    };
}

/** Analyze calls in flight at once: the engine, too, analyzes the steps it runs in parallel. */
export const ANALYZE_CONCURRENCY = 64;

/** Sends the plan to the pack and collects the verdict. */
export async function runGate(
    plan: PlanResult,
    options: {
        packDir: string;
        configFile?: string;
        /** Called as resources are checked, with the number so far and the total. */
        onProgress?: (checked: number, total: number) => void;
    },
): Promise<Verdict> {
    const started = Date.now();
    const secrets = secretValues(plan);
    const pack = await PolicyPackProcess.start(options.packDir, {
        project: plan.project.name,
        stack: plan.settings.stack,
    });
    try {
        const info = await pack.info();
        await pack.configure(
            loadPolicyConfig(
                options.configFile,
                info.policies.map((p) => p.name),
            ),
        );
        const checking = Date.now();
        const planned = plan.resources.filter((r) => r.type !== STACK_TYPE);
        // The objects of each ConfigGroup, registered by the provider in a real preview, right
        // after their group (plan/expand.ts); the same expansion the secret values came from.
        const expansion = expansionOf(plan.resources, plan.project.dir);
        const resources = expansion.resources.filter((r) => r.type !== STACK_TYPE);
        const providers = new Map(
            resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.urn, r]),
        );
        const analyzed = resources.map((r) => toAnalyzed(r, providers, plan.project.dir));
        const byUrn = new Map(resources.map((r) => [r.urn, r]));
        // Resource validation for custom resources (not providers, not components), a bounded
        // number of calls in flight; diagnostics keep the plan's order.
        const targets = analyzed.filter(
            (r) => byUrn.get(r.urn)!.custom && !r.type.startsWith("pulumi:providers:"),
        );
        const perResource: Diagnostic[][] = new Array<Diagnostic[]>(targets.length);
        let next = 0;
        let checked = 0;
        const worker = async () => {
            while (next < targets.length) {
                const i = next++;
                perResource[i] = await pack.analyze(targets[i]);
                options.onProgress?.(++checked, targets.length);
            }
        };
        await Promise.all(Array.from({ length: ANALYZE_CONCURRENCY }, worker));
        const diagnostics = perResource.flat();
        diagnostics.push(...(await pack.analyzeStack(analyzed)));
        const described = diagnostics.map((d) => ({
            ...d,
            message: redactSecrets(d.message, secrets),
            description: redactSecrets(d.description, secrets),
            type: byUrn.get(d.urn)?.type,
            name: byUrn.get(d.urn)?.name,
        }));
        return {
            pack: { name: info.name, version: info.version },
            policies: info.policies,
            diagnostics: described,
            mandatory: described.filter((d) => d.enforcementLevel === "mandatory").length,
            advisory: described.filter((d) => d.enforcementLevel === "advisory").length,
            resources: planned.length,
            expanded: expansion.expanded,
            notes: [...expansion.notes, ...releaseNotes(planned, providers, plan.project.dir)].map(
                (n) => redactSecrets(n, secrets),
            ),
            config: options.configFile ?? null,
            timing: {
                startupMs: checking - started,
                checkMs: Date.now() - checking,
                analyzeCalls: targets.length,
                packPeakRssMb: pack.peakRssMb(),
            },
        };
    } catch (e) {
        // A policy that throws may name a value it read: the error is printed too.
        if (e instanceof PolicyPackError)
            throw new PolicyPackError(redactSecrets(e.message, secrets));
        throw e;
    } finally {
        await pack.close();
    }
}

/** What the gate could not do for the Helm Releases as the provider's Check would. */
function releaseNotes(
    planned: readonly RecordedResource[],
    providers: Map<string, RecordedResource>,
    projectDir: string,
): string[] {
    return planned
        .filter((r) => r.type === HELM_RELEASE_TYPE)
        .flatMap((r) => checkedRelease(r, providers.get(r.provider ?? ""), { projectDir }).notes);
}

/** The violation text without the policy description CrossGuard puts before it. */
export function violationText(d: Diagnostic): string {
    return d.message.startsWith(`${d.description}\n`)
        ? d.message.slice(d.description.length + 1)
        : d.message;
}

/**
 * Violations grouped by enforcement level, each with the resource it concerns. With the plan,
 * its secret values are taken out of the messages again (`runGate` already did).
 */
export function renderVerdict(verdict: Verdict, plan?: PlanResult): string {
    const v = plan ? redactVerdict(verdict, secretValues(plan)) : verdict;
    const expanded = v.expanded
        ? ` (and ${v.expanded} object${v.expanded === 1 ? "" : "s"} of ConfigGroups)`
        : "";
    const lines = [
        `Policies: ${v.pack.name}@${v.pack.version}, ${v.policies.length} policies, ${v.resources} resources checked${expanded}: ` +
            `${v.mandatory} mandatory, ${v.advisory} advisory violation${v.advisory === 1 ? "" : "s"}` +
            (v.config ? ` (config: ${path.relative(process.cwd(), v.config) || v.config})` : ""),
    ];
    for (const note of v.notes ?? []) lines.push(`  note: ${note}`);
    for (const level of ["mandatory", "advisory"] as const) {
        const found = v.diagnostics.filter((d) => d.enforcementLevel === level);
        if (found.length === 0) continue;
        lines.push("", `  ${level}:`);
        for (const d of found) {
            const what = d.type ? `${d.type} ${d.name}` : "the stack";
            lines.push(
                `    ${d.policyName}  ${what}`,
                `      ${violationText(d).split("\n").join("\n      ")}`,
            );
        }
    }
    return lines.join("\n");
}

/** The stack config section that drives the resources of each provider package. */
const SECTION_OF_PACKAGE: Readonly<Record<string, string>> = {
    aws: "aws",
    gcp: "gcp",
    "azure-native": "azure",
    "docker-build": "appImage",
    // The app's objects are applied to the GKE clusters of the stack.
    kubernetes: "gcp",
};

/**
 * SARIF 2.1.0 for GitHub code scanning: one rule per policy, one result per violation, located
 * in the stack file: at the entry that names the resource (a cluster, a site), else at the
 * config section of its cloud, else at the top of the file.
 */
export function toSarif(verdict: Verdict, plan: PlanResult): sarif.Log {
    // No secret value of the plan in a message, whoever built the verdict (`runGate` already did).
    const v = redactVerdict(verdict, secretValues(plan));
    // Relative to where the gate runs (the repository root in CI), as code scanning expects.
    const stackPath = path.resolve(plan.project.dir, plan.settings.file);
    const stackFile = path.relative(process.cwd(), stackPath).split(path.sep).join("/");
    const text = fs.existsSync(stackPath) ? fs.readFileSync(stackPath, "utf8").split("\n") : [];
    const lineOf = (d: Verdict["diagnostics"][number]) => {
        // A resource named after a config entry (a cluster, a site) points at that entry.
        const names = [
            d.name,
            ...(d.name ? [d.name.split("-").slice(0, -1).join("-")] : []),
            // An object of a ConfigGroup (`<group>:<namespace>/<name>`): its group's entry, the
            // group being named after a config entry plus suffixes (`<site>-attach-bootstrap`).
            ...(d.name?.includes(":")
                ? d.name
                      .split(":")[0]
                      .split("-")
                      .map((_, i, parts) => parts.slice(0, parts.length - i).join("-"))
                : []),
        ].filter((n): n is string => !!n && n.length > 2);
        for (const n of names) {
            const i = text.findIndex((l) =>
                new RegExp(
                    `name:\\s*["']?${n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}["']?\\s*(#.*)?$`,
                ).test(l),
            );
            if (i >= 0) return i + 1;
        }
        // Else the config section of the cloud the resource lives in (multicloud:aws, ...).
        const section = d.type ? SECTION_OF_PACKAGE[d.type.split(":")[0]] : undefined;
        if (section) {
            const key = `${plan.project.name}:${section}:`;
            const i = text.findIndex((l) => l.trim().startsWith(key));
            if (i >= 0) return i + 1;
        }
        return 1;
    };
    const rules: sarif.ReportingDescriptor[] = v.policies.map((p) => ({
        id: p.name,
        name: p.name,
        shortDescription: { text: p.description.split(". ")[0].replace(/\.$/, "") + "." },
        fullDescription: { text: p.description },
        defaultConfiguration: { level: p.enforcementLevel === "mandatory" ? "error" : "warning" },
        properties: { enforcementLevel: p.enforcementLevel, kind: p.kind },
    }));
    return {
        $schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [
            {
                tool: {
                    driver: {
                        name: v.pack.name,
                        version: v.pack.version,
                        informationUri: "https://www.pulumi.com/docs/iac/using-pulumi/crossguard/",
                        rules,
                    },
                },
                automationDetails: { id: `policy/${plan.settings.stack}/` },
                results: v.diagnostics.map((d) => ({
                    ruleId: d.policyName,
                    ruleIndex: Math.max(
                        0,
                        rules.findIndex((r) => r.id === d.policyName),
                    ),
                    level:
                        d.enforcementLevel === "mandatory"
                            ? ("error" as const)
                            : ("warning" as const),
                    message: { text: violationText(d) },
                    locations: [
                        {
                            physicalLocation: {
                                artifactLocation: { uri: stackFile },
                                region: { startLine: lineOf(d) },
                            },
                            logicalLocations: d.urn
                                ? [{ fullyQualifiedName: d.urn, kind: "resource" }]
                                : [],
                        },
                    ],
                    partialFingerprints: { policyResource: `${d.policyName}:${d.urn}` },
                })),
            },
        ],
    };
}
