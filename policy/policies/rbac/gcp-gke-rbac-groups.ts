import type { ResourceValidationPolicy } from "@pulumi/policy";
import { get } from "../types";

const GKE_CLUSTER = "gcp:container/cluster:Cluster";

export const gcpGkeRbacGroups: ResourceValidationPolicy = {
    name: "gcp-gke-rbac-groups",
    description:
        "GKE clusters should enable Google Groups for RBAC (authenticatorGroupsConfig.securityGroup), so RoleBindings can name Google Groups instead of individual users.",
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
        if (args.type !== GKE_CLUSTER) return;
        const group = get(args.props, "authenticatorGroupsConfig.securityGroup");
        if (typeof group === "string" && group.trim() !== "") return;
        reportViolation(
            `GKE cluster '${args.name}' does not set authenticatorGroupsConfig.securityGroup, so its RoleBindings cannot name Google Groups and access must be granted user by user: set authenticatorGroupsConfig to { securityGroup: "gke-security-groups@<your domain>" } (GkeCluster's rbacGroupDomain) and make the groups you bind members of that group.`,
        );
    },
};
