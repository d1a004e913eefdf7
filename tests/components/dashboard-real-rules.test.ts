/**
 * The fleet dashboard against the clouds' real rules, which the echoing mocks cannot enforce:
 * each test names the rule and where it is written. FleetDashboard, CloudWatchReader and
 * MonitoringReader are planned on their own under the recording mocks, and the resource options
 * the engine acts on (deletedWith, deleteBeforeReplace, replaceOnChanges, aliases) are read off
 * the registration requests.
 */
import type { RecordedResource } from "../../plan/mocks";
import type { PlanResult } from "../../plan/run";
import {
    type FleetDashboardArgs,
    GRAFANA_DEFAULTS,
    GRAFANA_ROLES,
    GRAFANA_WORKSPACE_NAME,
    loadDashboards,
    validateFleetDashboardArgs,
} from "../../components/azure/FleetDashboard";
import { ofType, planStack, PROJECT_DIR } from "../harness";

const T = {
    grafana: "azure-native:dashboard:Grafana",
    role: "azure-native:authorization:RoleAssignment",
    provider: "pulumi:providers:grafana",
    ds: "grafana:oss/dataSource:DataSource",
    dashboard: "grafana:oss/dashboard:Dashboard",
    folder: "grafana:oss/folder:Folder",
};
const SUB = "11111111-1111-1111-1111-111111111111";
const RG = `/subscriptions/${SUB}/resourceGroups/fleet-rg`;
const DEPLOYER = "55555555-5555-5555-5555-555555555555";
const A = "aaaaaaaa-0000-0000-0000-00000000000a";
const B = "bbbbbbbb-0000-0000-0000-00000000000b";
const C = "cccccccc-0000-0000-0000-00000000000c";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const roleId = (guid: string) =>
    `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

const BASE: FleetDashboardArgs = {
    resourceGroupName: "fleet-rg",
    resourceGroupId: RG,
    subscriptionId: SUB,
    location: "westeurope",
    workspaceName: "multicloud-dev",
    deployerPrincipal: { objectId: DEPLOYER, type: "ServicePrincipal" },
    adminGroupObjectIds: [A, B],
    viewerGroupObjectIds: [C],
    logAnalyticsWorkspaceId: `${RG}/providers/Microsoft.OperationalInsights/workspaces/ws`,
    dashboards: loadDashboards(PROJECT_DIR).dashboards,
};

/** The options of one registration, as the engine receives them. */
interface Options {
    deletedWith: string;
    deleteBeforeReplace: boolean;
    replaceOnChanges: string[];
    aliasNames: string[];
}
interface Planned {
    plan: PlanResult;
    options: Map<string, Options>;
}

/** Plans FleetDashboard `dash` alone (with an explicit azure-native provider), recording options. */
async function planDashboard(args: FleetDashboardArgs): Promise<Planned> {
    const options = new Map<string, Options>();
    const plan = await planStack(
        "dev",
        {},
        {
            load: () => {
                const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
                const monitor = pulumi.runtime.getMonitor() as unknown as {
                    registerResource: (req: RegisterRequest, cb: unknown) => unknown;
                };
                const register = monitor.registerResource.bind(monitor);
                monitor.registerResource = (req, cb) => {
                    options.set(`${req.getType()}::${req.getName()}`, {
                        deletedWith: req.getDeletedwith(),
                        deleteBeforeReplace: req.getDeletebeforereplace(),
                        replaceOnChanges: req.getReplaceonchangesList(),
                        aliasNames: req
                            .getAliasesList()
                            .map((a) => a.toObject().spec?.name ?? "")
                            .filter((n) => n !== ""),
                    });
                    return register(req, cb);
                };
                const azure =
                    require("@pulumi/azure-native") as typeof import("@pulumi/azure-native");
                const { FleetDashboard } =
                    require("../../components/azure/FleetDashboard") as typeof import("../../components/azure/FleetDashboard");
                const provider = new azure.Provider("az", {
                    subscriptionId: SUB,
                    location: "westeurope",
                });
                new FleetDashboard("dash", args, { providers: [provider] });
            },
        },
    );
    return { plan, options };
}
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getDeletedwith(): string;
    getDeletebeforereplace(): boolean;
    getReplaceonchangesList(): string[];
    getAliasesList(): { toObject(): { spec?: { name?: string } } }[];
}

const optionsOf = (p: Planned, r: RecordedResource) => p.options.get(`${r.type}::${r.name}`)!;
const assignments = (p: Planned) =>
    new Map(ofType(p.plan, T.role).map((r) => [r.name, r.inputs] as const));

describe("role assignments: stable names, deterministic GUIDs (issue 17, item 11)", () => {
    let before: Planned;
    let after: Planned;
    beforeAll(async () => {
        before = await planDashboard(BASE);
        // A group added in the middle of the admin list.
        const middle = "dddddddd-0000-0000-0000-00000000000d";
        after = await planDashboard({ ...BASE, adminGroupObjectIds: [A, middle, B] });
    }, 180_000);

    test("plans without errors", () => {
        expect(before.plan.errors).toEqual([]);
        expect(after.plan.errors).toEqual([]);
    });

    // Azure allows one assignment per scope, role and principal whatever its name: a second
    // one fails with HTTP 409 RoleAssignmentExists ("The role assignment already exists", the
    // (scope, principalId, roleDefinitionId) triple is the unique key; reproduced in
    // https://yeongseon.github.io/azure-app-service-practical-guide/troubleshooting/playbooks/cd-rbac-role-assignment-conflict/).
    // A group added in the middle of a list must therefore leave every other assignment untouched.
    test("a group added in the middle of a list changes no other assignment", () => {
        const was = assignments(before);
        const now = assignments(after);
        expect([...was.keys()].sort()).toEqual([
            "dash-admin-aaaaaaaa-0000-0000-0000-00000000000a",
            "dash-admin-bbbbbbbb-0000-0000-0000-00000000000b",
            "dash-deployer-admin",
            "dash-monitoring-reader",
            "dash-viewer-cccccccc-0000-0000-0000-00000000000c",
        ]);
        for (const [name, inputs] of was) expect(now.get(name)).toEqual(inputs);
        expect(now.size).toBe(was.size + 1);
    });

    // azure-native names an assignment with a random GUID unless `roleAssignmentName` is set;
    // a name derived from scope, role and principal makes every run ask for the same one.
    test("every assignment's name is a GUID derived from scope, role and principal", () => {
        const names = [...assignments(before).values()].map((i) => String(i.roleAssignmentName));
        for (const n of names) expect(n).toMatch(GUID);
        expect(new Set(names).size).toBe(names.length);
        const again = [...assignments(after).values()].map((i) => String(i.roleAssignmentName));
        expect(again).toEqual(expect.arrayContaining(names));
        // The same group as admin and as viewer: two roles, two assignments, two names.
        const both = assignments(after);
        expect(both.get(`dash-admin-${A}`)!.roleAssignmentName).not.toBe(
            both.get(`dash-viewer-${C}`)!.roleAssignmentName,
        );
    });

    test("the name follows the principal: another deployer, another assignment name", async () => {
        const other = await planDashboard({
            ...BASE,
            deployerPrincipal: { objectId: A, type: "User" },
        });
        const was = assignments(before).get("dash-deployer-admin")!;
        const now = assignments(other).get("dash-deployer-admin")!;
        expect(now.principalId).toBe(A);
        expect(now.roleAssignmentName).not.toBe(was.roleAssignmentName);
        expect(now.roleAssignmentName).toMatch(GUID);
    }, 120_000);

    // A replaced assignment keeps its deterministic name, so the old one must be deleted first:
    // creating the new one beside it would be refused (RoleAssignmentExists, as above).
    test("assignments are deleted before they are replaced", () => {
        for (const r of ofType(before.plan, T.role)) {
            expect(optionsOf(before, r).deleteBeforeReplace).toBe(true);
        }
    });

    test("each group assignment adopts the one an earlier release named by position", () => {
        const byName = (n: string) => ofType(before.plan, T.role).find((r) => r.name === n)!;
        expect(optionsOf(before, byName(`dash-admin-${A}`)).aliasNames).toEqual(["dash-admin-0"]);
        expect(optionsOf(before, byName(`dash-admin-${B}`)).aliasNames).toEqual(["dash-admin-1"]);
        expect(optionsOf(before, byName(`dash-viewer-${C}`)).aliasNames).toEqual(["dash-viewer-0"]);
    });
});

describe("the Grafana Admin grant goes to a configured principal (issue 17, item 20)", () => {
    let planned: Planned;
    beforeAll(async () => {
        planned = await planDashboard({
            ...BASE,
            deployerPrincipal: { objectId: DEPLOYER, type: "Group" },
        });
    }, 120_000);

    // The caller's identity (getClientConfig) differs between a laptop and Deployments: the
    // grant would move with every run. The configured principal does not.
    test("the deployer grant names the configured object id and type; nothing asks who is calling", () => {
        const deployer = assignments(planned).get("dash-deployer-admin")!;
        expect(deployer).toMatchObject({
            principalId: DEPLOYER,
            principalType: "Group",
            roleDefinitionId: roleId(GRAFANA_ROLES.admin),
        });
        expect(String(deployer.scope)).toMatch(/Microsoft\.Dashboard\/grafana\/multicloud-dev$/);
        expect(
            planned.plan.invokes.filter(
                (i) => i.token === "azure-native:authorization:getClientConfig",
            ),
        ).toEqual([]);
    });

    // principalType: Azure checks it against the principal (UnmatchedPrincipalType) and, for
    // a principal created seconds earlier such as the workspace's identity, it avoids the
    // replication delay error (PrincipalNotFound): "set principalType to ServicePrincipal"
    // (https://learn.microsoft.com/azure/role-based-access-control/role-assignments-template#new-service-principal).
    test("groups are assigned as Group, the workspace's new identity as ServicePrincipal", () => {
        const all = assignments(planned);
        expect(all.get(`dash-admin-${A}`)!.principalType).toBe("Group");
        expect(all.get(`dash-viewer-${C}`)!.principalType).toBe("Group");
        expect(all.get("dash-monitoring-reader")).toMatchObject({
            principalType: "ServicePrincipal",
            scope: RG,
            roleDefinitionId: roleId(GRAFANA_ROLES.monitoringReader),
        });
    });

    test("a missing, malformed or mistyped deployer principal is refused before any resource", () => {
        expect(validateFleetDashboardArgs({ ...BASE, deployerPrincipal: undefined })).toEqual([
            "deployerPrincipal is required: the object id and type (User, Group or ServicePrincipal) of the identity that runs Pulumi, which gets Grafana Admin to write the data sources and dashboards",
        ]);
        expect(
            validateFleetDashboardArgs({
                ...BASE,
                deployerPrincipal: {
                    objectId: "my-app",
                    type: "Application" as unknown as "User",
                },
            }),
        ).toEqual([
            "deployerPrincipal.objectId 'my-app' is not an Entra ID object id (a GUID): use the object id of the identity that runs Pulumi (for an app: its service principal's, az ad sp show --id <appId> --query id)",
            "deployerPrincipal.type 'Application' must be one of User, Group, ServicePrincipal",
        ]);
    });

    test("a group listed twice (in any case) is refused: its assignments would share a name", () => {
        expect(
            validateFleetDashboardArgs({ ...BASE, adminGroupObjectIds: [A, A.toUpperCase()] }),
        ).toEqual([`adminGroupObjectIds: '${A.toUpperCase()}' is listed twice; remove the repeat`]);
    });
});

describe("the Grafana token and refresh, drift detection and destroy (issue 17, item 12)", () => {
    let planned: Planned;
    beforeAll(async () => {
        planned = await planDashboard(BASE);
    }, 120_000);

    // The provider's inputs are kept in the state; `pulumi refresh` and `pulumi destroy` use the
    // kept ones, with a token long expired, unless the program runs ("Running your program on
    // refresh and destroy", https://www.pulumi.com/docs/iac/operations/stack-management/run-program/).
    // The token therefore comes from an invoke in the program, so every run that runs the
    // program (up, and refresh/destroy with PULUMI_RUN_PROGRAM=true) takes a fresh one.
    test("the provider's token is a secret taken by the program, for Azure Managed Grafana's audience", () => {
        const [provider] = ofType(planned.plan, T.provider);
        expect(provider.secretPaths).toContain("auth");
        expect(provider.inputs.auth).toBe("offline-plan-arm-token");
        const invoke = planned.plan.invokes.find(
            (i) => i.token === "azure-native:authorization:getClientToken",
        );
        expect(invoke?.inputs.endpoint).toBe("https://dashboard.azure.com");
    });

    // deletedWith: "the provider's Delete is not called for this resource if the resource it
    // names is deleted as well" (https://www.pulumi.com/docs/iac/concepts/options/deletedwith/).
    // The workspace takes its data sources, folder and dashboards with it, so destroy, and an
    // update that drops the dashboard, make no Grafana call with the token kept in the state.
    test("every Grafana-side resource is deleted with the workspace, never through Grafana's API", () => {
        const [workspace] = ofType(planned.plan, T.grafana);
        const inside = [T.ds, T.folder, T.dashboard].flatMap((t) => ofType(planned.plan, t));
        expect(inside.length).toBeGreaterThanOrEqual(3);
        for (const r of inside) expect(optionsOf(planned, r).deletedWith).toBe(workspace.urn);
    });
});

describe("the Grafana workspace on create and on the next update (issue 17, item 4)", () => {
    // "The deterministic outbound IP feature is only accessible for customers with a Standard
    // plan" (https://learn.microsoft.com/azure/managed-grafana/how-to-deterministic-ip): the dev
    // stack's Essential workspace would be refused with it enabled.
    test("deterministic outbound IPs on Standard only", async () => {
        const essential = await planDashboard({ ...BASE, sku: "Essential" });
        expect(essential.plan.errors).toEqual([]);
        const [e] = ofType(essential.plan, T.grafana);
        expect(e.inputs).toMatchObject({
            sku: { name: "Essential" },
            properties: { deterministicOutboundIP: "Disabled", zoneRedundancy: "Disabled" },
        });
        const standard = await planDashboard({ ...BASE, sku: "Standard", zoneRedundancy: true });
        const [s] = ofType(standard.plan, T.grafana);
        expect(s.inputs).toMatchObject({
            properties: { deterministicOutboundIP: "Enabled", zoneRedundancy: "Enabled" },
        });

        // "Zone redundancy can only be enabled when creating the Azure Managed Grafana
        // workspace, and can't be modified subsequently"
        // (https://learn.microsoft.com/azure/managed-grafana/how-to-enable-zone-redundancy;
        // terraform-provider-azurerm marks zone_redundancy_enabled ForceNew). A change replaces
        // the workspace; under the same name the old one has to go first.
        expect(optionsOf(standard, s)).toMatchObject({
            replaceOnChanges: ["properties.zoneRedundancy"],
            deleteBeforeReplace: true,
        });
    }, 240_000);

    // The defaults are GRAFANA_DEFAULTS, which the config schema applies too
    // (tests/components/azure-checks.test.ts): a workspace planned without them is the one a
    // stack that sets none of them gets.
    test("without sku, version and zone redundancy: Standard, Grafana 11, no zones", async () => {
        const { sku, grafanaMajorVersion, zoneRedundancy, ...bare } = BASE;
        expect([sku, grafanaMajorVersion, zoneRedundancy]).toEqual([
            undefined,
            undefined,
            undefined,
        ]);
        const planned = await planDashboard(bare);
        expect(planned.plan.errors).toEqual([]);
        const [w] = ofType(planned.plan, T.grafana);
        expect(w.inputs).toMatchObject({
            sku: { name: GRAFANA_DEFAULTS.sku },
            properties: {
                grafanaMajorVersion: GRAFANA_DEFAULTS.grafanaMajorVersion,
                zoneRedundancy: GRAFANA_DEFAULTS.zoneRedundancy ? "Enabled" : "Disabled",
            },
        });
        expect(w.inputs).toMatchObject({
            sku: { name: "Standard" },
            properties: {
                grafanaMajorVersion: "11",
                deterministicOutboundIP: "Enabled",
                zoneRedundancy: "Disabled",
            },
        });
    }, 240_000);

    // hashicorp/terraform-provider-azurerm, internal/services/dashboard/dashboard_grafana_resource.go:
    // "The name length must be from 2 to 23 characters ... begin with a letter and end with a
    // letter or digit".
    test("workspace names: 2-23 letters, digits and hyphens, a letter first", () => {
        for (const ok of ["ab", "multicloud-prod", "a".repeat(23), "G1-x"]) {
            expect(GRAFANA_WORKSPACE_NAME.test(ok)).toBe(true);
        }
        for (const bad of [
            "a",
            "a".repeat(24),
            "1abc",
            "abc-",
            "ab_c",
            "multicloud-production-eu",
        ]) {
            expect(GRAFANA_WORKSPACE_NAME.test(bad)).toBe(false);
        }
        expect(
            validateFleetDashboardArgs({ ...BASE, workspaceName: "multicloud-production-eu" }),
        ).toEqual([
            "workspaceName 'multicloud-production-eu' must be 2-23 letters, digits or hyphens, starting with a letter and ending with a letter or digit",
        ]);
    });
});

describe("the readers' credentials (issue 17, items 4 and 5)", () => {
    let plan: PlanResult;
    beforeAll(async () => {
        plan = await planStack(
            "dev",
            {},
            {
                load: () => {
                    const aws = require("@pulumi/aws") as typeof import("@pulumi/aws");
                    const gcp = require("@pulumi/gcp") as typeof import("@pulumi/gcp");
                    const { CloudWatchReader } =
                        require("../../components/aws/CloudWatchReader") as typeof import("../../components/aws/CloudWatchReader");
                    const { MonitoringReader } =
                        require("../../components/gcp/MonitoringReader") as typeof import("../../components/gcp/MonitoringReader");
                    new CloudWatchReader(
                        "cw",
                        { externalId: "multicloud-dev-grafana", credentialRotation: "2026-11" },
                        { providers: [new aws.Provider("aws", { region: "us-east-1" })] },
                    );
                    new MonitoringReader(
                        "gm",
                        { project: "p-1", accountId: "grafana-dev", credentialRotation: "2026-11" },
                        { providers: [new gcp.Provider("gcp", { project: "p-1" })] },
                    );
                },
            },
        );
    }, 120_000);

    // The user and the role share one IAM path, so that the deployer's IAM rights can be
    // limited to arn:aws:iam::<account>:user/grafana/* and role/grafana/* (README).
    test("the CloudWatch user and role live under /grafana/", () => {
        expect(plan.errors).toEqual([]);
        expect(ofType(plan, "aws:iam/user:User")[0].inputs.path).toBe("/grafana/");
        expect(ofType(plan, "aws:iam/role:Role")[0].inputs.path).toBe("/grafana/");
    });

    // google_service_account_key: `keepers` "arbitrary map of values that, when changed, will
    // trigger a new key to be generated" (hashicorp/terraform-provider-google,
    // resource_google_service_account_key): the rotation label reaches it.
    test("the Google key carries the rotation label as a keeper; the account may only read monitoring", () => {
        const [key] = ofType(plan, "gcp:serviceaccount/key:Key");
        expect(key.inputs.keepers).toEqual({ rotation: "2026-11" });
        const [member] = ofType(plan, "gcp:projects/iAMMember:IAMMember");
        expect(member.inputs.role).toBe("roles/monitoring.viewer");
    });
});
