/**
 * FleetDashboard: the fleet's Azure Managed Grafana workspace, a data source per cloud the stack
 * runs, and the dashboards of `dashboards/` rendered for those clouds. Planned directly under the
 * recording mocks (with an explicit azure-native provider) against the clouds' real rules, which
 * the echoing mocks cannot enforce: each test names the rule and where it is written. The
 * resource options the engine acts on (deletedWith, deleteBeforeReplace, replaceOnChanges,
 * aliases) are read off the recorded registrations.
 *
 * The committed prod stack is planned once (cached) for what only the whole program shows: the
 * readers of the other clouds feeding the data sources, the stack's own names in the dashboard,
 * the stack outputs; and with a cloud switched off, what goes with it. The SDK-free rules
 * (workspace names, dashboard checks and rendering) are tested in dashboards.test.ts, the config
 * side in tests/config/dashboard.test.ts.
 */
import type * as FleetDashboardModule from "../../../components/azure/FleetDashboard";
import type { FleetDashboardArgs } from "../../../components/azure/FleetDashboard";
import type { RecordedResource } from "../../../plan/mocks";
import type { PlanResult } from "../../../plan/run";
import {
    type DashboardModel,
    GRAFANA_DEFAULTS,
    GRAFANA_MAJOR_VERSION_RULE,
    GRAFANA_WORKSPACE_NAME_RULE,
    loadDashboards,
} from "../../../components/azure/dashboards";
import { roleAssignmentName } from "../../../components/azure/roleAssignmentName";
import { GOOGLE_TOKEN_URI } from "../../../components/gcp/checks";
import { ofType, one, planComponents, planStack, PROJECT_DIR, workerModule } from "../../harness";
import { azureOpts, LOCATION, LOWER_GUID, RG, roleId, SUB, T } from "./fixtures";

const DEPLOYER = "55555555-5555-5555-5555-555555555555";
const A = "aaaaaaaa-0000-0000-0000-00000000000a";
const B = "bbbbbbbb-0000-0000-0000-00000000000b";
const C = "cccccccc-0000-0000-0000-00000000000c";
const WORKSPACE_ID = `${RG}/providers/Microsoft.OperationalInsights/workspaces/ws`;

const BASE: FleetDashboardArgs = {
    resourceGroupName: "fleet-rg",
    resourceGroupId: RG,
    subscriptionId: SUB,
    location: LOCATION,
    workspaceName: "multicloud-dev",
    deployerPrincipal: { objectId: DEPLOYER, type: "ServicePrincipal" },
    adminGroupObjectIds: [A, B],
    viewerGroupObjectIds: [C],
    logAnalyticsWorkspaceId: WORKSPACE_ID,
    dashboards: loadDashboards(PROJECT_DIR).dashboards,
};

/** The other clouds' data sources, as the stack's readers would hand them over. */
const CLOUD_WATCH = {
    region: "eu-west-1",
    roleArn: "arn:aws:iam::123456789012:role/grafana/dashboard-cloudwatch",
    externalId: "multicloud-dev-grafana",
    accessKeyId: "AKIAEXAMPLE",
    secretAccessKey: "aws-secret-key",
    asgName: "app-asg-1",
    albArnSuffix: "app/app-alb/0123456789abcdef",
    targetGroupArnSuffix: "targetgroup/app-tg/0123456789abcdef",
    webAclName: "multicloud-dev-app-waf",
};
const CLOUD_MONITORING = {
    project: "multicloud-dev-000000",
    clientEmail: "grafana-dev@multicloud-dev-000000.iam.gserviceaccount.com",
    privateKey: "-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n",
};

/** The component's module as the plans load it: validation and roles, called directly. */
const fd = workerModule<typeof FleetDashboardModule>("components/azure/FleetDashboard");

/** Plans FleetDashboard `dash` alone, on one explicit azure-native provider. */
function planDashboard(args: FleetDashboardArgs): Promise<PlanResult> {
    return planComponents((req) => {
        const { FleetDashboard } = req<typeof FleetDashboardModule>(
            "components/azure/FleetDashboard",
        );
        new FleetDashboard("dash", args, azureOpts(req));
    });
}
/** The plan of BASE, made once and shared by the tests that read it. */
let base: Promise<PlanResult> | undefined;
const basePlan = () => (base ??= planDashboard(BASE));

const assignments = (plan: PlanResult) =>
    new Map(ofType(plan, T.role).map((r) => [r.name, r.inputs] as const));
const isSecretAt = (r: RecordedResource, at: string) =>
    r.secretPaths.some((p) => at === p || at.startsWith(`${p}.`));
