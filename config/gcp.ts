/**
 * The `gcp` section of the stack config: the project, the GKE clusters and the clusters attached
 * to the fleet, and Config Sync (components/gcp/). Defaults and rules shared with the components
 * come from components/gcp/checks.ts.
 */
import { z } from "zod";
import { boolean, integer, setFixUnlessGiven, text } from "../config-issues";
import { GITOPS_WORKLOAD_DIR } from "../components/app/checks";
import { AWS_FORMATS } from "../components/aws/checks";
import { cidrsOverlap } from "../components/cidr";
import {
    ATTACHED_ADMIN_USERS_MAX,
    ATTACHED_DISTRIBUTIONS,
    CLUSTER_NAME,
    CLUSTER_NAME_RULE,
    configSyncGitProblems,
    DEFAULT_BASELINE_POLICY_DIR,
    DEFAULT_DELETION_PROTECTION,
    DEFAULT_MACHINE_TYPE,
    DEFAULT_NETWORK,
    DEFAULT_POLICY_DIR,
    DEFAULT_RELEASE_CHANNEL,
    DEFAULT_SECRET_TYPE,
    DEFAULT_SOURCE_FORMAT,
    DEFAULT_SYNC_BRANCH,
    DOMAIN,
    GCP_LOCATION,
    GCP_SERVICE,
    KMS_KEY,
    MACHINE_TYPE,
    MASTER_IPV4_CIDR_BLOCK,
    MASTER_IPV4_CIDR_BLOCK_RULE,
    MAX_NODES_PER_ZONE,
    MIN_NODES_PER_ZONE,
    NETWORK_POLICY_ENFORCEMENTS,
    nodesPerZoneProblems,
    RELEASE_CHANNELS,
    repositoryFolderProblem,
    SECRET_TYPES,
    SOURCE_FORMATS,
    SYNC_BRANCH,
} from "../components/gcp/checks";
import {
    attachedPlatformVersion,
    gcpRegion,
    gitUrl,
    networkAddress,
    oidcIssuerUrl,
    requiredWhenEnabled,
    Section,
} from "./common";

const gcpProject = z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, {
    message:
        "must be a Google Cloud project id: 6-30 lowercase letters, digits or hyphens, starting with a letter",
});
const gcpService = z.string().regex(GCP_SERVICE, {
    message: "must be a Google API service name such as container.googleapis.com",
});

/** Google APIs every GKE fleet stack needs enabled before anything else is created. */
export const REQUIRED_GCP_SERVICES = [
    "compute.googleapis.com",
    "container.googleapis.com",
    "cloudkms.googleapis.com",
    "iam.googleapis.com",
    "gkehub.googleapis.com",
    "anthosconfigmanagement.googleapis.com",
    "artifactregistry.googleapis.com",
    // Attached clusters (EKS, AKS, on-prem) and the Connect gateway to reach them.
    "gkemulticloud.googleapis.com",
    "gkeconnect.googleapis.com",
    "connectgateway.googleapis.com",
    // GKE's system metrics, which the fleet dashboard reads.
    "monitoring.googleapis.com",
] as const;

const clusterName = z.string().regex(CLUSTER_NAME, { message: `must be ${CLUSTER_NAME_RULE}` });
const gcpLocation = z.string().regex(GCP_LOCATION, {
    message:
        "must be a Google Cloud region (europe-west1) for a regional cluster or a zone (europe-west1-b) for a zonal one",
});
const cidr = networkAddress(
    z
        .string()
        .regex(AWS_FORMATS.cidr, { message: "must be an IPv4 CIDR block such as 203.0.113.0/24" }),
);

/** A branch Config Sync syncs. */
const syncBranch = text(
    z.string().regex(SYNC_BRANCH, { message: "must name a branch: it is blank" }),
);
/** A folder of the repository Config Sync syncs. */
const repositoryFolder = z
    .string()
    .min(1)
    .superRefine((dir, ctx) => {
        const problem = repositoryFolderProblem(dir);
        if (problem) ctx.addIssue({ code: "custom", message: `('${dir}') ${problem}` });
    });

