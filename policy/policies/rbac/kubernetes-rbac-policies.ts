/** Kubernetes RBAC beyond cluster-admin and wildcards (issue 19), at least as strict as the gitops lint. */
import type { FleetPolicy } from "../types";
import { kubernetesRoleNoEscalationVerbs } from "./kubernetes-role-no-escalation-verbs";
import { kubernetesRoleNoSecretReads } from "./kubernetes-role-no-secret-reads";
import { kubernetesRoleNoSecretWrites } from "./kubernetes-role-no-secret-writes";
import { kubernetesRolebindingNoAdminEdit } from "./kubernetes-rolebinding-no-admin-edit";
import { kubernetesRolebindingNoBroadSubjects } from "./kubernetes-rolebinding-no-broad-subjects";

export const kubernetesRbacPolicies: FleetPolicy[] = [
    kubernetesRolebindingNoBroadSubjects,
    kubernetesRolebindingNoAdminEdit,
    kubernetesRoleNoEscalationVerbs,
    kubernetesRoleNoSecretWrites,
    kubernetesRoleNoSecretReads,
];
