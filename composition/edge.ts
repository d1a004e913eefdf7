/**
 * The edge fleet: the sites this stack's shard owns, each projected into Azure Arc (and, when
 * configured, attached to the GKE fleet), with a fixed, small footprint per site. Reads no stack
 * config: index.ts passes the parsed sections, the tags, the providers and the other clouds' parts.
 */
import * as gcpSdk from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { EdgeCluster } from "../components/edge/EdgeCluster";
import { ownedSites } from "../components/edge/shards";
import type { ProjectServices } from "../components/gcp/ProjectServices";
import type { AzureConfig, EdgeConfig, GcpConfig } from "../config";
import type { CloudProviders } from "../providers";
import type { AzureFleet, AzureFoundation } from "./azure";
import type { GcpFleet } from "./gcp";
import { type PullCredential, pullSecret } from "./pullSecret";

/** Edge sites registered per turn of the event loop (see `edgeFleet`). */
const EDGE_BATCH = 5;

export interface EdgeFleetArgs {
    /** The `edge` config section: the sites, the shard this stack owns, the delivery. */
    readonly edge: EdgeConfig;
    /** The `azure` config section: every site is an Arc-connected cluster. */
    readonly azure: AzureConfig;
    /** The `gcp` config section: sites attach to its fleet when `edge.anthos.enabled`. */
    readonly gcp: GcpConfig;
    /** The `registryPullCredential` config key: the pull secret on every site. */
    readonly registryPullCredential?: PullCredential;
    /** Stamped on every site's Azure resources, with the site's labels and region. */
    readonly tags: Record<string, string>;
    readonly providers: Pick<CloudProviders, "azure" | "tls" | "gcp">;
    /** The resource group (`azureFoundation`); no site without it. */
    readonly azureFoundation?: AzureFoundation;
    /** The fleet's governance (`azureFleet`): its assignments exist before any site. */
    readonly azureFleet?: AzureFleet;
    /** The Google Cloud APIs (`gcpProjectServices`); no site is attached to the GKE fleet without them. */
    readonly gcpServices?: ProjectServices;
    /** The GKE fleet (`gcpFleet`): Config Sync on the attached sites when it delivers gitops/. */
    readonly gcpFleet?: GcpFleet;
}

export interface EdgeFleet {
    /** The registered sites' names, once the last batch is registered. */
    readonly names: Promise<string[]>;
}

/** The edge sites of this stack's shard, or undefined when it owns none (or Azure is off). */
export function edgeFleet(args: EdgeFleetArgs): EdgeFleet | undefined {
    const { edge, providers, azureFoundation: foundation, azureFleet: azureSide, tags } = args;
    const sites = ownedSites(edge.sites, edge.shards, edge.shard);
    if (sites.length === 0 || !azureSide || !foundation || !providers.azure) {
        return undefined;
    }
    const az = args.azure as Extract<AzureConfig, { enabled: true }>;
    const anthos = edge.anthos;
    const gcp = args.gcp.enabled ? args.gcp : undefined;
    const attach = anthos.enabled && gcp && providers.gcp && args.gcpServices;
    // One lookup for the whole fleet, not one per attached site.
    const projectNumber = attach
        ? gcpSdk.organizations.getProjectOutput(
              { projectId: gcp.project },
              { provider: providers.gcp },
          ).number
        : undefined;
    const register = (site: (typeof sites)[number]) => {
        const cluster = new EdgeCluster(
            site.name,
            {
                kubeconfig: pulumi.secret(site.kubeconfig),
                distribution: site.distribution,
                infrastructure: site.infrastructure,
                azureRbac: site.azureRbac,
                azureRbacSkipList: site.azureRbacSkipList,
                arc: {
                    resourceGroupName: foundation.resourceGroup.name,
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
        pullSecret(args.registryPullCredential, site.name, site.kubeconfig, cluster);
        // Config Sync delivers gitops/ to the site through its own FeatureMembership.
        if (attach && edge.gitops === "configsync" && args.gcpFleet?.syncMember) {
            args.gcpFleet.syncMember(
                site.name,
                cluster.membershipId.apply((m) => m ?? ""),
                cluster,
            );
        }
        return cluster;
    };
    // Sites are registered in batches with a turn of the event loop between them. The SDK
    // keeps a few hundred promises per pending registration; under the offline plan (whose
    // mock engine answers at once) each batch completes before the next starts, so peak memory
    // stays flat whatever the fleet's size (measured by `npm run bench`). Under `pulumi up`
    // nothing waits for a batch: it only yields. Stack outputs wait for the last batch.
    const names = (async () => {
        for (let i = 0; i < sites.length; i += EDGE_BATCH) {
            sites.slice(i, i + EDGE_BATCH).forEach(register);
            await new Promise((resolve) => setImmediate(resolve));
        }
        return sites.map((site) => site.name);
    })();
    return { names };
}