/** A GKE cluster of the fleet. */
const GkeClusterSchema = z
    .strictObject({
        /** Name of the cluster, its membership and its node service account prefix. */
        name: clusterName,
        /** A region (regional, highly available control plane) or a zone (zonal). */
        location: gcpLocation,
        /** GKE release channel, which picks the cluster's Kubernetes version and upgrades it. @default "REGULAR" */
        releaseChannel: z.enum(RELEASE_CHANNELS).default(DEFAULT_RELEASE_CHANNEL),
        /** Machine type of the node pool; Arm series (t2a, c4a, ...) make arm64 nodes. @default "e2-standard-4" */
        machineType: z
            .string()
            .regex(MACHINE_TYPE, {
                message: `must be a machine type such as ${DEFAULT_MACHINE_TYPE}`,
            })
            .default(DEFAULT_MACHINE_TYPE),
        /** Fewest nodes the node pool's autoscaler keeps in each zone. @default 1 */
        minNodesPerZone: integer()
            .pipe(z.number().min(MIN_NODES_PER_ZONE.min))
            .default(MIN_NODES_PER_ZONE.default),
        /** Most nodes the node pool's autoscaler adds in each zone. @default 3 */
        maxNodesPerZone: integer()
            .pipe(z.number().min(MAX_NODES_PER_ZONE.min))
            .default(MAX_NODES_PER_ZONE.default),
        /**
         * Private /28 of the control plane; unique per cluster in a network. Required, and never
         * to change for a running cluster: a new range replaces it (no default, which could move).
         * @default none: required
         */
        masterIpv4CidrBlock: networkAddress(
            z.string().regex(MASTER_IPV4_CIDR_BLOCK, { message: MASTER_IPV4_CIDR_BLOCK_RULE }),
        ).optional(),
        /** Ranges allowed to reach the control plane. @default [] */
        masterAuthorizedNetworks: z
            .array(
                z.strictObject({
                    /** A client range (IPv4 CIDR) allowed to reach the control plane. */
                    cidrBlock: cidr,
                    /** Its name in the cluster's authorized networks. */
                    displayName: text(z.string().min(1)),
                }),
            )
            .default([]),
        /** Cloud KMS key for Secrets encryption. @default a key created with 90-day rotation */
        databaseEncryptionKey: z
            .string()
            .regex(KMS_KEY, {
                message:
                    "must be a Cloud KMS key id: projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>",
            })
            .optional(),
        /** VPC network of the nodes. @default "default" */
        network: z.string().min(1).optional(),
        /** Subnetwork of the nodes. @default the network's subnetwork in the region */
        subnetwork: z.string().min(1).optional(),
        /** Refuse to delete the cluster (`pulumi destroy` fails until it is turned off). @default true */
        deletionProtection: boolean().default(DEFAULT_DELETION_PROTECTION),
        /**
         * How NetworkPolicies are enforced: `dataplane-v2` can be chosen only when the cluster is
         * created (switching an existing cluster to it replaces the cluster); `calico` (the
         * network-policy add-on) turns on in place, for clusters created without either.
         * @default "dataplane-v2"
         */
        networkPolicyEnforcement: z.enum(NETWORK_POLICY_ENFORCEMENTS).optional(),
        /** Config Sync branch for this cluster only. @default the fleet's */
        configSyncBranch: syncBranch.optional(),
        /** Config Sync folder for this cluster only. @default the fleet's */
        configSyncPolicyDir: repositoryFolder.optional(),
    })
    .superRefine((c, ctx) => {
        for (const p of nodesPerZoneProblems(c))
            ctx.addIssue({
                code: "custom",
                path: [p.path],
                message: p.message,
                params: setFixUnlessGiven(p.message),
            });
    });

/**
 * The control-plane range of a cluster, which every cluster states (the parser refuses one
 * without). No default: `masterIpv4CidrBlock` is ForceNew (terraform-provider-google
 * container/resource_container_cluster.go, private_cluster_config.master_ipv4_cidr_block), so a
 * default that moved (with the list, or when a cluster's range is removed from the stack file)
 * would replace the cluster, and the replacement, created before the old cluster is deleted,
 * would collide with the old one's range.
 */
export function masterRange(cluster: { masterIpv4CidrBlock?: string }): string {
    if (cluster.masterIpv4CidrBlock === undefined) {
        throw new Error(
            "masterRange: the config parser lets no GKE cluster without its range through",
        );
    }
    return cluster.masterIpv4CidrBlock;
}

