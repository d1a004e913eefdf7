/**
 * The `edge` section of the stack config: outside clusters by the thousand, sharded over stacks,
 * each connected to Azure Arc and optionally attached to the GKE fleet (components/edge/).
 * `checkEdge` reads the azure and gcp sections too, so the whole-stack schema runs it.
 */
import { z } from "zod";
import { boolean, setFixUnlessGiven, text } from "../config-issues";
import {
    agentChartVersionProblem,
    ARC_DISTRIBUTIONS,
    ARC_INFRASTRUCTURES,
    AZURE_RBAC_SKIP_ENTRY,
    AZURE_RBAC_SKIP_ENTRY_RULE,
    EDGE_SITE_DEFAULTS,
    EDGE_SITE_NAME,
    EDGE_SITE_NAME_RULE,
    kubeconfigProblem,
} from "../components/edge/checks";
import { EdgeShard, ShardableSite, shardProblems } from "../components/edge/shards";
import { attachedPlatformVersion, gcpRegion, oidcIssuerUrl, tagKey, tagValue } from "./common";

// A region label may be all digits: one that YAML read as a number is taken back as text.
const edgeRegion = text(
    z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
        message: "must be a region label such as eu-west or store-region-7 (lowercase, digits, -)",
    }),
);
const shardName = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, {
    message: "must be a short lowercase name such as eu or stores-north",
});

/** One edge site: a cluster outside every cloud, connected to Arc and optionally attached to the GKE fleet. */
const EdgeSiteSchema = z.strictObject({
    /** Connected cluster name and fleet membership id: a lowercase DNS label. */
    name: z.string().regex(EDGE_SITE_NAME, { message: EDGE_SITE_NAME_RULE }),
    /** Where the site is; shards claim sites by region. */
    region: edgeRegion,
    /** Kubeconfig of the cluster, set with `pulumi config set --secret --path`. */
    kubeconfig: z
        .string()
        .min(1)
        .superRefine((text, ctx) => {
            // The offline plan's placeholders are well-formed kubeconfigs; anything else is checked.
            const problem = kubeconfigProblem(text);
            if (problem) {
                ctx.addIssue({
                    code: "custom",
                    message: problem,
                    params: setFixUnlessGiven(problem),
                });
            }
        }),
    /** Kubernetes distribution of the site's cluster, as Azure Arc records it (`az connectedk8s connect --distribution`). @default "generic" */
    distribution: z.enum(ARC_DISTRIBUTIONS).default(EDGE_SITE_DEFAULTS.distribution),
    /** Infrastructure the site's cluster runs on, as Azure Arc records it (`--infrastructure`). @default "generic" */
    infrastructure: z.enum(ARC_INFRASTRUCTURES).default(EDGE_SITE_DEFAULTS.infrastructure),
    /**
     * Azure RBAC inside the cluster (the Arc guard).
     * @default true, false on aks, eks, gke and openshift (EdgeCluster decides: AZURE_RBAC_UNSUPPORTED_DISTRIBUTIONS)
     */
    azureRbac: boolean().optional(),
    /** Users, groups or object ids the guard leaves to Kubernetes RBAC. @default [] */
    azureRbacSkipList: z
        .array(z.string().regex(AZURE_RBAC_SKIP_ENTRY, { message: AZURE_RBAC_SKIP_ENTRY_RULE }))
        .default([]),
    /** Labels: shard selectors match them, and they tag the connected cluster. @default {} */
    labels: z.record(tagKey, tagValue).default({}),
    /** The cluster's service account issuer (https); required when edge.anthos is enabled. */
    oidcIssuerUrl: oidcIssuerUrl.optional(),
    /** The issuer's JWKS (`kubectl get --raw /openid/v1/jwks`), for issuers not reachable from the internet. */
    jwks: z.string().min(1).optional(),
});

