/** The Azure identity policies of the rbac group (issue 19), one file each. */
import type { FleetPolicy } from "../types";
import { azureAksAzureRbac } from "./azure-aks-azure-rbac";
import { azureArcConnectedClusterAzureRbac } from "./azure-arc-connected-cluster-azure-rbac";
import { azureContainerRegistryNoAdminUser } from "./azure-container-registry-no-admin-user";
import { azureRoleDefinitionNoWildcardActions } from "./azure-role-definition-no-wildcard-actions";

export const azureIdentityPolicies: FleetPolicy[] = [
    azureContainerRegistryNoAdminUser,
    azureAksAzureRbac,
    azureArcConnectedClusterAzureRbac,
    azureRoleDefinitionNoWildcardActions,
];
