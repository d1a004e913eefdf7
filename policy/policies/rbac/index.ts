/** The rbac policies of the pack, one file each. */
import type { FleetPolicy } from "../types";
import { awsIamPolicyNoWildcards } from "./aws-iam-policy-no-wildcards";
import { azureIdentityPolicies } from "./azure-identity-policies";
import { gcpIamPolicies } from "./gcp-iam-policies";
import { kubernetesRbacPolicies } from "./kubernetes-rbac-policies";
import { awsIamRoleTrustNotPublic } from "./aws-iam-role-trust-not-public";
import { azureRoleAssignmentNoSubscriptionOwner } from "./azure-role-assignment-no-subscription-owner";
import { gcpGkeNoLegacyAbac } from "./gcp-gke-no-legacy-abac";
import { gcpGkeRbacGroups } from "./gcp-gke-rbac-groups";
import { kubernetesRoleNoWildcards } from "./kubernetes-role-no-wildcards";
import { kubernetesRolebindingNoClusterAdmin } from "./kubernetes-rolebinding-no-cluster-admin";

export const rbacPolicies: FleetPolicy[] = [
    kubernetesRolebindingNoClusterAdmin,
    kubernetesRoleNoWildcards,
    awsIamPolicyNoWildcards,
    awsIamRoleTrustNotPublic,
    gcpGkeNoLegacyAbac,
    gcpGkeRbacGroups,
    azureRoleAssignmentNoSubscriptionOwner,
    ...gcpIamPolicies,
    ...azureIdentityPolicies,
    ...kubernetesRbacPolicies,
];