/** A cluster outside Google Cloud, attached to the fleet (EKS, AKS, on-prem). */
const AttachedClusterSchema = z.strictObject({
    /** Name of the attached cluster and its fleet membership. */
    name: clusterName,
    /** Google Cloud region that hosts the attached cluster's resource. */
    location: gcpRegion,
    /** What the cluster is, as GKE attached clusters take it: EKS, AKS or any other conformant one. */
    distribution: z.enum(ATTACHED_DISTRIBUTIONS),
    /** The cluster's OIDC issuer URL (https). */
    oidcIssuerUrl,
    /** Attached clusters platform version, e.g. 1.31.0-gke.1. */
    platformVersion: attachedPlatformVersion,
    /** The issuer's JWKS, for issuers not reachable from the internet. */
    jwks: z.string().min(1).optional(),
    /** Kubeconfig of the cluster, set with `pulumi config set --secret --path`. */
    kubeconfig: z.string().min(1),
    /** Google users granted cluster-admin through the Connect gateway. @default [] */
    adminUsers: z
        .array(z.string().regex(AWS_FORMATS.email, { message: "must be a Google account email" }))
        .superRefine((users, ctx) => {
            if (users.length > ATTACHED_ADMIN_USERS_MAX) {
                ctx.addIssue({
                    code: "custom",
                    message: `lists ${users.length} users, more than the ${ATTACHED_ADMIN_USERS_MAX} an attached cluster grants cluster-admin: keep ten, and bind the others to a role in gitops/cluster (Config Sync applies it)`,
                });
            }
        })
        .default([]),
});

/** Config Sync: what every cluster of the fleet syncs. */
const ConfigSyncSchema = z.strictObject({
    /** Turn on Config Sync for the fleet, syncing syncRepo to every member. @default true */
    enabled: boolean().default(true),
    /** Repository, https or ssh. Required when Config Sync is enabled. */
    syncRepo: gitUrl.optional(),
    /** Branch of syncRepo that every member syncs unless it names its own. @default "main" */
    syncBranch: syncBranch.default(DEFAULT_SYNC_BRANCH),
    /** What every fleet cluster syncs: the baseline and the workload. @default "gitops" */
    policyDir: repositoryFolder.default(DEFAULT_POLICY_DIR),
    /**
     * What the GKE clusters of this program sync instead: the baseline only, since Pulumi
     * applies the workload to them itself. @default "gitops/cluster"
     */
    baselinePolicyDir: repositoryFolder.default(DEFAULT_BASELINE_POLICY_DIR),
    /** How Config Sync authenticates to syncRepo; none is a public repository. @default "none" */
    secretType: z.enum(SECRET_TYPES).default(DEFAULT_SECRET_TYPE),
    /** Layout of the synced folder: unstructured (plain manifests) or hierarchy. @default "unstructured" */
    sourceFormat: z.enum(SOURCE_FORMATS).default(DEFAULT_SOURCE_FORMAT),
    /** Google service account for secretType gcpserviceaccount. */
    gcpServiceAccountEmail: z
        .string()
        .regex(AWS_FORMATS.email, { message: "must be a service account email" })
        .optional(),
});

