/**
 * The `dashboard` section of the stack config (config/dashboard.ts), parsed directly: the
 * defaults a stack gets, the problems it reports, each with its key and fix, and the dashboards
 * of dashboards/ it reads and checks where a stack renders them. Its defaults and rules are
 * FleetDashboard's, written once (components/azure/dashboards.ts): the component's side of each
 * is tested in tests/components/azure/FleetDashboard.test.ts against the same constants.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseStackConfig } from "../../config";
import {
    GRAFANA_DEFAULTS,
    GRAFANA_MAJOR_VERSION_RULE,
    GRAFANA_WORKSPACE_NAME_RULE,
    loadDashboards,
} from "../../components/azure/dashboards";
import { AZURE_ON, NS, problemsOf, PROJECT, raw } from "./harness";

const DEPLOYER = "55555555-5555-5555-5555-555555555555";

const withDashboard = (patch: Record<string, unknown>) =>
    raw({ azure: AZURE_ON, dashboard: { deployerObjectId: DEPLOYER, ...patch } });
const fix = (key: string) => `fix it with \`pulumi config set --path ${key} <value>\``;

describe("the dashboard section's defaults: FleetDashboard's", () => {
    it("a stack that sets nothing gets what the component defaults to", () => {
        const { dashboard } = parseStackConfig(withDashboard({}), NS, "dev");
        expect(dashboard.enabled).toBe(true);
        expect(dashboard.sku).toBe(GRAFANA_DEFAULTS.sku);
        expect(dashboard.grafanaMajorVersion).toBe(GRAFANA_DEFAULTS.grafanaMajorVersion);
        expect(dashboard.zoneRedundancy).toBe(GRAFANA_DEFAULTS.zoneRedundancy);
        expect(dashboard.deployerPrincipalType).toBe("ServicePrincipal");
    });

    it("reads and checks the repository's dashboards where a stack renders them", () => {
        const { dashboard } = parseStackConfig(withDashboard({}), NS, "dev", [], PROJECT);
        expect(dashboard.files).toEqual(loadDashboards(PROJECT).dashboards);
        expect(dashboard.files.map((f) => f.file)).toContain("dashboards/fleet.json");
    });
});

describe("the dashboard section's problems, each with its key and fix", () => {
    it("requires the configured deployer that gets Grafana Admin", () => {
        expect(problemsOf(raw({ azure: AZURE_ON, dashboard: {} }))).toEqual([
            "multicloud:dashboard.deployerObjectId is required while dashboard.enabled is true: the object id of the identity that runs Pulumi for this stack (for an app: `az ad sp show --id <appId> --query id -o tsv`), which gets Grafana Admin to write the data sources and dashboards; or set dashboard.enabled to false",
        ]);
    });

    it("refuses zone redundancy on the Essential plan, with the component's reason", () => {
        expect(problemsOf(withDashboard({ sku: "Essential", zoneRedundancy: true }))).toEqual([
            `${NS}:dashboard.zoneRedundancy needs the Standard plan: set dashboard.sku to Standard, or dashboard.zoneRedundancy to false`,
        ]);
        // Standard (the default on both sides) takes it; Essential without it is fine.
        expect(
            parseStackConfig(withDashboard({ zoneRedundancy: true }), NS, "dev").dashboard
                .zoneRedundancy,
        ).toBe(true);
        expect(parseStackConfig(withDashboard({ sku: "Essential" }), NS, "dev").dashboard.sku).toBe(
            "Essential",
        );
    });

    it("names a Grafana major version that is not one", () => {
        expect(problemsOf(withDashboard({ grafanaMajorVersion: "v11" }))).toEqual([
            `${NS}:dashboard.grafanaMajorVersion ${GRAFANA_MAJOR_VERSION_RULE}, got "v11": ${fix("dashboard.grafanaMajorVersion")}`,
        ]);
        for (const v of ["10", "11", "12"]) {
            expect(
                parseStackConfig(withDashboard({ grafanaMajorVersion: v }), NS, "dev").dashboard
                    .grafanaMajorVersion,
            ).toBe(v);
        }
    });

    it("takes workspace names of 2 to 23 characters, as the component does", () => {
        const longest = `a${"b".repeat(21)}c`;
        for (const name of ["ab", longest]) {
            expect(parseStackConfig(withDashboard({ name }), NS, "dev").dashboard.name).toBe(name);
        }
        for (const name of ["a", `${longest}d`]) {
            expect(problemsOf(withDashboard({ name }))).toEqual([
                `${NS}:dashboard.name ${GRAFANA_WORKSPACE_NAME_RULE}, got "${name}": ${fix("dashboard.name")}`,
            ]);
        }
    });

    it("takes the deployer's kind as Azure must be told it", () => {
        expect(problemsOf(withDashboard({ deployerPrincipalType: "Application" }))).toEqual([
            `${NS}:dashboard.deployerPrincipalType must be one of "User", "Group", "ServicePrincipal", got "Application": ${fix("dashboard.deployerPrincipalType")}`,
        ]);
    });

    describe("dashboards/", () => {
        /** A project folder whose dashboards/ holds the repository's fleet.json, changed by `edit`. */
        function projectWith(edit: (model: Record<string, unknown>) => void): string {
            const project = fs.mkdtempSync(path.join(os.tmpdir(), "project-"));
            fs.mkdirSync(path.join(project, "dashboards"));
            const model = JSON.parse(
                fs.readFileSync(path.join(PROJECT, "dashboards", "fleet.json"), "utf8"),
            ) as Record<string, unknown>;
            edit(model);
            fs.writeFileSync(path.join(project, "dashboards", "fleet.json"), JSON.stringify(model));
            return project;
        }

        it("refuses a panel that names a data source the program does not create", () => {
            let panel: { id: number; title: string } | undefined;
            const project = projectWith((model) => {
                const p = (
                    model.panels as {
                        id: number;
                        title: string;
                        datasource?: { type: string; uid: string };
                    }[]
                ).find((x) => x.datasource?.uid === "fleet-azure-monitor")!;
                p.datasource = { type: "influxdb", uid: "influx" };
                panel = p;
            });
            // No image built here: the temporary project has no app/ to build.
            const noBuild = { appImage: { build: false } };
            const config = (dashboard: Record<string, unknown>, azure: unknown = AZURE_ON) =>
                raw({ azure, dashboard: { deployerObjectId: DEPLOYER, ...dashboard }, ...noBuild });
            expect(() => parseStackConfig(config({}), NS, "prod", [], project)).toThrow(
                `dashboards/fleet.json: panel ${panel!.id} '${panel!.title}' names data source 'influx', which the program does not create: use one of fleet-azure-monitor, fleet-cloudwatch, fleet-cloud-monitoring`,
            );
            // The same config with the dashboard off needs no dashboards/, nor with Azure off.
            for (const off of [config({ enabled: false }), config({}, { enabled: false })]) {
                expect(() => parseStackConfig(off, NS, "prod", [], project)).not.toThrow();
            }
        });

        it("refuses a project without dashboards/ while the dashboard is on", () => {
            const project = fs.mkdtempSync(path.join(os.tmpdir(), "project-"));
            expect(() => parseStackConfig(withDashboard({}), NS, "dev", [], project)).toThrow(
                "dashboards/ is missing: the fleet dashboard is rendered from its *.json files; restore dashboards/fleet.json from the repository, or set dashboard.enabled to false",
            );
        });
    });
});
