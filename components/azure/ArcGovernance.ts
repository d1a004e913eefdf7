import * as azure from "@pulumi/azure-native";
import * as pulumi from "@pulumi/pulumi";
import { throwIfInvalid } from "../validation";

/** Built-in Azure definitions this component assigns, by id (GUID). */
export const AZURE_BUILTINS = {
    /** Initiative: Kubernetes cluster pod security baseline standards for Linux-based workloads. */
    podSecurityBaselineInitiative: "a8640138-9b0a-4a28-b8cb-1666c838647d",
    /** Policy: Configure Kubernetes clusters with Flux v2 configuration using public Git repository. */
    fluxPublicGitPolicy: "83ea2fd1-9eaf-2f6d-f672-cd7b2ac798f6",
    /** Role: Azure Arc Kubernetes Cluster Admin. */
    arcClusterAdminRole: "8393591c-06b9-48a2-a542-1bd6b377f6a2",
    /** Role: Azure Arc Enabled Kubernetes Cluster User Role (list the cluster user credentials). */
    arcClusterUserRole: "00493d72-78f6-4148-b6c5-d3ce8e4799dd",
    /** Role: Azure Arc Kubernetes Viewer. */
    arcViewerRole: "63f0a09d-1495-4db4-a681-037d84835eb4",
    /** Role: Contributor, which the Flux policy's definition names for its remediation. */
    contributorRole: "b24988ac-6180-42a0-ab88-20f7382dd24c",
} as const;

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export interface ArcGovernanceArgs {
    readonly subscriptionId: pulumi.Input<string>;
    /** The fleet's resource group: every assignment is scoped to it, and so to every Arc cluster in it. */
    readonly resourceGroupName: pulumi.Input<string>;
    readonly resourceGroupId: pulumi.Input<string>;
    readonly location: string;
    /** Log Analytics retention, days. @default 30 */
    readonly logRetentionDays?: number;
    /**
     * Connected clusters this program creates in the group. They get their own Flux configuration,
     * so the Flux policy leaves them out (one owner per configuration). @default []
     */
    readonly programClusterNames?: readonly string[];
    /** What the Flux policy deploys to every Arc cluster in scope. */
    readonly git: { readonly url: string; readonly branch?: string; readonly path?: string };
    /** Entra ID groups (object ids) granted Azure Arc Kubernetes Cluster Admin. @default [] */
    readonly adminGroupObjectIds?: readonly string[];
    /** Entra ID groups (object ids) granted Azure Arc Kubernetes Viewer. @default [] */
    readonly viewerGroupObjectIds?: readonly string[];
    /** Pod security baseline effect: `audit` reports, `deny` blocks. @default "audit" */
    readonly podSecurityEffect?: "audit" | "deny";
    /** @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Every problem with `args`, each naming the argument; empty when valid. */
export function validateArcGovernanceArgs(args: ArcGovernanceArgs): string[] {
    const problems: string[] = [];
    const days = args.logRetentionDays ?? 30;
    if (!Number.isInteger(days) || days < 30 || days > 730) {
        problems.push(`logRetentionDays (${days}) must be a whole number of days from 30 to 730`);
    }
    for (const key of ["adminGroupObjectIds", "viewerGroupObjectIds"] as const) {
        for (const id of (args[key] ?? []).filter((id) => !GUID.test(id))) {
            problems.push(`${key}: '${id}' is not an Entra ID object id (a GUID)`);
        }
    }
    if (!/^https:\/\/\S+$/.test(args.git.url)) {
        problems.push(
            `git.url '${args.git.url}' must be an https URL: the built-in Flux policy deploys public https repositories`,
        );
    }
    return problems;
}

/**
 * What reaches every Arc cluster of the fleet without a resource per cluster: the Log Analytics
 * workspace Container Insights reports to, Azure Policy assignments on the fleet's resource
 * group (the pod security baseline, and the built-in policy that deploys the Flux
 * configuration to every Arc cluster in scope), and Entra ID groups' roles on the clusters.
 * Nobody gets cluster-admin by default.
 */
export class ArcGovernance extends pulumi.ComponentResource {
    public readonly workspaceId: pulumi.Output<string>;
    /** The data collection rule Container Insights on every cluster reports through. */
    public readonly containerInsightsRuleId: pulumi.Output<string>;
    public readonly podSecurityAssignmentId: pulumi.Output<string>;
    public readonly fluxAssignmentId: pulumi.Output<string>;

    constructor(name: string, args: ArcGovernanceArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfInvalid("ArcGovernance", name, validateArcGovernanceArgs(args));
        super("multicloud:azure:ArcGovernance", name, {}, opts);

        const parent = { parent: this };
        const builtin = (kind: "policyDefinitions" | "policySetDefinitions", id: string) =>
            `/providers/Microsoft.Authorization/${kind}/${id}`;
        const role = (id: string) =>
            pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${id}`;

        const workspace = new azure.operationalinsights.Workspace(
            `${name}-logs`,
            {
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                sku: { name: "PerGB2018" },
                retentionInDays: args.logRetentionDays ?? 30,
                tags: { ...args.tags },
            },
            parent,
        );

        // One rule for the fleet; each cluster associates with it.
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
                parameters: { effect: { value: args.podSecurityEffect ?? "audit" } },
                enforcementMode: "Default",
            },
            parent,
        );

        // DeployIfNotExists: the assignment's identity installs the Flux configuration on every
        // Arc cluster in the resource group, including clusters connected later.
        const flux = new azure.authorization.PolicyAssignment(
            `${name}-flux-gitops`,
            {
                scope: args.resourceGroupId,
                displayName: "Flux GitOps from the fleet repository (fleet)",
                policyDefinitionId: builtin(
                    "policyDefinitions",
                    AZURE_BUILTINS.fluxPublicGitPolicy,
                ),
                location: args.location,
                identity: { type: "SystemAssigned" },
                notScopes: (args.programClusterNames ?? []).map(
                    (n) =>
                        pulumi.interpolate`${args.resourceGroupId}/providers/Microsoft.Kubernetes/connectedClusters/${n}`,
                ),
                parameters: {
                    configurationName: { value: "fleet-gitops" },
                    configurationNamespace: { value: "flux-system" },
                    configurationScope: { value: "cluster" },
                    repositoryUrl: { value: args.git.url },
                    repositoryRefBranch: { value: args.git.branch ?? "main" },
                    kustomizationName: { value: "cluster" },
                    kustomizationPath: { value: args.git.path ?? "./gitops/cluster" },
                    kustomizationPrune: { value: true },
                    // The same timings as ArcConnectedCluster's own configuration.
                    repositorySyncInterval: { value: 300 },
                    repositoryTimeout: { value: 600 },
                    kustomizationSyncInterval: { value: 300 },
                    kustomizationTimeout: { value: 600 },
                    effect: { value: "DeployIfNotExists" },
                },
                enforcementMode: "Default",
            },
            parent,
        );
        // The role the policy definition names for remediation, on the fleet's group only.
        new azure.authorization.RoleAssignment(
            `${name}-flux-remediation`,
            {
                scope: args.resourceGroupId,
                roleDefinitionId: role(AZURE_BUILTINS.contributorRole),
                principalId: flux.identity.apply((i) => i?.principalId ?? ""),
                principalType: "ServicePrincipal",
            },
            parent,
        );

        const groupRole = (kind: string, roleId: string, groups: readonly string[]) =>
            groups.forEach((principalId, i) => {
                new azure.authorization.RoleAssignment(
                    `${name}-${kind}-${i}`,
                    {
                        scope: args.resourceGroupId,
                        roleDefinitionId: role(roleId),
                        principalId,
                        principalType: "Group",
                    },
                    parent,
                );
            });
        // Kubernetes permissions (enforced by Azure RBAC on the clusters), plus the right to get
        // credentials for cluster connect, which the Kubernetes roles do not include.
        const admins = args.adminGroupObjectIds ?? [];
        const viewers = args.viewerGroupObjectIds ?? [];
        groupRole("admins", AZURE_BUILTINS.arcClusterAdminRole, admins);
        groupRole("viewers", AZURE_BUILTINS.arcViewerRole, viewers);
        groupRole("users", AZURE_BUILTINS.arcClusterUserRole, [
            ...new Set([...admins, ...viewers]),
        ]);

        this.workspaceId = workspace.id;
        this.containerInsightsRuleId = insightsRule.id;
        this.podSecurityAssignmentId = podSecurity.id;
        this.fluxAssignmentId = flux.id;
        this.registerOutputs({
            workspaceId: this.workspaceId,
            containerInsightsRuleId: this.containerInsightsRuleId,
            podSecurityAssignmentId: this.podSecurityAssignmentId,
            fluxAssignmentId: this.fluxAssignmentId,
        });
    }
}
