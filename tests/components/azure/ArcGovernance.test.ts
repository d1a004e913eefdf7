/**
 * ArcGovernance: what reaches every Arc cluster of the fleet's resource group through Azure
 * Policy assignments made once (the Azure Policy extension, Container Insights, the pod security
 * baseline, and with Flux delivery one Flux policy), and the Entra ID groups' Arc roles, planned
 * directly under the recording mocks with an explicit azure-native provider (the project
 * disables default providers). The SDK-free pieces it is built from have their own tests
 * (checks, fluxPolicy, podSecurity, roleAssignmentName).
 *
 * The mocks echo inputs, so each rule Azure enforces is written here as a test, with its source.
 */
import type * as ArcGovernanceModule from "../../../components/azure/ArcGovernance";
import type { ArcGovernanceArgs } from "../../../components/azure/ArcGovernance";
import type { RecordedResource } from "../../../plan/mocks";
import type { PlanResult } from "../../../plan/run";
import { parseStackConfig } from "../../../config";
import { FLUX_GIT_URL_RULE, LOG_RETENTION_DAYS } from "../../../components/azure/checks";
import { FLUX_POLICY_RULE } from "../../../components/azure/fluxPolicy";
import { DEFAULT_POD_SECURITY_EXCLUDED_NAMESPACES } from "../../../components/azure/podSecurity";
import { roleAssignmentName } from "../../../components/azure/roleAssignmentName";
import { created, ofType, one, planComponents, workerModule } from "../../harness";
import {
    azureOpts,
    LOCATION,
    LOWER_GUID,
    OTHER_RG,
    parametersRead,
    type PolicyParameters,
    RG,
    roleId,
    SUB,
    T,
    withoutDefault,
} from "./fixtures";

const ADMINS = "33333333-3333-3333-3333-333333333333";
const VIEWERS = "44444444-4444-4444-4444-444444444444";
const GIT_URL = "https://github.com/example-org/fleet.git";

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
const ARC_ADMIN = "8393591c-06b9-48a2-a542-1bd6b377f6a2";
const ARC_VIEWER = "63f0a09d-1495-4db4-a681-037d84835eb4";
const ARC_USER = "00493d72-78f6-4148-b6c5-d3ce8e4799dd";

const BASE: ArcGovernanceArgs = {
    subscriptionId: SUB,
    resourceGroupName: "fleet-rg",
    resourceGroupId: RG,
    location: LOCATION,
    git: { url: GIT_URL, branch: "release", path: "./gitops" },
    adminGroupObjectIds: [ADMINS],
    viewerGroupObjectIds: [VIEWERS],
};

/** The component's module as the plans load it: validation and policy rules, called directly. */
const gov = workerModule<typeof ArcGovernanceModule>("components/azure/ArcGovernance");

/** Plans only the given ArcGovernance instances, on one explicit azure-native provider. */
function planGovernance(
    instances: readonly { readonly name: string; readonly args: ArcGovernanceArgs }[],
): Promise<PlanResult> {
    return planComponents((req) => {
        const { ArcGovernance } = req<typeof ArcGovernanceModule>("components/azure/ArcGovernance");
        const opts = azureOpts(req);
        for (const { name, args } of instances) new ArcGovernance(name, args, opts);
    });
}

/** The plan of one instance `gov` with BASE, made once and shared by the tests that read it. */
let base: Promise<PlanResult> | undefined;
const basePlan = () => (base ??= planGovernance([{ name: "gov", args: BASE }]));

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

/**
 * Azure's parameter rules between a definition and its assignment
 * (https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-parameters):
 * an assignment may set only parameters the definition declares, and must set every one that has
 * no `defaultValue`, else Azure refuses the assignment.
 */
function expectAssignable(definition: PolicyParameters, assigned: Record<string, unknown>) {
    for (const p of Object.keys(assigned)) expect(Object.keys(definition)).toContain(p);
    for (const [p, spec] of Object.entries(definition)) {
        if (!("defaultValue" in spec)) expect(Object.keys(assigned)).toContain(p);
    }
}

