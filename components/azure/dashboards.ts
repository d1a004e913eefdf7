/**
 * The fleet dashboard's rules without SDK imports, shared by the stack config schema and the
 * FleetDashboard component: the workspace's name, plan, Grafana version, zone redundancy and
 * deployer, and the dashboards of
 * `dashboards/` (the data sources and variables a panel may use, the checks of every file, and
 * the rendering of a dashboard for the clouds a stack runs). config/ reads the files with
 * `loadDashboards` without loading @pulumi/azure-native or @pulumiverse/grafana.
 *
 * Dashboards are plain Grafana JSON in the repository. Every panel names one of the data
 * sources below by uid; `dashboardProblems` refuses anything else before a resource exists,
 * and `renderDashboard` drops the panels (and rows, and variables) of clouds a stack switches
 * off, so that they disappear instead of breaking.
 */
import * as fs from "fs";
import * as path from "path";

/**
 * Azure's rule for a Grafana workspace name: 2-23 letters, digits or hyphens, starting with a
 * letter and ending with a letter or digit (hashicorp/terraform-provider-azurerm,
 * internal/services/dashboard/dashboard_grafana_resource.go, the `name` validator). The
 * workspace's URL is `https://<name>-<hash>.<region>.grafana.azure.com`.
 */
export const GRAFANA_WORKSPACE_NAME_LENGTH = { min: 2, max: 23 } as const;
/** The longest workspace name Azure accepts: a default derived from project and stack is cut to it. */
export const GRAFANA_WORKSPACE_NAME_MAX_LENGTH = GRAFANA_WORKSPACE_NAME_LENGTH.max;
/** A workspace name (`GRAFANA_WORKSPACE_NAME_LENGTH`): a letter first, a letter or digit last. */
export const GRAFANA_WORKSPACE_NAME = new RegExp(
    `^[a-zA-Z][a-zA-Z0-9-]{${GRAFANA_WORKSPACE_NAME_LENGTH.min - 2},${GRAFANA_WORKSPACE_NAME_LENGTH.max - 2}}[a-zA-Z0-9]$`,
);
/** The message of a name that breaks `GRAFANA_WORKSPACE_NAME`, for config and the component alike. */
export const GRAFANA_WORKSPACE_NAME_RULE = `must be ${GRAFANA_WORKSPACE_NAME_LENGTH.min}-${GRAFANA_WORKSPACE_NAME_LENGTH.max} letters, digits or hyphens, starting with a letter and ending with a letter or digit`;

/**
 * Azure Managed Grafana's plans: `Essential` has no SLA, no zone redundancy and no
 * deterministic outbound IPs (for dev); `Standard` has all three.
 */
export const GRAFANA_SKUS = ["Standard", "Essential"] as const;
export type GrafanaSku = (typeof GRAFANA_SKUS)[number];

/** The workspace's settings unless configured: the config schema's and FleetDashboard's. */
export const GRAFANA_DEFAULTS = {
    sku: "Standard",
    grafanaMajorVersion: "11",
    zoneRedundancy: false,
} as const satisfies {
    readonly sku: GrafanaSku;
    readonly grafanaMajorVersion: string;
    readonly zoneRedundancy: boolean;
};

/** A Grafana major version, as the workspace's `grafanaMajorVersion` takes it. */
export const GRAFANA_MAJOR_VERSION = /^\d{1,3}$/;
/** The message of a version that breaks `GRAFANA_MAJOR_VERSION`. */
export const GRAFANA_MAJOR_VERSION_RULE = "must be a major version such as 11";

/**
 * Zone redundancy is a Standard feature: the problem of turning it on with the Essential plan,
 * if that is what `sku` (undefined: the default) and `zoneRedundancy` ask for. `names` are the
 * caller's words for the two settings (config keys or argument names).
 */
export function zoneRedundancyProblem(
    sku: unknown,
    zoneRedundancy: boolean,
    names: { readonly sku: string; readonly zoneRedundancy: string },
): string | undefined {
    return (sku ?? GRAFANA_DEFAULTS.sku) === "Essential" && zoneRedundancy
        ? `needs the Standard plan: set ${names.sku} to Standard, or ${names.zoneRedundancy} to false`
        : undefined;
}

/** The Entra ID principal kinds a role assignment names (ARM `principalType`). */
export const PRINCIPAL_TYPES = ["User", "Group", "ServicePrincipal"] as const;
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];

export type Cloud = "aws" | "gcp" | "azure";

/** The data sources the program creates: the only ones a dashboard panel may name. */
export const FLEET_DATA_SOURCES = {
    "fleet-azure-monitor": {
        type: "grafana-azure-monitor-datasource",
        cloud: "azure",
        name: "Azure Monitor (fleet)",
    },
    "fleet-cloudwatch": { type: "cloudwatch", cloud: "aws", name: "CloudWatch (fleet)" },
    "fleet-cloud-monitoring": {
        type: "stackdriver",
        cloud: "gcp",
        name: "Cloud Monitoring (fleet)",
    },
} as const satisfies Record<string, { type: string; cloud: Cloud; name: string }>;
export type FleetDataSourceUid = keyof typeof FLEET_DATA_SOURCES;

