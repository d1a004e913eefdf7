import * as azure from "@pulumi/azure-native";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { groupObjectIdProblems, repeatedProblems, throwIfInvalid } from "../validation";
import {
    DEFAULT_POD_SECURITY_EFFECT,
    FLUX_GIT_DEFAULTS,
    FLUX_GIT_URL,
    FLUX_GIT_URL_RULE,
    LOG_RETENTION_DAYS,
    PodSecurityEffect,
} from "./checks";
import {
    CLUSTER_SCOPE,
    CONNECTED_CLUSTERS,
    CONTRIBUTOR_ROLE,
    FLUX_CONFIGURATION,
    FLUX_POLICY_PARAMETERS,
    FLUX_POLICY_RULE,
} from "./fluxPolicy";
import { roleDefinitionIdIn } from "./keyVaultKey";
import {
    DEFAULT_POD_SECURITY_EXCLUDED_NAMESPACES,
    excludedNamespacesProblems,
} from "./podSecurity";
import { roleAssignmentName } from "./roleAssignmentName";

/** Built-in Azure definitions this component assigns, by id (GUID). */
export const AZURE_BUILTINS = {
    /** Initiative: Kubernetes cluster pod security baseline standards for Linux-based workloads. */
    podSecurityBaselineInitiative: "a8640138-9b0a-4a28-b8cb-1666c838647d",
    /** Policy: Configure Azure Arc enabled Kubernetes clusters to install the Azure Policy extension. */
    arcAzurePolicyExtensionPolicy: "0adc5395-9169-4b9b-8687-af838d69410a",
    /** Role: Azure Arc Kubernetes Cluster Admin. */
    arcClusterAdminRole: "8393591c-06b9-48a2-a542-1bd6b377f6a2",
    /** Role: Azure Arc Enabled Kubernetes Cluster User Role (list the cluster user credentials). */
    arcClusterUserRole: "00493d72-78f6-4148-b6c5-d3ce8e4799dd",
    /** Role: Azure Arc Kubernetes Viewer. */
    arcViewerRole: "63f0a09d-1495-4db4-a681-037d84835eb4",
    /**
     * Role: Contributor, which the Flux and Container Insights definitions name for their
     * remediation (as the built-in Flux definitions do; fluxPolicy.ts `CONTRIBUTOR_ROLE`).
     */
    contributorRole: CONTRIBUTOR_ROLE,
    /** Role: Kubernetes Extension Contributor, which the Azure Policy extension policy names. */
    kubernetesExtensionContributorRole: "85cb6faf-e071-4c9b-8136-154b5a04f717",
} as const;

/** The repository Flux syncs on every Arc cluster (defaults: `FLUX_GIT_DEFAULTS`). */
export interface FluxGitSource {
    /** A public https URL (`FLUX_GIT_URL`): the Flux policy passes no credentials. */
    readonly url: string;
    /** @default "main" */
    readonly branch?: string;
    /**
     * The folder the Kustomization applies: the whole tree, the baseline (`gitops/cluster`) and
     * the app (`gitops/workload`), which Arc clusters get from GitOps alone.
     * @default "./gitops"
     */
    readonly path?: string;
}