const GCP_REQUIRED = ["project", "region"] as const;
const gcpRequired = requiredWhenEnabled("gcp", GCP_REQUIRED);
export const GcpSchema = z
    .strictObject({
        /** Deploy the Google Cloud side of the fleet. @default false */
        enabled: boolean().default(false),
        /** Project that holds the clusters and the fleet (GKE Hub host project). Required when enabled. */
        project: gcpProject.optional(),
        /** Default region of regional resources. Required when enabled. */
        region: gcpRegion.optional(),
        /** Extra Google APIs to enable besides the ones the program needs. @default [] */
        extraServices: z.array(gcpService).default([]),
        /** Domain of the gke-security-groups@<domain> group for Google Groups for RBAC. @default off */
        rbacGroupDomain: z
            .string()
            .regex(DOMAIN, { message: "must be a domain such as example.com" })
            .optional(),
        /** GKE clusters, each registered into the fleet. @default [] */
        clusters: z.array(GkeClusterSchema).default([]),
        /** Clusters outside Google Cloud, attached to the fleet. @default [] */
        attachedClusters: z.array(AttachedClusterSchema).default([]),
        configSync: ConfigSyncSchema.prefault({}),
    })
    .check(z.superRefine(gcpRequired.check, { when: gcpRequired.when }))
    .superRefine((g, ctx) => {
        // GKE: the control plane's range "must not overlap with any other ranges in use within
        // the cluster's network" (container API, PrivateClusterConfig.masterIpv4CidrBlock).
        g.clusters.forEach((c, i) => {
            if (c.masterIpv4CidrBlock !== undefined) return;
            ctx.addIssue({
                code: "custom",
                path: ["clusters", i, "masterIpv4CidrBlock"],
                message:
                    `is required ('${c.name}' sets none): the control plane's private /28, its own in the cluster's network. ` +
                    `For a running cluster, set the range it has, since a new one replaces the cluster: ` +
                    `\`gcloud container clusters describe ${c.name} --location ${c.location} --format='value(privateClusterConfig.masterIpv4CidrBlock)'\` ` +
                    `(earlier versions of this program gave the cluster at position i 172.16.0.<16 x i>/28); ` +
                    `a new cluster takes any free private /28, such as 172.16.0.0/28`,
            });
        });
        // (A missing range, reported above, overlaps nothing.)
        const ranges = g.clusters.map((c) => ({
            network: c.network ?? DEFAULT_NETWORK,
            range: c.masterIpv4CidrBlock,
        }));
        ranges.forEach((r, i) => {
            const other = ranges.findIndex(
                (o, j) =>
                    j < i &&
                    o.network === r.network &&
                    o.range !== undefined &&
                    r.range !== undefined &&
                    cidrsOverlap(o.range, r.range),
            );
            if (other >= 0) {
                ctx.addIssue({
                    code: "custom",
                    path: ["clusters", i, "masterIpv4CidrBlock"],
                    message: `(${r.range}) overlaps ${ranges[other].range}, the control-plane range of cluster '${g.clusters[other].name}' in network '${r.network}': give each cluster its own /28`,
                });
            }
        });
        const names = [...g.clusters, ...g.attachedClusters].map((c) => c.name);
        names.forEach((n, i) => {
            if (names.indexOf(n) !== i) {
                ctx.addIssue({
                    code: "custom",
                    // Where the repeat is: a GKE cluster, or an attached cluster.
                    path:
                        i < g.clusters.length
                            ? ["clusters", i, "name"]
                            : ["attachedClusters", i - g.clusters.length, "name"],
                    message: `'${n}' is used twice: every fleet member needs its own name; rename one of them`,
                });
            }
        });
        // The program's GKE clusters get the app from Pulumi: the folder they sync must not
        // hold the rendered app too, or Config Sync and Pulumi would fight over it.
        const holdsWorkload = (dir: string) => {
            const d = dir.replace(/^\.\//, "").replace(/\/+$/, "");
            return d === "" || d === "." || `${GITOPS_WORKLOAD_DIR}/`.startsWith(`${d}/`);
        };
        const baselineProblem = (path: (string | number)[], dir: string) =>
            ctx.addIssue({
                code: "custom",
                path,
                message: `('${dir}') contains ${GITOPS_WORKLOAD_DIR}, but Pulumi applies the app to the GKE clusters of this stack itself: point it at the baseline (${DEFAULT_BASELINE_POLICY_DIR}) or another folder without the app`,
            });
        if (holdsWorkload(g.configSync.baselinePolicyDir)) {
            baselineProblem(["configSync", "baselinePolicyDir"], g.configSync.baselinePolicyDir);
        }
        g.clusters.forEach((c, i) => {
            if (c.configSyncPolicyDir !== undefined && holdsWorkload(c.configSyncPolicyDir)) {
                baselineProblem(["clusters", i, "configSyncPolicyDir"], c.configSyncPolicyDir);
            }
        });
        if (g.enabled && g.configSync.enabled && !g.configSync.syncRepo) {
            ctx.addIssue({
                code: "custom",
                path: ["configSync", "syncRepo"],
                message:
                    "is required when gcp.configSync.enabled is true: set it with `pulumi config set --path gcp.configSync.syncRepo https://...`, or set gcp.configSync.enabled to false",
            });
        }
        // Only what is created is checked: a switched-off Config Sync keeps its settings.
        if (g.enabled && g.configSync.enabled) {
            for (const p of configSyncGitProblems(g.configSync))
                ctx.addIssue({
                    code: "custom",
                    path: ["configSync", p.path],
                    message: p.message,
                    params: setFixUnlessGiven(p.message),
                });
        }
    });

export type GcpConfig = Section<z.output<typeof GcpSchema>, typeof GCP_REQUIRED>;