/** The dashboard variables the program fills (constant, hidden), each with its cloud. */
export const DASHBOARD_VARIABLES = {
    aws_region: "aws",
    asg_name: "aws",
    alb: "aws",
    target_group: "aws",
    web_acl: "aws",
    gcp_project: "gcp",
    azure_subscription: "azure",
    log_analytics_workspace: "azure",
} as const satisfies Record<string, Cloud>;
export type DashboardVariable = keyof typeof DASHBOARD_VARIABLES;

/** The folder of the repository whose `*.json` files are rendered into Grafana. */
export const DASHBOARDS_DIR = "dashboards";

/** A Grafana dashboard model, as far as the program reads it. */
export interface DashboardModel {
    readonly uid?: unknown;
    readonly title?: unknown;
    readonly panels?: unknown;
    readonly templating?: { readonly list?: unknown };
    readonly [key: string]: unknown;
}

interface Panel {
    readonly id?: unknown;
    readonly type?: unknown;
    readonly title?: unknown;
    readonly datasource?: unknown;
    readonly targets?: unknown;
    readonly panels?: unknown;
    readonly [key: string]: unknown;
}

/** A dashboard file of the repository, parsed. */
export interface DashboardFile {
    /** Path relative to the project folder, e.g. `dashboards/fleet.json`. */
    readonly file: string;
    readonly model: DashboardModel;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);

/** `$name`, `${name}` and `${name:format}` references; Grafana's own (`$__...`) are skipped. */
const VARIABLE_REF = /\$(?:\{([A-Za-z0-9_]+)(?::[^}]*)?\}|([A-Za-z0-9_]+))/g;
function variablesIn(value: unknown): string[] {
    const found = new Set<string>();
    for (const m of JSON.stringify(value ?? null).matchAll(VARIABLE_REF)) {
        const name = m[1] ?? m[2];
        if (!name.startsWith("__")) found.add(name);
    }
    return [...found];
}

/** Every panel of a model, rows' nested panels (collapsed rows) included. */
function allPanels(model: DashboardModel): Panel[] {
    const top = Array.isArray(model.panels) ? (model.panels as Panel[]) : [];
    return top.flatMap((p) => [
        p,
        ...(isRecord(p) && Array.isArray(p.panels) ? (p.panels as Panel[]) : []),
    ]);
}

/** The data source uid a panel or target names, or undefined. */
function dataSourceUid(ds: unknown): string | undefined {
    return isRecord(ds) && typeof ds.uid === "string" ? ds.uid : undefined;
}

/**
 * Every problem with one dashboard file, each naming the file, the panel and the fix; empty when
 * the program can render it. Panels must name a data source the program creates, and use only
 * the variables the program fills for that data source's cloud.
 */
export function dashboardProblems(file: string, model: unknown): string[] {
    if (!isRecord(model))
        return [`${file} is not a JSON object: export the dashboard's JSON model`];
    const problems: string[] = [];
    const known = Object.keys(FLEET_DATA_SOURCES).join(", ");
    if (typeof model.uid !== "string" || !/^[A-Za-z0-9_-]{1,40}$/.test(model.uid)) {
        problems.push(
            `${file}: uid must be 1-40 letters, digits, _ or - (it keeps the dashboard's URL stable)`,
        );
    }
    if (typeof model.title !== "string" || model.title.trim() === "") {
        problems.push(`${file}: title is missing`);
    }
    if ("id" in model && model.id !== null) {
        problems.push(
            `${file}: remove "id" (Grafana assigns it; the uid identifies the dashboard)`,
        );
    }
    if (!Array.isArray(model.panels)) {
        problems.push(`${file}: panels must be a list`);
        return problems;
    }
    const ids = new Set<unknown>();
    for (const panel of allPanels(model as DashboardModel)) {
        if (!isRecord(panel)) {
            problems.push(`${file}: every entry of panels must be an object`);
            continue;
        }
        const label = `panel ${String(panel.id)} '${String(panel.title ?? "")}'`;
        if (typeof panel.id !== "number" || ids.has(panel.id)) {
            problems.push(`${file}: ${label} needs a numeric id no other panel has`);
        }
        ids.add(panel.id);
        if (panel.type === "row") continue;
        const uid = dataSourceUid(panel.datasource);
        const source =
            uid === undefined ? undefined : FLEET_DATA_SOURCES[uid as FleetDataSourceUid];
        if (!source) {
            problems.push(
                uid === undefined
                    ? `${file}: ${label} names no data source: set "datasource": { "type": ..., "uid": ... } to one the program creates (${known})`
                    : `${file}: ${label} names data source '${uid}', which the program does not create: use one of ${known}`,
            );
            continue;
        }
        if (isRecord(panel.datasource) && panel.datasource.type !== source.type) {
            problems.push(
                `${file}: ${label} gives data source '${uid}' the type '${String(panel.datasource.type)}': its type is '${source.type}'`,
            );
        }
        const targets = Array.isArray(panel.targets) ? panel.targets : [];
        if (targets.length === 0) problems.push(`${file}: ${label} has no queries (targets)`);
        targets.forEach((target: unknown, i) => {
            const t = isRecord(target) ? dataSourceUid(target.datasource) : undefined;
            if (t !== undefined && t !== uid) {
                problems.push(
                    `${file}: ${label} query ${i} names data source '${t}', the panel '${uid}': a panel reads one data source, so that the panel can vanish with its cloud`,
                );
            }
        });
        for (const name of variablesIn(panel.targets)) {
            const cloud = DASHBOARD_VARIABLES[name as DashboardVariable];
            if (cloud === undefined) {
                problems.push(
                    `${file}: ${label} uses variable $${name}, which the program does not fill: use one of ${Object.keys(DASHBOARD_VARIABLES).join(", ")}`,
                );
            } else if (cloud !== source.cloud) {
                problems.push(
                    `${file}: ${label} reads ${uid} (${source.cloud}) but uses $${name}, a ${cloud} variable: it would be empty where ${cloud} is off`,
                );
            }
        }
    }
    const templating = isRecord(model.templating) ? model.templating : {};
    const variables: unknown[] = Array.isArray(templating.list) ? templating.list : [];
    for (const v of variables) {
        const name = isRecord(v) ? v.name : undefined;
        if (typeof name !== "string" || !(name in DASHBOARD_VARIABLES)) {
            problems.push(
                `${file}: variable '${String(name)}' is not one the program fills (${Object.keys(DASHBOARD_VARIABLES).join(", ")}): remove it`,
            );
        }
    }
    return problems;
}

