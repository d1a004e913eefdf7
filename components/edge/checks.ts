/**
 * Constants and pure rules shared by the edge components' argument validation and the stack
 * config schema, so that each is written once. No SDK imports: config/ reads it without loading
 * @pulumi/azure-native, @pulumi/kubernetes or @pulumi/tls.
 */
import * as YAML from "yaml";

/** Kubernetes distributions `az connectedk8s connect --distribution` accepts. */
export const ARC_DISTRIBUTIONS = [
    "aks",
    "aks_edge_k3s",
    "aks_edge_k8s",
    "aks_engine",
    "aks_hci",
    "aks_management",
    "aks_workload",
    "canonical",
    "capz",
    "eks",
    "gke",
    "k3s",
    "karbon",
    "kind",
    "minikube",
    "openshift",
    "rancher_rke",
    "tkg",
    "generic",
] as const;
/**
 * Infrastructures the Azure CLI sends to ARM and to the agents (`--infrastructure`).
 *
 * No `auto`: the CLI never sends it. `az connectedk8s connect --infrastructure auto` (its
 * default) is resolved on the workstation from the first node's `spec.providerID` before the PUT
 * (`get_kubernetes_infra` in Azure/azure-cli-extensions src/connectedk8s/azext_connectedk8s/
 * custom.py: `azure` -> azure, `gce` -> gcp, `aws` -> aws, `k3s`/`kind` -> generic, else
 * generic), and `validate_infrastructure_type` in _utils.py skips the list's first value,
 * "auto". A program that registers the resource itself reads no nodes, so a site names its
 * infrastructure, or gets `generic`.
 */
export const ARC_INFRASTRUCTURES = [
    "generic",
    "azure",
    "aws",
    "gcp",
    "azure_stack_hci",
    "azure_stack_hub",
    "azure_stack_edge",
    "vsphere",
    "windows_server",
] as const;

/**
 * An edge site's name (`edge.sites[].name`, EdgeCluster's `name`): both the Azure connected
 * cluster's name and the GKE fleet membership id, so a lowercase DNS label starting with a letter.
 */
export const EDGE_SITE_NAME = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** The message of a name that breaks `EDGE_SITE_NAME`. */
export const EDGE_SITE_NAME_RULE =
    "must be a lowercase DNS label of up to 63 characters (a connected cluster name and a fleet membership id)";

/**
 * What a site is when it does not say (`edge.sites[]`, EdgeClusterArgs): a generic Kubernetes
 * distribution on generic infrastructure.
 */
export const EDGE_SITE_DEFAULTS = {
    distribution: "generic",
    infrastructure: "generic",
} as const satisfies {
    distribution: (typeof ARC_DISTRIBUTIONS)[number];
    infrastructure: (typeof ARC_INFRASTRUCTURES)[number];
};

/**
 * Distributions where Azure RBAC cannot work: the guard needs the API server configured with its
 * authentication and authorization webhooks, which managed offerings (EKS, GKE) and OpenShift do
 * not let users do (https://learn.microsoft.com/azure/azure-arc/kubernetes/azure-rbac, note under
 * Prerequisites). AKS has Azure RBAC natively, without Arc.
 */
export const AZURE_RBAC_UNSUPPORTED_DISTRIBUTIONS = ["aks", "eks", "gke", "openshift"] as const;

/** Whether a site has Azure RBAC when it does not say: on, except where it cannot work. */
export function defaultAzureRbac(distribution: string): boolean {
    return !(AZURE_RBAC_UNSUPPORTED_DISTRIBUTIONS as readonly string[]).includes(distribution);
}

/**
 * One entry of the guard's skip list (`azureRbacSkipList`): a user, group or object id. The list
 * reaches the agents as one comma-separated value (`--skip-azure-rbac-list`), so an entry has no
 * comma; nor whitespace, which no user principal name or object id contains.
 */
export const AZURE_RBAC_SKIP_ENTRY = /^[^,\s]+$/;
/** The message of an entry that breaks `AZURE_RBAC_SKIP_ENTRY`. */
export const AZURE_RBAC_SKIP_ENTRY_RULE =
    "must be one user, group or OID (no commas, no spaces, not empty)";

/**
 * The newest agents release Microsoft's release notes list when this was written (September
 * 2025): https://learn.microsoft.com/azure/azure-arc/kubernetes/release-notes. Raise it when a
 * newer one is published; the support window below follows it.
 */
export const ARC_AGENT_LATEST_KNOWN = "1.30.1";
/**
 * Agents are supported for "N-2" minor releases, N being the latest minor release
 * (https://learn.microsoft.com/azure/azure-arc/kubernetes/agent-upgrade#version-support-policy):
 * the latest minor and the two before it.
 */
export const ARC_AGENT_SUPPORTED_MINORS = 3;
/** The oldest agents version inside the support window of {@link ARC_AGENT_LATEST_KNOWN}. */
export const ARC_AGENT_MIN_SUPPORTED = "1.28.0";
/**
 * The Azure CLI refuses stable agents older than 1.14 on the `/v2/` chart path this program
 * installs from (`pull_helm_chart` in src/connectedk8s/azext_connectedk8s/_utils.py).
 */
export const ARC_AGENT_CLI_MINIMUM = "1.14.0";

/**
 * The problem with a pinned `azure-arc-k8sagents` chart version, or undefined when it is a
 * stable release (X.Y.Z, no pre-release suffix) inside Microsoft's N-2 support window counted
 * from `latest`. For the stack config key `azure.arc.agentChartVersion`.
 */
export function agentChartVersionProblem(
    version: string,
    latest: string = ARC_AGENT_LATEST_KNOWN,
): string | undefined {
    const parse = (v: string) => /^(\d+)\.(\d+)\.(\d+)$/.exec(v.trim())?.slice(1).map(Number);
    const pinned = parse(version);
    const newest = parse(latest);
    if (!pinned || !newest) {
        return `'${version}' is not a stable agents release (X.Y.Z, such as ${latest})`;
    }
    const [major, minor] = pinned;
    const oldestMinor = newest[1] - (ARC_AGENT_SUPPORTED_MINORS - 1);
    if (major !== newest[0] || minor < oldestMinor) {
        return `${version} is outside Azure's support window for the Arc agents (the last ${ARC_AGENT_SUPPORTED_MINORS} minor releases: ${newest[0]}.${oldestMinor}.x to ${latest}); pin ${latest}`;
    }
    return undefined;
}

/** The problem with a kubeconfig, or undefined when it names a current context that exists. */
export function kubeconfigProblem(text: string): string | undefined {
    let doc: unknown;
    try {
        doc = YAML.parse(text);
    } catch (e) {
        return `is not YAML (${(e as Error).message.split("\n")[0]})`;
    }
    const config = doc as { "current-context"?: unknown; contexts?: { name?: unknown }[] } | null;
    if (!config || typeof config !== "object") return "is not a kubeconfig (a YAML mapping)";
    const current = config["current-context"];
    if (typeof current !== "string" || current === "")
        return "has no current-context: set one with `kubectl config use-context`";
    if (!(config.contexts ?? []).some((c) => c?.name === current)) {
        return `names current-context '${current}', which is not among its contexts`;
    }
    return undefined;
}
