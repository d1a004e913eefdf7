/**
 * Constants and pure rules shared by the Google Cloud components' argument validation and the
 * stack config schema, so that a rule is written once. No SDK imports: config/ and
 * components/app/platforms.ts read it without loading @pulumi/gcp.
 */
/** A problem with one argument: `path` names it relative to the object checked. */
export interface Problem {
    readonly path: string;
    readonly message: string;
}

// --- Locations and networks (GkeCluster, CloudNat, HubMembership) ------------------------------

/** A Google Cloud region (`europe-west1`) or zone (`europe-west1-b`). */
export const GCP_LOCATION = /^[a-z]+-[a-z]+\d+(-[a-z])?$/;
/** A Google Cloud region (`europe-west1`, `us-central1`), not a zone. */
export const GCP_REGION = /^[a-z]+(-[a-z]+)+\d+$/;

/**
 * Where a service account key's JWT is exchanged for an access token: the `token_uri` of every
 * key file Google issues (https://cloud.google.com/iam/docs/keys-create-delete#creating), used
 * when a key file does not say.
 */
/**
 * The most users an attached cluster grants cluster-admin: "Up to ten admin users can be
 * provided" (@pulumi/gcp types/input.d.ts, AttachedClusterAuthorization.adminUsers).
 */
export const ATTACHED_ADMIN_USERS_MAX = 10;

export const GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token";
/** A Cloud KMS key id. */
export const KMS_KEY = /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/;
/** A Google API service name, such as `container.googleapis.com` (ProjectServices). */
export const GCP_SERVICE = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.googleapis\.com$/;

/** The region a location is in: a region is its own, a zone's is its prefix. */
export function regionOf(location: string): string {
    return location.replace(/-[a-z]$/, "");
}

/**
 * The VPC network of a cluster's nodes (and so of its Cloud NAT, and the network within which
 * control-plane ranges must not overlap) when none is named: the project's `default` network.
 */
export const DEFAULT_NETWORK = "default";

// --- GKE clusters (GkeCluster) -----------------------------------------------------------------

/**
 * A fleet cluster's name (GKE or attached): a DNS label of 1-20 characters. It names the fleet
 * membership (a DNS label) and prefixes the cluster's children, among them the node service
 * account `<name>-nodes` (Google takes 6-30 characters for a service account id).
 */
export const CLUSTER_NAME = /^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$/;
/** What {@link CLUSTER_NAME} asks, for messages. */
export const CLUSTER_NAME_RULE =
    "1-20 lowercase letters, digits or hyphens, starting with a letter and ending with a letter or digit";

/** GKE release channels. */
export const RELEASE_CHANNELS = ["RAPID", "REGULAR", "STABLE"] as const;
export type ReleaseChannel = (typeof RELEASE_CHANNELS)[number];
/** @default release channel of a cluster */
export const DEFAULT_RELEASE_CHANNEL: ReleaseChannel = "REGULAR";

/** A Compute Engine machine type, such as `e2-standard-4`. */
export const MACHINE_TYPE = /^[a-z0-9]+-[a-z0-9-]+$/;
export const DEFAULT_MACHINE_TYPE = "e2-standard-4";

/**
 * Autoscaling bounds of the node pool, per zone: each one's default and lowest value. A pool may
 * scale to zero nodes, but its maximum must allow one; the maximum must be at least the minimum
 * ({@link nodesPerZoneProblems}).
 */
export const MIN_NODES_PER_ZONE = { default: 1, min: 0 } as const;
/** See {@link MIN_NODES_PER_ZONE}. */
export const MAX_NODES_PER_ZONE = { default: 3, min: 1 } as const;

/** The order of the node pool's autoscaling bounds (each bound's own range is checked apart). */
export function nodesPerZoneProblems(n: {
    readonly minNodesPerZone: number;
    readonly maxNodesPerZone: number;
}): Problem[] {
    return n.maxNodesPerZone < n.minNodesPerZone
        ? [
              {
                  path: "maxNodesPerZone",
                  message: `(${n.maxNodesPerZone}) must be >= minNodesPerZone (${n.minNodesPerZone})`,
              },
          ]
        : [];
}

/** Whether `pulumi destroy` of a cluster is refused unless the stack says otherwise. */
export const DEFAULT_DELETION_PROTECTION = true;

/**
 * The control plane's private range: a /28 in one of the RFC 1918 blocks (10/8, 172.16/12,
 * 192.168/16), octets 0-255. Every cluster names its own: there is no default, since the range
 * is ForceNew (terraform-provider-google container/resource_container_cluster.go,
 * private_cluster_config.master_ipv4_cidr_block) and a default that moved would replace the
 * cluster (see config/gcp.ts `masterRange`).
 */
const OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
export const MASTER_IPV4_CIDR_BLOCK = new RegExp(
    `^(10\\.${OCTET}|172\\.(1[6-9]|2\\d|3[01])|192\\.168)\\.${OCTET}\\.${OCTET}\\/28$`,
);
/** What {@link MASTER_IPV4_CIDR_BLOCK} asks, for messages. */
export const MASTER_IPV4_CIDR_BLOCK_RULE = "must be a private /28 such as 172.16.0.16/28";

