/**
 * The multi-cloud fleet: reads the stack config once, validates all of it before anything is
 * registered, then composes one component per concern on each enabled cloud.
 */
import * as pulumi from "@pulumi/pulumi";
import { buildAppImage } from "./composition/appImage";
import { awsFleet } from "./composition/aws";
import { azureFleet, azureFoundation } from "./composition/azure";
import { fleetDashboard } from "./composition/dashboard";
import { edgeFleet } from "./composition/edge";
import { gcpFleet, gcpProjectServices } from "./composition/gcp";
import { parseStackConfig } from "./config";
import { createProviders } from "./providers";

const project = pulumi.getProject();
const stack = pulumi.getStack();

// The only place that reads stack config. Throws one error listing every problem, before any
// resource is registered.
const rawConfig = pulumi.runtime.allConfig();
// Which keys Pulumi holds as secrets (the runtime knows; its typings do not export the check).
const isSecret = (pulumi.runtime as unknown as { isConfigSecret(key: string): boolean })
    .isConfigSecret;
const config = parseStackConfig(
    rawConfig,
    project,
    stack,
    Object.keys(rawConfig).filter((key) => isSecret(key)),
    // The project folder: the image's build context is checked against it.
    __dirname,
);

/** Stamped on every resource of every cloud (AWS tags, Google Cloud labels, Azure tags). */
const tags: Record<string, string> = {
    project,
    stack,
    environment: config.environment,
    "managed-by": "pulumi",
    ...config.tags,
};

const providers = createProviders(config, tags);

// --- Foundations other clouds' parts build on: Google Cloud's APIs, Azure's resource group ----
const gcpServices = gcpProjectServices({ gcp: config.gcp, provider: providers.gcp });
const azureBase = azureFoundation({
    azure: config.azure,
    defaultName: `${project}-${stack}`,
    tags,
    provider: providers.azure,
});

// --- The app image: built once from app/, pushed to the registry of every cloud listed -------
const appImage = buildAppImage({
    image: config.appImage,
    aws: config.aws,
    gcp: config.gcp,
    azure: config.azure,
    tags,
    providers,
    fleetResourceGroup: azureBase?.resourceGroup,
    azureTenantId: azureBase?.tenantId,
    gcpServices,
});

// --- AWS: the Auto Scaling fleet behind a TLS 1.3 load balancer, in its own or a given VPC ------
const awsSide = awsFleet({
    aws: config.aws,
    app: config.app,
    environment: config.environment,
    tags,
    provider: providers.aws,
    builtImage: appImage?.refs.aws,
});

// --- Google Cloud: GKE clusters and outside clusters in one fleet, Config Sync for all ---------
const gcpSide = gcpFleet({
    gcp: config.gcp,
    app: config.app,
    databaseUrl: config.databaseUrl,
    registryPullCredential: config.registryPullCredential,
    tags,
    provider: providers.gcp,
    services: gcpServices,
    builtImage: appImage?.refs.gcp,
    builtPlatforms: appImage?.platforms,
});

// --- Azure: Arc-connected clusters, governed and fed by fleet-wide assignments ----------------
const azureSide = azureFleet({
    azure: config.azure,
    edgeGitops: config.edge.gitops,
    tags,
    foundation: azureBase,
    providers,
});

// --- The edge fleet: the sites this stack's shard owns, each with a fixed, small footprint ------
const edgeSide = edgeFleet({
    edge: config.edge,
    azure: config.azure,
    gcp: config.gcp,
    registryPullCredential: config.registryPullCredential,
    tags,
    providers,
    azureFoundation: azureBase,
    azureFleet: azureSide,
    gcpServices,
    gcpFleet: gcpSide,
});

// --- One dashboard for the whole fleet: Azure Managed Grafana, a data source per cloud ---------
const dashboardSide = fleetDashboard({
    dashboard: config.dashboard,
    aws: config.aws,
    gcp: config.gcp,
    azure: config.azure,
    project,
    stack,
    tags,
    providers,
    azureFoundation: azureBase,
    azureFleet: azureSide,
    awsFleet: awsSide,
    gcpServices,
});

// --- Stack outputs ---------------------------------------------------------------------------
// One object per cloud, `null` when the stack switches that cloud off (an undefined output
// would only earn a warning from the engine).
export const environment = config.environment;
export const enabledClouds = (["aws", "gcp", "azure"] as const).filter((c) => config[c].enabled);
export const aws =
    config.aws.enabled && awsSide
        ? {
              region: config.aws.region,
              vpcId: awsSide.vpcId,
              albDnsName: awsSide.fleet.albDnsName,
              targetGroupArn: awsSide.fleet.targetGroupArn,
              groupName: awsSide.fleet.groupName,
              alertTopicArn: awsSide.fleet.alertTopicArn,
              /** The WAFv2 web ACL on the load balancer, or null when aws.waf.enabled is false. */
              webAclArn: awsSide.waf?.webAclArn ?? null,
          }
        : null;
export const gcp =
    config.gcp.enabled && gcpSide
        ? {
              project: config.gcp.project,
              region: config.gcp.region,
              enabledServices: gcpServices?.services,
              ...(({ syncMember: _member, ...outputs }) => outputs)(gcpSide),
          }
        : null;
export const azure = azureBase
    ? {
          resourceGroupName: azureBase.resourceGroup.name,
          resourceGroupId: azureBase.resourceGroup.id,
          workspaceId: azureSide?.governance.workspaceId ?? null,
      }
    : null;
/** The fleet dashboard (Azure Managed Grafana), or null without Azure or dashboard.enabled. */
export const dashboard = dashboardSide
    ? {
          url: dashboardSide.url,
          dashboards: dashboardSide.dashboardUrls,
          dataSources: dashboardSide.dataSourceUids,
      }
    : null;
/** The edge sites this stack manages: its shard's slice of the fleet's site list. */
export const edge = {
    shard: config.edge.shard ?? null,
    sitesInFleet: config.edge.sites.length,
    sites: edgeSide?.names ?? [],
    gitops: config.edge.gitops,
    attachedToGkeFleet: config.edge.anthos.enabled,
};
export const app = {
    /** The released image: what GitOps delivers to every other cluster. */
    releasedImage: config.app.image,
    /** The image this stack built, by digest in each registry it was pushed to. */
    built: appImage
        ? {
              tag: appImage.tag,
              digest: appImage.digest,
              refs: {
                  aws: appImage.refs.aws ?? null,
                  gcp: appImage.refs.gcp ?? null,
                  azure: appImage.refs.azure ?? null,
              },
          }
        : null,
};
