/**
 * components/azure/dashboards.ts: the fleet dashboard's rules without SDK imports, read by the
 * stack config (config/dashboard.ts, tests/config/dashboard.test.ts) and FleetDashboard
 * (FleetDashboard.test.ts): the workspace's name, plan, Grafana version and zone redundancy, and
 * the dashboards of `dashboards/`, checked and rendered for the clouds a stack runs.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    DASHBOARD_VARIABLES,
    dashboardProblems,
    type DashboardModel,
    FLEET_DATA_SOURCES,
    GRAFANA_DEFAULTS,
    GRAFANA_MAJOR_VERSION,
    GRAFANA_MAJOR_VERSION_RULE,
    GRAFANA_SKUS,
    GRAFANA_WORKSPACE_NAME,
    GRAFANA_WORKSPACE_NAME_LENGTH,
    GRAFANA_WORKSPACE_NAME_MAX_LENGTH,
    GRAFANA_WORKSPACE_NAME_RULE,
    loadDashboards,
    PRINCIPAL_TYPES,
    renderDashboard,
    zoneRedundancyProblem,
} from "../../../components/azure/dashboards";
import { PROJECT_DIR } from "../../harness";
import { SUB } from "./fixtures";

const FLEET = loadDashboards(PROJECT_DIR);
const fleetModel = () => FLEET.dashboards.find((d) => d.file === "dashboards/fleet.json")!.model;

interface Panel {
    id: number;
    type: string;
    title: string;
    datasource?: { type: string; uid: string };
    targets?: Record<string, unknown>[];
    panels?: Panel[];
}
const panelsOf = (m: DashboardModel) => m.panels as Panel[];
const clone = (m: DashboardModel) => JSON.parse(JSON.stringify(m)) as DashboardModel;
const firstPanel = (m: DashboardModel, uid: string) =>
    panelsOf(m).find((p) => p.datasource?.uid === uid)!;

describe("the Grafana workspace's settings", () => {
    it("defaults to the Standard plan, Grafana 11, no zone redundancy", () => {
        expect(GRAFANA_DEFAULTS).toEqual({
            sku: "Standard",
            grafanaMajorVersion: "11",
            zoneRedundancy: false,
        });
        expect(GRAFANA_SKUS).toEqual(["Standard", "Essential"]);
        expect(PRINCIPAL_TYPES).toEqual(["User", "Group", "ServicePrincipal"]);
    });

    // hashicorp/terraform-provider-azurerm, internal/services/dashboard/dashboard_grafana_resource.go:
    // "The name length must be from 2 to 23 characters ... begin with a letter and end with a
    // letter or digit".
    it("workspace names: 2 to 23 letters, digits and hyphens, a letter first, the rule and its message from one length", () => {
        expect(GRAFANA_WORKSPACE_NAME_LENGTH).toEqual({ min: 2, max: 23 });
        expect(GRAFANA_WORKSPACE_NAME_MAX_LENGTH).toBe(23);
        expect(GRAFANA_WORKSPACE_NAME_RULE).toBe(
            "must be 2-23 letters, digits or hyphens, starting with a letter and ending with a letter or digit",
        );
        for (const ok of ["ab", "multicloud-prod", "a".repeat(23), "G1-x", `a${"b".repeat(21)}c`]) {
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
    });

    it("takes a Grafana major version such as 11", () => {
        expect(GRAFANA_MAJOR_VERSION_RULE).toBe("must be a major version such as 11");
        for (const v of ["10", "11", "12"]) expect(GRAFANA_MAJOR_VERSION.test(v)).toBe(true);
        for (const v of ["v11", "11.2", "", "1234"])
            expect(GRAFANA_MAJOR_VERSION.test(v)).toBe(false);
    });

    it("refuses zone redundancy on the Essential plan only, in the caller's words", () => {
        // Essential has no zone redundancy (Azure Managed Grafana pricing plans); Standard does.
        const names = { sku: "dashboard.sku", zoneRedundancy: "dashboard.zoneRedundancy" };
        expect(zoneRedundancyProblem("Essential", true, names)).toBe(
            "needs the Standard plan: set dashboard.sku to Standard, or dashboard.zoneRedundancy to false",
        );
        expect(zoneRedundancyProblem("Essential", false, names)).toBeUndefined();
        expect(zoneRedundancyProblem("Standard", true, names)).toBeUndefined();
        // No plan given: the default, Standard.
        expect(zoneRedundancyProblem(undefined, true, names)).toBeUndefined();
    });
});

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
    test("a file that is no dashboard model, without a title, panels or queries is refused", () => {
        expect(dashboardProblems("f.json", [])).toEqual([
            "f.json is not a JSON object: export the dashboard's JSON model",
        ]);
        expect(dashboardProblems("f.json", { uid: "f", title: " ", panels: {} })).toEqual([
            "f.json: title is missing",
            "f.json: panels must be a list",
        ]);
        const model = clone(fleetModel());
        const panel = firstPanel(model, "fleet-azure-monitor");
        panel.targets = [];
        (model.templating as { list: unknown[] }).list.push({ name: "cluster" });
        expect(dashboardProblems("f.json", model)).toEqual([
            `f.json: panel ${panel.id} '${panel.title}' has no queries (targets)`,
            `f.json: variable 'cluster' is not one the program fills (${Object.keys(DASHBOARD_VARIABLES).join(", ")}): remove it`,
        ]);
    });

    test("panels inside a collapsed row are checked too", () => {
        const model = {
            uid: "nested",
            title: "Nested",
            panels: [
                {
                    id: 1,
                    type: "row",
                    collapsed: true,
                    panels: [{ id: 2, type: "timeseries", title: "Hidden", targets: [{}] }],
                },
            ],
        };
        expect(dashboardProblems("f.json", model)).toEqual([
            `f.json: panel 2 'Hidden' names no data source: set "datasource": { "type": ..., "uid": ... } to one the program creates (fleet-azure-monitor, fleet-cloudwatch, fleet-cloud-monitoring)`,
        ]);
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

    test("reports a folder without dashboards, and leaves out a file with problems", () => {
        const project = dir();
        fs.mkdirSync(path.join(project, "dashboards"));
        fs.writeFileSync(path.join(project, "dashboards", "README.md"), "# not a dashboard");
        expect(loadDashboards(project)).toEqual({
            dashboards: [],
            problems: ["dashboards/ holds no *.json dashboard: restore dashboards/fleet.json"],
        });
        fs.writeFileSync(path.join(project, "dashboards", "x.json"), JSON.stringify({ uid: "x" }));
        expect(loadDashboards(project)).toEqual({
            dashboards: [],
            problems: [
                "dashboards/x.json: title is missing",
                "dashboards/x.json: panels must be a list",
            ],
        });
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

    test("a collapsed row keeps the panels of the clouds on, and goes when none is left", () => {
        const cw = { type: "cloudwatch", uid: "fleet-cloudwatch" };
        const am = { type: "grafana-azure-monitor-datasource", uid: "fleet-azure-monitor" };
        const model: DashboardModel = {
            uid: "rows",
            title: "Rows",
            panels: [
                {
                    id: 1,
                    type: "row",
                    collapsed: true,
                    panels: [
                        { id: 2, type: "timeseries", datasource: cw, targets: [{}] },
                        { id: 3, type: "timeseries", datasource: am, targets: [{}] },
                    ],
                },
                {
                    id: 4,
                    type: "row",
                    collapsed: true,
                    panels: [{ id: 5, type: "timeseries", datasource: cw, targets: [{}] }],
                },
            ],
        };
        const azureOnly = panelsOf(renderDashboard(model, new Set(["azure"]), values));
        expect(azureOnly.map((p) => [p.id, (p.panels ?? []).map((n) => n.id)])).toEqual([[1, [3]]]);
    });
});