export interface ArcGovernanceArgs {
    readonly subscriptionId: pulumi.Input<string>;
    /** The fleet's resource group: every assignment is scoped to it, and so to every Arc cluster in it. */
    readonly resourceGroupName: pulumi.Input<string>;
    readonly resourceGroupId: pulumi.Input<string>;
    readonly location: string;
    /** Log Analytics retention, days, from 30 to 730 (`LOG_RETENTION_DAYS`). @default 30 */
    readonly logRetentionDays?: number;
    /**
     * Whether Flux delivers GitOps to the fleet's Arc clusters: defines and assigns the custom
     * policy that installs the Flux extension and then the `fleet-gitops` Flux configuration on
     * every one of them. Set it to false where Config Sync delivers GitOps instead: no Flux
     * policy is defined or assigned.
     * @default true
     */
    readonly fluxDelivery?: boolean;
    /**
     * What the Flux policy deploys to every Arc cluster in scope (read, and its URL checked,
     * only when `fluxDelivery` is true).
     */
    readonly git: FluxGitSource;
    /** Entra ID groups (object ids) granted Azure Arc Kubernetes Cluster Admin. @default [] */
    readonly adminGroupObjectIds?: readonly string[];
    /** Entra ID groups (object ids) granted Azure Arc Kubernetes Viewer. @default [] */
    readonly viewerGroupObjectIds?: readonly string[];
    /** Pod security baseline effect: `audit` reports, `deny` blocks. @default "audit" */
    readonly podSecurityEffect?: PodSecurityEffect;
    /**
     * Kubernetes namespaces the pod security baseline does not check (the initiative's
     * `excludedNamespaces`; Azure exempts kube-system, gatekeeper-system and azure-arc whatever
     * the list). Add the namespaces of site platform pods that need host access (ingress with host
     * ports, CNI, storage, node agents) once the `audit` results show them.
     * @default DEFAULT_POD_SECURITY_EXCLUDED_NAMESPACES
     */
    readonly excludedNamespaces?: readonly string[];
    /** @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Every problem with `args`, each naming the argument; empty when valid. */
export function validateArcGovernanceArgs(args: ArcGovernanceArgs): string[] {
    const problems: string[] = [];
    const days = args.logRetentionDays ?? LOG_RETENTION_DAYS.default;
    if (!Number.isInteger(days) || days < LOG_RETENTION_DAYS.min || days > LOG_RETENTION_DAYS.max) {
        problems.push(
            `logRetentionDays (${days}) must be a whole number of days from ${LOG_RETENTION_DAYS.min} to ${LOG_RETENTION_DAYS.max}`,
        );
    }
    problems.push(...groupObjectIdProblems(args));
    // Each group's role assignment is named by its object id: a repeat would be the same
    // resource twice (and Azure refuses a second assignment of one role to one principal at one
    // scope: RoleAssignmentExists).
    for (const key of ["adminGroupObjectIds", "viewerGroupObjectIds"] as const) {
        problems.push(...repeatedProblems(key, args[key] ?? [], (id) => id.toLowerCase()));
    }
    problems.push(
        ...excludedNamespacesProblems(
            args.excludedNamespaces ?? DEFAULT_POD_SECURITY_EXCLUDED_NAMESPACES,
        ),
    );
    if ((args.fluxDelivery ?? true) && !FLUX_GIT_URL.test(args.git.url)) {
        problems.push(`git.url '${args.git.url}' ${FLUX_GIT_URL_RULE}`);
    }
    return problems;
}

/**
 * The parameters of the custom Container Insights definition: where every cluster reports.
 */
export const CONTAINER_INSIGHTS_POLICY_PARAMETERS = {
    workspaceResourceId: {
        type: "String",
        metadata: {
            displayName: "Log Analytics workspace",
            description: "Resource id of the workspace Container Insights sends logs to.",
        },
    },
    dataCollectionRuleId: {
        type: "String",
        metadata: {
            displayName: "Data collection rule",
            description:
                "Resource id of the data collection rule every cluster is associated with (managed-identity ingestion).",
        },
    },
} as const;

/**
 * The custom Container Insights definition's rule (no built-in policy installs Container
 * Insights on Arc clusters): for every connected cluster without a healthy
 * `Microsoft.AzureMonitor.Containers` extension, deploy what `az k8s-extension create` and
 * `az monitor data-collection rule association create` would for Container Insights with
 * managed-identity ingestion: the `azuremonitor-containers` extension, and the cluster's
 * `ContainerInsightsExtension` association with the fleet's data collection rule.
 */
export const CONTAINER_INSIGHTS_POLICY_RULE = {
    if: { field: "type", equals: CONNECTED_CLUSTERS },
    then: {
        effect: "DeployIfNotExists",
        details: {
            type: "Microsoft.KubernetesConfiguration/extensions",
            // Wait until the cluster is provisioned: an extension needs its agents connected.
            evaluationDelay: "AfterProvisioning",
            roleDefinitionIds: [
                `/providers/Microsoft.Authorization/roleDefinitions/${AZURE_BUILTINS.contributorRole}`,
            ],
            existenceCondition: {
                allOf: [
                    {
                        field: "Microsoft.KubernetesConfiguration/extensions/extensionType",
                        equals: "Microsoft.AzureMonitor.Containers",
                    },
                    {
                        field: "Microsoft.KubernetesConfiguration/extensions/provisioningState",
                        equals: "Succeeded",
                    },
                ],
            },
            deployment: {
                properties: {
                    mode: "incremental",
                    parameters: {
                        clusterName: { value: "[field('name')]" },
                        workspaceResourceId: { value: "[parameters('workspaceResourceId')]" },
                        dataCollectionRuleId: { value: "[parameters('dataCollectionRuleId')]" },
                    },
                    template: {
                        $schema:
                            "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                        contentVersion: "1.0.0.0",
                        parameters: {
                            clusterName: { type: "string" },
                            workspaceResourceId: { type: "string" },
                            dataCollectionRuleId: { type: "string" },
                        },
                        resources: [
                            {
                                type: "Microsoft.KubernetesConfiguration/extensions",
                                apiVersion: "2022-11-01",
                                name: "azuremonitor-containers",
                                scope: CLUSTER_SCOPE,
                                identity: { type: "SystemAssigned" },
                                properties: {
                                    extensionType: "Microsoft.AzureMonitor.Containers",
                                    autoUpgradeMinorVersion: true,
                                    releaseTrain: "Stable",
                                    scope: {
                                        cluster: { releaseNamespace: "azuremonitor-containers" },
                                    },
                                    configurationSettings: {
                                        logAnalyticsWorkspaceResourceID:
                                            "[parameters('workspaceResourceId')]",
                                        // Managed-identity ingestion through the data collection
                                        // rule (key-based ingestion is retired).
                                        "amalogs.useAADAuth": "true",
                                    },
                                },
                            },
                            {
                                type: "Microsoft.Insights/dataCollectionRuleAssociations",
                                apiVersion: "2022-06-01",
                                name: "ContainerInsightsExtension",
                                scope: CLUSTER_SCOPE,
                                dependsOn: [
                                    `[extensionResourceId(resourceId('${CONNECTED_CLUSTERS}', parameters('clusterName')), 'Microsoft.KubernetesConfiguration/extensions', 'azuremonitor-containers')]`,
                                ],
                                properties: {
                                    description:
                                        "Container Insights of this cluster, through the fleet's data collection rule",
                                    dataCollectionRuleId: "[parameters('dataCollectionRuleId')]",
                                },
                            },
                        ],
                    },
                },
            },
        },
    },
} as const;

/**
 * A custom definition's name, the same on every `pulumi up`: the component's name, what it
 * deploys, and a hash of the name with the group's id. Custom definitions live in the
 * subscription, which stacks share (dev and prod fleets in one subscription), and Azure allows
 * 64 characters.
 */
export function customDefinitionName(
    name: string,
    resourceGroupId: string,
    what: "container-insights" | "flux-gitops",
): string {
    const hash = createHash("sha256")
        .update(`${name}\n${resourceGroupId.toLowerCase()}`)
        .digest("hex")
        .slice(0, 8);
    return `${name.slice(0, 35)}-${what}-${hash}`;
}

/**
 * What reaches every Arc cluster of the fleet's resource group, with no resource per cluster (the
 * same resources for one cluster as for ten thousand): Azure Policy assignments on the group,
 * made once, each DeployIfNotExists one with a system identity that holds, on the group only,
 * the role its definition names for remediation:
 *
 * - the built-in _Kubernetes cluster pod security baseline_ initiative (`audit` or `deny`),
 *   which leaves `excludedNamespaces` alone;
 * - the built-in policy that installs the Azure Policy extension, which enforces it in-cluster;
 * - Container Insights: a custom definition (no built-in covers Arc clusters) that installs the
 *   `azuremonitor-containers` extension reporting to this component's Log Analytics workspace,
 *   and associates the cluster with its data collection rule;
 * - with `fluxDelivery` (the default), a custom definition (`fluxPolicy.ts`) that installs the
 *   Flux extension and then, in the same deployment, the `fleet-gitops` Flux configuration
 *   syncing `git`. Without it (Config Sync delivers GitOps), no Flux policy exists.
 *
 * Plus Entra ID groups' Arc roles on the group. Nobody gets cluster-admin by default. Every role
 * assignment is named by what it grants (`roleAssignmentName`: scope, role, principal), and its
 * Pulumi name by the group's object id, never by a list position.
 *
 * DeployIfNotExists acts on clusters created or updated AFTER the assignment exists, once the
 * cluster is provisioned (`AfterProvisioning`). Clusters connected before an assignment existed
 * are only reported non-compliant: deploy to them with a remediation task per assignment, e.g.
 * `az policy remediation create --name <name> --resource-group <fleet group> --policy-assignment <assignment id>`
 * (the assignment ids are this component's outputs).
 */
export class ArcGovernance extends pulumi.ComponentResource {
    public readonly workspaceId: pulumi.Output<string>;
    /** The data collection rule Container Insights on every cluster reports through. */
    public readonly containerInsightsRuleId: pulumi.Output<string>;
    public readonly podSecurityAssignmentId: pulumi.Output<string>;
    /** The Flux policy's assignment; undefined without `fluxDelivery`. */
    public readonly fluxAssignmentId: pulumi.Output<string | undefined>;
    /** The custom Flux policy definition, in the subscription; undefined without `fluxDelivery`. */
    public readonly fluxPolicyDefinitionId: pulumi.Output<string | undefined>;
    public readonly azurePolicyExtensionAssignmentId: pulumi.Output<string>;
    /** The custom Container Insights policy definition, in the subscription. */
    public readonly containerInsightsPolicyDefinitionId: pulumi.Output<string>;
    public readonly containerInsightsAssignmentId: pulumi.Output<string>;

