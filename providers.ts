/**
 * The explicit provider of each enabled cloud. `Pulumi.yaml` disables default providers, so
 * every resource names one of these: no resource can land in whatever account, project or
 * subscription the ambient credentials happen to point at.
 */
import * as aws from "@pulumi/aws";
import * as azure from "@pulumi/azure-native";
import * as dockerBuild from "@pulumi/docker-build";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { StackConfig } from "./config";

export interface CloudProviders {
    readonly aws?: aws.Provider;
    readonly gcp?: gcp.Provider;
    readonly azure?: azure.Provider;
    /** Key pairs held in state (Arc agents' onboarding keys); present when Azure is on. */
    readonly tls?: tls.Provider;
    /** BuildKit builds of the app image; present when the stack builds it. */
    readonly dockerBuild?: dockerBuild.Provider;
}

/**
 * Creates the provider of every enabled cloud, each pinned to the stack's region, project or
 * subscription, and each stamping `tags` on what it creates where the cloud allows it.
 * Credentials are never read from config: they come from the environment (OIDC in Pulumi
 * Deployments and CI, a developer's CLI login otherwise).
 */
export function createProviders(
    config: StackConfig,
    tags: Readonly<Record<string, string>>,
    opts?: pulumi.CustomResourceOptions,
): CloudProviders {
    return {
        aws: config.aws.enabled
            ? new aws.Provider(
                  "aws",
                  {
                      region: config.aws.region,
                      defaultTags: { tags: { ...tags } },
                      // An empty list means "any account": leave the guard off rather than lock out.
                      allowedAccountIds: config.aws.allowedAccountIds.length
                          ? [...config.aws.allowedAccountIds]
                          : undefined,
                  },
                  opts,
              )
            : undefined,
        gcp: config.gcp.enabled
            ? new gcp.Provider(
                  "gcp",
                  {
                      project: config.gcp.project,
                      region: config.gcp.region,
                      defaultLabels: { ...tags },
                  },
                  opts,
              )
            : undefined,
        azure: config.azure.enabled
            ? new azure.Provider(
                  "azure",
                  {
                      subscriptionId: config.azure.subscriptionId,
                      tenantId: config.azure.tenantId,
                      location: config.azure.location,
                  },
                  opts,
              )
            : undefined,
        tls: config.azure.enabled ? new tls.Provider("tls", {}, opts) : undefined,
        // Registry credentials are passed per image (from each cloud's SDK), never from
        // ~/.docker/config.json.
        dockerBuild: config.appImage.build
            ? new dockerBuild.Provider("docker-build", {}, opts)
            : undefined,
    };
}
