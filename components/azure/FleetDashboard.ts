/**
 * The fleet's one dashboard: an Azure Managed Grafana workspace, a data source per cloud the
 * stack runs, and the dashboards of `dashboards/` rendered into it.
 *
 * Dashboards are plain Grafana JSON in the repository, checked and rendered by the SDK-free
 * `./dashboards` (which the stack config reads too): every panel names one of the data sources
 * by uid; `dashboardProblems` refuses anything else before a resource exists, and
 * `renderDashboard` drops the panels (and rows, and variables) of clouds a stack switches off,
 * so that they disappear instead of breaking.
 */
import * as azure from "@pulumi/azure-native";
import * as pulumi from "@pulumi/pulumi";
import * as grafana from "@pulumiverse/grafana";
import { GUID } from "../formats";
import { groupObjectIdProblems, repeatedProblems, throwIfInvalid } from "../validation";
import {
    Cloud,
    DashboardFile,
    dashboardProblems,
    DashboardVariable,
    FLEET_DATA_SOURCES,
    FleetDataSourceUid,
    GRAFANA_DEFAULTS,
    GRAFANA_MAJOR_VERSION,
    GRAFANA_MAJOR_VERSION_RULE,
    GRAFANA_WORKSPACE_NAME,
    GRAFANA_WORKSPACE_NAME_RULE,
    GrafanaSku,
    PRINCIPAL_TYPES,
    PrincipalType,
    renderDashboard,
    zoneRedundancyProblem,
} from "./dashboards";
import { GOOGLE_TOKEN_URI } from "../gcp/checks";
import { roleDefinitionIdIn } from "./keyVaultKey";
import { roleAssignmentName } from "./roleAssignmentName";

export {
    DASHBOARD_VARIABLES,
    dashboardProblems,
    DASHBOARDS_DIR,
    FLEET_DATA_SOURCES,
    GRAFANA_DEFAULTS,
    GRAFANA_SKUS,
    GRAFANA_WORKSPACE_NAME,
    GRAFANA_WORKSPACE_NAME_MAX_LENGTH,
    GRAFANA_WORKSPACE_NAME_RULE,
    loadDashboards,
    PRINCIPAL_TYPES,
    renderDashboard,
} from "./dashboards";
export type {
    Cloud,
    DashboardFile,
    DashboardModel,
    DashboardVariable,
    FleetDataSourceUid,
    GrafanaSku,
    PrincipalType,
} from "./dashboards";

/** The identity that runs Pulumi for this stack, as configured (not as detected). */
export interface DeployerPrincipal {
    /** Its Entra ID object id (for an app registration: its service principal's object id). */
    readonly objectId: string;
    /**
     * What kind of principal it is. Azure refuses an assignment whose `principalType` does not
     * match the principal (UnmatchedPrincipalType), and uses it to skip the directory lookup
     * that fails for principals created seconds earlier (PrincipalNotFound).
     */
    readonly type: PrincipalType;
}

/**
 * The name (a GUID) of the role assignment of `roleDefinitionId` to `principalId` at `scope`
 * (`roleAssignmentName`, which takes plain strings, once the three are known): the same three
 * always give the same name, so that a re-run, a reordered list or a replaced assignment never
 * asks Azure for a second assignment of what already exists (RoleAssignmentExists).
 */
function assignmentName(
    scope: pulumi.Input<string>,
    roleDefinitionId: pulumi.Input<string>,
    principalId: pulumi.Input<string>,
): pulumi.Output<string> {
    return pulumi
        .all([scope, roleDefinitionId, principalId])
        .apply(([s, r, p]) => roleAssignmentName(s, r, p));
}

/** The audience of Entra ID tokens for Azure Managed Grafana's data-plane (Grafana) API. */
export const GRAFANA_TOKEN_AUDIENCE = "https://dashboard.azure.com";

/** Built-in Azure roles this component assigns, by id (GUID). */
export const GRAFANA_ROLES = {
    /** Grafana Admin: data sources, dashboards and folders. */
    admin: "22926164-76b3-42b3-bc55-97df8dab3e41",
    /** Grafana Viewer. */
    viewer: "60921a7e-fef1-4a43-9b16-a26c52ad4769",
    /** Monitoring Reader: metrics and Log Analytics queries, for the workspace's identity. */
    monitoringReader: "43d0d8ad-25c7-4714-9337-8ba259a9fe05",
} as const;

