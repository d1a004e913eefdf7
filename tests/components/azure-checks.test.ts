/**
 * The Azure components' defaults and rules, written once (components/azure/checks.ts for
 * ArcGovernance, components/azure/dashboards.ts for FleetDashboard) and read by the stack config
 * (config/azure.ts, config/dashboard.ts) and the components' validation alike. Each test reads
 * both sides: the value a stack gets when it sets nothing, and the message each side prints, so
 * that the two cannot drift apart again unnoticed; and the values themselves are written out
 * here, so that a change to one is a deliberate one.
 *
 * The components' constructors applying the same defaults is planned in
 * arc-governance.test.ts and dashboard-real-rules.test.ts.
 */
import * as fs from "fs";
import * as path from "path";
import { parseStackConfig, StackConfig } from "../../config";
import {
    type ArcGovernanceArgs,
    validateArcGovernanceArgs,
} from "../../components/azure/ArcGovernance";
import {
    DEFAULT_POD_SECURITY_EFFECT,
    FLUX_GIT_DEFAULTS,
    FLUX_GIT_URL_RULE,
    LOG_RETENTION_DAYS,
    POD_SECURITY_EFFECTS,
} from "../../components/azure/checks";
import {
    GRAFANA_DEFAULTS,
    GRAFANA_MAJOR_VERSION_RULE,
    GRAFANA_SKUS,
    GRAFANA_WORKSPACE_NAME,
    GRAFANA_WORKSPACE_NAME_LENGTH,
    GRAFANA_WORKSPACE_NAME_MAX_LENGTH,
    GRAFANA_WORKSPACE_NAME_RULE,
} from "../../components/azure/dashboards";
import {
    type FleetDashboardArgs,
    validateFleetDashboardArgs,
} from "../../components/azure/FleetDashboard";
import { PROJECT_DIR } from "../harness";

const NS = "multicloud";
const SUB = "11111111-1111-1111-1111-111111111111";
const DEPLOYER = "55555555-5555-5555-5555-555555555555";
const GIT_URL = "https://github.com/example-org/fleet.git";

/** The least a stack with Azure (and so the dashboard) on needs, with `azure` and `dashboard` patched. */
function raw(
    azure: Record<string, unknown> = {},
    dashboard: Record<string, unknown> = {},
): Record<string, string> {
    return {
        [`${NS}:environment`]: "dev",
        [`${NS}:app`]: JSON.stringify({
            image: `r.example.com/app@sha256:${"0".repeat(64)}`,
            ingress: { host: "app.example.com" },
        }),
        [`${NS}:azure`]: JSON.stringify({
            enabled: true,
            subscriptionId: SUB,
            location: "westeurope",
            gitops: { url: GIT_URL },
            ...azure,
        }),
        [`${NS}:dashboard`]: JSON.stringify({ deployerObjectId: DEPLOYER, ...dashboard }),
    };
}

const parse = (azure?: Record<string, unknown>, dashboard?: Record<string, unknown>) =>
    parseStackConfig(raw(azure, dashboard), NS, "dev");

/** The problems the config parser lists, one per line, without the heading. */
function configProblems(
    azure?: Record<string, unknown>,
    dashboard?: Record<string, unknown>,
): string[] {
    try {
        parse(azure, dashboard);
    } catch (e) {
        return (e as Error).message
            .split("\n")
            .slice(1)
            .map((line) => line.replace(/^ {2}- /, ""));
    }
    return [];
}

const azureOf = (config: StackConfig) => {
    if (!config.azure.enabled) throw new Error("azure is off");
    return config.azure;
};

const GOVERNANCE: ArcGovernanceArgs = {
    subscriptionId: SUB,
    resourceGroupName: "fleet-rg",
    resourceGroupId: `/subscriptions/${SUB}/resourceGroups/fleet-rg`,
    location: "westeurope",
    git: { url: GIT_URL },
};

const DASHBOARD: FleetDashboardArgs = {
    resourceGroupName: "fleet-rg",
    resourceGroupId: `/subscriptions/${SUB}/resourceGroups/fleet-rg`,
    subscriptionId: SUB,
    location: "westeurope",
    workspaceName: "multicloud-dev",
    deployerPrincipal: { objectId: DEPLOYER, type: "ServicePrincipal" },
    logAnalyticsWorkspaceId: "/ws",
    // Checked elsewhere (fleet-dashboard.test.ts); one valid file keeps these args valid.
    dashboards: [
        {
            file: "dashboards/x.json",
            model: { uid: "x", title: "X", panels: [] },
        },
    ],
};