/** A domain, such as `example.com` (the `gke-security-groups@<domain>` group's). */
export const DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;

/**
 * Compute Engine machine series with Arm CPUs: T2A (Ampere Altra) and C4A (Axion), the series
 * GKE documents for Arm nodes (https://cloud.google.com/kubernetes-engine/docs/how-to/autopilot-arm-workloads),
 * and N4A (Axion) and A4X (NVIDIA Grace), listed on Compute Engine's Arm page
 * (https://cloud.google.com/compute/docs/instances/arm-on-compute). Erring towards Arm is the
 * safe side: it only asks the image for one more platform.
 */
export const ARM_MACHINE_SERIES = ["t2a", "c4a", "n4a", "a4x"] as const;

/** The CPU architecture of a Compute Engine machine type (`c4a-standard-4` is `arm64`). */
export function machineTypeArchitecture(machineType: string): "amd64" | "arm64" {
    const series = machineType.trim().toLowerCase().split("-")[0];
    return (ARM_MACHINE_SERIES as readonly string[]).includes(series) ? "arm64" : "amd64";
}

/**
 * How NetworkPolicies are enforced. GKE Standard ignores them unless one of these is on:
 * `dataplane-v2` (eBPF; enforcement built in, and the network-policy add-on must stay off) can
 * only be chosen when the cluster is created (`datapath_provider` is ForceNew in
 * hashicorp/terraform-provider-google google/services/container/resource_container_cluster.go),
 * so switching an existing cluster to it replaces the cluster; `calico` (the network-policy
 * add-on) can be turned on in place (`network_policy` and `addons_config` are not ForceNew),
 * which is the path for clusters created before this setting existed.
 */
export const NETWORK_POLICY_ENFORCEMENTS = ["dataplane-v2", "calico"] as const;
export type NetworkPolicyEnforcement = (typeof NETWORK_POLICY_ENFORCEMENTS)[number];
/** @default network policy enforcement of new clusters */
export const DEFAULT_NETWORK_POLICY_ENFORCEMENT: NetworkPolicyEnforcement = "dataplane-v2";

// --- Attached clusters (HubMembership) ---------------------------------------------------------

/** Kinds of cluster outside Google Cloud the fleet attaches: EKS, AKS, any other conformant one. */
export const ATTACHED_DISTRIBUTIONS = ["eks", "aks", "generic"] as const;
export type AttachedDistribution = (typeof ATTACHED_DISTRIBUTIONS)[number];

// --- Config Sync (ConfigSync, ConfigSyncMember) ------------------------------------------------

/** How Config Sync authenticates to the repository (`git.secretType`). */
export const SECRET_TYPES = [
    "none",
    "ssh",
    "cookiefile",
    "token",
    "gcenode",
    "gcpserviceaccount",
    "githubapp",
] as const;
export type SecretType = (typeof SECRET_TYPES)[number];
/** @default how Config Sync authenticates: not at all (a public repository) */
export const DEFAULT_SECRET_TYPE: SecretType = "none";

/** `unstructured` (plain manifests) or `hierarchy` (Config Sync's hierarchical repository). */
export const SOURCE_FORMATS = ["unstructured", "hierarchy"] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];
/** @default source format: plain manifests */
export const DEFAULT_SOURCE_FORMAT: SourceFormat = "unstructured";

/** @default the branch every member syncs unless it names its own */
export const DEFAULT_SYNC_BRANCH = "main";
/**
 * @default the folder every member syncs unless it names its own: the whole tree, the cluster
 * baseline and the rendered workload (attached clusters and edge sites get the app this way)
 */
export const DEFAULT_POLICY_DIR = "gitops";
/**
 * @default the folder the GKE clusters of this program sync instead: the baseline only, since
 * Pulumi applies the workload to them itself
 */
export const DEFAULT_BASELINE_POLICY_DIR = "gitops/cluster";
/** @default whether Config Sync reverts changes made to synced objects outside git */
export const DEFAULT_PREVENT_DRIFT = true;

/** A branch name with something in it (Config Sync refuses a blank `syncBranch`). */
export const SYNC_BRANCH = /\S/;

/** Why `dir` is not a folder inside the repository (absolute, or climbing out with `..`), if so. */
export function repositoryFolderProblem(dir: string): string | undefined {
    return dir.startsWith("/") || dir.split("/").includes("..")
        ? "must be a folder inside the repository (relative, no '..')"
        : undefined;
}

/** The git source's own rules: how it authenticates must fit its URL and what it names. */
export function configSyncGitProblems(git: {
    readonly syncRepo?: string;
    readonly secretType?: string;
    readonly gcpServiceAccountEmail?: string;
}): Problem[] {
    const problems: Problem[] = [];
    const secretType = git.secretType ?? DEFAULT_SECRET_TYPE;
    if (secretType === "ssh" && git.syncRepo?.startsWith("https://")) {
        problems.push({
            path: "secretType",
            message: "'ssh' needs an ssh syncRepo URL, but syncRepo is https",
        });
    }
    if (secretType === "gcpserviceaccount" && !git.gcpServiceAccountEmail) {
        problems.push({
            path: "gcpServiceAccountEmail",
            message: "is required when secretType is 'gcpserviceaccount'",
        });
    }
    return problems;
}
