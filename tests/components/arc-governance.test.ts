/**
 * ArcGovernance on its own: what reaches every Arc cluster of the fleet's resource group through
 * Azure Policy assignments made once (the Azure Policy extension, Container Insights, and with
 * Flux delivery the Flux extension and configuration), planned under the recording mocks with
 * an explicit azure-native provider (the project disables default providers).
 */
import type { RecordedResource } from "../../plan/mocks";
import type { PlanResult } from "../../plan/run";
import {
    type ArcGovernanceArgs,
    validateArcGovernanceArgs,
} from "../../components/azure/ArcGovernance";
import { created, ofType, one, planStack } from "../harness";

const T = {
    governance: "multicloud:azure:ArcGovernance",
    assignment: "azure-native:authorization:PolicyAssignment",
    definition: "azure-native:authorization:PolicyDefinition",
    role: "azure-native:authorization:RoleAssignment",
};
const SUB = "11111111-1111-1111-1111-111111111111";
const RG = `/subscriptions/${SUB}/resourceGroups/fleet-rg`;
const OTHER_RG = `/subscriptions/${SUB}/resourceGroups/other-fleet-rg`;
const ADMINS = "33333333-3333-3333-3333-333333333333";
const VIEWERS = "44444444-4444-4444-4444-444444444444";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// The built-in ids as Azure publishes them, written out here rather than read from the component.
const POLICY = {
    fluxExtension:
        "/providers/Microsoft.Authorization/policyDefinitions/f9175d5f-abc8-1dc3-bd3c-5d7476ada3d1",
    fluxConfiguration:
        "/providers/Microsoft.Authorization/policyDefinitions/83ea2fd1-9eaf-2f6d-f672-cd7b2ac798f6",
    azurePolicyExtension:
        "/providers/Microsoft.Authorization/policyDefinitions/0adc5395-9169-4b9b-8687-af838d69410a",
    podSecurityBaseline:
        "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d",
};
const CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c";
const KUBERNETES_EXTENSION_CONTRIBUTOR = "85cb6faf-e071-4c9b-8136-154b5a04f717";
const roleId = (guid: string) =>
    `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

const BASE: ArcGovernanceArgs = {
    subscriptionId: SUB,
    resourceGroupName: "fleet-rg",
    resourceGroupId: RG,
    location: "westeurope",
    git: { url: "https://github.com/example-org/fleet.git", branch: "release", path: "./gitops" },
    adminGroupObjectIds: [ADMINS],
    viewerGroupObjectIds: [VIEWERS],
};

/** Plans the dev stack's project with only the given ArcGovernance instances in it. */
function planGovernance(
    instances: readonly { readonly name: string; readonly args: ArcGovernanceArgs }[],
): Promise<PlanResult> {
    return planStack(
        "dev",
        {},
        {
            load: () => {
                const azure =
                    require("@pulumi/azure-native") as typeof import("@pulumi/azure-native");
                const { ArcGovernance } =
                    require("../../components/azure/ArcGovernance") as typeof import("../../components/azure/ArcGovernance");
                const provider = new azure.Provider("az", {
                    subscriptionId: SUB,
                    location: "westeurope",
                });
                for (const { name, args } of instances) {
                    new ArcGovernance(name, args, { providers: [provider] });
                }
            },
        },
    );
}

/** The children of the component named `name`, as `type name`, sorted. */
const inventory = (plan: PlanResult, name: string) => {
    const component = one(plan, T.governance, name);
    return plan.resources
        .filter((r) => r.parent === component.urn)
        .map((r) => `${r.type} ${r.name}`)
        .sort();
};

const outputsOf = (plan: PlanResult, name: string) =>
    one(plan, T.governance, name).outputs as Record<string, unknown>;

/** Every `parameters('x')` an ARM or policy expression in `value` reads. */
const parametersRead = (value: unknown): string[] =>
    [...JSON.stringify(value).matchAll(/parameters\('([^']+)'\)/g)].map((m) => m[1]);

describe("ArcGovernance with Flux delivery (the default)", () => {
    let plan: PlanResult;
    beforeAll(async () => {
        plan = await planGovernance([{ name: "gov", args: BASE }]);
        expect(plan.errors).toEqual([]);
    });

    it("registers the same fixed set of resources, none of them per cluster", () => {
        expect(inventory(plan, "gov")).toEqual(
            [
                "azure-native:operationalinsights:Workspace gov-logs",
                "azure-native:monitor:DataCollectionRule gov-container-insights",
                `${T.assignment} gov-pod-security-baseline`,
                `${T.assignment} gov-azure-policy-extension`,
                `${T.role} gov-azure-policy-extension-remediation`,
                `${T.definition} gov-container-insights`,
                `${T.assignment} gov-container-insights`,
                `${T.role} gov-container-insights-remediation`,
                `${T.assignment} gov-flux-extension`,
                `${T.role} gov-flux-extension-remediation`,
                `${T.assignment} gov-flux-gitops`,
                `${T.role} gov-flux-remediation`,
                `${T.role} gov-admins-0`,
                `${T.role} gov-viewers-0`,
                `${T.role} gov-users-0`,
                `${T.role} gov-users-1`,
            ].sort(),
        );
        // Every child through the explicit provider.
        const provider = one(plan, "pulumi:providers:azure-native", "az");
        for (const r of created(plan).filter((r) => r.custom && r.urn !== provider.urn)) {
            expect(r.provider).toBe(provider.urn);
        }
    });

    it("assigns the Azure Policy extension policy to the group with only its effect", () => {
        expect(one(plan, T.assignment, "gov-azure-policy-extension").inputs).toEqual({
            scope: RG,
            displayName: "Azure Policy extension on every Arc cluster (fleet)",
            policyDefinitionId: POLICY.azurePolicyExtension,
            parameters: { effect: { value: "DeployIfNotExists" } },
            location: "westeurope",
            identity: { type: "SystemAssigned" },
            enforcementMode: "Default",
        });
    });

    it("assigns the Flux extension policy on the Stable train with minor upgrades", () => {
        expect(one(plan, T.assignment, "gov-flux-extension").inputs).toEqual({
            scope: RG,
            displayName: "Flux extension on every Arc cluster (fleet)",
            policyDefinitionId: POLICY.fluxExtension,
            parameters: {
                releaseTrain: { value: "Stable" },
                autoUpgradeMinorVersion: { value: true },
                effect: { value: "DeployIfNotExists" },
            },
            location: "westeurope",
            identity: { type: "SystemAssigned" },
            enforcementMode: "Default",
        });
    });

    it("assigns the Flux configuration policy syncing the fleet repository on every cluster, excluding none", () => {
        expect(one(plan, T.assignment, "gov-flux-gitops").inputs).toEqual({
            scope: RG,
            displayName: "Flux GitOps from the fleet repository (fleet)",
            policyDefinitionId: POLICY.fluxConfiguration,
            parameters: {
                configurationName: { value: "fleet-gitops" },
                configurationNamespace: { value: "flux-system" },
                configurationScope: { value: "cluster" },
                repositoryUrl: { value: "https://github.com/example-org/fleet.git" },
                repositoryRefBranch: { value: "release" },
                kustomizationName: { value: "cluster" },
                kustomizationPath: { value: "./gitops" },
                kustomizationPrune: { value: true },
                repositorySyncInterval: { value: 300 },
                repositoryTimeout: { value: 600 },
                kustomizationSyncInterval: { value: 300 },
                kustomizationTimeout: { value: 600 },
                effect: { value: "DeployIfNotExists" },
            },
            location: "westeurope",
            identity: { type: "SystemAssigned" },
            enforcementMode: "Default",
        });
    });

    it("assigns the custom Container Insights definition with the fleet's workspace and rule", () => {
        const outputs = outputsOf(plan, "gov");
        const assignment = one(plan, T.assignment, "gov-container-insights");
        expect(assignment.inputs).toEqual({
            scope: RG,
            displayName: "Container Insights on every Arc cluster (fleet)",
            policyDefinitionId: outputs.containerInsightsPolicyDefinitionId,
            parameters: {
                workspaceResourceId: { value: outputs.workspaceId },
                dataCollectionRuleId: { value: outputs.containerInsightsRuleId },
            },
            location: "westeurope",
            identity: { type: "SystemAssigned" },
            enforcementMode: "Default",
        });
        expect(assignment.dependencies).toEqual(
            expect.arrayContaining([
                one(plan, T.definition, "gov-container-insights").urn,
                one(plan, "azure-native:operationalinsights:Workspace", "gov-logs").urn,
                one(plan, "azure-native:monitor:DataCollectionRule", "gov-container-insights").urn,
            ]),
        );
    });

    it("keeps the pod security baseline as it was: audit by default, no identity", () => {
        expect(one(plan, T.assignment, "gov-pod-security-baseline").inputs).toEqual({
            scope: RG,
            displayName: "Kubernetes pod security baseline (fleet)",
            policyDefinitionId: POLICY.podSecurityBaseline,
            parameters: { effect: { value: "audit" } },
            enforcementMode: "Default",
        });
    });

    it.each([
        [
            "gov-azure-policy-extension",
            "gov-azure-policy-extension-remediation",
            KUBERNETES_EXTENSION_CONTRIBUTOR,
        ],
        ["gov-container-insights", "gov-container-insights-remediation", CONTRIBUTOR],
        ["gov-flux-extension", "gov-flux-extension-remediation", CONTRIBUTOR],
        ["gov-flux-gitops", "gov-flux-remediation", CONTRIBUTOR],
    ])(
        "gives %s's own identity the role its definition names for remediation, on the group only",
        (assignmentName, roleName, guid) => {
            const role = one(plan, T.role, roleName);
            expect(role.inputs).toEqual({
                scope: RG,
                roleDefinitionId: roleId(guid),
                principalId: expect.stringMatching(GUID),
                principalType: "ServicePrincipal",
            });
            // The principal comes from that assignment's identity, and from nothing else.
            expect(role.dependencies).toEqual([one(plan, T.assignment, assignmentName).urn]);
        },
    );

    it("gives every assignment's identity a role of its own", () => {
        const principals = ofType(plan, T.role)
            .filter((r) => r.inputs.principalType === "ServicePrincipal")
            .map((r) => r.inputs.principalId);
        expect(principals).toHaveLength(4);
        expect(new Set(principals).size).toBe(4);
    });

    it("grants the Entra ID groups their Arc roles on the group, as before", () => {
        const groupRoles = ofType(plan, T.role)
            .filter((r) => r.inputs.principalType === "Group")
            .map((r) => [r.name, r.inputs.principalId, r.inputs.roleDefinitionId]);
        expect(groupRoles).toEqual([
            ["gov-admins-0", ADMINS, roleId("8393591c-06b9-48a2-a542-1bd6b377f6a2")],
            ["gov-viewers-0", VIEWERS, roleId("63f0a09d-1495-4db4-a681-037d84835eb4")],
            ["gov-users-0", ADMINS, roleId("00493d72-78f6-4148-b6c5-d3ce8e4799dd")],
            ["gov-users-1", VIEWERS, roleId("00493d72-78f6-4148-b6c5-d3ce8e4799dd")],
        ]);
    });

    it("exports every assignment id", () => {
        const id = (name: string) =>
            `${RG}/providers/Microsoft.Authorization/policyAssignments/${name}`;
        expect(outputsOf(plan, "gov")).toEqual({
            workspaceId: expect.stringContaining("/workspaces/"),
            containerInsightsRuleId: expect.stringContaining("/dataCollectionRules/"),
            podSecurityAssignmentId: expect.stringContaining(id("gov-pod-security-baseline")),
            fluxAssignmentId: expect.stringContaining(id("gov-flux-gitops")),
            fluxExtensionAssignmentId: expect.stringContaining(id("gov-flux-extension")),
            azurePolicyExtensionAssignmentId: expect.stringContaining(
                id("gov-azure-policy-extension"),
            ),
            containerInsightsPolicyDefinitionId: expect.any(String),
            containerInsightsAssignmentId: expect.stringContaining(id("gov-container-insights")),
        });
    });

    describe("the custom Container Insights definition", () => {
        let definition: RecordedResource;
        type Rule = {
            if: unknown;
            then: {
                effect: string;
                details: {
                    type: string;
                    evaluationDelay: string;
                    roleDefinitionIds: string[];
                    existenceCondition: { allOf: unknown[] };
                    deployment: {
                        properties: {
                            mode: string;
                            parameters: Record<string, { value: string }>;
                            template: {
                                parameters: Record<string, { type: string }>;
                                resources: Record<string, unknown>[];
                            };
                        };
                    };
                };
            };
        };
        let rule: Rule;
        beforeAll(() => {
            definition = one(plan, T.definition, "gov-container-insights");
            rule = definition.inputs.policyRule as Rule;
        });

        it("is a custom, indexed definition with a stable name and the workspace and rule as parameters", () => {
            expect(definition.inputs).toMatchObject({
                policyDefinitionName: expect.stringMatching(/^gov-container-insights-[0-9a-f]{8}$/),
                policyType: "Custom",
                mode: "Indexed",
                displayName: expect.stringContaining("Container Insights"),
            });
            expect(Object.keys(definition.inputs.parameters as object).sort()).toEqual([
                "dataCollectionRuleId",
                "workspaceResourceId",
            ]);
            // Sent as it is stored: plain JSON, nothing lost in a round trip.
            expect(JSON.parse(JSON.stringify(rule))).toEqual(rule);
        });

        it("deploys, if not there, the Container Insights extension to every connected cluster once provisioned", () => {
            expect(rule.if).toEqual({
                field: "type",
                equals: "Microsoft.Kubernetes/connectedClusters",
            });
            expect(rule.then.effect).toBe("DeployIfNotExists");
            expect(rule.then.details).toMatchObject({
                type: "Microsoft.KubernetesConfiguration/extensions",
                evaluationDelay: "AfterProvisioning",
                roleDefinitionIds: [
                    `/providers/Microsoft.Authorization/roleDefinitions/${CONTRIBUTOR}`,
                ],
            });
            expect(rule.then.details.existenceCondition.allOf).toEqual(
                expect.arrayContaining([
                    {
                        field: "Microsoft.KubernetesConfiguration/extensions/extensionType",
                        equals: "Microsoft.AzureMonitor.Containers",
                    },
                    {
                        field: "Microsoft.KubernetesConfiguration/extensions/provisioningState",
                        equals: "Succeeded",
                    },
                ]),
            );
        });

        it("deploys the extension and the rule association into the cluster, with the ids from the assignment's parameters", () => {
            const { mode, parameters, template } = rule.then.details.deployment.properties;
            expect(mode).toBe("incremental");
            expect(parameters).toEqual({
                clusterName: { value: "[field('name')]" },
                workspaceResourceId: { value: "[parameters('workspaceResourceId')]" },
                dataCollectionRuleId: { value: "[parameters('dataCollectionRuleId')]" },
            });
            const clusterScope =
                "[concat('Microsoft.Kubernetes/connectedClusters/', parameters('clusterName'))]";
            const [extension, association] = template.resources;
            expect(extension).toMatchObject({
                type: "Microsoft.KubernetesConfiguration/extensions",
                name: "azuremonitor-containers",
                scope: clusterScope,
                identity: { type: "SystemAssigned" },
                properties: {
                    extensionType: "Microsoft.AzureMonitor.Containers",
                    autoUpgradeMinorVersion: true,
                    releaseTrain: "Stable",
                    scope: { cluster: { releaseNamespace: "azuremonitor-containers" } },
                    configurationSettings: {
                        logAnalyticsWorkspaceResourceID: "[parameters('workspaceResourceId')]",
                        "amalogs.useAADAuth": "true",
                    },
                },
            });
            expect(association).toMatchObject({
                type: "Microsoft.Insights/dataCollectionRuleAssociations",
                apiVersion: "2022-06-01",
                name: "ContainerInsightsExtension",
                scope: clusterScope,
                properties: { dataCollectionRuleId: "[parameters('dataCollectionRuleId')]" },
            });
            expect(template.resources).toHaveLength(2);
            // Every parameter an expression reads is declared where it is read.
            for (const p of parametersRead(template.resources)) {
                expect(Object.keys(template.parameters)).toContain(p);
            }
            for (const p of parametersRead(parameters)) {
                expect(Object.keys(definition.inputs.parameters as object)).toContain(p);
            }
        });
    });
});

describe("ArcGovernance without Flux delivery (Config Sync delivers GitOps)", () => {
    let plan: PlanResult;
    beforeAll(async () => {
        plan = await planGovernance([{ name: "gov", args: { ...BASE, fluxDelivery: false } }]);
        expect(plan.errors).toEqual([]);
    });

    it("assigns neither Flux policy, nor their remediation roles", () => {
        const definitions = ofType(plan, T.assignment).map((a) => a.inputs.policyDefinitionId);
        expect(definitions).not.toContain(POLICY.fluxExtension);
        expect(definitions).not.toContain(POLICY.fluxConfiguration);
        expect(inventory(plan, "gov").filter((r) => r.includes("flux"))).toEqual([]);
        expect(
            ofType(plan, T.role)
                .filter((r) => r.inputs.principalType === "ServicePrincipal")
                .map((r) => r.name)
                .sort(),
        ).toEqual(["gov-azure-policy-extension-remediation", "gov-container-insights-remediation"]);
    });

    it("still assigns the Azure Policy extension and Container Insights, under the same definition name", async () => {
        expect(
            one(plan, T.assignment, "gov-azure-policy-extension").inputs.policyDefinitionId,
        ).toBe(POLICY.azurePolicyExtension);
        expect(one(plan, T.assignment, "gov-container-insights").inputs.parameters).toEqual({
            workspaceResourceId: { value: outputsOf(plan, "gov").workspaceId },
            dataCollectionRuleId: { value: outputsOf(plan, "gov").containerInsightsRuleId },
        });
        // The same component on the same group names its definition the same on every plan.
        const withFlux = await planGovernance([{ name: "gov", args: BASE }]);
        expect(one(plan, T.definition, "gov-container-insights").inputs.policyDefinitionName).toBe(
            one(withFlux, T.definition, "gov-container-insights").inputs.policyDefinitionName,
        );
    });

    it("exports no Flux assignment id", () => {
        const outputs = outputsOf(plan, "gov");
        expect(outputs.fluxAssignmentId ?? undefined).toBeUndefined();
        expect(outputs.fluxExtensionAssignmentId ?? undefined).toBeUndefined();
        expect(outputs.azurePolicyExtensionAssignmentId).toEqual(expect.any(String));
    });

    it("does not check the git URL, which nothing reads", () => {
        expect(
            validateArcGovernanceArgs({
                ...BASE,
                fluxDelivery: false,
                git: { url: "git@github.com:example-org/fleet.git" },
            }),
        ).toEqual([]);
    });
});

describe("ArcGovernance instances and arguments", () => {
    it("ignores a list of clusters, and never collides with another fleet's instance", async () => {
        // What a program still passing the removed per-cluster argument would send.
        const stale = { ...BASE, programClusterNames: ["store-0042", "factory-eu-1"] };
        const plan = await planGovernance([
            { name: "gov", args: stale as ArcGovernanceArgs },
            { name: "edge", args: { ...BASE, resourceGroupId: OTHER_RG } },
        ]);
        expect(plan.errors).toEqual([]);
        const baseline = await planGovernance([{ name: "gov", args: BASE }]);
        expect(inventory(plan, "gov")).toEqual(inventory(baseline, "gov"));
        for (const a of ofType(plan, T.assignment)) expect(a.inputs.notScopes).toBeUndefined();
        // Custom definitions share the subscription: each instance names its own.
        const names = ofType(plan, T.definition).map((d) => d.inputs.policyDefinitionName);
        expect(names).toEqual([
            expect.stringMatching(/^gov-container-insights-[0-9a-f]{8}$/),
            expect.stringMatching(/^edge-container-insights-[0-9a-f]{8}$/),
        ]);
    });

    it("names every bad argument, with the messages it always had", () => {
        expect(validateArcGovernanceArgs(BASE)).toEqual([]);
        expect(
            validateArcGovernanceArgs({
                ...BASE,
                logRetentionDays: 7,
                adminGroupObjectIds: ["platform-admins"],
                viewerGroupObjectIds: [VIEWERS, "viewers"],
                git: { url: "http://git.example.com/fleet.git" },
            }),
        ).toEqual([
            "logRetentionDays (7) must be a whole number of days from 30 to 730",
            "adminGroupObjectIds: 'platform-admins' is not an Entra ID object id (a GUID)",
            "viewerGroupObjectIds: 'viewers' is not an Entra ID object id (a GUID)",
            "git.url 'http://git.example.com/fleet.git' must be an https URL: the built-in Flux policy deploys public https repositories",
        ]);
    });

    it("registers nothing, not even itself, when its args are invalid", async () => {
        const plan = await planGovernance([
            { name: "gov", args: { ...BASE, logRetentionDays: 7 } },
        ]);
        expect(created(plan).map((r) => r.type)).toEqual(["pulumi:providers:azure-native"]);
        expect(plan.errors[0]).toContain(
            "ArcGovernance 'gov' has invalid arguments:\n  - logRetentionDays (7) must be a whole number of days from 30 to 730",
        );
    });
});