export interface FleetDashboardArgs {
    /** The fleet's resource group: the workspace lives in it, and may read its monitoring data. */
    readonly resourceGroupName: pulumi.Input<string>;
    readonly resourceGroupId: pulumi.Input<string>;
    readonly subscriptionId: string;
    readonly location: string;
    /** Workspace name (`GRAFANA_WORKSPACE_NAME`), part of its URL. */
    readonly workspaceName: string;
    /** The plan (`GRAFANA_SKUS`; defaults: `GRAFANA_DEFAULTS`). @default "Standard" */
    readonly sku?: GrafanaSku;
    /** Grafana major version of the workspace (`GRAFANA_MAJOR_VERSION`). @default "11" */
    readonly grafanaMajorVersion?: string;
    /**
     * Spread the workspace over availability zones (Standard only). Azure sets it at creation
     * and never changes it: changing it deletes the workspace and creates it anew.
     * @default false
     */
    readonly zoneRedundancy?: boolean;
    /**
     * The identity that runs Pulumi for this stack (the Deployments identity): it gets Grafana
     * Admin, so that the program writes the data sources and dashboards with its own Entra ID
     * token (no Grafana API key exists). A configured principal, never the caller of the moment:
     * a laptop run and a Deployments run would otherwise take the grant from each other.
     * Required.
     * @default none
     */
    readonly deployerPrincipal?: DeployerPrincipal;
    /** Entra ID groups (object ids) with Grafana Admin. @default [] */
    readonly adminGroupObjectIds?: readonly string[];
    /** Entra ID groups (object ids) with Grafana Viewer. @default [] */
    readonly viewerGroupObjectIds?: readonly string[];
    /** The Log Analytics workspace Container Insights of every Arc cluster writes to. */
    readonly logAnalyticsWorkspaceId: pulumi.Input<string>;
    /**
     * CloudWatch: the workspace assumes `roleArn` with a key whose only right is that. Without
     * it (AWS off), the CloudWatch data source and its panels are left out.
     * @default none
     */
    readonly cloudWatch?: {
        readonly region: string;
        readonly roleArn: pulumi.Input<string>;
        readonly externalId: pulumi.Input<string>;
        readonly accessKeyId: pulumi.Input<string>;
        readonly secretAccessKey: pulumi.Input<string>;
        /** Values of the AWS dashboard variables. */
        readonly asgName: pulumi.Input<string>;
        readonly albArnSuffix: pulumi.Input<string>;
        readonly targetGroupArnSuffix: pulumi.Input<string>;
        /** @default "" (no web ACL: the WAF panel stays empty) */
        readonly webAclName?: pulumi.Input<string>;
    };
    /**
     * Cloud Monitoring: a service-account key of a Monitoring Viewer. Without it (Google Cloud
     * off), the data source and its panels are left out. @default none
     */
    readonly cloudMonitoring?: {
        readonly project: string;
        readonly clientEmail: pulumi.Input<string>;
        /** The key's PEM private key, a secret. */
        readonly privateKey: pulumi.Input<string>;
        /** @default "https://oauth2.googleapis.com/token" */
        readonly tokenUri?: pulumi.Input<string>;
    };
    /** The dashboards to render, checked by `loadDashboards`. */
    readonly dashboards: readonly DashboardFile[];
    /** @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Every problem with `args`, each naming the argument and the fix; empty when valid. */
export function validateFleetDashboardArgs(args: FleetDashboardArgs): string[] {
    const problems: string[] = [];
    if (!GRAFANA_WORKSPACE_NAME.test(args.workspaceName)) {
        problems.push(`workspaceName '${args.workspaceName}' ${GRAFANA_WORKSPACE_NAME_RULE}`);
    }
    const zones = zoneRedundancyProblem(
        args.sku,
        args.zoneRedundancy ?? GRAFANA_DEFAULTS.zoneRedundancy,
        { sku: "sku", zoneRedundancy: "zoneRedundancy" },
    );
    if (zones) problems.push(`zoneRedundancy ${zones}`);
    const version = args.grafanaMajorVersion ?? GRAFANA_DEFAULTS.grafanaMajorVersion;
    if (!GRAFANA_MAJOR_VERSION.test(version)) {
        problems.push(`grafanaMajorVersion '${version}' ${GRAFANA_MAJOR_VERSION_RULE}`);
    }
    if (!GUID.test(args.subscriptionId)) {
        problems.push(`subscriptionId '${args.subscriptionId}' is not a subscription id (a GUID)`);
    }
    const deployer = args.deployerPrincipal;
    if (deployer) {
        if (!GUID.test(deployer.objectId)) {
            problems.push(
                `deployerPrincipal.objectId '${deployer.objectId}' is not an Entra ID object id (a GUID): use the object id of the identity that runs Pulumi (for an app: its service principal's, az ad sp show --id <appId> --query id)`,
            );
        }
        if (!(PRINCIPAL_TYPES as readonly string[]).includes(deployer.type)) {
            problems.push(
                `deployerPrincipal.type '${String(deployer.type)}' must be one of ${PRINCIPAL_TYPES.join(", ")}`,
            );
        }
    } else {
        problems.push(
            "deployerPrincipal is required: the object id and type (User, Group or ServicePrincipal) of the identity that runs Pulumi, which gets Grafana Admin to write the data sources and dashboards",
        );
    }
    problems.push(...groupObjectIdProblems(args));
    // Children are named by object id: one id twice in a list would be two resources of one
    // name (object ids ignore case), as in ArcGovernance.
    for (const key of ["adminGroupObjectIds", "viewerGroupObjectIds"] as const) {
        problems.push(...repeatedProblems(key, args[key] ?? [], (id) => id.toLowerCase()));
    }
    if (args.dashboards.length === 0) {
        problems.push("dashboards is empty: pass the files loadDashboards read from dashboards/");
    }
    for (const d of args.dashboards) problems.push(...dashboardProblems(d.file, d.model));
    return problems;
}

/**
 * An Azure Managed Grafana workspace with a data source per enabled cloud and the repository's
 * dashboards, rendered for the clouds this stack runs.
 */
export class FleetDashboard extends pulumi.ComponentResource {
    /** The workspace's URL. */
    public readonly url: pulumi.Output<string>;
    /** The workspace's ARM id. */
    public readonly workspaceId: pulumi.Output<string>;
    /** The uids of the data sources created (one per enabled cloud). */
    public readonly dataSourceUids: pulumi.Output<string[]>;
    /** Each dashboard's URL, by uid. */
    public readonly dashboardUrls: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: FleetDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfInvalid("FleetDashboard", name, validateFleetDashboardArgs(args));
        super("multicloud:azure:FleetDashboard", name, {}, opts);
        const sku = args.sku ?? GRAFANA_DEFAULTS.sku;
        const grafanaMajorVersion =
            args.grafanaMajorVersion ?? GRAFANA_DEFAULTS.grafanaMajorVersion;
        const zoneRedundancy = args.zoneRedundancy ?? GRAFANA_DEFAULTS.zoneRedundancy;
        const adminGroupObjectIds = args.adminGroupObjectIds ?? [];
        const viewerGroupObjectIds = args.viewerGroupObjectIds ?? [];
        const tags = args.tags ?? {};
        const parent = { parent: this };
        const role = (id: string) => roleDefinitionIdIn(args.subscriptionId, id);

