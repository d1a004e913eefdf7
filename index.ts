/**
 * The multi-cloud fleet: reads the stack config once, validates all of it before anything is
 * registered, then composes one component per concern on each enabled cloud.
 */
import * as azureNative from "@pulumi/azure-native";
import * as pulumi from "@pulumi/pulumi";
import { AsgFleet } from "./components/aws/AsgFleet";
import { ArcConnectedCluster } from "./components/azure/ArcConnectedCluster";
import { ArcGovernance } from "./components/azure/ArcGovernance";
import { Network } from "./components/aws/Network";
import { CloudNat } from "./components/gcp/CloudNat";
import { ConfigSync } from "./components/gcp/ConfigSync";
import { ConfigSyncOverride } from "./components/gcp/ConfigSyncOverride";
import { GkeCluster, regionOf } from "./components/gcp/GkeCluster";
import { HubMembership } from "./components/gcp/HubMembership";
import { ProjectServices } from "./components/gcp/ProjectServices";
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

// --- AWS: the Auto Scaling fleet behind a TLS 1.3 load balancer, in its own or a given VPC ------
function awsFleet() {
    if (!config.aws.enabled || !providers.aws) return undefined;
    const aws = config.aws;
    const opts = { providers: [providers.aws] };
    const { vpcId, publicSubnetIds, privateSubnetIds } = aws.network;
    const network =
        vpcId && publicSubnetIds && privateSubnetIds
            ? { vpcId, publicSubnetIds, privateSubnetIds }
            : new Network(
                  "aws-network",
                  {
                      cidrBlock: aws.network.cidrBlock,
                      availabilityZoneCount: aws.network.availabilityZoneCount,
                      natGateways: aws.network.natGateways,
                  },
                  opts,
              );
    const fleet = new AsgFleet(
        "app",
        {
            vpcId: network.vpcId,
            publicSubnetIds: network.publicSubnetIds,
            privateSubnetIds: network.privateSubnetIds,
            image: aws.fleet.image,
            environment: config.environment,
            tags,
            minSize: aws.fleet.minSize,
            maxSize: aws.fleet.maxSize,
            desiredCapacity: aws.fleet.desiredCapacity,
            targetCpuUtilization: aws.fleet.targetCpuUtilization,
            instanceType: aws.fleet.instanceType,
            os: aws.fleet.os,
            architecture: aws.fleet.architecture,
            rootVolumeSizeGiB: aws.fleet.rootVolumeSizeGiB,
            kmsKeyArn: aws.fleet.kmsKeyArn,
            createServiceLinkedRole: aws.fleet.createServiceLinkedRole,
            healthCheckGracePeriodSeconds: aws.fleet.healthCheckGracePeriodSeconds,
            certificateArn: aws.loadBalancer.certificateArn,
            sslPolicy: aws.loadBalancer.sslPolicy,
            ingressCidrs: aws.loadBalancer.ingressCidrs,
            deletionProtection: aws.loadBalancer.deletionProtection,
            idleTimeoutSeconds: aws.loadBalancer.idleTimeoutSeconds,
            alertEmails: aws.alerts.emails,
            highCpuThreshold: aws.alerts.highCpuThreshold,
            error5xxRatePercent: aws.alerts.error5xxRatePercent,
        },
        // A created network is complete (NAT routes included) before instances boot.
        network instanceof Network ? { ...opts, dependsOn: [network] } : opts,
    );
    return { fleet, vpcId: pulumi.output(network.vpcId) };
}
const awsSide = awsFleet();

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