const EdgeShardSchema = z
    .strictObject({
        /** The shard claims sites in these regions. @default any region */
        regions: z.array(edgeRegion).min(1).optional(),
        /** The shard claims sites carrying all of these labels. @default any labels */
        selector: z.record(tagKey, tagValue).optional(),
    })
    .refine((s) => s.regions !== undefined || s.selector !== undefined, {
        message: "claims every site: give it regions, a selector or both",
    });

export const EdgeSchema = z.strictObject({
    /**
     * What delivers gitops/ to the sites: Flux through the fleet's Azure policies, or Config
     * Sync through the GKE fleet default (needs edge.anthos and gcp.configSync). @default "flux"
     */
    gitops: z.enum(["flux", "configsync"]).default("flux"),
    /** Attach every site to the GKE fleet too (as GKE attached clusters). */
    anthos: z
        .strictObject({
            /** Attach every site to the GKE fleet as well, as a GKE attached cluster. @default false */
            enabled: boolean().default(false),
            /** Google Cloud region that hosts the attached cluster resources. Required when enabled. */
            location: gcpRegion.optional(),
            /** Attached clusters platform version, e.g. 1.31.0-gke.1. Required when enabled. */
            platformVersion: attachedPlatformVersion.optional(),
        })
        .prefault({}),
    /** Shard definitions, shared by every shard stack; together they must partition the sites. @default {} */
    shards: z.record(shardName, EdgeShardSchema).default({}),
    /** The shard this stack owns. Required when shards are defined. @default every site */
    shard: shardName.optional(),
    /** Every edge site of the fleet (the same list in every shard stack). @default [] */
    sites: z.array(EdgeSiteSchema).default([]),
});