const json = (r: RecordedResource, key: string) =>
    JSON.parse(String(r.inputs[key])) as Record<string, unknown>;
const dataSource = (plan: PlanResult, uid: string) =>
    ofType(plan, T.ds).find((s) => s.inputs.uid === uid)!;
const renderedOf = (plan: PlanResult) =>
    JSON.parse(String(ofType(plan, T.grafanaDashboard)[0].inputs.configJson)) as DashboardModel;
const variablesOf = (model: DashboardModel) =>
    Object.fromEntries(
        (model.templating as { list: { name: string; query: string }[] }).list.map((v) => [
            v.name,
            v.query,
        ]),
    );
const panelUids = (model: DashboardModel) =>
    new Set(
        (model.panels as { datasource?: { uid: string } }[]).flatMap((p) =>
            p.datasource ? [p.datasource.uid] : [],
        ),
    );

describe("validateFleetDashboardArgs", () => {
    it("names every bad argument", () => {
        expect(
            fd.validateFleetDashboardArgs({
                resourceGroupName: "rg",
                resourceGroupId: "/subscriptions/x/resourceGroups/rg",
                subscriptionId: "not-a-guid",
                location: LOCATION,
                workspaceName: "-grafana",
                sku: "Essential",
                zoneRedundancy: true,
                deployerPrincipal: { objectId: SUB, type: "ServicePrincipal" },
                logAnalyticsWorkspaceId: "/ws",
                viewerGroupObjectIds: ["ops"],
                dashboards: [],
            }),
        ).toEqual([
            "workspaceName '-grafana' must be 2-23 letters, digits or hyphens, starting with a letter and ending with a letter or digit",
            "zoneRedundancy needs the Standard plan: set sku to Standard, or zoneRedundancy to false",
            "subscriptionId 'not-a-guid' is not a subscription id (a GUID)",
            "viewerGroupObjectIds: 'ops' is not an Entra ID object id (a GUID)",
            "dashboards is empty: pass the files loadDashboards read from dashboards/",
        ]);
        expect(fd.validateFleetDashboardArgs(BASE)).toEqual([]);
    });

    it("refuses zone redundancy on the Essential plan with the stack config's reason", () => {
        // The config's side: tests/config/dashboard.test.ts; both call zoneRedundancyProblem.
        expect(
            fd.validateFleetDashboardArgs({ ...BASE, sku: "Essential", zoneRedundancy: true }),
        ).toEqual([
            "zoneRedundancy needs the Standard plan: set sku to Standard, or zoneRedundancy to false",
        ]);
        // Standard (the default on both sides) takes it; Essential without it is fine.
        expect(fd.validateFleetDashboardArgs({ ...BASE, zoneRedundancy: true })).toEqual([]);
        expect(fd.validateFleetDashboardArgs({ ...BASE, sku: "Essential" })).toEqual([]);
    });

    it("refuses a Grafana major version and a workspace name with the stack config's reasons", () => {
        expect(fd.validateFleetDashboardArgs({ ...BASE, grafanaMajorVersion: "v11" })).toEqual([
            `grafanaMajorVersion 'v11' ${GRAFANA_MAJOR_VERSION_RULE}`,
        ]);
        for (const v of ["10", "11", "12"]) {
            expect(fd.validateFleetDashboardArgs({ ...BASE, grafanaMajorVersion: v })).toEqual([]);
        }
        const longest = `a${"b".repeat(21)}c`;
        for (const name of ["ab", longest]) {
            expect(fd.validateFleetDashboardArgs({ ...BASE, workspaceName: name })).toEqual([]);
        }
        for (const name of ["a", `${longest}d`, "multicloud-production-eu"]) {
            expect(fd.validateFleetDashboardArgs({ ...BASE, workspaceName: name })).toEqual([
                `workspaceName '${name}' ${GRAFANA_WORKSPACE_NAME_RULE}`,
            ]);
        }
    });

    it("refuses a missing, malformed or mistyped deployer principal before any resource", () => {
        expect(fd.validateFleetDashboardArgs({ ...BASE, deployerPrincipal: undefined })).toEqual([
            "deployerPrincipal is required: the object id and type (User, Group or ServicePrincipal) of the identity that runs Pulumi, which gets Grafana Admin to write the data sources and dashboards",
        ]);
        expect(
            fd.validateFleetDashboardArgs({
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

    it("refuses a group listed twice (in any case): its assignments would share a name", () => {
        expect(
            fd.validateFleetDashboardArgs({ ...BASE, adminGroupObjectIds: [A, A.toUpperCase()] }),
        ).toEqual([`adminGroupObjectIds: '${A.toUpperCase()}' is listed twice; remove the repeat`]);
    });

    it("refuses a dashboard the program cannot render, naming its file", () => {
        const broken = { file: "dashboards/broken.json", model: { uid: "b", panels: [] } };
        expect(
            fd.validateFleetDashboardArgs({ ...BASE, dashboards: [...BASE.dashboards, broken] }),
        ).toEqual(["dashboards/broken.json: title is missing"]);
    });

    it("registers nothing, not even itself, when its args are invalid", async () => {
        const plan = await planDashboard({ ...BASE, workspaceName: "-grafana" });
        expect(
            plan.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => r.type),
        ).toEqual([T.provider]);
        expect(plan.errors[0]).toContain(
            `FleetDashboard 'dash' has invalid arguments:\n  - workspaceName '-grafana' ${GRAFANA_WORKSPACE_NAME_RULE}`,
        );
    });
});

describe("role assignments: stable names, deterministic GUIDs (issue 17, item 11)", () => {
    let before: PlanResult;
    let after: PlanResult;
    beforeAll(async () => {
        before = await basePlan();
        // A group added in the middle of the admin list.
        const middle = "dddddddd-0000-0000-0000-00000000000d";
        after = await planDashboard({ ...BASE, adminGroupObjectIds: [A, middle, B] });
    });

    test("plans without errors", () => {
        expect(before.errors).toEqual([]);
        expect(after.errors).toEqual([]);
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
        for (const n of names) expect(n).toMatch(LOWER_GUID);
        expect(new Set(names).size).toBe(names.length);
        const again = [...assignments(after).values()].map((i) => String(i.roleAssignmentName));
        expect(again).toEqual(expect.arrayContaining(names));
        // The same group as admin and as viewer: two roles, two assignments, two names.
        const both = assignments(after);
        expect(both.get(`dash-admin-${A}`)!.roleAssignmentName).not.toBe(
            both.get(`dash-viewer-${C}`)!.roleAssignmentName,
        );
        for (const inputs of assignments(before).values()) {
            expect(inputs.roleAssignmentName).toBe(
                roleAssignmentName(
                    String(inputs.scope),
                    String(inputs.roleDefinitionId),
                    String(inputs.principalId),
                ),
            );
        }
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
        expect(now.roleAssignmentName).toMatch(LOWER_GUID);
    });

    // A replaced assignment keeps its deterministic name, so the old one must be deleted first:
    // creating the new one beside it would be refused (RoleAssignmentExists, as above).
    test("assignments are deleted before they are replaced", () => {
        const roles = ofType(before, T.role);
        expect(roles).toHaveLength(5);
        for (const r of roles) expect([r.name, r.deleteBeforeReplace]).toEqual([r.name, true]);
    });

    test("each group assignment adopts the one an earlier release named by position", () => {
        const aliasNames = (n: string) =>
            one(before, T.role, n).aliases.map((a) => a.name ?? a.urn);
        expect(aliasNames(`dash-admin-${A}`)).toEqual(["dash-admin-0"]);
        expect(aliasNames(`dash-admin-${B}`)).toEqual(["dash-admin-1"]);
        expect(aliasNames(`dash-viewer-${C}`)).toEqual(["dash-viewer-0"]);
    });
});

describe("the Grafana Admin grant goes to a configured principal (issue 17, item 20)", () => {
    let plan: PlanResult;
    beforeAll(async () => {
        plan = await planDashboard({
            ...BASE,
            deployerPrincipal: { objectId: DEPLOYER, type: "Group" },
        });
        expect(plan.errors).toEqual([]);
    });

    // The caller's identity (getClientConfig) differs between a laptop and Deployments: the
    // grant would move with every run. The configured principal does not.
    test("the deployer grant names the configured object id and type; nothing asks who is calling", () => {
        const deployer = assignments(plan).get("dash-deployer-admin")!;
        expect(deployer).toMatchObject({
            principalId: DEPLOYER,
            principalType: "Group",
            roleDefinitionId: roleId(fd.GRAFANA_ROLES.admin),
        });
        expect(String(deployer.scope)).toMatch(/Microsoft\.Dashboard\/grafana\/multicloud-dev$/);
        expect(
            plan.invokes.filter((i) => i.token === "azure-native:authorization:getClientConfig"),
        ).toEqual([]);
    });

    // principalType: Azure checks it against the principal (UnmatchedPrincipalType) and, for
    // a principal created seconds earlier such as the workspace's identity, it avoids the
    // replication delay error (PrincipalNotFound): "set principalType to ServicePrincipal"
    // (https://learn.microsoft.com/azure/role-based-access-control/role-assignments-template#new-service-principal).
    test("groups are assigned as Group, the workspace's new identity as ServicePrincipal", () => {
        const all = assignments(plan);
        expect(all.get(`dash-admin-${A}`)!.principalType).toBe("Group");
        expect(all.get(`dash-viewer-${C}`)!.principalType).toBe("Group");
        expect(all.get("dash-monitoring-reader")).toMatchObject({
            principalType: "ServicePrincipal",
            scope: RG,
            roleDefinitionId: roleId(fd.GRAFANA_ROLES.monitoringReader),
        });
    });

    test("the built-in roles: Grafana Admin, Grafana Viewer, Monitoring Reader", () => {
        // Azure built-in roles (role-based-access-control/built-in-roles, "Monitor").
        expect(fd.GRAFANA_ROLES).toEqual({
            admin: "22926164-76b3-42b3-bc55-97df8dab3e41",
            viewer: "60921a7e-fef1-4a43-9b16-a26c52ad4769",
            monitoringReader: "43d0d8ad-25c7-4714-9337-8ba259a9fe05",
        });
        const all = assignments(plan);
        expect(all.get(`dash-admin-${A}`)!.roleDefinitionId).toBe(roleId(fd.GRAFANA_ROLES.admin));
        expect(all.get(`dash-viewer-${C}`)!.roleDefinitionId).toBe(roleId(fd.GRAFANA_ROLES.viewer));
    });
});

describe("the Grafana token and refresh, drift detection and destroy (issue 17, item 12)", () => {
    let plan: PlanResult;
    beforeAll(async () => {
        plan = await basePlan();
    });

    // The provider's inputs are kept in the state; `pulumi refresh` and `pulumi destroy` use the
    // kept ones, with a token long expired, unless the program runs ("Running your program on
    // refresh and destroy", https://www.pulumi.com/docs/iac/operations/stack-management/run-program/).
    // The token therefore comes from an invoke in the program, so every run that runs the
    // program (up, and refresh/destroy with PULUMI_RUN_PROGRAM=true) takes a fresh one.
    test("the provider's token is a secret taken by the program, for Azure Managed Grafana's audience", () => {
        const [provider] = ofType(plan, T.grafanaProvider);
        expect(provider.secretPaths).toContain("auth");
        expect(provider.inputs.auth).toBe("offline-plan-arm-token");
        const invoke = plan.invokes.find(
            (i) => i.token === "azure-native:authorization:getClientToken",
        );
        expect(invoke?.inputs.endpoint).toBe("https://dashboard.azure.com");
        expect(fd.GRAFANA_TOKEN_AUDIENCE).toBe("https://dashboard.azure.com");
    });

    test("the provider writes to the workspace's own URL, once every grant exists", () => {
        const [provider] = ofType(plan, T.grafanaProvider);
        expect(String(provider.inputs.url)).toMatch(
            /^https:\/\/multicloud-dev-[0-9a-f]+\.westeurope\.grafana\.azure\.com$/,
        );
        for (const grant of ofType(plan, T.role).filter(
            (r) => r.name !== "dash-monitoring-reader",
        )) {
            expect(provider.dependencies).toContain(grant.urn);
        }
    });

    // deletedWith: "the provider's Delete is not called for this resource if the resource it
    // names is deleted as well" (https://www.pulumi.com/docs/iac/concepts/options/deletedwith/).
    // The workspace takes its data sources, folder and dashboards with it, so destroy, and an
    // update that drops the dashboard, make no Grafana call with the token kept in the state.
    test("every Grafana-side resource is deleted with the workspace, never through Grafana's API", () => {
        const [workspace] = ofType(plan, T.grafana);
        const inside = [T.ds, T.folder, T.grafanaDashboard].flatMap((t) => ofType(plan, t));
        expect(inside.length).toBeGreaterThanOrEqual(3);
        for (const r of inside) expect([r.name, r.deletedWith]).toEqual([r.name, workspace.urn]);
    });
});

describe("the Grafana workspace on create and on the next update (issue 17, item 4)", () => {
    // "The deterministic outbound IP feature is only accessible for customers with a Standard
    // plan" (https://learn.microsoft.com/azure/managed-grafana/how-to-deterministic-ip): the dev
    // stack's Essential workspace would be refused with it enabled.
    test("deterministic outbound IPs on Standard only", async () => {
        const essential = await planDashboard({ ...BASE, sku: "Essential" });
        expect(essential.errors).toEqual([]);
        const [e] = ofType(essential, T.grafana);
        expect(e.inputs).toMatchObject({
            sku: { name: "Essential" },
            properties: { deterministicOutboundIP: "Disabled", zoneRedundancy: "Disabled" },
        });
        const standard = await planDashboard({ ...BASE, sku: "Standard", zoneRedundancy: true });
        const [s] = ofType(standard, T.grafana);
        expect(s.inputs).toMatchObject({
            properties: { deterministicOutboundIP: "Enabled", zoneRedundancy: "Enabled" },
        });

        // "Zone redundancy can only be enabled when creating the Azure Managed Grafana
        // workspace, and can't be modified subsequently"
        // (https://learn.microsoft.com/azure/managed-grafana/how-to-enable-zone-redundancy;
        // terraform-provider-azurerm marks zone_redundancy_enabled ForceNew). A change replaces
        // the workspace; under the same name the old one has to go first.
        expect(s.replaceOnChanges).toContain("properties.zoneRedundancy");
        expect(s.deleteBeforeReplace).toBe(true);
    });

    // The defaults are GRAFANA_DEFAULTS, which the config schema applies too
    // (tests/config/dashboard.test.ts): a workspace planned without them is the one a stack that
    // sets none of them gets.
    test("without sku, version and zone redundancy: Standard, Grafana 11, no zones", async () => {
        // BASE sets none of them: its plan is the bare workspace.
        expect([BASE.sku, BASE.grafanaMajorVersion, BASE.zoneRedundancy]).toEqual([
            undefined,
            undefined,
            undefined,
        ]);
        const plan = await basePlan();
        expect(plan.errors).toEqual([]);
        const [w] = ofType(plan, T.grafana);
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
    });

    test("its own identity, no API keys, in the resource group given", async () => {
        const [w] = ofType(await basePlan(), T.grafana);
        expect(w.inputs).toMatchObject({
            workspaceName: "multicloud-dev",
            resourceGroupName: "fleet-rg",
            location: LOCATION,
            identity: { type: "SystemAssigned" },
            properties: { apiKey: "Disabled" },
        });
    });
});

describe("data sources and dashboards, for the clouds a stack runs", () => {
    let all: PlanResult;
    let azureOnly: PlanResult;
    beforeAll(async () => {
        all = await planDashboard({
            ...BASE,
            cloudWatch: CLOUD_WATCH,
            cloudMonitoring: CLOUD_MONITORING,
        });
        azureOnly = await basePlan();
        expect(all.errors).toEqual([]);
    });

    test("one data source per cloud, each without a long-lived key where the cloud allows it", () => {
        expect(
            ofType(all, T.ds)
                .map((s) => s.inputs.uid)
                .sort(),
        ).toEqual(["fleet-azure-monitor", "fleet-cloud-monitoring", "fleet-cloudwatch"]);
        // Azure Monitor as the workspace's own identity: no secret at all.
        const azure = dataSource(all, "fleet-azure-monitor");
        expect(json(azure, "jsonDataEncoded")).toEqual({
            azureAuthType: "msi",
            subscriptionId: SUB,
        });
        expect(azure.inputs.secureJsonDataEncoded).toBeUndefined();
        // CloudWatch: a key that may only assume the read-only role, with the external id.
        const cw = dataSource(all, "fleet-cloudwatch");
        expect(json(cw, "jsonDataEncoded")).toEqual({
            authType: "keys",
            defaultRegion: CLOUD_WATCH.region,
            assumeRoleArn: CLOUD_WATCH.roleArn,
            externalId: CLOUD_WATCH.externalId,
        });
        expect(isSecretAt(cw, "secureJsonDataEncoded")).toBe(true);
        expect(json(cw, "secureJsonDataEncoded")).toEqual({
            accessKey: CLOUD_WATCH.accessKeyId,
            secretKey: CLOUD_WATCH.secretAccessKey,
        });
        // Cloud Monitoring: a service-account key, the token URI Google's unless given.
        const gcp = dataSource(all, "fleet-cloud-monitoring");
        expect(json(gcp, "jsonDataEncoded")).toEqual({
            authenticationType: "jwt",
            defaultProject: CLOUD_MONITORING.project,
            clientEmail: CLOUD_MONITORING.clientEmail,
            tokenUri: GOOGLE_TOKEN_URI,
        });
        expect(isSecretAt(gcp, "secureJsonDataEncoded")).toBe(true);
        expect(json(gcp, "secureJsonDataEncoded")).toEqual({
            privateKey: CLOUD_MONITORING.privateKey,
        });
    });

    test("the dashboards are rendered with the values given, after their data sources", () => {
        const [d] = ofType(all, T.grafanaDashboard);
        expect(variablesOf(renderedOf(all))).toEqual({
            aws_region: CLOUD_WATCH.region,
            asg_name: CLOUD_WATCH.asgName,
            alb: CLOUD_WATCH.albArnSuffix,
            target_group: CLOUD_WATCH.targetGroupArnSuffix,
            web_acl: CLOUD_WATCH.webAclName,
            gcp_project: CLOUD_MONITORING.project,
            azure_subscription: SUB,
            log_analytics_workspace: WORKSPACE_ID,
        });
        expect(panelUids(renderedOf(all)).size).toBe(3);
        for (const ds of ofType(all, T.ds)) expect(d.dependencies).toContain(ds.urn);
        expect(d.inputs).toMatchObject({
            overwrite: true,
            message: "Rendered by Pulumi from dashboards/fleet.json",
        });
        // A replacement keeps the uid: created first, the new dashboard would be deleted with
        // the old one (terraform-provider-grafana resource_dashboard.go DeleteDashboard).
        expect(d.deleteBeforeReplace).toBe(true);
    });

    test("without the other clouds, their data sources, panels and variables are left out", () => {
        expect(ofType(azureOnly, T.ds).map((s) => s.inputs.uid)).toEqual(["fleet-azure-monitor"]);
        const model = renderedOf(azureOnly);
        expect([...panelUids(model)]).toEqual(["fleet-azure-monitor"]);
        expect(Object.keys(variablesOf(model)).sort()).toEqual([
            "azure_subscription",
            "log_analytics_workspace",
        ]);
        expect(JSON.stringify(model)).not.toContain("fleet-cloudwatch");
        expect(JSON.stringify(model)).not.toContain("gcp_project");
    });

    test("exports the workspace's URL, the data sources and each dashboard's URL by uid", () => {
        const outputs = one(all, T.dashboard, "dash").outputs as Record<string, unknown>;
        const url = String(outputs.url);
        expect(url).toMatch(/\.grafana\.azure\.com$/);
        expect(outputs).toEqual({
            url,
            workspaceId: `${RG}/providers/Microsoft.Dashboard/grafana/multicloud-dev`,
            dataSourceUids: ["fleet-azure-monitor", "fleet-cloudwatch", "fleet-cloud-monitoring"],
            dashboardUrls: { "multicloud-fleet": `${url}/d/multicloud-fleet` },
        });
    });
});

describe("in the committed prod stack", () => {
    let prod: PlanResult;
    beforeAll(async () => {
        prod = await planStack("prod");
    });

    test("prod plans without errors", () => {
        expect(prod.errors).toEqual([]);
    });

    test("the Grafana workspace: Standard, its own identity, no API keys, in the fleet's resource group", () => {
        const [g] = ofType(prod, T.grafana);
        expect(g.inputs).toMatchObject({
            workspaceName: "multicloud-prod",
            sku: { name: "Standard" },
            identity: { type: "SystemAssigned" },
            properties: { apiKey: "Disabled", grafanaMajorVersion: "11" },
        });
        expect(g.inputs.resourceGroupName).toBe(
            ofType(prod, "azure-native:resources:ResourceGroup")[0].inputs.resourceGroupName,
        );
    });

    test("the workspace's identity reads the fleet's resource group only; the deployer is Grafana Admin", () => {
        const roles = ofType(prod, T.role).filter((r) => r.name.startsWith("fleet-dashboard"));
        const reader = roles.find((r) => r.name === "fleet-dashboard-monitoring-reader")!;
        expect(reader.inputs.roleDefinitionId).toBe(roleId(fd.GRAFANA_ROLES.monitoringReader));
        expect(reader.inputs.scope).toMatch(
            new RegExp(`^/subscriptions/${SUB}/resourceGroups/[^/]+$`),
        );
        expect(reader.inputs.principalType).toBe("ServicePrincipal");
        const deployer = roles.find((r) => r.name === "fleet-dashboard-deployer-admin")!;
        expect(String(deployer.inputs.roleDefinitionId)).toMatch(fd.GRAFANA_ROLES.admin);
        expect(String(deployer.inputs.scope)).toMatch(
            /Microsoft\.Dashboard\/grafana\/multicloud-prod$/,
        );
    });

    test("the Grafana provider signs in with a secret Entra ID token at the workspace's URL", () => {
        const [p] = ofType(prod, T.grafanaProvider);
        expect(String(p.inputs.url)).toMatch(
            /^https:\/\/multicloud-prod-[0-9a-f]+\..+\.grafana\.azure\.com$/,
        );
        expect(isSecretAt(p, "auth")).toBe(true);
        const token = prod.invokes.find(
            (i) => i.token === "azure-native:authorization:getClientToken" && i.inputs.endpoint,
        );
        expect(token?.inputs.endpoint).toBe("https://dashboard.azure.com");
    });

    test("one data source per cloud, fed by the stack's readers", () => {
        const sources = ofType(prod, T.ds);
        expect(sources.map((s) => s.inputs.uid).sort()).toEqual([
            "fleet-azure-monitor",
            "fleet-cloud-monitoring",
            "fleet-cloudwatch",
        ]);
        const azure = dataSource(prod, "fleet-azure-monitor");
        expect(json(azure, "jsonDataEncoded")).toEqual({
            azureAuthType: "msi",
            subscriptionId: SUB,
        });
        expect(azure.inputs.secureJsonDataEncoded).toBeUndefined();

        const cw = dataSource(prod, "fleet-cloudwatch");
        const role = one(prod, "aws:iam/role:Role", "dashboard-cloudwatch");
        expect(json(cw, "jsonDataEncoded")).toMatchObject({
            authType: "keys",
            defaultRegion: "us-east-1",
            externalId: "multicloud-prod-grafana",
        });
        expect(json(cw, "jsonDataEncoded").assumeRoleArn).toMatch(/^arn:aws:iam:/);
        expect(isSecretAt(cw, "secureJsonDataEncoded")).toBe(true);
        expect(Object.keys(json(cw, "secureJsonDataEncoded")).sort()).toEqual([
            "accessKey",
            "secretKey",
        ]);
        // The key's user may only assume the read-only role, and only with the external id.
        const trust = JSON.parse(String(role.inputs.assumeRolePolicy));
        expect(trust.Statement[0].Condition).toEqual({
            StringEquals: { "sts:ExternalId": "multicloud-prod-grafana" },
        });
        const userPolicy = JSON.parse(
            String(
                one(prod, "aws:iam/userPolicy:UserPolicy", "dashboard-cloudwatch-assume").inputs
                    .policy,
            ),
        );
        expect(userPolicy.Statement).toEqual([
            {
                Effect: "Allow",
                Action: "sts:AssumeRole",
                Resource: expect.stringMatching(/^arn:aws:iam:/),
            },
        ]);

        const gcp = dataSource(prod, "fleet-cloud-monitoring");
        expect(json(gcp, "jsonDataEncoded")).toMatchObject({
            authenticationType: "jwt",
            tokenUri: "https://oauth2.googleapis.com/token",
            clientEmail: expect.stringMatching(/^grafana-prod@/),
        });
        expect(isSecretAt(gcp, "secureJsonDataEncoded")).toBe(true);
        expect(String(json(gcp, "secureJsonDataEncoded").privateKey)).toMatch(/BEGIN PRIVATE KEY/);
        const member = one(
            prod,
            "gcp:projects/iAMMember:IAMMember",
            "dashboard-monitoring-monitoring-viewer",
        );
        expect(member.inputs.role).toBe("roles/monitoring.viewer");
    });

    test("the fleet dashboard is rendered with this stack's names: its ASG, its ALB, its web ACL, its workspace", () => {
        const [d] = ofType(prod, T.grafanaDashboard);
        const model = renderedOf(prod);
        const vars = variablesOf(model);
        expect(vars.asg_name).toBe((prod.outputs.aws as { groupName: string }).groupName);
        expect(vars.alb).toMatch(/^app\/.+\/[0-9a-f]+$/);
        expect(vars.target_group).toMatch(/^targetgroup\/.+\/[0-9a-f]+$/);
        expect(vars.web_acl).toBe(one(prod, "aws:wafv2/webAcl:WebAcl", "app-waf").inputs.name);
        expect(vars.log_analytics_workspace).toMatch(
            /Microsoft\.OperationalInsights\/workspaces\//,
        );
        expect(vars.gcp_project).toBe(
            json(dataSource(prod, "fleet-cloud-monitoring"), "jsonDataEncoded").defaultProject,
        );
        expect(panelUids(model).size).toBe(3);
        // It waits for its data sources.
        for (const ds of ofType(prod, T.ds)) expect(d.dependencies).toContain(ds.urn);
    });

    test("stack outputs: the dashboard URL and the web ACL ARN, and no secret in plain sight", () => {
        const dashboard = prod.outputs.dashboard as {
            url: string;
            dashboards: Record<string, string>;
        };
        expect(dashboard.url).toMatch(/grafana\.azure\.com$/);
        expect(dashboard.dashboards["multicloud-fleet"]).toBe(
            `${dashboard.url}/d/multicloud-fleet`,
        );
        expect((prod.outputs.aws as { webAclArn: string }).webAclArn).toMatch(
            /^arn:aws:wafv2:us-east-1:\d{12}:regional\/webacl\//,
        );
        const text = JSON.stringify(prod.outputs);
        expect(text).not.toMatch(/PRIVATE KEY|mock-secret-of/);
    });

    // The dashboard's WAF panel counts what this ACL blocks; the ingress of every cluster
    // enforces the same app.rateLimit (400 per minute, bursts of 5x).
    test("the web ACL sits on the ALB with the rate limit the ingress enforces", () => {
        const acl = one(prod, "aws:wafv2/webAcl:WebAcl", "app-waf");
        const rules = acl.inputs.rules as {
            name: string;
            statement: { rateBasedStatement?: Record<string, unknown> };
        }[];
        const rate = rules.find((r) => r.statement.rateBasedStatement)!;
        expect(rate.statement.rateBasedStatement).toMatchObject({
            limit: 2000,
            aggregateKeyType: "IP",
            evaluationWindowSec: 300,
        });
        const [assoc] = ofType(prod, "aws:wafv2/webAclAssociation:WebAclAssociation");
        expect(assoc.inputs.resourceArn).toMatch(/:loadbalancer\/app\//);
        const ingress = ofType(prod, "kubernetes:networking.k8s.io/v1:Ingress")[0];
        const annotations = (ingress.inputs.metadata as { annotations: Record<string, string> })
            .annotations;
        expect(annotations["nginx.ingress.kubernetes.io/limit-rpm"]).toBe("400");
        expect(annotations["nginx.ingress.kubernetes.io/limit-burst-multiplier"]).toBe("5");
    });
});

describe("the committed prod stack with a cloud switched off", () => {
    const GRAFANA_SIDE = [
        T.grafana,
        T.grafanaProvider,
        T.ds,
        T.grafanaDashboard,
        T.folder,
        T.dashboard,
        "multicloud:aws:CloudWatchReader",
        "multicloud:gcp:MonitoringReader",
    ];

    test("without AWS: no CloudWatch reader, data source, panel or web ACL; the rest stays", async () => {
        const plan = await planStack("prod", {
            "aws.enabled": false,
            "appImage.registries": ["gcp", "azure"],
        });
        expect(plan.errors).toEqual([]);
        expect(ofType(plan, "multicloud:aws:CloudWatchReader")).toEqual([]);
        expect(ofType(plan, "aws:wafv2/webAcl:WebAcl")).toEqual([]);
        expect(
            ofType(plan, T.ds)
                .map((s) => s.inputs.uid)
                .sort(),
        ).toEqual(["fleet-azure-monitor", "fleet-cloud-monitoring"]);
        expect(JSON.stringify(renderedOf(plan))).not.toContain("fleet-cloudwatch");
        expect(plan.outputs.aws).toBeNull();
    });

    test("without Google Cloud: no service account, key, data source or GKE panel", async () => {
        const plan = await planStack("prod", {
            "gcp.enabled": false,
            "appImage.registries": ["aws", "azure"],
            "edge.anthos.enabled": false,
        });
        expect(plan.errors).toEqual([]);
        expect(ofType(plan, "multicloud:gcp:MonitoringReader")).toEqual([]);
        expect(ofType(plan, "gcp:serviceaccount/key:Key")).toEqual([]);
        const model = renderedOf(plan);
        expect(JSON.stringify(model)).not.toContain("fleet-cloud-monitoring");
        expect(JSON.stringify(model)).not.toContain("gcp_project");
    });

    test.each([
        [
            "without Azure",
            { "azure.enabled": false, "appImage.registries": ["aws", "gcp"], "edge.sites": [] },
        ],
        ["with dashboard.enabled false", { "dashboard.enabled": false }],
    ])("%s: no Grafana at all, and a null output", async (_, overrides) => {
        const plan = await planStack("prod", overrides);
        expect(plan.errors).toEqual([]);
        for (const type of GRAFANA_SIDE) expect([type, ofType(plan, type)]).toEqual([type, []]);
        expect(plan.outputs.dashboard).toBeNull();
    });
});
