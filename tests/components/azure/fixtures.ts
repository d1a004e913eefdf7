/**
 * What the Azure component tests share: the ids they plan with, the resource types they read,
 * and the component modules as the plans load them. Everything a plan registers comes from the
 * worker's `require` (`req`), never from a test file's imports.
 */
import type * as azureSdk from "@pulumi/azure-native";
import type { WorkerRequire } from "../../harness";

export const SUB = "11111111-1111-1111-1111-111111111111";
export const RG = `/subscriptions/${SUB}/resourceGroups/fleet-rg`;
export const OTHER_RG = `/subscriptions/${SUB}/resourceGroups/other-fleet-rg`;
export const LOCATION = "westeurope";
/** A GUID as Azure returns and this project writes them: lowercase. */
export const LOWER_GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A built-in role's id under the subscription, as role assignments take it. */
export const roleId = (guid: string) =>
    `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

/** The Azure resource types the tests read. */
export const T = {
    governance: "multicloud:azure:ArcGovernance",
    dashboard: "multicloud:azure:FleetDashboard",
    provider: "pulumi:providers:azure-native",
    assignment: "azure-native:authorization:PolicyAssignment",
    definition: "azure-native:authorization:PolicyDefinition",
    role: "azure-native:authorization:RoleAssignment",
    workspace: "azure-native:operationalinsights:Workspace",
    dcr: "azure-native:monitor:DataCollectionRule",
    grafana: "azure-native:dashboard:Grafana",
    grafanaProvider: "pulumi:providers:grafana",
    ds: "grafana:oss/dataSource:DataSource",
    grafanaDashboard: "grafana:oss/dashboard:Dashboard",
    folder: "grafana:oss/folder:Folder",
} as const;

/** Resource options with an explicit azure-native provider (the stacks disable defaults). */
export function azureOpts(req: WorkerRequire): { providers: azureSdk.Provider[] } {
    const azure = req<typeof azureSdk>("@pulumi/azure-native");
    return { providers: [new azure.Provider("az", { subscriptionId: SUB, location: LOCATION })] };
}

/** Every `parameters('x')` an ARM or policy expression in `value` reads. */
export const parametersRead = (value: unknown): string[] =>
    [...JSON.stringify(value).matchAll(/parameters\('([^']+)'\)/g)].map((m) => m[1]);

/** A policy definition's `parameters`, as far as the tests read them. */
export type PolicyParameters = Record<string, { type: string; defaultValue?: unknown }>;
/** The ARM template parameter type of each Azure Policy parameter type. */
export const ARM_TYPE: Record<string, string> = {
    String: "string",
    Integer: "int",
    Boolean: "bool",
};

/**
 * The parameters of a definition without a `defaultValue`. Azure's rule for a definition that is
 * assigned: a parameter may be added only with a `defaultValue`, and none may be removed
 * ("Adding or removing parameters",
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-parameters):
 * stacks are already assigned, so this list may never grow.
 */
export const withoutDefault = (declared: PolicyParameters): string[] =>
    Object.entries(declared)
        .filter(([, spec]) => !("defaultValue" in spec))
        .map(([p]) => p)
        .sort();
