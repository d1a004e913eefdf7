import type { ResourceValidationPolicy } from "@pulumi/policy";
import { read } from "../types";
import {
    BINDING_TYPE,
    broadMeaning,
    knownSubjects,
    subjectText,
} from "./kubernetes-rolebinding-no-broad-subjects";

/**
 * The built-in user-facing ClusterRoles meant for namespaces, with what they grant beyond a role
 * of one's own (kubernetes.io/docs/reference/access-authn-authz/rbac, "User-facing roles"): edit
 * reads and writes Secrets and runs pods as any ServiceAccount of the namespace, "so it can be
 * used to gain the API access levels of any ServiceAccount in the namespace"; admin adds Roles
 * and RoleBindings of the namespace.
 */
const BUILT_IN: Readonly<Record<string, string>> = {
    edit: "reads and writes Secrets and runs pods as any ServiceAccount, so its holders get the API access of every ServiceAccount",
    admin: "reads and writes Secrets, runs pods as any ServiceAccount and manages Roles and RoleBindings, so its holders get the API access of every ServiceAccount and can grant it to others",
};

export const kubernetesRolebindingNoAdminEdit: ResourceValidationPolicy = {
    name: "kubernetes-rolebinding-no-admin-edit",
    description:
        "Kubernetes ClusterRoleBindings and RoleBindings must not bind the built-in ClusterRoles admin or edit to any subject, as the repository's gitops lint already forbids: both read and write Secrets and run pods as any ServiceAccount of the namespace (admin also manages its Roles and RoleBindings). A Role of one's own named admin or edit is accepted; subjects that stand for everyone are left to kubernetes-rolebinding-no-broad-subjects, and cluster-admin to kubernetes-rolebinding-no-cluster-admin.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const kind = BINDING_TYPE.exec(args.type)?.[1];
        if (!kind) return;
        if (read(args.props, "roleRef.kind") !== "ClusterRole") return;
        const role = read(args.props, "roleRef.name");
        if (typeof role !== "string" || !Object.hasOwn(BUILT_IN, role)) return;
        const grants = BUILT_IN[role];
        // Subjects that stand for everyone are reported by kubernetes-rolebinding-no-broad-subjects.
        const flagged = knownSubjects(args.props)
            .filter((s) => broadMeaning(s) === undefined)
            .map(subjectText);
        if (flagged.length === 0) return;
        const where = kind === "ClusterRoleBinding" ? "in every namespace" : "in its namespace";
        reportViolation(
            `${kind} '${args.name}' binds the built-in ClusterRole ${role} to ${flagged.join(", ")}, which ${where} ${grants}: bind a Role or ClusterRole of your own that lists only the verbs and resources ${flagged.length > 1 ? "these subjects need" : "this subject needs"} (as Workload's app-deployer does), or the built-in view to read.`,
        );
    },
};
