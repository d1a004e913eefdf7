/**
 * The multi-cloud fleet: reads the stack config once, validates all of it before anything is
 * registered, then composes one component per concern on each enabled cloud.
 */
import * as azureNative from "@pulumi/azure-native";
import * as gcpSdk from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { RegistryPullSecret } from "./components/app/RegistryPullSecret";
import { Workload } from "./components/app/Workload";
import { CloudWatchReader } from "./components/aws/CloudWatchReader";
import { ArcGovernance } from "./components/azure/ArcGovernance";
import {
    FleetDashboard,
    GRAFANA_WORKSPACE_NAME_MAX_LENGTH,
} from "./components/azure/FleetDashboard";
import { EdgeCluster } from "./components/edge/EdgeCluster";
import { ownedSites } from "./components/edge/shards";
import { CloudNat, natName, networkName } from "./components/gcp/CloudNat";
import { ConfigSync } from "./components/gcp/ConfigSync";
import { ConfigSyncMember } from "./components/gcp/ConfigSyncMember";
import { GkeCluster, regionOf } from "./components/gcp/GkeCluster";
import { HubMembership } from "./components/gcp/HubMembership";
import { MonitoringReader } from "./components/gcp/MonitoringReader";
import { ProjectServices } from "./components/gcp/ProjectServices";
import { buildAppImage } from "./composition/appImage";
import { awsFleet } from "./composition/aws";
import { masterRange, parseStackConfig, REQUIRED_GCP_SERVICES } from "./config";
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

// --- Google Cloud: the APIs the GKE fleet (clusters, Hub, Config Management) needs -----------
const gcpServices =
    config.gcp.enabled && providers.gcp
        ? new ProjectServices(
              "gcp-services",
              {
                  project: config.gcp.project,
                  services: [...REQUIRED_GCP_SERVICES, ...config.gcp.extraServices],
              },
              { providers: [providers.gcp] },
          )
        : undefined;

// --- Azure: the resource group that holds the fleet's Arc, Policy and Monitor resources -------
const fleetResourceGroup =
    config.azure.enabled && providers.azure
        ? new azureNative.resources.ResourceGroup(
              "fleet",
              {
                  resourceGroupName: config.azure.resourceGroupName ?? `${project}-${stack}`,
                  location: config.azure.location,
                  tags,
              },
              { provider: providers.azure },
          )
        : undefined;

// The tenant of the identity running Pulumi (ACR token exchange, Arc agents).
const azureTenantId =
    config.azure.enabled && providers.azure
        ? (config.azure.tenantId ??
          azureNative.authorization.getClientConfigOutput({ provider: providers.azure }).tenantId)
        : undefined;

/**
 * The released image's pull secret on a cluster GitOps feeds, written through the cluster's own
 * provider when the stack holds the credential (`registryPullCredential`).
 */
function pullSecret(cluster: string, kubeconfig: string, after: pulumi.Resource) {
    const credential = config.registryPullCredential;
    if (!credential) return undefined;
    return new RegistryPullSecret(
        `${cluster}-pull`,
        {
            kubeconfig: pulumi.secret(kubeconfig),
            server: credential.server,
            username: credential.username,
            password: pulumi.secret(credential.password),
            secretName: credential.secretName,
        },
        { dependsOn: [after] },
    );
}

