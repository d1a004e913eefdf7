import type { ResourceValidationPolicy } from "@pulumi/policy";
import { get, isRecord, list } from "../types";

/** ClusterRoleBinding and RoleBinding, in every RBAC API version the SDK offers, patches included. */
const BINDING_TYPE =
    /^kubernetes:rbac\.authorization\.k8s\.io\/v1(?:alpha1|beta1)?:((?:Cluster)?RoleBinding)(?:Patch)?$/;
/** Users and groups Kubernetes itself manages (system:masters, system:serviceaccounts:...). */
const SYSTEM_PREFIX = "system:";

export const kubernetesRolebindingNoClusterAdmin: ResourceValidationPolicy = {
    name: "kubernetes-rolebinding-no-cluster-admin",
    description:
        "Kubernetes ClusterRoleBindings and RoleBindings must not bind the cluster-admin role to anyone but Kubernetes' own system: users and groups, so no person, group or service account gets unrestricted access to the cluster.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const kind = BINDING_TYPE.exec(args.type)?.[1];
        if (!kind) return;
        if (get(args.props, "roleRef.name") !== "cluster-admin") return;
        const subjects = list(args.props.subjects)
            .filter(isRecord)
            .filter((s) => !(typeof s.name === "string" && s.name.startsWith(SYSTEM_PREFIX)))
            .map((s) => `${String(s.kind ?? "subject")} '${String(s.name ?? "")}'`);
        if (subjects.length === 0) return;
        reportViolation(
            `${kind} '${args.name}' binds cluster-admin to ${subjects.join(", ")}, which gives unrestricted access to the whole cluster: bind a ClusterRole (or, in a RoleBinding, a Role) that lists only the verbs and resources ${subjects.length > 1 ? "these subjects need" : "this subject needs"}, such as the built-in view or a role of your own.`,
        );
    },
};