describe("ArcGovernance and the azure config section: one set of defaults", () => {
    it("a stack that sets nothing gets what the component defaults to", () => {
        const az = azureOf(parse());
        expect(az.logRetentionDays).toBe(LOG_RETENTION_DAYS.default);
        expect(az.podSecurityEffect).toBe(DEFAULT_POD_SECURITY_EFFECT);
        expect(az.gitops.branch).toBe(FLUX_GIT_DEFAULTS.branch);
        expect(az.gitops.path).toBe(FLUX_GIT_DEFAULTS.path);
        // The values themselves: 30 days (the workspace's least), audit before deny, and the
        // whole gitops/ tree on the main branch.
        expect(LOG_RETENTION_DAYS).toEqual({ default: 30, min: 30, max: 730 });
        expect(POD_SECURITY_EFFECTS).toEqual(["audit", "deny"]);
        expect(DEFAULT_POD_SECURITY_EFFECT).toBe("audit");
        expect(FLUX_GIT_DEFAULTS).toEqual({ branch: "main", path: "./gitops" });
    });

    it("Flux syncs the baseline and the rendered app: Arc clusters get the app from GitOps alone", () => {
        // gitops/cluster is the baseline, gitops/workload the app (gitops/README.md). Pulumi
        // applies the app to the GKE clusters it creates only, so what Flux syncs on an Arc
        // cluster must hold both (Flux applies every manifest under the path, recursively).
        const synced = path.resolve(PROJECT_DIR, FLUX_GIT_DEFAULTS.path);
        for (const file of ["cluster/namespaces.yaml", "workload/app.yaml"]) {
            expect(fs.existsSync(path.join(synced, file))).toBe(true);
        }
    });

    it("the retention bounds are the same on both sides", () => {
        const { min, max } = LOG_RETENTION_DAYS;
        for (const days of [min, max]) {
            expect(configProblems({ logRetentionDays: days })).toEqual([]);
            expect(validateArcGovernanceArgs({ ...GOVERNANCE, logRetentionDays: days })).toEqual(
                [],
            );
        }
        expect(configProblems({ logRetentionDays: min - 1 })).toEqual([
            `${NS}:azure.logRetentionDays (${min - 1}) must be >= ${min}: fix it with \`pulumi config set --path azure.logRetentionDays <value>\``,
        ]);
        expect(configProblems({ logRetentionDays: max + 1 })).toEqual([
            `${NS}:azure.logRetentionDays (${max + 1}) must be <= ${max}: fix it with \`pulumi config set --path azure.logRetentionDays <value>\``,
        ]);
        for (const days of [min - 1, max + 1]) {
            expect(validateArcGovernanceArgs({ ...GOVERNANCE, logRetentionDays: days })).toEqual([
                `logRetentionDays (${days}) must be a whole number of days from 30 to 730`,
            ]);
        }
    });

    it("the pod security effects the config takes are the component's", () => {
        for (const effect of POD_SECURITY_EFFECTS) {
            expect(azureOf(parse({ podSecurityEffect: effect })).podSecurityEffect).toBe(effect);
        }
        expect(configProblems({ podSecurityEffect: "warn" })).toEqual([
            `${NS}:azure.podSecurityEffect must be one of "audit", "deny", got "warn": fix it with \`pulumi config set --path azure.podSecurityEffect <value>\``,
        ]);
    });

    it("an ssh git URL is refused by both, with the same reason", () => {
        const ssh = "git@github.com:example-org/fleet.git";
        expect(FLUX_GIT_URL_RULE).toBe(
            "must be an https URL: the Flux policy that deploys to every Arc cluster takes public https repositories",
        );
        expect(configProblems({ gitops: { url: ssh } })).toEqual([
            `${NS}:azure.gitops.url ${FLUX_GIT_URL_RULE}`,
        ]);
        expect(validateArcGovernanceArgs({ ...GOVERNANCE, git: { url: ssh } })).toEqual([
            `git.url '${ssh}' ${FLUX_GIT_URL_RULE}`,
        ]);
        expect(configProblems({ gitops: { url: GIT_URL } })).toEqual([]);
        expect(validateArcGovernanceArgs(GOVERNANCE)).toEqual([]);
    });
});