describe("ArcGovernance with Flux delivery (the default)", () => {
    let plan: PlanResult;
    beforeAll(async () => {
        plan = await basePlan();
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
                `${T.definition} gov-flux-gitops`,
                `${T.assignment} gov-flux-gitops`,
                `${T.role} gov-flux-remediation`,
                `${T.role} gov-admins-${ADMINS}`,
                `${T.role} gov-viewers-${VIEWERS}`,
                `${T.role} gov-users-${ADMINS}`,
                `${T.role} gov-users-${VIEWERS}`,
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

    it("no longer assigns the two built-in Flux policies, whose deployments raced", () => {
        const definitions = ofType(plan, T.assignment).map((a) => a.inputs.policyDefinitionId);
        expect(definitions).not.toContain(POLICY.fluxExtension);
        expect(definitions).not.toContain(POLICY.fluxConfiguration);
    });

    it("assigns the one custom Flux definition with the fleet repository, branch and path only", () => {
        const outputs = outputsOf(plan, "gov");
        const assignment = one(plan, T.assignment, "gov-flux-gitops");
        expect(assignment.inputs).toEqual({
            scope: RG,
            displayName: "Flux GitOps from the fleet repository (fleet)",
            policyDefinitionId: outputs.fluxPolicyDefinitionId,
            parameters: {
                repositoryUrl: { value: "https://github.com/example-org/fleet.git" },
                repositoryRefBranch: { value: "release" },
                kustomizationPath: { value: "./gitops" },
            },
            location: "westeurope",
            identity: { type: "SystemAssigned" },
            enforcementMode: "Default",
        });
        expect(assignment.dependencies).toContain(one(plan, T.definition, "gov-flux-gitops").urn);
        const definition = one(plan, T.definition, "gov-flux-gitops");
        expect(definition.inputs).toMatchObject({
            policyDefinitionName: gov.customDefinitionName("gov", RG, "flux-gitops"),
            policyType: "Custom",
            mode: "Indexed",
            metadata: { category: "Kubernetes" },
        });
        expectAssignable(
            definition.inputs.parameters as PolicyParameters,
            assignment.inputs.parameters as Record<string, unknown>,
        );
        // Sent as it is stored: plain JSON, nothing lost in a round trip.
        expect(JSON.parse(JSON.stringify(definition.inputs.policyRule))).toEqual(FLUX_POLICY_RULE);
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
        expectAssignable(
            gov.CONTAINER_INSIGHTS_POLICY_PARAMETERS as unknown as PolicyParameters,
            assignment.inputs.parameters as Record<string, unknown>,
        );
    });

    it("assigns the pod security baseline in audit, excluding the platform namespaces by default, with no identity", () => {
        expect(one(plan, T.assignment, "gov-pod-security-baseline").inputs).toEqual({
            scope: RG,
            displayName: "Kubernetes pod security baseline (fleet)",
            policyDefinitionId: POLICY.podSecurityBaseline,
            parameters: {
                effect: { value: "audit" },
                excludedNamespaces: { value: [...DEFAULT_POD_SECURITY_EXCLUDED_NAMESPACES] },
            },
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
        ["gov-flux-gitops", "gov-flux-remediation", CONTRIBUTOR],
    ])(
        "gives %s's own identity the role its definition names for remediation, on the group only, under a name derived from the grant",
        (assignmentName, roleName, guid) => {
            const role = one(plan, T.role, roleName);
            const principalId = role.inputs.principalId as string;
            expect(role.inputs).toEqual({
                roleAssignmentName: roleAssignmentName(RG, guid, principalId),
                scope: RG,
                roleDefinitionId: roleId(guid),
                principalId: expect.stringMatching(LOWER_GUID),
                // A new identity may not have replicated: with principalType ServicePrincipal,
                // Azure does not look it up (role-based-access-control/role-assignments-template,
                // "New service principal").
                principalType: "ServicePrincipal",
            });
            // The principal comes from that assignment's identity, and from nothing else.
            expect(role.dependencies).toEqual([one(plan, T.assignment, assignmentName).urn]);
        },
    );

    it("names each DeployIfNotExists definition's remediation role as the definition names it", () => {
        // Azure Policy grants nothing itself: the assignment's identity must hold each role in
        // the definition's roleDefinitionIds for the remediation deployment to succeed.
        const named = (rule: unknown) =>
            (rule as { then: { details: { roleDefinitionIds: string[] } } }).then.details
                .roleDefinitionIds;
        expect(named(FLUX_POLICY_RULE)).toEqual([
            `/providers/Microsoft.Authorization/roleDefinitions/${CONTRIBUTOR}`,
        ]);
        expect(one(plan, T.role, "gov-flux-remediation").inputs.roleDefinitionId).toBe(
            roleId(CONTRIBUTOR),
        );
    });

    it("gives every assignment's identity a role of its own", () => {
        const principals = ofType(plan, T.role)
            .filter((r) => r.inputs.principalType === "ServicePrincipal")
            .map((r) => r.inputs.principalId);
        expect(principals).toHaveLength(3);
        expect(new Set(principals).size).toBe(3);
    });

    it("grants the Entra ID groups their Arc roles on the group, each named by its group and its grant", () => {
        const groupRoles = ofType(plan, T.role)
            .filter((r) => r.inputs.principalType === "Group")
            .map((r) => [r.name, r.inputs.principalId, r.inputs.roleDefinitionId]);
        expect(groupRoles).toEqual([
            [`gov-admins-${ADMINS}`, ADMINS, roleId(ARC_ADMIN)],
            [`gov-viewers-${VIEWERS}`, VIEWERS, roleId(ARC_VIEWER)],
            [`gov-users-${ADMINS}`, ADMINS, roleId(ARC_USER)],
            [`gov-users-${VIEWERS}`, VIEWERS, roleId(ARC_USER)],
        ]);
        for (const r of ofType(plan, T.role)) {
            expect(r.inputs.roleAssignmentName).toBe(
                roleAssignmentName(
                    r.inputs.scope as string,
                    r.inputs.roleDefinitionId as string,
                    r.inputs.principalId as string,
                ),
            );
        }
    });

    it("deletes a role assignment before re-creating it, so the new one can take its name", () => {
        // A replacement that keeps scope, role and principal keeps the name too; created first,
        // it would meet the old assignment (azure-native refuses to create an existing resource,
        // Azure answers RoleAssignmentExists). Delete-before-replace avoids both.
        const roles = ofType(plan, T.role);
        expect(roles).toHaveLength(7);
        for (const r of roles) expect([r.name, r.deleteBeforeReplace]).toEqual([r.name, true]);
    });

    it("exports every assignment id and both custom definitions", () => {
        const id = (name: string) =>
            `${RG}/providers/Microsoft.Authorization/policyAssignments/${name}`;
        expect(outputsOf(plan, "gov")).toEqual({
            workspaceId: expect.stringContaining("/workspaces/"),
            containerInsightsRuleId: expect.stringContaining("/dataCollectionRules/"),
            podSecurityAssignmentId: expect.stringContaining(id("gov-pod-security-baseline")),
            fluxAssignmentId: expect.stringContaining(id("gov-flux-gitops")),
            fluxPolicyDefinitionId: expect.any(String),
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

        it("stays updatable while assigned: no parameter without a default may be added", () => {
            // Azure: a parameter added to an assigned definition must have a defaultValue, and
            // none may be removed (definition-structure-parameters, "Adding or removing
            // parameters"). Stacks are already assigned: a new parameter needs a default here.
            expect(
                withoutDefault(
                    gov.CONTAINER_INSIGHTS_POLICY_PARAMETERS as unknown as PolicyParameters,
                ),
            ).toEqual(["dataCollectionRuleId", "workspaceResourceId"]);
            expect(definition.inputs.parameters).toEqual(gov.CONTAINER_INSIGHTS_POLICY_PARAMETERS);
        });
    });
});

describe("ArcGovernance without Flux delivery (Config Sync delivers GitOps)", () => {
    let plan: PlanResult;
    beforeAll(async () => {
        plan = await planGovernance([{ name: "gov", args: { ...BASE, fluxDelivery: false } }]);
        expect(plan.errors).toEqual([]);
    });

    it("neither defines nor assigns a Flux policy, nor its remediation role", () => {
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
        const withFlux = await basePlan();
        expect(one(plan, T.definition, "gov-container-insights").inputs.policyDefinitionName).toBe(
            one(withFlux, T.definition, "gov-container-insights").inputs.policyDefinitionName,
        );
    });

    it("exports no Flux assignment or definition id", () => {
        const outputs = outputsOf(plan, "gov");
        expect(outputs.fluxAssignmentId ?? undefined).toBeUndefined();
        expect(outputs.fluxPolicyDefinitionId ?? undefined).toBeUndefined();
        expect(outputs.azurePolicyExtensionAssignmentId).toEqual(expect.any(String));
    });

    it("does not check the git URL, which nothing reads", () => {
        expect(
            gov.validateArcGovernanceArgs({
                ...BASE,
                fluxDelivery: false,
                git: { url: "git@github.com:example-org/fleet.git" },
            }),
        ).toEqual([]);
    });
});

describe("the pod security baseline, configured", () => {
    it("passes a configured list and effect as the initiative declares them", async () => {
        const excluded = ["kube-system", "ingress-nginx", "longhorn-system"];
        const plan = await planGovernance([
            {
                name: "gov",
                args: { ...BASE, podSecurityEffect: "deny", excludedNamespaces: excluded },
            },
        ]);
        expect(plan.errors).toEqual([]);
        const parameters = one(plan, T.assignment, "gov-pod-security-baseline").inputs
            .parameters as Record<string, { value: unknown }>;
        expect(parameters).toEqual({
            effect: { value: "deny" },
            excludedNamespaces: { value: excluded },
        });
        // PSPBaselineStandard.json declares these parameters (effect's allowed values include
        // "audit" and "deny"); Azure refuses an assignment setting any other.
        for (const p of Object.keys(parameters)) {
            expect(["effect", "excludedNamespaces", "namespaces", "allowedHostPaths"]).toContain(p);
        }
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
        const baseline = await basePlan();
        expect(inventory(plan, "gov")).toEqual(inventory(baseline, "gov"));
        for (const a of ofType(plan, T.assignment)) expect(a.inputs.notScopes).toBeUndefined();
        // Custom definitions share the subscription: each instance names its own, and Azure
        // allows 64 characters in a definition's name.
        const names = ofType(plan, T.definition)
            .map((d) => String(d.inputs.policyDefinitionName))
            .sort();
        expect(names).toEqual([
            expect.stringMatching(/^edge-container-insights-[0-9a-f]{8}$/),
            expect.stringMatching(/^edge-flux-gitops-[0-9a-f]{8}$/),
            expect.stringMatching(/^gov-container-insights-[0-9a-f]{8}$/),
            expect.stringMatching(/^gov-flux-gitops-[0-9a-f]{8}$/),
        ]);
        const long = "a".repeat(80);
        for (const what of ["container-insights", "flux-gitops"] as const) {
            expect(gov.customDefinitionName(long, RG, what).length).toBeLessThanOrEqual(64);
        }
        // Role assignment names are unique in the tenant: two groups never share one.
        const roleNames = ofType(plan, T.role).map((r) => r.inputs.roleAssignmentName);
        expect(new Set(roleNames).size).toBe(roleNames.length);
    });

    it("adds a group in the middle of a list without touching any other group's role assignment", async () => {
        // The list index used to name them: inserting a group renamed every later one, and
        // Azure refused the re-created assignment (RoleAssignmentExists).
        const [A, B, C] = [
            "aaaaaaaa-0000-0000-0000-000000000001",
            "bbbbbbbb-0000-0000-0000-000000000002",
            "cccccccc-0000-0000-0000-000000000003",
        ];
        const grants = (plan: PlanResult) =>
            new Map(
                ofType(plan, T.role)
                    .filter((r) => r.inputs.principalType === "Group")
                    .map((r) => [r.name, r.inputs]),
            );
        const before = grants(
            await planGovernance([
                {
                    name: "gov",
                    args: { ...BASE, adminGroupObjectIds: [A, C], viewerGroupObjectIds: [] },
                },
            ]),
        );
        const after = grants(
            await planGovernance([
                {
                    name: "gov",
                    args: { ...BASE, adminGroupObjectIds: [A, B, C], viewerGroupObjectIds: [] },
                },
            ]),
        );
        expect([...after.keys()].filter((k) => !before.has(k)).sort()).toEqual(
            [`gov-admins-${B}`, `gov-users-${B}`].sort(),
        );
        for (const [key, inputs] of before) expect(after.get(key)).toEqual(inputs);
    });

    it("without the optional arguments, applies the defaults a stack gets from its config", async () => {
        // What composition/azure.ts passes for a stack that sets none of them, against nothing.
        const config = parseStackConfig(
            {
                "multicloud:environment": "dev",
                "multicloud:app": JSON.stringify({
                    image: `r.example.com/app@sha256:${"0".repeat(64)}`,
                    ingress: { host: "app.example.com" },
                }),
                "multicloud:azure": JSON.stringify({
                    enabled: true,
                    subscriptionId: SUB,
                    location: "westeurope",
                    gitops: { url: BASE.git.url },
                }),
                "multicloud:dashboard": JSON.stringify({ enabled: false }),
            },
            "multicloud",
            "dev",
        );
        if (!config.azure.enabled) throw new Error("azure is off");
        const az = config.azure;
        const bare: ArcGovernanceArgs = { ...BASE, git: { url: BASE.git.url } };
        const plan = await planGovernance([
            { name: "bare", args: bare },
            {
                name: "configured",
                args: {
                    ...bare,
                    logRetentionDays: az.logRetentionDays,
                    podSecurityEffect: az.podSecurityEffect,
                    excludedNamespaces: az.podSecurity.excludedNamespaces,
                    git: { url: az.gitops.url, branch: az.gitops.branch, path: az.gitops.path },
                },
            },
        ]);
        expect(plan.errors).toEqual([]);
        const applied = (name: string) => ({
            retentionInDays: one(plan, "azure-native:operationalinsights:Workspace", `${name}-logs`)
                .inputs.retentionInDays,
            podSecurity: one(plan, T.assignment, `${name}-pod-security-baseline`).inputs.parameters,
            flux: one(plan, T.assignment, `${name}-flux-gitops`).inputs.parameters,
        });
        expect(applied("bare")).toEqual(applied("configured"));
        expect(applied("bare")).toEqual({
            retentionInDays: 30,
            podSecurity: {
                effect: { value: "audit" },
                excludedNamespaces: { value: [...DEFAULT_POD_SECURITY_EXCLUDED_NAMESPACES] },
            },
            // The whole tree: the baseline (gitops/cluster) and the app (gitops/workload).
            flux: {
                repositoryUrl: { value: BASE.git.url },
                repositoryRefBranch: { value: "main" },
                kustomizationPath: { value: "./gitops" },
            },
        });
    });

    it("takes the retention days the stack config takes, and names the bounds otherwise", () => {
        // The config's side: tests/config/azure.test.ts; both read LOG_RETENTION_DAYS.
        const { min, max } = LOG_RETENTION_DAYS;
        for (const days of [min, max]) {
            expect(gov.validateArcGovernanceArgs({ ...BASE, logRetentionDays: days })).toEqual([]);
        }
        for (const days of [min - 1, max + 1, 45.5]) {
            expect(gov.validateArcGovernanceArgs({ ...BASE, logRetentionDays: days })).toEqual([
                `logRetentionDays (${days}) must be a whole number of days from 30 to 730`,
            ]);
        }
    });

    it("refuses an ssh git URL with the stack config's reason: Flux on Arc takes public https", () => {
        const ssh = "git@github.com:example-org/fleet.git";
        expect(gov.validateArcGovernanceArgs({ ...BASE, git: { url: ssh } })).toEqual([
            `git.url '${ssh}' ${FLUX_GIT_URL_RULE}`,
        ]);
        expect(gov.validateArcGovernanceArgs({ ...BASE, git: { url: GIT_URL } })).toEqual([]);
    });

    it("names every bad argument", () => {
        expect(gov.validateArcGovernanceArgs(BASE)).toEqual([]);
        expect(
            gov.validateArcGovernanceArgs({
                ...BASE,
                logRetentionDays: 7,
                adminGroupObjectIds: ["platform-admins", ADMINS, ADMINS.toUpperCase()],
                viewerGroupObjectIds: [VIEWERS, "viewers"],
                excludedNamespaces: ["kube-system", "Ingress_Nginx", "kube-system"],
                git: { url: "http://git.example.com/fleet.git" },
            }),
        ).toEqual([
            "logRetentionDays (7) must be a whole number of days from 30 to 730",
            "adminGroupObjectIds: 'platform-admins' is not an Entra ID object id (a GUID)",
            "viewerGroupObjectIds: 'viewers' is not an Entra ID object id (a GUID)",
            `adminGroupObjectIds: '${ADMINS.toUpperCase()}' is listed twice; remove the repeat`,
            "excludedNamespaces: 'Ingress_Nginx' is not a Kubernetes namespace name (lowercase letters, digits and '-', at most 63)",
            "excludedNamespaces: 'kube-system' is listed twice; remove the repeat",
            "git.url 'http://git.example.com/fleet.git' must be an https URL: the Flux policy that deploys to every Arc cluster takes public https repositories",
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
