/**
 * What the Azure component tests share: the ids they plan with, the resource types they read,
 * and the component modules as the plans load them. Everything a plan registers comes from the
 * worker's `require` (`req`), never from a test file's imports.
 */
import type * as azureSdk from "@pulumi/azure-native";
import { planComponents, type WorkerRequire } from "../../harness";

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

/**
 * Plain data (objects, arrays, primitives) written in a test, rebuilt with the worker realm's own
 * objects and arrays; anything else is kept as it is. The test file runs in jest's realm, the plan
 * in the worker's, and @pulumi/pulumi tells lists by `instanceof Array` of its own realm
 * (output.js outputRec, runtime/rpc.js serializeProperty): `pulumi.all` of a list made from a
 * test's list (`args.dashboards.map(...)`) would be taken for an object.
 */
export function toWorker(req: WorkerRequire): <V>(value: V) => V {
    // JSON.parse of a module loaded by the worker's `require` builds the worker realm's values.
    const { jsonOrValue } = req<typeof import("../../../plan/json")>("plan/json");
    const copy = (value: unknown): unknown => {
        if (Array.isArray(value)) {
            const list = jsonOrValue("[]") as unknown[];
            for (const item of value) list.push(copy(item));
            return list;
        }
        if (value !== null && typeof value === "object") {
            const proto = Object.getPrototypeOf(value) as object | null;
            if (proto === null || Object.getPrototypeOf(proto) === null) {
                const object = jsonOrValue("{}") as Record<string, unknown>;
                for (const [key, item] of Object.entries(value)) object[key] = copy(item);
                return object;
            }
        }
        return value;
    };
    return <V>(value: V) => copy(value) as V;
}

/**
 * A module of the project (`"components/azure/ArcGovernance"`) as the plans load it, in the jest
 * worker's own `require`: its pure exports (validateXxxArgs, policy rules) are called directly,
 * without loading @pulumi/pulumi and @pulumi/azure-native a second time in jest's registry (about
 * 6 s per test file), which importing the component here would.
 */
export async function workerModule<M>(id: string): Promise<M> {
    let loaded: M | undefined;
    await planComponents((req) => {
        loaded = req<M>(id);
    });
    if (loaded === undefined) throw new Error(`${id} did not load`);
    return loaded;
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