        const workspace = new azure.dashboard.Grafana(
            name,
            {
                workspaceName: args.workspaceName,
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                sku: { name: sku },
                // The data sources reach Azure Monitor as the workspace itself: no secret.
                identity: { type: "SystemAssigned" },
                properties: {
                    grafanaMajorVersion,
                    // Sign-in is Entra ID only; the program writes with an Entra ID token too.
                    apiKey: "Disabled",
                    // Fixed egress addresses, so that data sources can be allow-listed: a
                    // Standard-plan feature, refused on Essential.
                    deterministicOutboundIP: sku === "Standard" ? "Enabled" : "Disabled",
                    publicNetworkAccess: "Enabled",
                    zoneRedundancy: zoneRedundancy ? "Enabled" : "Disabled",
                },
                tags,
            },
            {
                ...parent,
                // Zone redundancy is fixed at creation: a change means a new workspace. Under the
                // same name, so the old one must go first (a PUT on its name would be an update).
                replaceOnChanges: ["properties.zoneRedundancy"],
                deleteBeforeReplace: true,
            },
        );
        const principalId = workspace.identity.apply((i) => i?.principalId ?? "");

        // Every assignment has a deterministic name, so its replacement reuses that name: the old
        // assignment must be deleted first, or Azure refuses the new one (RoleAssignmentExists).
        const assign = (
            resourceName: string,
            scope: pulumi.Input<string>,
            roleId: string,
            principal: pulumi.Input<string>,
            principalType: PrincipalType | undefined,
            aliases?: pulumi.Input<pulumi.Alias>[],
        ) =>
            new azure.authorization.RoleAssignment(
                resourceName,
                {
                    roleAssignmentName: assignmentName(scope, role(roleId), principal),
                    scope,
                    roleDefinitionId: role(roleId),
                    principalId: principal,
                    principalType,
                },
                { ...parent, deleteBeforeReplace: true, aliases },
            );

