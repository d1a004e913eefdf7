/**
 * The `dashboard` section of the stack config: the fleet's Azure Managed Grafana workspace and
 * the dashboards of dashboards/ (components/azure/FleetDashboard.ts). Its rules come from the
 * SDK-free components/azure/dashboards.ts.
 */
import { z } from "zod";
import { boolean, text } from "../config-issues";
import {
    GRAFANA_DEFAULTS,
    GRAFANA_MAJOR_VERSION,
    GRAFANA_MAJOR_VERSION_RULE,
    GRAFANA_SKUS,
    GRAFANA_WORKSPACE_NAME,
    GRAFANA_WORKSPACE_NAME_RULE,
    PRINCIPAL_TYPES,
    zoneRedundancyProblem,
} from "../components/azure/dashboards";
import {
    DEFAULT_CREDENTIAL_ROTATION,
    ROTATION_LABEL,
    ROTATION_LABEL_RULE,
} from "../components/formats";
import { groupObjectIds, uuid } from "./common";

/** The fleet dashboard: Azure Managed Grafana, created when Azure is enabled. */
export const DashboardSchema = z.strictObject({
    /** Create the Grafana workspace, its data sources and dashboards/. Needs azure.enabled. @default true */
    enabled: boolean().default(true),
    /**
     * Workspace name (2-23 letters, digits, -: `GRAFANA_WORKSPACE_NAME`), part of its URL.
     * @default `<project>-<stack>`, cut to 23
     */
    name: z
        .string()
        .regex(GRAFANA_WORKSPACE_NAME, { message: GRAFANA_WORKSPACE_NAME_RULE })
        .optional(),
    /** `Essential` has no SLA and no zone redundancy: for dev. @default "Standard" */
    sku: z.enum(GRAFANA_SKUS).default(GRAFANA_DEFAULTS.sku),
    /** Grafana major version of the workspace. @default "11" */
    grafanaMajorVersion: text(
        z.string().regex(GRAFANA_MAJOR_VERSION, { message: GRAFANA_MAJOR_VERSION_RULE }),
    ).default(GRAFANA_DEFAULTS.grafanaMajorVersion),
    /** Spread the workspace over availability zones (Standard only). @default false */
    zoneRedundancy: boolean().default(GRAFANA_DEFAULTS.zoneRedundancy),
    /**
     * Object id of the identity that runs Pulumi for this stack (the Deployments identity): it
     * gets Grafana Admin to write data sources and dashboards. A fixed principal, so that runs
     * from a laptop and from Deployments do not replace each other's grant. Required while the
     * dashboard is enabled.
     */
    deployerObjectId: uuid("Entra ID object id").optional(),
    /** Its kind, as Azure must be told: ServicePrincipal (an app or managed identity), User or Group. @default "ServicePrincipal" */
    deployerPrincipalType: z.enum(PRINCIPAL_TYPES).default("ServicePrincipal"),
    /** Entra ID groups (object ids) with Grafana Admin on the workspace. @default [] */
    adminGroupObjectIds: groupObjectIds(),
    /** Entra ID groups (object ids) with Grafana Viewer on the workspace. @default [] */
    viewerGroupObjectIds: groupObjectIds(),
    /**
     * Any label; change it to replace the AWS access key and the Google service-account key the
     * CloudWatch and Cloud Monitoring data sources hold (the clouds offer Grafana no keyless
     * way in). @default "1"
     */
    credentialRotation: text(
        z.string().regex(ROTATION_LABEL, { message: ROTATION_LABEL_RULE }),
    ).default(DEFAULT_CREDENTIAL_ROTATION),
});

/** Zone redundancy is a Standard feature. Read defensively: the value may be partly invalid. */
export function checkDashboard(value: unknown, ctx: z.RefinementCtx): void {
    const c = value as {
        azure?: { enabled?: unknown };
        dashboard?: {
            enabled?: unknown;
            sku?: unknown;
            zoneRedundancy?: unknown;
            deployerObjectId?: unknown;
        };
    };
    const d = c.dashboard;
    const on = (flag: unknown, fallback: boolean) =>
        flag === undefined ? fallback : flag === true || flag === "true";
    if (on(c.azure?.enabled, false) && on(d?.enabled, true) && d?.deployerObjectId === undefined) {
        ctx.addIssue({
            code: "custom",
            path: ["dashboard", "deployerObjectId"],
            message:
                "is required while dashboard.enabled is true: the object id of the identity that runs Pulumi for this stack (for an app: `az ad sp show --id <appId> --query id -o tsv`), which gets Grafana Admin to write the data sources and dashboards; or set dashboard.enabled to false",
        });
    }
    const zones = zoneRedundancyProblem(
        d?.sku,
        on(d?.zoneRedundancy, GRAFANA_DEFAULTS.zoneRedundancy),
        { sku: "dashboard.sku", zoneRedundancy: "dashboard.zoneRedundancy" },
    );
    if (zones) {
        ctx.addIssue({
            code: "custom",
            path: ["dashboard", "zoneRedundancy"],
            message: zones,
            params: { standalone: true },
        });
    }
}