// --- The app image: built once from app/, pushed to the registry of every cloud listed -------
const appImage = buildAppImage({
    image: config.appImage,
    aws: config.aws,
    gcp: config.gcp,
    azure: config.azure,
    tags,
    providers,
    fleetResourceGroup,
    azureTenantId,
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
function gcpFleet() {
    if (!config.gcp.enabled || !providers.gcp || !gcpServices) return undefined;
    const gcp = config.gcp;
    // Every Google resource waits for the APIs it needs.
    const opts = { providers: [providers.gcp], dependsOn: gcpServices.resources };

    // Private nodes reach git hosts and registries through one Cloud NAT per network and region.
    // One NAT per network and region, however the network is spelled (name or self-link), named
    // within the 63 characters of a router name.
    const natSites = new Map<string, { network: string; region: string }>();
    for (const c of gcp.clusters) {
        const network = c.network ?? "default";
        const region = regionOf(c.location);
        natSites.set(`${networkName(network)}/${region}`, { network, region });
    }
    const nats = [...natSites.values()].map(
        ({ network, region }) =>
            new CloudNat(natName(network, region), { project: gcp.project, region, network }, opts),
    );

    // Config Sync: the fleet feature, then one FeatureMembership per member (GKE, attached and
    // edge alike), each after its membership. No fleet default: Google applies it to new GKE
    // memberships only, and a FeatureMembership over an inherited spec fails to create.
    const configSync = gcp.configSync.enabled
        ? new ConfigSync(
              "config-sync",
              {
                  project: gcp.project,
                  git: {
                      // Present: the schema requires it whenever Config Sync is enabled.
                      syncRepo: gcp.configSync.syncRepo!,
                      syncBranch: gcp.configSync.syncBranch,
                      policyDir: gcp.configSync.policyDir,
                      secretType: gcp.configSync.secretType,
                      gcpServiceAccountEmail: gcp.configSync.gcpServiceAccountEmail,
                  },
                  sourceFormat: gcp.configSync.sourceFormat,
              },
              opts,
          )
        : undefined;
    const memberOpts = {
        ...opts,
        dependsOn: [...gcpServices.resources, ...(configSync ? [configSync] : [])],
    };

    const clusters = gcp.clusters.map((c) => ({
        config: c,
        cluster: new GkeCluster(
            c.name,
            {
                project: gcp.project,
                location: c.location,
                releaseChannel: c.releaseChannel,
                machineType: c.machineType,
                minNodesPerZone: c.minNodesPerZone,
                maxNodesPerZone: c.maxNodesPerZone,
                masterIpv4CidrBlock: masterRange(c),
                masterAuthorizedNetworks: c.masterAuthorizedNetworks,
                databaseEncryptionKey: c.databaseEncryptionKey,
                network: c.network,
                subnetwork: c.subnetwork,
                deletionProtection: c.deletionProtection,
                networkPolicyEnforcement: c.networkPolicyEnforcement,
                rbacGroupDomain: gcp.rbacGroupDomain,
                labels: tags,
            },
            { ...opts, dependsOn: [...gcpServices.resources, ...nats] },
        ),
    }));
    const gkeMembers = clusters.map(
        ({ config: c, cluster }) =>
            new HubMembership(
                c.name,
                { kind: "gke", project: gcp.project, clusterId: cluster.clusterId },
                memberOpts,
            ),
    );
    const attachedMembers = gcp.attachedClusters.map(
        (a) =>
            new HubMembership(
                a.name,
                {
                    kind: "attached",
                    project: gcp.project,
                    location: a.location,
                    distribution: a.distribution,
                    oidcIssuerUrl: a.oidcIssuerUrl,
                    platformVersion: a.platformVersion,
                    jwks: a.jwks,
                    kubeconfig: pulumi.secret(a.kubeconfig),
                    adminUsers: a.adminUsers,
                },
                memberOpts,
            ),
    );
    /** Config Sync on one fleet member, once its membership exists. */
    const syncMember = (
        name: string,
        membership: pulumi.Input<string>,
        after: pulumi.Resource,
        narrow: { syncBranch?: string; policyDir?: string } = {},
    ) =>
        configSync
            ? new ConfigSyncMember(
                  `config-sync-${name}`,
                  {
                      project: gcp.project,
                      feature: configSync.featureName,
                      membership,
                      git: configSync.git,
                      sourceFormat: configSync.sourceFormat,
                      preventDrift: configSync.preventDrift,
                      ...narrow,
                  },
                  { ...opts, dependsOn: [...gcpServices.resources, configSync, after] },
              )
            : undefined;
    // Attached clusters sync the whole tree: the baseline and the app, pulled with the
    // released image's pull secret.
    gcp.attachedClusters.forEach((a, i) => {
        syncMember(a.name, attachedMembers[i].membershipId, attachedMembers[i]);
        pullSecret(a.name, a.kubeconfig, attachedMembers[i]);
    });
    // The app on every GKE cluster of this program, applied by Pulumi through the cluster's own
    // provider; so these clusters sync only the baseline (or their own branch and folder).
    const workloads = clusters.map(({ config: c, cluster }, i) => {
        const narrowed = syncMember(c.name, gkeMembers[i].membershipName, gkeMembers[i], {
            syncBranch: c.configSyncBranch,
            policyDir: c.configSyncPolicyDir ?? gcp.configSync.baselinePolicyDir,
        });
        const kube = new k8s.Provider(
            `${c.name}-k8s`,
            { kubeconfig: cluster.kubeconfig, enableServerSideApply: true },
            // Every object of the app goes through this provider, so they all wait for the
            // whole cluster (node pool included) and for Config Sync to be narrowed to the
            // baseline: the two never hold the same objects.
            { dependsOn: narrowed ? [cluster, narrowed] : [cluster] },
        );
        return new Workload(
            `${c.name}-app`,
            {
                ...config.app,
                // The image just pushed to Artifact Registry, else the released image.
                image: appImage?.refs.gcp ?? config.app.image,
                // The image built here has these architectures: pods go to matching nodes (and
                // tolerate GKE's arm64 taint). The released image's are not known here.
                architectures: appImage?.refs.gcp
                    ? appImage.platforms.map((p) => (p === "linux/arm64" ? "arm64" : "amd64"))
                    : undefined,
                databaseUrl: config.databaseUrl ? pulumi.secret(config.databaseUrl) : undefined,
            },
            { providers: [kube] },
        );
    });
    return {
        configSync,
        syncMember: configSync ? syncMember : undefined,
        clusters: clusters.map(({ config: c, cluster }) => ({
            name: c.name,
            clusterId: cluster.clusterId,
            endpoint: cluster.endpoint,
        })),
        membershipIds: [...gkeMembers, ...attachedMembers].map((m) => m.membershipId),
        configSyncFeatureState: configSync?.featureState ?? null,
        appHosts: workloads.map((w) => w.host),
    };
}
const gcpSide = gcpFleet();

// --- Azure: Arc-connected clusters, governed and fed by fleet-wide assignments ----------------
function azureFleet() {
    if (
        !config.azure.enabled ||
        !providers.azure ||
        !providers.tls ||
        !fleetResourceGroup ||
        !azureTenantId
    )
        return undefined;
    const az = config.azure;
    const opts = { providers: [providers.azure, providers.tls] };
    const git = { url: az.gitops.url, branch: az.gitops.branch, path: az.gitops.path };
    const tenantId = azureTenantId;
    const governance = new ArcGovernance(
        "arc-governance",
        {
            subscriptionId: az.subscriptionId,
            resourceGroupName: fleetResourceGroup.name,
            resourceGroupId: fleetResourceGroup.id,
            location: az.location,
            logRetentionDays: az.logRetentionDays,
            podSecurityEffect: az.podSecurityEffect,
            excludedNamespaces: az.podSecurity.excludedNamespaces,
            git,
            adminGroupObjectIds: az.adminGroupObjectIds,
            viewerGroupObjectIds: az.viewerGroupObjectIds,
            // Config Sync delivers gitops/ to the edge sites instead of Flux when configured.
            fluxDelivery: config.edge.gitops === "flux",
            tags,
        },
        opts,
    );
    return { governance, tenantId };
}
const azureSide = azureFleet();

// --- The edge fleet: the sites this stack's shard owns, each with a fixed, small footprint ------
/** Edge sites registered per turn of the event loop (see `edgeFleet`). */
const EDGE_BATCH = 5;
function edgeFleet() {
    const sites = ownedSites(config.edge.sites, config.edge.shards, config.edge.shard);
    if (sites.length === 0 || !azureSide || !fleetResourceGroup || !providers.azure) {
        return undefined;
    }
    const az = config.azure as Extract<typeof config.azure, { enabled: true }>;
    const anthos = config.edge.anthos;
    const gcp = config.gcp.enabled ? config.gcp : undefined;
    const attach = anthos.enabled && gcp && providers.gcp && gcpServices;
    // One lookup for the whole fleet, not one per attached site.
    const projectNumber = attach
        ? gcpSdk.organizations.getProjectOutput(
              { projectId: gcp.project },
              { provider: providers.gcp },
          ).number
        : undefined;
    const register = (site: (typeof sites)[number]) => {
        const edge = new EdgeCluster(
            site.name,
            {
                kubeconfig: pulumi.secret(site.kubeconfig),
                distribution: site.distribution,
                infrastructure: site.infrastructure,
                azureRbac: site.azureRbac,
                azureRbacSkipList: site.azureRbacSkipList,
                arc: {
                    resourceGroupName: fleetResourceGroup.name,
                    location: az.location,
                    subscriptionId: az.subscriptionId,
                    tenantId: azureSide.tenantId,
                    // Present: the schema requires it whenever sites are listed.
                    agentChartVersion: az.arc.agentChartVersion!,
                    proxy: az.arc.proxy,
                },
                anthos:
                    attach && projectNumber
                        ? {
                              project: gcp.project,
                              projectNumber,
                              location: anthos.location!,
                              platformVersion: anthos.platformVersion!,
                              oidcIssuerUrl: site.oidcIssuerUrl!,
                              jwks: site.jwks,
                          }
                        : undefined,
                tags: { ...tags, ...site.labels, "edge-region": site.region },
            },
            {
                providers: [providers.azure!, providers.tls!, providers.gcp].filter(
                    (p) => p !== undefined,
                ),
                // The fleet's policy assignments exist first, so that they act on every site as
                // it is created.
                dependsOn: [azureSide.governance],
            },
        );
        // The released image's pull secret, before GitOps delivers the app.
        pullSecret(site.name, site.kubeconfig, edge);
        // Config Sync delivers gitops/ to the site through its own FeatureMembership.
        if (attach && config.edge.gitops === "configsync" && gcpSide?.syncMember) {
            gcpSide.syncMember(
                site.name,
                edge.membershipId.apply((m) => m ?? ""),
                edge,
            );
        }
        return edge;
    };
    // Sites are registered in batches with a turn of the event loop between them. The SDK
    // keeps a few hundred promises per pending registration; under the offline plan (whose
    // mock engine answers at once) each batch completes before the next starts, so peak memory
    // stays flat whatever the fleet's size (measured by `npm run bench`). Under `pulumi up`
    // nothing waits for a batch: it only yields. Stack outputs wait for the last batch.
    const registered = (async () => {
        for (let i = 0; i < sites.length; i += EDGE_BATCH) {
            sites.slice(i, i + EDGE_BATCH).forEach(register);
            await new Promise((resolve) => setImmediate(resolve));
        }
        return sites.map((site) => site.name);
    })();
    return { names: registered };
}
const edgeSide = edgeFleet();

// --- One dashboard for the whole fleet: Azure Managed Grafana, a data source per cloud ---------
function fleetDashboard() {
    if (
        !config.dashboard.enabled ||
        !config.azure.enabled ||
        !azureSide ||
        !fleetResourceGroup ||
        !providers.azure
    )
        return undefined;
    const az = config.azure;
    const dash = config.dashboard;
    // The Google Cloud and AWS sides hand Grafana the narrowest key each allows (see README).
    const cloudWatch =
        awsSide && providers.aws && config.aws.enabled
            ? {
                  region: config.aws.region,
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
    const gcpProject = config.gcp.enabled ? config.gcp.project : undefined;
    const monitoring =
        gcpProject && providers.gcp && gcpServices
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
                  { providers: [providers.gcp], dependsOn: gcpServices.resources },
              )
            : undefined;
    return new FleetDashboard(
        "fleet-dashboard",
        {
            resourceGroupName: fleetResourceGroup.name,
            resourceGroupId: fleetResourceGroup.id,
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
const dashboardSide = fleetDashboard();

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
              ...(({ configSync: _feature, syncMember: _member, ...outputs }) => outputs)(gcpSide),
          }
        : null;
export const azure = fleetResourceGroup
    ? {
          resourceGroupName: fleetResourceGroup.name,
          resourceGroupId: fleetResourceGroup.id,
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