        // The workspace reads metrics and logs of the fleet's resource group only. Its identity
        // is seconds old: ServicePrincipal spares Azure the directory lookup that fails then.
        const reader = assign(
            `${name}-monitoring-reader`,
            args.resourceGroupId,
            GRAFANA_ROLES.monitoringReader,
            principalId,
            "ServicePrincipal",
        );
        const grants: pulumi.Resource[] = [
            assign(
                `${name}-deployer-admin`,
                workspace.id,
                GRAFANA_ROLES.admin,
                args.deployerPrincipal?.objectId ?? "",
                args.deployerPrincipal?.type,
            ),
        ];
        // Named by object id, never by position: adding a group in the middle of a list leaves
        // every other assignment as it is. The alias adopts the assignment an earlier release
        // named by position (`-0`, `-1`, ...); upgrade with the lists unchanged.
        for (const [kind, ids, roleId] of [
            ["admin", adminGroupObjectIds, GRAFANA_ROLES.admin],
            ["viewer", viewerGroupObjectIds, GRAFANA_ROLES.viewer],
        ] as const) {
            ids.forEach((groupId, i) =>
                grants.push(
                    assign(
                        `${name}-${kind}-${groupId.toLowerCase()}`,
                        workspace.id,
                        roleId,
                        groupId,
                        "Group",
                        [{ name: `${name}-${kind}-${i}` }],
                    ),
                ),
            );
        }

        // Grafana's API, as the deployer: an Entra ID token for Azure Managed Grafana's
        // audience, taken afresh whenever the program runs and held only as a secret. The
        // provider's inputs, token included, are kept in the state, and `pulumi refresh` and
        // `pulumi destroy` use the kept ones unless they run the program: the token would have
        // expired. So every command that reads or deletes these resources runs the program
        // (PULUMI_RUN_PROGRAM=true, or --run-program; see
        // docs/operations.md#the-fleet-dashboard-azure-managed-grafana), and nothing below needs
        // the token to go away: it goes with the workspace (deletedWith).
        const token = azure.authorization.getClientTokenOutput(
            { endpoint: GRAFANA_TOKEN_AUDIENCE },
            { parent: this },
        ).token;
        const provider = new grafana.Provider(
            `${name}-grafana`,
            {
                url: workspace.properties.endpoint,
                auth: pulumi.secret(token),
                // Azure RBAC takes minutes to reach a new workspace: retry 401/403 meanwhile.
                retries: 10,
                retryWait: 30,
                retryStatusCodes: ["401", "403", "429", "5xx"],
            },
            { ...parent, dependsOn: grants },
        );
        // Data sources, folder and dashboards live inside the workspace: deleting it deletes
        // them, so Pulumi makes no Grafana call for them then (destroy, dashboard.enabled false,
        // a replaced workspace), with whatever token the state holds.
        const inGrafana = {
            parent: this,
            provider,
            dependsOn: [reader, ...grants],
            deletedWith: workspace,
        };