/** Edge checks that read other sections. The value may be partly invalid: read it defensively. */
export function checkEdge(value: unknown, ctx: z.RefinementCtx): void {
    const c = value as {
        edge?: {
            gitops?: unknown;
            anthos?: { enabled?: unknown; location?: unknown; platformVersion?: unknown };
            shards?: unknown;
            shard?: unknown;
            sites?: unknown;
        };
        azure?: { enabled?: unknown; arc?: { agentChartVersion?: unknown } };
        gcp?: {
            enabled?: unknown;
            configSync?: { enabled?: unknown };
            clusters?: { name?: unknown }[];
            attachedClusters?: { name?: unknown }[];
        };
    };
    const edge = c.edge;
    if (!edge || typeof edge !== "object") return;
    const on = (flag: unknown, fallback: boolean) =>
        flag === undefined ? fallback : flag === true || flag === "true";
    const sites = (Array.isArray(edge.sites) ? edge.sites : []) as Record<string, unknown>[];
    const issue = (path: (string | number)[], message: string) =>
        ctx.addIssue({ code: "custom", path: ["edge", ...path], message });

    const names = sites.map((s) => s?.name);
    names.forEach((n, i) => {
        if (typeof n === "string" && names.indexOf(n) !== i) {
            issue(
                ["sites", i, "name"],
                `'${n}' is used twice: every site needs its own name; rename one of them`,
            );
        }
    });

    // Sharding: the definitions partition the list; the stack owns one shard.
    const shards = (edge.shards && typeof edge.shards === "object" ? edge.shards : {}) as Record<
        string,
        EdgeShard
    >;
    const shardNames = Object.keys(shards);
    if (shardNames.length > 0 && edge.shard === undefined) {
        issue(
            ["shard"],
            `is required when edge.shards are defined: set the shard this stack owns with \`pulumi config set --path edge.shard <${shardNames.join("|")}>\``,
        );
    }
    if (typeof edge.shard === "string" && !shardNames.includes(edge.shard)) {
        issue(
            ["shard"],
            shardNames.length
                ? `'${edge.shard}' is not a shard in edge.shards (${shardNames.join(", ")}): set it to one of them with \`pulumi config set --path edge.shard <${shardNames.join("|")}>\``
                : `'${edge.shard}' names a shard, but edge.shards defines none: define the shards, or remove edge.shard so this stack owns every site`,
        );
    }
    const wellFormed = sites.every(
        (s) => s && typeof s.name === "string" && typeof s.region === "string",
    );
    const shardsWellFormed = Object.values(shards).every(
        (s) =>
            s &&
            typeof s === "object" &&
            (s.regions === undefined || Array.isArray(s.regions)) &&
            (s.selector === undefined || typeof s.selector === "object"),
    );
    if (wellFormed && shardsWellFormed) {
        for (const p of shardProblems(sites as unknown as ShardableSite[], shards)) {
            issue(["sites", p.index], p.message);
        }
    }

    if (sites.length === 0) return;
    // Every site is connected to Arc.
    if (!on(c.azure?.enabled, false)) {
        issue(
            ["sites"],
            "lists sites, but azure.enabled is not true: every edge site is connected to Azure Arc; enable azure, or remove the sites",
        );
    } else {
        const version = c.azure?.arc?.agentChartVersion;
        if (!(typeof version === "string" && version.trim())) {
            ctx.addIssue({
                code: "custom",
                path: ["azure", "arc", "agentChartVersion"],
                message:
                    "is required when edge.sites are listed: pin the azure-arc-k8sagents chart version with `pulumi config set --path azure.arc.agentChartVersion <version>`",
            });
        } else {
            const problem = agentChartVersionProblem(version);
            if (problem) {
                ctx.addIssue({
                    code: "custom",
                    path: ["azure", "arc", "agentChartVersion"],
                    message: problem,
                    params: setFixUnlessGiven(problem),
                });
            }
        }
    }
    const anthos = on(edge.anthos?.enabled, false);
    const configSync = on(c.gcp?.enabled, false) && on(c.gcp?.configSync?.enabled, true);
    if (anthos) {
        if (!on(c.gcp?.enabled, false)) {
            issue(
                ["anthos", "enabled"],
                "is true, but gcp.enabled is not: the GKE fleet lives in the gcp project; enable gcp, or set edge.anthos.enabled to false",
            );
        }
        for (const key of ["location", "platformVersion"] as const) {
            if (edge.anthos?.[key] === undefined) {
                issue(
                    ["anthos", key],
                    `is required when edge.anthos.enabled is true: set it with \`pulumi config set --path edge.anthos.${key} <value>\``,
                );
            }
        }
        sites.forEach((s, i) => {
            if (s && s.oidcIssuerUrl === undefined) {
                issue(
                    ["sites", i, "oidcIssuerUrl"],
                    `is required when edge.anthos.enabled is true: the GKE fleet trusts the cluster's own service account issuer (and its jwks when the issuer is not public); set it with \`pulumi config set --path 'edge.sites[${i}].oidcIssuerUrl' <issuer>\`, the \`issuer\` that \`kubectl get --raw /.well-known/openid-configuration\` prints`,
                );
            }
        });
        const taken = [...(c.gcp?.clusters ?? []), ...(c.gcp?.attachedClusters ?? [])].map(
            (m) => m?.name,
        );
        names.forEach((n, i) => {
            if (typeof n === "string" && taken.includes(n)) {
                issue(
                    ["sites", i, "name"],
                    `'${n}' is also a gcp cluster's name: fleet memberships need distinct names; rename the site or the cluster`,
                );
            }
        });
    }
    if (edge.gitops === "configsync" && !(anthos && configSync)) {
        issue(
            ["gitops"],
            "is configsync, but Config Sync reaches edge sites only when edge.anthos.enabled and gcp.configSync.enabled are both true: set edge.gitops to flux, or enable both",
        );
    }
    if (edge.gitops !== "configsync" && anthos && configSync) {
        issue(
            ["gitops"],
            "is flux, but the sites are attached to the GKE fleet, whose Config Sync default syncs gitops/ too: two engines would apply the same objects; set edge.gitops to configsync, or turn edge.anthos or gcp.configSync off",
        );
    }
}

export type EdgeConfig = z.output<typeof EdgeSchema>;
export type EdgeSiteConfig = EdgeConfig["sites"][number];
