/**
 * Constants and pure rules shared by the Google Cloud components' argument validation and the
 * stack config schema, so that a rule is written once. No SDK imports: config/ and
 * components/app/platforms.ts read it without loading @pulumi/gcp.
 */

// --- GKE clusters (GkeCluster) -----------------------------------------------------------------

/** A Google Cloud region (`europe-west1`) or zone (`europe-west1-b`). */
export const GCP_LOCATION = /^[a-z]+-[a-z]+\d+(-[a-z])?$/;
/** A Cloud KMS key id. */
export const KMS_KEY = /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/;

/** The region a location is in: a region is its own, a zone's is its prefix. */
export function regionOf(location: string): string {
    return location.replace(/-[a-z]$/, "");
}

/** @default machine type of the node pool */
export const DEFAULT_MACHINE_TYPE = "e2-standard-4";

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

// --- Config Sync (ConfigSync) ------------------------------------------------------------------

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
