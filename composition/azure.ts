/**
 * Azure: the resource group that holds the fleet's Arc, Policy and Monitor resources, and the
 * fleet-wide governance (Policy, Monitor, Flux, RBAC) every Arc-connected cluster is created
 * under. Reads no stack config: index.ts passes the parsed sections, the tags and the providers.
 */
import * as azureNative from "@pulumi/azure-native";
import type * as pulumi from "@pulumi/pulumi";
import type * as tls from "@pulumi/tls";
import { ArcGovernance } from "../components/azure/ArcGovernance";
import type { AzureConfig, EdgeConfig } from "../config";

export interface AzureFoundationArgs {
    /** The `azure` config section; nothing is created unless it is enabled. */
    readonly azure: AzureConfig;
    /** `${project}-${stack}`: the resource group's name unless `azure.resourceGroupName` is set. */
    readonly defaultName: string;
    readonly tags: Record<string, string>;
    /** The Azure provider; nothing is created without it. */
    readonly provider?: azureNative.Provider;
}

export interface AzureFoundation {
    /** The resource group that holds the fleet's Arc, Policy, Monitor and registry resources. */
    readonly resourceGroup: azureNative.resources.ResourceGroup;
    /** The tenant of the identity running Pulumi (ACR token exchange, Arc agents). */
    readonly tenantId: pulumi.Input<string>;
}

/** The resource group and tenant, or undefined when Azure is off. */
export function azureFoundation(args: AzureFoundationArgs): AzureFoundation | undefined {
    const { azure, provider } = args;
    if (!azure.enabled || !provider) return undefined;
    const resourceGroup = new azureNative.resources.ResourceGroup(
        "fleet",
        {
            resourceGroupName: azure.resourceGroupName ?? args.defaultName,
            location: azure.location,
            tags: args.tags,
        },
        { provider },
    );
    const tenantId =
        azure.tenantId ?? azureNative.authorization.getClientConfigOutput({ provider }).tenantId;
    return { resourceGroup, tenantId };
}

export interface AzureFleetArgs {
    /** The `azure` config section; nothing is created unless it is enabled. */
    readonly azure: AzureConfig;
    /** The `edge.gitops` config key: Flux is configured only when it delivers to the sites. */
    readonly edgeGitops: EdgeConfig["gitops"];
    readonly tags: Record<string, string>;
    /** The resource group and tenant (`azureFoundation`); nothing is created without them. */
    readonly foundation?: AzureFoundation;
    /** The Azure provider and the TLS provider (Arc onboarding keys); nothing without both. */
    readonly providers: { azure?: azureNative.Provider; tls?: tls.Provider };
}

export interface AzureFleet {
    readonly governance: ArcGovernance;
    readonly tenantId: pulumi.Input<string>;
}

/** The fleet's governance, or undefined when Azure is off. */
export function azureFleet(args: AzureFleetArgs): AzureFleet | undefined {
    const { azure: az, foundation, providers } = args;
    if (!az.enabled || !providers.azure || !providers.tls || !foundation) return undefined;
    const git = { url: az.gitops.url, branch: az.gitops.branch, path: az.gitops.path };
    const governance = new ArcGovernance(
        "arc-governance",
        {
            subscriptionId: az.subscriptionId,
            resourceGroupName: foundation.resourceGroup.name,
            resourceGroupId: foundation.resourceGroup.id,
            location: az.location,
            logRetentionDays: az.logRetentionDays,
            podSecurityEffect: az.podSecurityEffect,
            excludedNamespaces: az.podSecurity.excludedNamespaces,
            git,
            adminGroupObjectIds: az.adminGroupObjectIds,
            viewerGroupObjectIds: az.viewerGroupObjectIds,
            // Config Sync delivers gitops/ to the edge sites instead of Flux when configured.
            fluxDelivery: args.edgeGitops === "flux",
            tags: args.tags,
        },
        { providers: [providers.azure, providers.tls] },
    );
    return { governance, tenantId: foundation.tenantId };
}