        const sources: grafana.oss.DataSource[] = [];
        const source = (
            uid: FleetDataSourceUid,
            jsonData: pulumi.Input<Record<string, unknown>>,
            secureJsonData?: pulumi.Input<Record<string, pulumi.Input<string>>>,
        ) => {
            const def = FLEET_DATA_SOURCES[uid];
            const ds = new grafana.oss.DataSource(
                `${name}-${uid}`,
                {
                    uid,
                    name: def.name,
                    type: def.type,
                    jsonDataEncoded: pulumi.output(jsonData).apply((j) => JSON.stringify(j)),
                    secureJsonDataEncoded: secureJsonData
                        ? pulumi.secret(
                              pulumi.output(secureJsonData).apply((j) => JSON.stringify(j)),
                          )
                        : undefined,
                },
                inGrafana,
            );
            sources.push(ds);
            return ds;
        };
        source("fleet-azure-monitor", {
            azureAuthType: "msi",
            subscriptionId: args.subscriptionId,
        });
        if (args.cloudWatch) {
            const cw = args.cloudWatch;
            source(
                "fleet-cloudwatch",
                {
                    authType: "keys",
                    defaultRegion: cw.region,
                    assumeRoleArn: cw.roleArn,
                    externalId: cw.externalId,
                },
                { accessKey: cw.accessKeyId, secretKey: cw.secretAccessKey },
            );
        }
        if (args.cloudMonitoring) {
            const cm = args.cloudMonitoring;
            source(
                "fleet-cloud-monitoring",
                {
                    authenticationType: "jwt",
                    defaultProject: cm.project,
                    clientEmail: cm.clientEmail,
                    tokenUri: cm.tokenUri ?? GOOGLE_TOKEN_URI,
                },
                { privateKey: cm.privateKey },
            );
        }

        const clouds = new Set<Cloud>([
            "azure",
            ...(args.cloudWatch ? (["aws"] as const) : []),
            ...(args.cloudMonitoring ? (["gcp"] as const) : []),
        ]);
        const values = pulumi
            .all({
                aws_region: args.cloudWatch?.region ?? "",
                asg_name: args.cloudWatch?.asgName ?? "",
                alb: args.cloudWatch?.albArnSuffix ?? "",
                target_group: args.cloudWatch?.targetGroupArnSuffix ?? "",
                web_acl: args.cloudWatch?.webAclName ?? "",
                gcp_project: args.cloudMonitoring?.project ?? "",
                azure_subscription: args.subscriptionId,
                log_analytics_workspace: args.logAnalyticsWorkspaceId,
            })
            .apply((v) => v as Record<DashboardVariable, string>);

        const folder = new grafana.oss.Folder(
            `${name}-folder`,
            { title: "Multi-cloud fleet", uid: "multicloud" },
            inGrafana,
        );
        const dashboards = args.dashboards.map(
            (d) =>
                new grafana.oss.Dashboard(
                    `${name}-${String(d.model.uid)}`,
                    {
                        folder: folder.uid,
                        configJson: values.apply((v) =>
                            JSON.stringify(renderDashboard(d.model, clouds, v)),
                        ),
                        overwrite: true,
                        message: `Rendered by Pulumi from ${d.file}`,
                    },
                    {
                        ...inGrafana,
                        dependsOn: [...inGrafana.dependsOn, ...sources],
                        // A replacement keeps the uid: created first, the new dashboard would
                        // overwrite the old one, whose delete (by uid) then removes it
                        // (terraform-provider-grafana resource_dashboard.go DeleteDashboard).
                        // An unknown configJson replaces the dashboard (its CustomizeDiff reads
                        // the uid of an unknown value as ""), so this happens whenever a value
                        // it shows is recomputed.
                        deleteBeforeReplace: true,
                    },
                ),
        );

        this.url = workspace.properties.endpoint;
        this.workspaceId = workspace.id;
        this.dataSourceUids = pulumi.output(sources.map((s) => s.uid));
        this.dashboardUrls = pulumi
            .all(dashboards.map((d) => pulumi.all([d.uid, d.url])))
            .apply((pairs) => Object.fromEntries(pairs));
        this.registerOutputs({
            url: this.url,
            workspaceId: this.workspaceId,
            dataSourceUids: this.dataSourceUids,
            dashboardUrls: this.dashboardUrls,
        });
    }
}
