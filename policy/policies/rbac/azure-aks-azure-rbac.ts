import type { ResourceValidationPolicy } from "@pulumi/policy";
import { read, UNKNOWN } from "../types";

/** ManagedCluster (azure-native containerservice/managedCluster.js) and its API-versioned tokens. */
const AKS_CLUSTER = /^azure-native:containerservice(?:\/v[0-9a-z]+)?:ManagedCluster$/;

/**
 * What "unset" means for each property (the API spec declares no default for any of them):
 *
 * - `enableRBAC`: only false is flagged. AKS-managed Microsoft Entra integration, which this
 *   policy also requires, is not supported on clusters without Kubernetes RBAC
 *   (https://learn.microsoft.com/azure/aks/managed-azure-ad, "Limitations"), so a cluster that
 *   passes the third rule has Kubernetes RBAC whether or not enableRBAC is written.
 * - `disableLocalAccounts`: must be true. "When you deploy an AKS cluster, local accounts are
 *   enabled by default" (https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad).
 * - `aadProfile.managed` and `aadProfile.enableAzureRBAC`: must be true. Azure RBAC for
 *   Kubernetes authorization is opt-in (`az aks create --enable-aad --enable-azure-rbac`) and
 *   needs AKS-managed Entra integration first (https://learn.microsoft.com/azure/aks/manage-azure-rbac).
 *
 * A value computed from another resource is checked once it is known.
 */
export const azureAksAzureRbac: ResourceValidationPolicy = {
    name: "azure-aks-azure-rbac",
    description:
        "AKS clusters (azure-native containerservice ManagedCluster) must authorize with Kubernetes RBAC and Azure RBAC and have no local accounts: enableRBAC must not be false (unset is accepted, since AKS-managed Microsoft Entra integration is only supported with Kubernetes RBAC), disableLocalAccounts must be true (local accounts are enabled by default), and aadProfile.managed and aadProfile.enableAzureRBAC must both be true.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!AKS_CLUSTER.test(args.type)) return;
        const cluster = `AKS cluster '${args.name}'`;

        if (read(args.props, "enableRBAC") === false) {
            reportViolation(
                `${cluster} sets enableRBAC to false, so every authenticated user and service account can do anything in the cluster, and Microsoft Entra integration cannot be added: set enableRBAC to true (or remove it); Kubernetes RBAC cannot be turned on for an existing cluster, so the cluster must be recreated.`,
            );
        }

        const localAccounts = read(args.props, "disableLocalAccounts");
        if (localAccounts !== true && localAccounts !== UNKNOWN) {
            reportViolation(
                `${cluster} does not set disableLocalAccounts to true, so its static cluster-admin credential (az aks get-credentials --admin) stays available: it bypasses Microsoft Entra ID and Azure RBAC, is not tied to a person, and stays valid until the cluster certificates are rotated: set disableLocalAccounts to true (local accounts are enabled by default).`,
            );
        }

        const missing = ["managed", "enableAzureRBAC"]
            .map((key) => [key, read(args.props, `aadProfile.${key}`)] as const)
            .filter(([, value]) => value !== true);
        // A setting computed from another resource is checked once it is known.
        if (missing.length > 0 && !missing.some(([, value]) => value === UNKNOWN)) {
            const properties = missing.map(([key]) => `aadProfile.${key}`).join(" and ");
            reportViolation(
                `${cluster} does not use Azure RBAC for Kubernetes authorization (${properties} ${missing.length > 1 ? "are" : "is"} not true), so access inside the cluster is granted outside Azure role assignments, where Microsoft Entra ID and the Azure activity log do not govern it: set aadProfile to { managed: true, enableAzureRBAC: true } and grant access with Azure role assignments on the cluster or a namespace (Azure Kubernetes Service RBAC Reader, Writer, Admin or Cluster Admin).`,
            );
        }
    },
};
