/**
 * The fleet dashboard: the repository's dashboard JSON and its checks, the rendering that drops
 * what a stack switches off, the Grafana workspace with its data sources and dashboards under
 * the mock engine, and the rate limit that reaches both the AWS web ACL and every ingress.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { RecordedResource } from "../../plan/mocks";
import type { PlanResult } from "../../plan/run";
import { parseStackConfig } from "../../config";
import {
    DASHBOARD_VARIABLES,
    dashboardProblems,
    DashboardModel,
    FLEET_DATA_SOURCES,
    GRAFANA_ROLES,
    loadDashboards,
    renderDashboard,
    validateFleetDashboardArgs,
} from "../../components/azure/FleetDashboard";
import { validateCloudWatchReaderArgs } from "../../components/aws/CloudWatchReader";
import { validateMonitoringReaderArgs } from "../../components/gcp/MonitoringReader";
import { ofType, one, planStack, PROJECT_DIR } from "../harness";

const T = {
    grafana: "azure-native:dashboard:Grafana",
    role: "azure-native:authorization:RoleAssignment",
    provider: "pulumi:providers:grafana",
    ds: "grafana:oss/dataSource:DataSource",
    dashboard: "grafana:oss/dashboard:Dashboard",
    folder: "grafana:oss/folder:Folder",
    component: "multicloud:azure:FleetDashboard",
    cwReader: "multicloud:aws:CloudWatchReader",
    gcpReader: "multicloud:gcp:MonitoringReader",
    webAcl: "aws:wafv2/webAcl:WebAcl",
    association: "aws:wafv2/webAclAssociation:WebAclAssociation",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    asg: "aws:autoscaling/group:Group",
    rg: "azure-native:resources:ResourceGroup",
    workspace: "azure-native:operationalinsights:Workspace",
};
const SUB = "11111111-1111-1111-1111-111111111111";
const FLEET = loadDashboards(PROJECT_DIR);
const fleetModel = () => FLEET.dashboards.find((d) => d.file === "dashboards/fleet.json")!.model;

interface Panel {
    id: number;
    type: string;
    title: string;
    datasource?: { type: string; uid: string };
    targets?: Record<string, unknown>[];
}
const panelsOf = (m: DashboardModel) => m.panels as Panel[];
const clone = (m: DashboardModel) => JSON.parse(JSON.stringify(m)) as DashboardModel;
const firstPanel = (m: DashboardModel, uid: string) =>
    panelsOf(m).find((p) => p.datasource?.uid === uid)!;
const isSecretAt = (r: RecordedResource, at: string) =>
    r.secretPaths.some((p) => at === p || at.startsWith(`${p}.`));
const json = (r: RecordedResource, key: string) =>
    JSON.parse(String(r.inputs[key])) as Record<string, unknown>;

describe("the repository's dashboards", () => {
    test("every file passes the checks the program runs before any resource", () => {
        expect(FLEET.problems).toEqual([]);
        expect(FLEET.dashboards.map((d) => d.file)).toContain("dashboards/fleet.json");
    });

    test("the fleet dashboard has panels for every cloud, each reading a data source the program creates", () => {
        const panels = panelsOf(fleetModel()).filter((p) => p.type !== "row");
        const uids = new Set(panels.map((p) => p.datasource!.uid));
        expect([...uids].sort()).toEqual(Object.keys(FLEET_DATA_SOURCES).sort());
        for (const p of panels) {
            expect(Object.keys(FLEET_DATA_SOURCES)).toContain(p.datasource!.uid);
            expect(p.targets!.length).toBeGreaterThan(0);
        }
    });

    test("the panels the issue asks for exist: ASG size against bounds, request rate, 5xx, p95, per-cluster CPU, memory, network", () => {
        const text = JSON.stringify(fleetModel());
        for (const metric of [
            "GroupMinSize",
            "GroupMaxSize",
            "GroupInServiceInstances",
            "RequestCount",
            "HTTPCode_Target_5XX_Count",
            "TargetResponseTime",
            "BlockedRequests",
            "kubernetes.io/node/cpu/allocatable_utilization",
            "kubernetes.io/node/memory/allocatable_utilization",
            "KubeNodeInventory",
        ]) {
            expect(text).toContain(metric);
        }
        expect(text).toMatch(/p95/);
    });
});

describe("dashboardProblems", () => {
    test("a panel that names an unknown data source is refused, naming the file, the panel and the fix", () => {
        const model = clone(fleetModel());
        const panel = firstPanel(model, "fleet-cloudwatch");
        panel.datasource = { type: "prometheus", uid: "my-prometheus" };
        expect(dashboardProblems("dashboards/fleet.json", model)).toEqual([
            `dashboards/fleet.json: panel ${panel.id} '${panel.title}' names data source 'my-prometheus', which the program does not create: use one of fleet-azure-monitor, fleet-cloudwatch, fleet-cloud-monitoring`,
        ]);
    });

    test("a panel without a data source, a query on another data source, and a wrong type are each refused", () => {
        const model = clone(fleetModel());
        const [a, b, c] = panelsOf(model).filter((p) => p.type !== "row");
        delete a.datasource;
        b.targets![0].datasource = { type: "stackdriver", uid: "fleet-cloud-monitoring" };
        c.datasource = { type: "loki", uid: c.datasource!.uid };
        const problems = dashboardProblems("f.json", model);
        expect(problems).toContain(
            `f.json: panel ${a.id} '${a.title}' names no data source: set "datasource": { "type": ..., "uid": ... } to one the program creates (fleet-azure-monitor, fleet-cloudwatch, fleet-cloud-monitoring)`,
        );
        expect(problems).toContain(
            `f.json: panel ${b.id} '${b.title}' query 0 names data source 'fleet-cloud-monitoring', the panel '${b.datasource!.uid}': a panel reads one data source, so that the panel can vanish with its cloud`,
        );
        expect(
            problems.some((p) => p.includes(`panel ${c.id} '${c.title}' gives data source`)),
        ).toBe(true);
    });

    test("variables the program does not fill, or of another cloud, are refused", () => {
        const model = clone(fleetModel());
        const cw = firstPanel(model, "fleet-cloudwatch");
        cw.targets![0].region = "$gcp_project";
        const am = firstPanel(model, "fleet-azure-monitor");
        am.targets![0].extra = "${cluster}";
        const problems = dashboardProblems("f.json", model);
        expect(problems).toContain(
            `f.json: panel ${cw.id} '${cw.title}' reads fleet-cloudwatch (aws) but uses $gcp_project, a gcp variable: it would be empty where gcp is off`,
        );
        expect(problems).toContain(
            `f.json: panel ${am.id} '${am.title}' uses variable $cluster, which the program does not fill: use one of ${Object.keys(DASHBOARD_VARIABLES).join(", ")}`,
        );
    });

    test("duplicate panel ids, a fixed id and a missing uid are refused; Grafana's own $__ macros are not variables", () => {
        const model = clone(fleetModel()) as Record<string, unknown>;
        const [a, b] = panelsOf(model as DashboardModel);
        b.id = a.id;
        model.id = 7;
        delete model.uid;
        const problems = dashboardProblems("f.json", model);
        expect(problems).toContain(
            `f.json: panel ${a.id} '${b.title}' needs a numeric id no other panel has`,
        );
        expect(problems).toContain(
            `f.json: remove "id" (Grafana assigns it; the uid identifies the dashboard)`,
        );
        expect(problems).toContain(
            "f.json: uid must be 1-40 letters, digits, _ or - (it keeps the dashboard's URL stable)",
        );
        expect(problems.some((p) => p.includes("$__"))).toBe(false);
    });
});

describe("loadDashboards", () => {
    const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), "dashboards-"));
    test("reports invalid JSON, a shared uid and a missing folder", () => {
        const project = dir();
        fs.mkdirSync(path.join(project, "dashboards"));
        const good = JSON.stringify(fleetModel());
        fs.writeFileSync(path.join(project, "dashboards", "a.json"), good);
        fs.writeFileSync(path.join(project, "dashboards", "b.json"), good);
        fs.writeFileSync(path.join(project, "dashboards", "c.json"), "{ nope");
        const { dashboards, problems } = loadDashboards(project);
        expect(dashboards.map((d) => d.file)).toEqual(["dashboards/a.json", "dashboards/b.json"]);
        expect(problems[0]).toMatch(/^dashboards\/c\.json is not valid JSON: /);
        expect(problems[1]).toBe(
            "dashboards/b.json has the uid 'multicloud-fleet' of dashboards/a.json: give it its own",
        );
        expect(loadDashboards(dir()).problems).toEqual([
            "dashboards/ is missing: the fleet dashboard is rendered from its *.json files; restore dashboards/fleet.json from the repository, or set dashboard.enabled to false",
        ]);
    });
});

describe("renderDashboard", () => {
    const values = {
        aws_region: "eu-west-1",
        asg_name: "app-asg-1",
        alb: "app/app-alb/abc",
        target_group: "targetgroup/app-tg/def",
        web_acl: "multicloud-prod-app-waf",
        gcp_project: "p-1",
        azure_subscription: SUB,
        log_analytics_workspace: "/subscriptions/x/ws",
    };
    const uidsOf = (m: DashboardModel) =>
        new Set(panelsOf(m).flatMap((p) => (p.datasource ? [p.datasource.uid] : [])));

    test("with every cloud on, every panel stays and the variables carry the stack's values", () => {
        const all = renderDashboard(fleetModel(), new Set(["aws", "gcp", "azure"]), values);
        expect(panelsOf(all)).toHaveLength(panelsOf(fleetModel()).length);
        const vars = (all.templating as { list: { name: string; query: string }[] }).list;
        expect(Object.fromEntries(vars.map((v) => [v.name, v.query]))).toEqual(values);
    });

    test("a cloud switched off takes its panels, its rows and its variables with it", () => {
        const azureOnly = renderDashboard(fleetModel(), new Set(["azure"]), values);
        expect([...uidsOf(azureOnly)]).toEqual(["fleet-azure-monitor"]);
        const vars = (azureOnly.templating as { list: { name: string }[] }).list.map((v) => v.name);
        expect(vars.sort()).toEqual(["azure_subscription", "log_analytics_workspace"]);
        // Every row left has a panel under it.
        const panels = panelsOf(azureOnly);
        panels.forEach((p, i) => {
            if (p.type === "row") expect(panels[i + 1]?.type).not.toBe("row");
        });
        expect(panels[panels.length - 1].type).not.toBe("row");
        const noGcp = renderDashboard(fleetModel(), new Set(["aws", "azure"]), values);
        expect([...uidsOf(noGcp)].sort()).toEqual(["fleet-azure-monitor", "fleet-cloudwatch"]);
        // The repository's model is left as it was.
        expect(uidsOf(fleetModel()).size).toBe(3);
    });
});

describe("under the mock engine", () => {
    let prod: PlanResult;
    beforeAll(async () => {
        prod = await planStack("prod");
    }, 120_000);

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
        expect(g.inputs.resourceGroupName).toBe(ofType(prod, T.rg)[0].inputs.resourceGroupName);
    });

    test("the workspace's identity reads the fleet's resource group only; the deployer is Grafana Admin", () => {
        const roles = ofType(prod, T.role).filter((r) => r.name.startsWith("fleet-dashboard"));
        const reader = roles.find((r) => r.name === "fleet-dashboard-monitoring-reader")!;
        expect(reader.inputs.roleDefinitionId).toBe(
            `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${GRAFANA_ROLES.monitoringReader}`,
        );
        expect(reader.inputs.scope).toMatch(
            new RegExp(`^/subscriptions/${SUB}/resourceGroups/[^/]+$`),
        );
        expect(reader.inputs.principalType).toBe("ServicePrincipal");
        const deployer = roles.find((r) => r.name === "fleet-dashboard-deployer-admin")!;
        expect(String(deployer.inputs.roleDefinitionId)).toMatch(GRAFANA_ROLES.admin);
        expect(String(deployer.inputs.scope)).toMatch(
            /Microsoft\.Dashboard\/grafana\/multicloud-prod$/,
        );
    });

    test("the Grafana provider signs in with a secret Entra ID token at the workspace's URL", () => {
        const [p] = ofType(prod, T.provider);
        expect(String(p.inputs.url)).toMatch(
            /^https:\/\/multicloud-prod-[0-9a-f]+\..+\.grafana\.azure\.com$/,
        );
        expect(isSecretAt(p, "auth")).toBe(true);
        const token = prod.invokes.find(
            (i) => i.token === "azure-native:authorization:getClientToken" && i.inputs.endpoint,
        );
        expect(token?.inputs.endpoint).toBe("https://dashboard.azure.com");
    });

    test("one data source per cloud, each without a long-lived key where the cloud allows it", () => {
        const sources = ofType(prod, T.ds);
        expect(sources.map((s) => s.inputs.uid).sort()).toEqual(
            Object.keys(FLEET_DATA_SOURCES).sort(),
        );
        const by = (uid: string) => sources.find((s) => s.inputs.uid === uid)!;
        const azure = by("fleet-azure-monitor");
        expect(json(azure, "jsonDataEncoded")).toEqual({
            azureAuthType: "msi",
            subscriptionId: SUB,
        });
        expect(azure.inputs.secureJsonDataEncoded).toBeUndefined();

        const cw = by("fleet-cloudwatch");
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

        const gcp = by("fleet-cloud-monitoring");
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
        const [d] = ofType(prod, T.dashboard);
        const model = JSON.parse(String(d.inputs.configJson)) as DashboardModel;
        const vars = Object.fromEntries(
            (model.templating as { list: { name: string; query: string }[] }).list.map((v) => [
                v.name,
                v.query,
            ]),
        );
        expect(vars.asg_name).toBe((prod.outputs.aws as { groupName: string }).groupName);
        expect(vars.alb).toMatch(/^app\/.+\/[0-9a-f]+$/);
        expect(vars.target_group).toMatch(/^targetgroup\/.+\/[0-9a-f]+$/);
        expect(vars.web_acl).toBe(one(prod, T.webAcl, "app-waf").inputs.name);
        expect(vars.log_analytics_workspace).toMatch(
            /Microsoft\.OperationalInsights\/workspaces\//,
        );
        expect(vars.gcp_project).toBe(
            json(
                ofType(prod, T.ds).find((s) => s.inputs.uid === "fleet-cloud-monitoring")!,
                "jsonDataEncoded",
            ).defaultProject,
        );
        expect(
            new Set(panelsOf(model).flatMap((p) => (p.datasource ? [p.datasource.uid] : []))).size,
        ).toBe(3);
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

    test("the web ACL sits on the ALB with the rate limit the ingress enforces", () => {
        const acl = one(prod, T.webAcl, "app-waf");
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
        const [assoc] = ofType(prod, T.association);
        expect(assoc.inputs.resourceArn).toMatch(/:loadbalancer\/app\//);
        const ingress = ofType(prod, T.ingress)[0];
        const annotations = (ingress.inputs.metadata as { annotations: Record<string, string> })
            .annotations;
        expect(annotations["nginx.ingress.kubernetes.io/limit-rpm"]).toBe("400");
        expect(annotations["nginx.ingress.kubernetes.io/limit-burst-multiplier"]).toBe("5");
    });
});

describe("clouds switched off", () => {
    test("without AWS: no CloudWatch reader, data source, panel or web ACL; the rest stays", async () => {
        const plan = await planStack("prod", {
            "aws.enabled": false,
            "appImage.registries": ["gcp", "azure"],
        });
        expect(plan.errors).toEqual([]);
        expect(ofType(plan, T.cwReader)).toEqual([]);
        expect(ofType(plan, T.webAcl)).toEqual([]);
        expect(
            ofType(plan, T.ds)
                .map((s) => s.inputs.uid)
                .sort(),
        ).toEqual(["fleet-azure-monitor", "fleet-cloud-monitoring"]);
        const model = JSON.parse(
            String(ofType(plan, T.dashboard)[0].inputs.configJson),
        ) as DashboardModel;
        expect(JSON.stringify(model)).not.toContain("fleet-cloudwatch");
        expect(plan.outputs.aws).toBeNull();
    }, 120_000);

    test("without Google Cloud: no service account, key, data source or GKE panel", async () => {
        const plan = await planStack("prod", {
            "gcp.enabled": false,
            "appImage.registries": ["aws", "azure"],
            "edge.anthos.enabled": false,
        });
        expect(plan.errors).toEqual([]);
        expect(ofType(plan, T.gcpReader)).toEqual([]);
        expect(ofType(plan, "gcp:serviceaccount/key:Key")).toEqual([]);
        const model = JSON.parse(
            String(ofType(plan, T.dashboard)[0].inputs.configJson),
        ) as DashboardModel;
        expect(JSON.stringify(model)).not.toContain("fleet-cloud-monitoring");
        expect(JSON.stringify(model)).not.toContain("gcp_project");
    }, 120_000);

    test("without Azure, or with dashboard.enabled false: no Grafana at all, and a null output", async () => {
        for (const overrides of [
            { "azure.enabled": false, "appImage.registries": ["aws", "gcp"], "edge.sites": [] },
            { "dashboard.enabled": false },
        ]) {
            const plan = await planStack("prod", overrides);
            expect(plan.errors).toEqual([]);
            for (const type of [
                T.grafana,
                T.provider,
                T.ds,
                T.dashboard,
                T.folder,
                T.component,
                T.cwReader,
                T.gcpReader,
            ]) {
                expect(ofType(plan, type)).toEqual([]);
            }
            expect(plan.outputs.dashboard).toBeNull();
        }
    }, 240_000);
});

describe("bad input, before any resource", () => {
    test("a rate limit below AWS WAF's minimum", async () => {
        const plan = await planStack("prod", { "app.rateLimit.requestsPer5Minutes": 9 });
        expect(plan.errors.join("\n")).toContain(
            "multicloud:app.rateLimit.requestsPer5Minutes must be at least 10: AWS WAF's rate-based rules count no fewer than 10 requests per 5 minutes",
        );
        expect(plan.resources.filter((r) => r.custom)).toEqual([]);
    }, 120_000);

    test("a dashboard panel that names an unknown data source", () => {
        const project = fs.mkdtempSync(path.join(os.tmpdir(), "project-"));
        fs.mkdirSync(path.join(project, "dashboards"));
        const model = clone(fleetModel());
        const panel = firstPanel(model, "fleet-azure-monitor");
        panel.datasource = { type: "influxdb", uid: "influx" };
        fs.writeFileSync(path.join(project, "dashboards", "fleet.json"), JSON.stringify(model));
        const raw = {
            "multicloud:environment": "prod",
            "multicloud:app": JSON.stringify({
                image: `r.example.com/app@sha256:${"0".repeat(64)}`,
                ingress: { host: "app.example.com" },
            }),
            "multicloud:appImage": JSON.stringify({ build: false }),
            "multicloud:dashboard": JSON.stringify({ deployerObjectId: SUB }),
            "multicloud:azure": JSON.stringify({
                enabled: true,
                subscriptionId: SUB,
                location: "westeurope",
                gitops: { url: "https://example.com/fleet.git" },
            }),
        };
        expect(() => parseStackConfig(raw, "multicloud", "prod", [], project)).toThrow(
            `dashboards/fleet.json: panel ${panel.id} '${panel.title}' names data source 'influx', which the program does not create: use one of fleet-azure-monitor, fleet-cloudwatch, fleet-cloud-monitoring`,
        );
        // The same config with the dashboard off needs no dashboards/.
        expect(() =>
            parseStackConfig(
                { ...raw, "multicloud:dashboard": JSON.stringify({ enabled: false }) },
                "multicloud",
                "prod",
                [],
                project,
            ),
        ).not.toThrow();
    });

    test("zone redundancy on the Essential plan", () => {
        expect(() =>
            parseStackConfig(
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
                        gitops: { url: "https://example.com/fleet.git" },
                    }),
                    "multicloud:dashboard": JSON.stringify({
                        sku: "Essential",
                        zoneRedundancy: true,
                    }),
                },
                "multicloud",
                "dev",
            ),
        ).toThrow(
            "multicloud:dashboard.zoneRedundancy needs the Standard plan: set dashboard.sku to Standard, or dashboard.zoneRedundancy to false",
        );
    });
});

describe("the components' own argument checks", () => {
    test("FleetDashboard, CloudWatchReader and MonitoringReader name every bad argument", () => {
        expect(
            validateFleetDashboardArgs({
                resourceGroupName: "rg",
                resourceGroupId: "/subscriptions/x/resourceGroups/rg",
                subscriptionId: "not-a-guid",
                location: "westeurope",
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
        expect(
            validateCloudWatchReaderArgs({ externalId: "x", credentialRotation: "a b" }),
        ).toEqual([
            "externalId 'x' must be 2-1224 letters, digits or +=,.@:/-_ (IAM's rule for sts:ExternalId)",
            "credentialRotation 'a b' must be a short label such as 2026-11",
        ]);
        expect(validateMonitoringReaderArgs({ project: "p", accountId: "grafana_prod" })).toEqual([
            "accountId 'grafana_prod' must be 6-30 lowercase letters, digits or hyphens, starting with a letter",
        ]);
    });
});
