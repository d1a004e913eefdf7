/**
 * Google Cloud: the project's APIs, then GKE clusters and outside clusters in one fleet, Config
 * Sync for all, the app on every GKE cluster. Reads no stack config: index.ts passes the parsed
 * sections, the tags, the provider and the image.
 */
import type * as gcpSdk from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Workload } from "../components/app/Workload";
import { CloudNat, natName, networkName } from "../components/gcp/CloudNat";
import { ConfigSync } from "../components/gcp/ConfigSync";
import { ConfigSyncMember } from "../components/gcp/ConfigSyncMember";
import { GkeCluster, regionOf } from "../components/gcp/GkeCluster";
import { HubMembership } from "../components/gcp/HubMembership";
import { ProjectServices } from "../components/gcp/ProjectServices";
import { DEFAULT_NETWORK } from "../components/gcp/checks";
import { type AppConfig, type GcpConfig, masterRange, REQUIRED_GCP_SERVICES } from "../config";
import { type PullCredential, pullSecret } from "./pullSecret";

export interface GcpServicesArgs {
    /** The `gcp` config section; nothing is created unless it is enabled. */
    readonly gcp: GcpConfig;
    /** The Google Cloud provider; nothing is created without it. */
    readonly provider?: gcpSdk.Provider;
}

/**
 * The APIs the GKE fleet (clusters, Hub, Config Management) needs, or undefined when Google
 * Cloud is off. Every other Google resource of the stack (the app image's repository, the
 * dashboard's reader) waits for them.
 */
export function gcpProjectServices(args: GcpServicesArgs): ProjectServices | undefined {
    const { gcp, provider } = args;
    if (!gcp.enabled || !provider) return undefined;
    return new ProjectServices(
        "gcp-services",
        { project: gcp.project, services: [...REQUIRED_GCP_SERVICES, ...gcp.extraServices] },
        { providers: [provider] },
    );
}

export interface GcpFleetArgs {
    /** The `gcp` config section; nothing is created unless it is enabled. */
    readonly gcp: GcpConfig;
    /** The `app` config section: what every GKE cluster of this program runs. */
    readonly app: AppConfig;
    /** The `databaseUrl` config key (a secret), handed to the app as a mounted file. */
    readonly databaseUrl?: string;
    /** The `registryPullCredential` config key: the pull secret on every attached cluster. */
    readonly registryPullCredential?: PullCredential;
    /** Stamped on every cluster as labels. */
    readonly tags: Record<string, string>;
    /** The Google Cloud provider; nothing is created without it. */
    readonly provider?: gcpSdk.Provider;
    /** The project's APIs (`gcpProjectServices`); nothing is created without them. */
    readonly services?: ProjectServices;
    /** The app image just pushed to Artifact Registry (`AppImage.refs.gcp`); else `app.image`. */
    readonly builtImage?: pulumi.Input<string>;
    /** The built image's platforms (`AppImage.platforms`): pods go to matching nodes. */
    readonly builtPlatforms?: readonly string[];
}

/** Config Sync on one more fleet member (an edge site), once its membership exists. */
export type SyncMember = (
    name: string,
    membership: pulumi.Input<string>,
    after: pulumi.Resource,
) => ConfigSyncMember | undefined;

export interface GcpFleet {
    /** Present when Config Sync is enabled: edge sites attached to the fleet sync through it. */
    readonly syncMember?: SyncMember;
    readonly clusters: {
        name: string;
        clusterId: pulumi.Output<string>;
        endpoint: pulumi.Output<string>;
    }[];
    readonly membershipIds: pulumi.Output<string>[];
    readonly configSyncFeatureState: pulumi.Output<unknown> | null;
    readonly appHosts: pulumi.Output<string>[];
}

/** The GKE fleet, or undefined when Google Cloud is off. */
export function gcpFleet(args: GcpFleetArgs): GcpFleet | undefined {
    const { gcp, app, tags, provider, services } = args;
    if (!gcp.enabled || !provider || !services) return undefined;
    // Every Google resource waits for the APIs it needs.
    const opts = { providers: [provider], dependsOn: services.resources };

    // Private nodes reach git hosts and registries through one Cloud NAT per network and region.
    // One NAT per network and region, however the network is spelled (name or self-link), named
    // within the 63 characters of a router name.
    const natSites = new Map<string, { network: string; region: string }>();
    for (const c of gcp.clusters) {
        const network = c.network ?? DEFAULT_NETWORK;
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
        dependsOn: [...services.resources, ...(configSync ? [configSync] : [])],
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
            { ...opts, dependsOn: [...services.resources, ...nats] },
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
                  { ...opts, dependsOn: [...services.resources, configSync, after] },
              )
            : undefined;
    // Attached clusters sync the whole tree: the baseline and the app, pulled with the
    // released image's pull secret.
    gcp.attachedClusters.forEach((a, i) => {
        syncMember(a.name, attachedMembers[i].membershipId, attachedMembers[i]);
        pullSecret(args.registryPullCredential, a.name, a.kubeconfig, attachedMembers[i]);
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
                ...app,
                // The image just pushed to Artifact Registry, else the released image.
                image: args.builtImage ?? app.image,
                // The image built here has these architectures: pods go to matching nodes (and
                // tolerate GKE's arm64 taint). The released image's are not known here.
                architectures:
                    args.builtImage && args.builtPlatforms
                        ? args.builtPlatforms.map((p) => (p === "linux/arm64" ? "arm64" : "amd64"))
                        : undefined,
                databaseUrl: args.databaseUrl ? pulumi.secret(args.databaseUrl) : undefined,
            },
            { providers: [kube] },
        );
    });
    return {
        syncMember: configSync
            ? (name, membership, after) => syncMember(name, membership, after)
            : undefined,
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
