import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { isSet, read } from "../types";

const GKE_CLUSTER = "gcp:container/cluster:Cluster";
const EKS_CLUSTER = "aws:eks/cluster:Cluster";
/** azure-native:containerservice:ManagedCluster and its API-versioned tokens. */
const AKS_CLUSTER = /^azure-native:containerservice(\/v[0-9a-z]+)?:ManagedCluster$/;

const HUB_MEMBERSHIP = "gcp:gkehub/membership:Membership";
const ATTACHED_CLUSTER = "gcp:container/attachedCluster:AttachedCluster";
/** azure-native:kubernetes:ConnectedCluster (Azure Arc) and its API-versioned tokens. */
const CONNECTED_CLUSTER = /^azure-native:kubernetes(\/v[0-9a-z]+)?:ConnectedCluster$/;

function dependsOn(resource: PolicyResource, on: PolicyResource): boolean {
    return resource.dependencies.some((d) => d.urn === on.urn);
}

/** Whether a Hub membership's GKE endpoint links to `cluster` (by its id, or by its name). */
function linksTo(membership: PolicyResource, cluster: PolicyResource): boolean {
    const link = read(membership.props, "endpoint.gkeCluster.resourceLink");
    if (typeof link !== "string" || link === "") return false;
    const id = read(cluster.props, "id");
    if (typeof id === "string" && id !== "" && (link === id || link.endsWith(`/${id}`))) {
        return true;
    }
    const name = read(cluster.props, "name");
    return typeof name === "string" && name !== "" && link.endsWith(`/clusters/${name}`);
}

export const fleetClusterRegistered: StackValidationPolicy = {
    name: "fleet-cluster-registered",
    description:
        "Every Kubernetes cluster the stack creates (GKE, EKS or AKS) must be registered in the fleet (a GKE cluster's own fleet.project, a GKE Hub membership, a GKE attached cluster or an Azure Arc connected cluster), so fleet-wide configuration, policy and identity reach it.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const memberships = args.resources.filter((r) => r.type === HUB_MEMBERSHIP);
        const registrations = args.resources.filter(
            (r) =>
                r.type === HUB_MEMBERSHIP ||
                r.type === ATTACHED_CLUSTER ||
                CONNECTED_CLUSTER.test(r.type),
        );
        for (const cluster of args.resources) {
            if (cluster.type === GKE_CLUSTER) {
                // fleet.project: GKE registers the cluster in that project's fleet itself.
                if (isSet(read(cluster.props, "fleet.project"))) continue;
                if (memberships.some((m) => dependsOn(m, cluster) || linksTo(m, cluster))) continue;
                reportViolation(
                    `GKE cluster '${cluster.name}' is not registered in the fleet (no fleet.project, and no gkehub Membership depends on it or links to it), so fleet features (Config Sync, fleet Workload Identity) never reach it: set fleet to { project: "<fleet host project>" } on the cluster, or register it with HubMembership (kind "gke", clusterId set to the cluster's id), which creates a gcp.gkehub.Membership with endpoint.gkeCluster.resourceLink "//container.googleapis.com/<cluster id>".`,
                    cluster.urn,
                );
            } else if (cluster.type === EKS_CLUSTER || AKS_CLUSTER.test(cluster.type)) {
                if (registrations.some((r) => dependsOn(r, cluster))) continue;
                const [kind, issuer, distribution] =
                    cluster.type === EKS_CLUSTER
                        ? ["EKS", "identities[0].oidcs[0].issuer", "eks"]
                        : ["AKS", "oidcIssuerProfile.issuerURL", "aks"];
                reportViolation(
                    `${kind} cluster '${cluster.name}' is not registered in the fleet (no GKE attached cluster, Azure Arc connected cluster or gkehub Membership depends on it), so fleet features never reach it: register it with a gcp.container.AttachedCluster (distribution "${distribution}", oidcConfig.issuerUrl from the cluster's ${issuer}) or connect it to Azure Arc with an azure-native.kubernetes.ConnectedCluster, built from the cluster's outputs or with dependsOn set to the cluster so the registration depends on it.`,
                    cluster.urn,
                );
            }
        }
    },
};
