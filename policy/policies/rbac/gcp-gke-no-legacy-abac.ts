import type { ResourceValidationPolicy } from "@pulumi/policy";

const GKE_CLUSTER = "gcp:container/cluster:Cluster";

export const gcpGkeNoLegacyAbac: ResourceValidationPolicy = {
    name: "gcp-gke-no-legacy-abac",
    description:
        "GKE clusters must not enable legacy ABAC (enableLegacyAbac), so Kubernetes RBAC alone decides who may do what in the cluster.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== GKE_CLUSTER) return;
        if (args.props.enableLegacyAbac === true) {
            reportViolation(
                `GKE cluster '${args.name}' sets enableLegacyAbac to true, which grants broad static permissions (service accounts included) outside Kubernetes RBAC: set enableLegacyAbac to false (or remove it; false is the default) and grant access with RBAC Roles and RoleBindings.`,
            );
        }
    },
};