describe("FleetDashboard and the dashboard config section: one set of defaults and rules", () => {
    it("a stack that sets nothing gets what the component defaults to", () => {
        const { dashboard } = parse();
        expect(dashboard.sku).toBe(GRAFANA_DEFAULTS.sku);
        expect(dashboard.grafanaMajorVersion).toBe(GRAFANA_DEFAULTS.grafanaMajorVersion);
        expect(dashboard.zoneRedundancy).toBe(GRAFANA_DEFAULTS.zoneRedundancy);
        expect(GRAFANA_DEFAULTS).toEqual({
            sku: "Standard",
            grafanaMajorVersion: "11",
            zoneRedundancy: false,
        });
        expect(GRAFANA_SKUS).toEqual(["Standard", "Essential"]);
    });

    it("zone redundancy on the Essential plan is refused by both, with the same reason", () => {
        expect(configProblems({}, { sku: "Essential", zoneRedundancy: true })).toEqual([
            `${NS}:dashboard.zoneRedundancy needs the Standard plan: set dashboard.sku to Standard, or dashboard.zoneRedundancy to false`,
        ]);
        expect(
            validateFleetDashboardArgs({ ...DASHBOARD, sku: "Essential", zoneRedundancy: true }),
        ).toEqual([
            "zoneRedundancy needs the Standard plan: set sku to Standard, or zoneRedundancy to false",
        ]);
        // Standard (the default on both sides) takes it; Essential without it is fine.
        expect(configProblems({}, { zoneRedundancy: true })).toEqual([]);
        expect(validateFleetDashboardArgs({ ...DASHBOARD, zoneRedundancy: true })).toEqual([]);
        expect(configProblems({}, { sku: "Essential" })).toEqual([]);
        expect(validateFleetDashboardArgs({ ...DASHBOARD, sku: "Essential" })).toEqual([]);
    });

    it("a Grafana major version is refused by both, with the same reason", () => {
        expect(GRAFANA_MAJOR_VERSION_RULE).toBe("must be a major version such as 11");
        expect(configProblems({}, { grafanaMajorVersion: "v11" })).toEqual([
            `${NS}:dashboard.grafanaMajorVersion ${GRAFANA_MAJOR_VERSION_RULE}, got "v11": fix it with \`pulumi config set --path dashboard.grafanaMajorVersion <value>\``,
        ]);
        expect(validateFleetDashboardArgs({ ...DASHBOARD, grafanaMajorVersion: "v11" })).toEqual([
            `grafanaMajorVersion 'v11' ${GRAFANA_MAJOR_VERSION_RULE}`,
        ]);
        for (const v of ["10", "11", "12"]) {
            expect(configProblems({}, { grafanaMajorVersion: v })).toEqual([]);
            expect(validateFleetDashboardArgs({ ...DASHBOARD, grafanaMajorVersion: v })).toEqual(
                [],
            );
        }
    });

    it("workspace names: 2 to 23 characters on both sides, the rule and its message from one length", () => {
        expect(GRAFANA_WORKSPACE_NAME_LENGTH).toEqual({ min: 2, max: 23 });
        expect(GRAFANA_WORKSPACE_NAME_MAX_LENGTH).toBe(23);
        expect(GRAFANA_WORKSPACE_NAME_RULE).toBe(
            "must be 2-23 letters, digits or hyphens, starting with a letter and ending with a letter or digit",
        );
        const longest = `a${"b".repeat(21)}c`;
        expect(longest).toHaveLength(23);
        for (const name of ["ab", longest]) {
            expect(GRAFANA_WORKSPACE_NAME.test(name)).toBe(true);
            expect(configProblems({}, { name })).toEqual([]);
            expect(validateFleetDashboardArgs({ ...DASHBOARD, workspaceName: name })).toEqual([]);
        }
        for (const name of ["a", `${longest}d`]) {
            expect(configProblems({}, { name })).toEqual([
                `${NS}:dashboard.name ${GRAFANA_WORKSPACE_NAME_RULE}, got "${name}": fix it with \`pulumi config set --path dashboard.name <value>\``,
            ]);
            expect(validateFleetDashboardArgs({ ...DASHBOARD, workspaceName: name })).toEqual([
                `workspaceName '${name}' ${GRAFANA_WORKSPACE_NAME_RULE}`,
            ]);
        }
    });
});
