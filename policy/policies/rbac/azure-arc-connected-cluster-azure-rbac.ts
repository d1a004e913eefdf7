import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { read, UNKNOWN } from "../types";

/** ConnectedCluster (azure-native kubernetes/connectedCluster.js) and its API-versioned tokens. */
const CONNECTED_CLUSTER = /^azure-native:kubernetes(?:\/v[0-9a-z]+)?:ConnectedCluster$/;
const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
/** The Arc agents' chart, as `az connectedk8s connect` and EdgeCluster install it. */
const AGENTS_CHART = "azure-arc-k8sagents";

/**
 * Distributions where Azure RBAC cannot work on an Arc cluster: the guard needs the API server
 * pointed at its webhooks, which managed offerings (EKS, GKE) and OpenShift do not allow, and AKS
 * has Azure RBAC natively (https://learn.microsoft.com/azure/azure-arc/kubernetes/azure-rbac,
 * Prerequisites; the same list as AZURE_RBAC_UNSUPPORTED_DISTRIBUTIONS in
 * components/edge/EdgeCluster.ts, which the pack does not import).
 */
const EXEMPT_DISTRIBUTIONS = ["aks", "eks", "gke", "openshift"];

/**
 * Whether `release` installs the Arc agents of `cluster`. The agents name their cluster in
 * values.global.resourceName; while that is not known (a preview before the cluster exists),
 * the engine's property dependencies show whether the values are computed from the cluster. A
 * mere dependsOn does not count: it says nothing of which cluster the agents connect.
 */
function installsAgentsOf(release: PolicyResource, cluster: PolicyResource): boolean {
    const chart = read(release.props, "chart");
    if (typeof chart !== "string" || !chart.includes(AGENTS_CHART)) return false;
    const resourceName = read(release.props, "values.global.resourceName");
    const clusterName = read(cluster.props, "clusterName");
    if (typeof resourceName === "string" && typeof clusterName === "string") {
        return resourceName === clusterName;
    }
    const from = release.propertyDependencies["values"] ?? [];
    return from.some((d) => d.urn === cluster.urn);
}

/**
 * The guard switch of the agents' values: true, false (absent counts as off), or UNKNOWN.
 * `az connectedk8s enable-features --features azure-rbac` turns Azure RBAC on with
 * `helm upgrade --set systemDefaultValues.guard.enabled=true` and nothing else on ARM
 * (`enable_features` in Azure/azure-cli-extensions src/connectedk8s/azext_connectedk8s/custom.py).
 */
function guardEnabled(release: PolicyResource): boolean | typeof UNKNOWN {
    const enabled = read(release.props, "values.systemDefaultValues.guard.enabled");
    if (enabled === UNKNOWN) return UNKNOWN;
    return enabled === true || (typeof enabled === "string" && enabled.toLowerCase() === "true");
}

export const azureArcConnectedClusterAzureRbac: StackValidationPolicy = {
    name: "azure-arc-connected-cluster-azure-rbac",
    description:
        "Every Azure Arc connected cluster (azure-native kubernetes ConnectedCluster) must authorize with Azure RBAC, which on Arc the agents' guard enforces. When the stack installs the cluster's Arc agents (a kubernetes:helm.sh/v3:Release of the azure-arc-k8sagents chart whose values.global.resourceName is the cluster's clusterName or, while either is not known, whose values are computed from the cluster), those values must set systemDefaultValues.guard.enabled to true, whatever the cluster's aadProfile says; otherwise the cluster must set aadProfile.enableAzureRBAC to true. Clusters whose distribution is aks, eks, gke or openshift are exempt: Azure RBAC cannot work there through Arc.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const releases = args.resources.filter((r) => r.type === HELM_RELEASE);
        for (const cluster of args.resources.filter((r) => CONNECTED_CLUSTER.test(r.type))) {
            // A distribution computed from another resource is checked once it is known.
            const distribution = read(cluster.props, "distribution");
            if (distribution === UNKNOWN) continue;
            if (
                typeof distribution === "string" &&
                EXEMPT_DISTRIBUTIONS.includes(distribution.toLowerCase())
            ) {
                continue;
            }
            const declared = read(cluster.props, "aadProfile.enableAzureRBAC");
            const agents = releases.filter((r) => installsAgentsOf(r, cluster));
            const name = `Arc connected cluster '${cluster.name}'`;
            const fix = `set systemDefaultValues.guard to { enabled: true, authnMode: "arc" } in the agents' values, as \`az connectedk8s enable-features --features azure-rbac\` does, and aadProfile.enableAzureRBAC to true on the connected cluster (EdgeCluster's azureRbac, on by default, sets both), then point the cluster's API server at the guard's webhooks; if the cluster runs AKS, EKS, GKE or OpenShift, set distribution accordingly (Azure RBAC cannot work there through Arc).`;
            if (agents.length > 0) {
                const guards = agents.map(guardEnabled);
                // Values computed from other resources are checked once they are known.
                if (guards.some((g) => g === true || g === UNKNOWN)) continue;
                const releaseNames = agents.map((r) => `'${r.name}'`).join(", ");
                const state =
                    declared === true
                        ? `sets aadProfile.enableAzureRBAC to true, but the Arc agents' Helm release ${releaseNames} the stack installs on it does not enable the guard (values.systemDefaultValues.guard.enabled is not true), so Azure RBAC is declared and not enforced`
                        : `does not authorize with Azure RBAC: the Arc agents' Helm release ${releaseNames} the stack installs on it does not enable the guard (values.systemDefaultValues.guard.enabled is not true)`;
                reportViolation(
                    `${name} ${state}, and Azure role assignments (such as the fleet's Arc admin and viewer roles) do not govern access inside the cluster: ${fix}`,
                    cluster.urn,
                );
                continue;
            }
            if (declared === true || declared === UNKNOWN) continue;
            reportViolation(
                `${name} does not set aadProfile.enableAzureRBAC to true, and the stack does not install its Arc agents (no Release of the ${AGENTS_CHART} chart for it), so nothing shows that the cluster authorizes with Azure RBAC, and Azure role assignments may not govern access inside it: ${fix}`,
                cluster.urn,
            );
        }
    },
};