// --- Google Cloud: GKE clusters and outside clusters in one fleet, Config Sync for all ---------
function gcpFleet() {
    if (!config.gcp.enabled || !providers.gcp || !gcpServices) return undefined;
    const gcp = config.gcp;
    // Every Google resource waits for the APIs it needs.
    const opts = { providers: [providers.gcp], dependsOn: gcpServices.resources };

    // Private nodes reach git hosts and registries through one Cloud NAT per network and region.
    const natSites = [
        ...new Set(gcp.clusters.map((c) => `${c.network ?? "default"}/${regionOf(c.location)}`)),
    ];
    const nats = natSites.map((site) => {
        const [network, region] = site.split("/");
        return new CloudNat(
            `nat-${network}-${region}`,
            { project: gcp.project, region, network },
            opts,
        );
    });

    // Config Sync first: fleet defaults apply to clusters registered after the feature exists.
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

    const clusters = gcp.clusters.map((c, i) => ({
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
                masterIpv4CidrBlock: masterRange(c, i),
                masterAuthorizedNetworks: c.masterAuthorizedNetworks,
                databaseEncryptionKey: c.databaseEncryptionKey,
                network: c.network,
                subnetwork: c.subnetwork,
                deletionProtection: c.deletionProtection,
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
    // A cluster that needs another branch or folder than the fleet default.
    clusters.forEach(({ config: c }, i) => {
        if (!configSync || !(c.configSyncBranch || c.configSyncPolicyDir)) return;
        new ConfigSyncOverride(
            `config-sync-${c.name}`,
            {
                project: gcp.project,
                feature: configSync.featureName,
                membership: gkeMembers[i].membershipName,
                git: configSync.git,
                sourceFormat: gcp.configSync.sourceFormat,
                syncBranch: c.configSyncBranch,
                policyDir: c.configSyncPolicyDir,
            },
            { ...opts, dependsOn: [gkeMembers[i]] },
        );
    });
    return {
        clusters: clusters.map(({ config: c, cluster }) => ({
            name: c.name,
            clusterId: cluster.clusterId,
            endpoint: cluster.endpoint,
        })),
        membershipIds: [...gkeMembers, ...attachedMembers].map((m) => m.membershipId),
        configSyncFeatureState: configSync?.featureState ?? null,
    };
}
const gcpSide = gcpFleet();

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

// --- Azure: Arc-connected clusters, governed and fed by fleet-wide assignments ----------------
function azureFleet() {
    if (!config.azure.enabled || !providers.azure || !providers.tls || !fleetResourceGroup)
        return undefined;
    const az = config.azure;
    const opts = { providers: [providers.azure, providers.tls] };
    const git = { url: az.gitops.url, branch: az.gitops.branch, path: az.gitops.path };
    const tenantId =
        az.tenantId ??
        azureNative.authorization.getClientConfigOutput({ provider: providers.azure }).tenantId;
    const governance = new ArcGovernance(
        "arc-governance",
        {
            subscriptionId: az.subscriptionId,
            resourceGroupName: fleetResourceGroup.name,
            resourceGroupId: fleetResourceGroup.id,
            location: az.location,
            logRetentionDays: az.logRetentionDays,
            podSecurityEffect: az.podSecurityEffect,
            git,
            adminGroupObjectIds: az.adminGroupObjectIds,
            viewerGroupObjectIds: az.viewerGroupObjectIds,
            programClusterNames: az.arc.clusters.map((c) => c.name),
            tags,
        },
        opts,
    );
    const clusters = az.arc.clusters.map(
        (c) =>
            new ArcConnectedCluster(
                c.name,
                {
                    resourceGroupName: fleetResourceGroup.name,
                    location: az.location,
                    subscriptionId: az.subscriptionId,
                    tenantId,
                    kubeconfig: pulumi.secret(c.kubeconfig),
                    distribution: c.distribution,
                    infrastructure: c.infrastructure,
                    // Present: the schema requires it whenever clusters are listed.
                    agentChartVersion: az.arc.agentChartVersion!,
                    proxy: az.arc.proxy,
                    containerInsights: {
                        workspaceId: governance.workspaceId,
                        dataCollectionRuleId: governance.containerInsightsRuleId,
                    },
                    git,
                    tags,
                },
                opts,
            ),
    );
    return {
        connectedClusterIds: clusters.map((c) => c.connectedClusterId),
        workspaceId: governance.workspaceId,
    };
}
const azureSide = azureFleet();

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
          }
        : null;
export const gcp =
    config.gcp.enabled && gcpSide
        ? {
              project: config.gcp.project,
              region: config.gcp.region,
              enabledServices: gcpServices?.services,
              ...gcpSide,
          }
        : null;
export const azure = fleetResourceGroup
    ? {
          resourceGroupName: fleetResourceGroup.name,
          resourceGroupId: fleetResourceGroup.id,
          ...azureSide,
      }
    : null;