/**
 * Reads every `*.json` of `dir` (sorted by name) and checks each; uids must be unique. Returns
 * the parsed files and every problem, paths relative to `projectDir`.
 */
export function loadDashboards(
    projectDir: string,
    dir: string = DASHBOARDS_DIR,
): { dashboards: DashboardFile[]; problems: string[] } {
    const folder = path.join(projectDir, dir);
    if (!fs.existsSync(folder)) {
        return {
            dashboards: [],
            problems: [
                `${dir}/ is missing: the fleet dashboard is rendered from its *.json files; restore dashboards/fleet.json from the repository, or set dashboard.enabled to false`,
            ],
        };
    }
    const problems: string[] = [];
    const dashboards: DashboardFile[] = [];
    for (const entry of fs
        .readdirSync(folder)
        .filter((f) => f.endsWith(".json"))
        .sort()) {
        const file = `${dir}/${entry}`;
        let model: unknown;
        try {
            model = JSON.parse(fs.readFileSync(path.join(folder, entry), "utf8"));
        } catch (e) {
            problems.push(`${file} is not valid JSON: ${(e as Error).message}`);
            continue;
        }
        const found = dashboardProblems(file, model);
        problems.push(...found);
        if (found.length === 0) dashboards.push({ file, model: model as DashboardModel });
    }
    const seen = new Map<unknown, string>();
    for (const d of dashboards) {
        const other = seen.get(d.model.uid);
        if (other)
            problems.push(
                `${d.file} has the uid '${String(d.model.uid)}' of ${other}: give it its own`,
            );
        seen.set(d.model.uid, d.file);
    }
    if (dashboards.length === 0 && problems.length === 0) {
        problems.push(`${dir}/ holds no *.json dashboard: restore dashboards/fleet.json`);
    }
    return { dashboards, problems };
}

/**
 * A dashboard as this stack shows it: panels (and rows left empty, and variables) of clouds not
 * in `clouds` are dropped; the program's variables are filled with `values`.
 */
export function renderDashboard(
    model: DashboardModel,
    clouds: ReadonlySet<Cloud>,
    values: Readonly<Partial<Record<DashboardVariable, string>>>,
): DashboardModel {
    const shown = (p: Panel) => {
        if (p.type === "row") return true;
        const uid = dataSourceUid(p.datasource) as FleetDataSourceUid;
        return clouds.has(FLEET_DATA_SOURCES[uid].cloud);
    };
    const kept = ((model.panels ?? []) as Panel[])
        .map((p) =>
            Array.isArray(p.panels) ? { ...p, panels: (p.panels as Panel[]).filter(shown) } : p,
        )
        .filter(shown);
    // A row with nothing under it (up to the next row) goes too.
    const panels = kept.filter((p, i) => {
        if (p.type !== "row") return true;
        const next = kept[i + 1];
        const nested = Array.isArray(p.panels) && p.panels.length > 0;
        return nested || (next !== undefined && next.type !== "row");
    });
    const list = (Array.isArray(model.templating?.list) ? model.templating.list : []) as Record<
        string,
        unknown
    >[];
    const variables = list
        .filter((v) => clouds.has(DASHBOARD_VARIABLES[v.name as DashboardVariable]))
        .map((v) => {
            const value = values[v.name as DashboardVariable] ?? "";
            return {
                ...v,
                query: value,
                current: { text: value, value },
                options: [{ text: value, value, selected: true }],
            };
        });
    return { ...model, panels, templating: { ...model.templating, list: variables } };
}