    constructor(name: string, args: ArcGovernanceArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfInvalid("ArcGovernance", name, validateArcGovernanceArgs(args));
        super("multicloud:azure:ArcGovernance", name, {}, opts);

        const fluxDelivery = args.fluxDelivery ?? true;
        const logRetentionDays = args.logRetentionDays ?? LOG_RETENTION_DAYS.default;
        const podSecurityEffect = args.podSecurityEffect ?? DEFAULT_POD_SECURITY_EFFECT;
        const excludedNamespaces =
            args.excludedNamespaces ?? DEFAULT_POD_SECURITY_EXCLUDED_NAMESPACES;
        const git = {
            url: args.git.url,
            branch: args.git.branch ?? FLUX_GIT_DEFAULTS.branch,
            path: args.git.path ?? FLUX_GIT_DEFAULTS.path,
        };
        const parent = { parent: this };
        const builtin = (kind: "policyDefinitions" | "policySetDefinitions", id: string) =>
            `/providers/Microsoft.Authorization/${kind}/${id}`;
        const role = (id: string) =>
            pulumi.output(args.subscriptionId).apply((s) => roleDefinitionIdIn(s, id));

        /**
         * `roleId` for `principalId` on the fleet's group, named by that triple. A replacement
         * keeps the triple, and so the name: delete first, or the new one would collide with the
         * old one still holding it (RoleAssignmentExists).
         */
        const grant = (
            resourceName: string,
            roleId: string,
            principalId: pulumi.Input<string>,
            principalType: "Group" | "ServicePrincipal",
            aliases: pulumi.Alias[] = [],
        ) =>
            new azure.authorization.RoleAssignment(
                resourceName,
                {
                    roleAssignmentName: pulumi
                        .all([args.resourceGroupId, principalId])
                        .apply(([scope, principal]) =>
                            roleAssignmentName(scope, roleId, principal),
                        ),
                    scope: args.resourceGroupId,
                    roleDefinitionId: role(roleId),
                    principalId,
                    // A new identity may not have replicated yet: with its type given, Azure
                    // does not look it up (and fail with PrincipalNotFound).
                    principalType,
                },
                { ...parent, deleteBeforeReplace: true, aliases },
            );

        const workspace = new azure.operationalinsights.Workspace(
            `${name}-logs`,
            {
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                sku: { name: "PerGB2018" },
                retentionInDays: logRetentionDays,
                tags: { ...args.tags },
            },
            parent,
        );

        // One rule for the fleet; the Container Insights policy associates every cluster with it.
        const insightsRule = new azure.monitor.DataCollectionRule(
            `${name}-container-insights`,
            {
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                description: "Container Insights for every Arc cluster of the fleet",
                dataSources: {
                    extensions: [
                        {
                            name: "ContainerInsightsExtension",
                            extensionName: "ContainerInsights",
                            streams: ["Microsoft-ContainerInsights-Group-Default"],
                        },
                    ],
                },
                destinations: {
                    logAnalytics: [{ name: "ciworkspace", workspaceResourceId: workspace.id }],
                },
                dataFlows: [
                    {
                        streams: ["Microsoft-ContainerInsights-Group-Default"],
                        destinations: ["ciworkspace"],
                    },
                ],
                tags: { ...args.tags },
            },
            parent,
        );

        const podSecurity = new azure.authorization.PolicyAssignment(
            `${name}-pod-security-baseline`,
            {
                scope: args.resourceGroupId,
                displayName: "Kubernetes pod security baseline (fleet)",
                policyDefinitionId: builtin(
                    "policySetDefinitions",
                    AZURE_BUILTINS.podSecurityBaselineInitiative,
                ),
                parameters: {
                    effect: { value: podSecurityEffect },
                    excludedNamespaces: { value: [...excludedNamespaces] },
                },
                enforcementMode: "Default",
            },
            parent,
        );

        /**
         * A DeployIfNotExists assignment on the fleet's group, and the role its definition names
         * for remediation, held by the assignment's own identity on the group only.
         */
        const deployIfNotExists = (
            names: { readonly assignment: string; readonly remediation: string },
            assignment: Pick<
                azure.authorization.PolicyAssignmentArgs,
                "displayName" | "policyDefinitionId" | "parameters"
            >,
            remediationRoleId: string,
        ) => {
            const policy = new azure.authorization.PolicyAssignment(
                names.assignment,
                {
                    scope: args.resourceGroupId,
                    // A managed identity needs a location; Azure refuses the assignment without.
                    location: args.location,
                    identity: { type: "SystemAssigned" },
                    enforcementMode: "Default",
                    ...assignment,
                },
                parent,
            );
            grant(
                names.remediation,
                remediationRoleId,
                policy.identity.apply((i) => i?.principalId ?? ""),
                "ServicePrincipal",
            );
            return policy;
        };

        const azurePolicyExtension = deployIfNotExists(
            {
                assignment: `${name}-azure-policy-extension`,
                remediation: `${name}-azure-policy-extension-remediation`,
            },
            {
                displayName: "Azure Policy extension on every Arc cluster (fleet)",
                policyDefinitionId: builtin(
                    "policyDefinitions",
                    AZURE_BUILTINS.arcAzurePolicyExtensionPolicy,
                ),
                parameters: { effect: { value: "DeployIfNotExists" } },
            },
            AZURE_BUILTINS.kubernetesExtensionContributorRole,
        );

        const insightsDefinition = new azure.authorization.PolicyDefinition(
            `${name}-container-insights`,
            {
                policyDefinitionName: pulumi
                    .output(args.resourceGroupId)
                    .apply((id) => customDefinitionName(name, id, "container-insights")),
                policyType: "Custom",
                mode: "Indexed",
                displayName:
                    "Configure Azure Arc enabled Kubernetes clusters to install Container Insights",
                description:
                    "Installs the Container Insights extension (Microsoft.AzureMonitor.Containers, managed-identity ingestion) on every Azure Arc enabled Kubernetes cluster without it, and associates the cluster with the given data collection rule.",
                metadata: { category: "Kubernetes" },
                parameters: CONTAINER_INSIGHTS_POLICY_PARAMETERS,
                policyRule: CONTAINER_INSIGHTS_POLICY_RULE,
            },
            parent,
        );
        const insights = deployIfNotExists(
            {
                assignment: `${name}-container-insights`,
                remediation: `${name}-container-insights-remediation`,
            },
            {
                displayName: "Container Insights on every Arc cluster (fleet)",
                policyDefinitionId: insightsDefinition.id,
                parameters: {
                    workspaceResourceId: { value: workspace.id },
                    dataCollectionRuleId: { value: insightsRule.id },
                },
            },
            AZURE_BUILTINS.contributorRole,
        );

        let fluxDefinition: azure.authorization.PolicyDefinition | undefined;
        let flux: azure.authorization.PolicyAssignment | undefined;
        if (fluxDelivery) {
            // One definition, one deployment: the Flux extension, then the configuration.
            fluxDefinition = new azure.authorization.PolicyDefinition(
                `${name}-flux-gitops`,
                {
                    policyDefinitionName: pulumi
                        .output(args.resourceGroupId)
                        .apply((id) => customDefinitionName(name, id, "flux-gitops")),
                    policyType: "Custom",
                    mode: "Indexed",
                    displayName:
                        "Configure Azure Arc enabled Kubernetes clusters with the Flux extension and a Flux configuration from a public Git repository",
                    description: `Installs the Flux extension (microsoft.flux) on every Azure Arc enabled Kubernetes cluster without a healthy '${FLUX_CONFIGURATION.name}' Flux configuration, then the configuration itself, syncing the given public Git repository, branch and path.`,
                    metadata: { category: "Kubernetes" },
                    parameters: FLUX_POLICY_PARAMETERS,
                    policyRule: FLUX_POLICY_RULE,
                },
                parent,
            );
            flux = deployIfNotExists(
                { assignment: `${name}-flux-gitops`, remediation: `${name}-flux-remediation` },
                {
                    displayName: "Flux GitOps from the fleet repository (fleet)",
                    policyDefinitionId: fluxDefinition.id,
                    parameters: {
                        repositoryUrl: { value: git.url },
                        repositoryRefBranch: { value: git.branch },
                        kustomizationPath: { value: git.path },
                    },
                },
                AZURE_BUILTINS.contributorRole,
            );
        }

        // Kubernetes permissions (enforced by Azure RBAC on the clusters), plus the right to get
        // credentials for cluster connect, which the Kubernetes roles do not include. Named by
        // the group, so adding or removing one leaves every other assignment as it is.
        // Earlier versions named them by list position (`-0`, `-1`): the alias adopts those
        // assignments (deleted, then re-created under their deterministic name) instead of
        // creating a second assignment of the same role to the same group, which Azure refuses
        // with RoleAssignmentExists. Upgrade with the group lists unchanged.
        const groupRole = (kind: string, roleId: string, groups: readonly string[]) =>
            groups.forEach((objectId, i) =>
                grant(`${name}-${kind}-${objectId}`, roleId, objectId, "Group", [
                    { name: `${name}-${kind}-${i}` },
                ]),
            );
        const normalized = (ids: readonly string[] | undefined) =>
            (ids ?? []).map((id) => id.toLowerCase());
        const admins = normalized(args.adminGroupObjectIds);
        const viewers = normalized(args.viewerGroupObjectIds);
        groupRole("admins", AZURE_BUILTINS.arcClusterAdminRole, admins);
        groupRole("viewers", AZURE_BUILTINS.arcViewerRole, viewers);
        groupRole("users", AZURE_BUILTINS.arcClusterUserRole, [
            ...new Set([...admins, ...viewers]),
        ]);

        this.workspaceId = workspace.id;
        this.containerInsightsRuleId = insightsRule.id;
        this.podSecurityAssignmentId = podSecurity.id;
        this.fluxAssignmentId = flux ? flux.id : pulumi.output(undefined);
        this.fluxPolicyDefinitionId = fluxDefinition ? fluxDefinition.id : pulumi.output(undefined);
        this.azurePolicyExtensionAssignmentId = azurePolicyExtension.id;
        this.containerInsightsPolicyDefinitionId = insightsDefinition.id;
        this.containerInsightsAssignmentId = insights.id;
        this.registerOutputs({
            workspaceId: this.workspaceId,
            containerInsightsRuleId: this.containerInsightsRuleId,
            podSecurityAssignmentId: this.podSecurityAssignmentId,
            fluxAssignmentId: this.fluxAssignmentId,
            fluxPolicyDefinitionId: this.fluxPolicyDefinitionId,
            azurePolicyExtensionAssignmentId: this.azurePolicyExtensionAssignmentId,
            containerInsightsPolicyDefinitionId: this.containerInsightsPolicyDefinitionId,
            containerInsightsAssignmentId: this.containerInsightsAssignmentId,
        });
    }
}
