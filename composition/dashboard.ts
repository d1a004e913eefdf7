/**
 * One dashboard for the whole fleet: Azure Managed Grafana, with a read-only data source per
 * cloud. Reads no stack config: index.ts passes the parsed sections, the tags, the providers
 * and the other clouds' parts.
 */
import { CloudWatchReader } from "../components/aws/CloudWatchReader";
import {
    FleetDashboard,
    GRAFANA_WORKSPACE_NAME_MAX_LENGTH,
} from "../components/azure/FleetDashboard";
import { MonitoringReader } from "../components/gcp/MonitoringReader";
import type { ProjectServices } from "../components/gcp/ProjectServices";
import type { AwsConfig, AzureConfig, GcpConfig, StackConfig } from "../config";
import type { CloudProviders } from "../providers";
import type { AwsFleet } from "./aws";
import type { AzureFleet, AzureFoundation } from "./azure";

export interface FleetDashboardArgs {
    /** The `dashboard` config section; nothing is created unless it is enabled. */
    readonly dashboard: StackConfig["dashboard"];
    readonly aws: AwsConfig;
    readonly gcp: GcpConfig;
    readonly azure: AzureConfig;
    /** The Pulumi project and stack: they name the workspace, the AWS external id, the reader. */
    readonly project: string;
    readonly stack: string;
    readonly tags: Record<string, string>;
    readonly providers: Pick<CloudProviders, "aws" | "gcp" | "azure">;
    /** The resource group (`azureFoundation`); no dashboard without it. */
    readonly azureFoundation?: AzureFoundation;
    /** The fleet's governance (`azureFleet`): its Log Analytics workspace is a data source. */
    readonly azureFleet?: AzureFleet;
    /** The AWS fleet (`awsFleet`): CloudWatch panels name its group, load balancer and WAF. */
    readonly awsFleet?: AwsFleet;
    /** The Google Cloud APIs (`gcpProjectServices`); no Cloud Monitoring reader without them. */
    readonly gcpServices?: ProjectServices;
}

/** The fleet dashboard, or undefined without Azure or `dashboard.enabled`. */
export function fleetDashboard(args: FleetDashboardArgs): FleetDashboard | undefined {
    const {
        dashboard: dash,
        azure: az,
        project,
        stack,
        tags,
        providers,
        azureFoundation: foundation,
        azureFleet: azureSide,
        awsFleet: awsSide,
    } = args;
    if (!dash.enabled || !az.enabled || !azureSide || !foundation || !providers.azure) {
        return undefined;
    }
    // The Google Cloud and AWS sides hand Grafana the narrowest key each allows
    // (docs/operations.md#the-fleet-dashboard-azure-managed-grafana).
    const cloudWatch =
        awsSide && providers.aws && args.aws.enabled
            ? {
                  region: args.aws.region,
                  reader: new CloudWatchReader(
                      "dashboard-cloudwatch",
                      {
                          externalId: `${project}-${stack}-grafana`,
                          credentialRotation: dash.credentialRotation,
                          tags,
                      },
                      { providers: [providers.aws] },
                  ),
              }
            : undefined;
    const gcpProject = args.gcp.enabled ? args.gcp.project : undefined;
    const monitoring =
        gcpProject && providers.gcp && args.gcpServices
            ? new MonitoringReader(
                  "dashboard-monitoring",
                  {
                      project: gcpProject,
                      // Service account ids: 6-30 of [a-z0-9-], one per stack of the project.
                      accountId: `grafana-${stack}`
                          .replace(/[^a-z0-9-]/g, "-")
                          .slice(0, 30)
                          .replace(/-+$/, ""),
                      credentialRotation: dash.credentialRotation,
                  },
                  { providers: [providers.gcp], dependsOn: args.gcpServices.resources },
              )
            : undefined;
    return new FleetDashboard(
        "fleet-dashboard",
        {
            resourceGroupName: foundation.resourceGroup.name,
            resourceGroupId: foundation.resourceGroup.id,
            subscriptionId: az.subscriptionId,
            location: az.location,
            workspaceName:
                dash.name ??
                `${project}-${stack}`
                    .slice(0, GRAFANA_WORKSPACE_NAME_MAX_LENGTH)
                    .replace(/-+$/, ""),
            sku: dash.sku,
            grafanaMajorVersion: dash.grafanaMajorVersion,
            zoneRedundancy: dash.zoneRedundancy,
            // Present: the schema requires it while the dashboard is enabled.
            deployerPrincipal: {
                objectId: dash.deployerObjectId!,
                type: dash.deployerPrincipalType,
            },
            adminGroupObjectIds: dash.adminGroupObjectIds,
            viewerGroupObjectIds: dash.viewerGroupObjectIds,
            logAnalyticsWorkspaceId: azureSide.governance.workspaceId,
            cloudWatch:
                cloudWatch && awsSide
                    ? {
                          region: cloudWatch.region,
                          roleArn: cloudWatch.reader.roleArn,
                          externalId: cloudWatch.reader.externalId,
                          accessKeyId: cloudWatch.reader.accessKeyId,
                          secretAccessKey: cloudWatch.reader.secretAccessKey,
                          asgName: awsSide.fleet.groupName,
                          albArnSuffix: awsSide.fleet.albArnSuffix,
                          targetGroupArnSuffix: awsSide.fleet.targetGroupArnSuffix,
                          webAclName: awsSide.waf?.webAclName,
                      }
                    : undefined,
            cloudMonitoring:
                monitoring && gcpProject
                    ? {
                          project: gcpProject,
                          clientEmail: monitoring.email,
                          privateKey: monitoring.privateKey,
                          tokenUri: monitoring.tokenUri,
                      }
                    : undefined,
            dashboards: dash.files,
            tags,
        },
        { providers: [providers.azure] },
    );
}
