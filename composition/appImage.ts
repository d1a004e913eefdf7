/**
 * The app image: built once from app/, pushed to the registry of every cloud listed. Reads no
 * stack config: index.ts passes the parsed sections, the tags and the providers.
 */
import type * as azureNative from "@pulumi/azure-native";
import type * as pulumi from "@pulumi/pulumi";
import { AppImage } from "../components/app/AppImage";
import type { ProjectServices } from "../components/gcp/ProjectServices";
import type { AppImageConfig, AwsConfig, AzureConfig, GcpConfig } from "../config";
import type { CloudProviders } from "../providers";

export interface AppImageCompositionArgs {
    /** The `appImage` config section. */
    readonly image: AppImageConfig;
    /** The cloud sections: a registry is created only on an enabled cloud listed in `image`. */
    readonly aws: AwsConfig;
    readonly gcp: GcpConfig;
    readonly azure: AzureConfig;
    /** Stamped on every registry and image resource. */
    readonly tags: Record<string, string>;
    readonly providers: Pick<CloudProviders, "aws" | "gcp" | "azure" | "dockerBuild">;
    /** The Azure resource group the ACR registry goes in; no Azure registry without it. */
    readonly fleetResourceGroup?: azureNative.resources.ResourceGroup;
    /** The tenant of the identity running Pulumi (ACR token exchange); no Azure registry without it. */
    readonly azureTenantId?: pulumi.Input<string>;
    /** The Google Cloud APIs: Artifact Registry's must be on before its repository is created. */
    readonly gcpServices?: ProjectServices;
}

/** The app image, or undefined when the stack does not build it (or lists no registry). */
export function buildAppImage(args: AppImageCompositionArgs): AppImage | undefined {
    const {
        image: img,
        aws,
        gcp,
        azure,
        tags,
        providers,
        fleetResourceGroup,
        azureTenantId,
    } = args;
    if (!img.build || !providers.dockerBuild || img.registries.length === 0) return undefined;
    const on = (cloud: (typeof img.registries)[number]) => img.registries.includes(cloud);
    return new AppImage(
        "app",
        {
            context: img.context,
            dockerfile: img.dockerfile,
            target: img.target,
            platforms: img.platforms,
            builder: img.builder,
            buildArgs: img.buildArgs,
            sbom: img.sbom,
            provenance: img.provenance,
            buildOnPreview: img.buildOnPreview,
            repository: img.repository,
            registries: {
                aws: on("aws") && aws.enabled ? { kmsKeyArn: aws.fleet.kmsKeyArn } : undefined,
                gcp:
                    on("gcp") && gcp.enabled
                        ? {
                              project: gcp.project,
                              location: gcp.region,
                              kmsKeyName: img.gcpKmsKeyName,
                          }
                        : undefined,
                azure:
                    on("azure") && azure.enabled && fleetResourceGroup && azureTenantId
                        ? {
                              resourceGroupName: fleetResourceGroup.name,
                              location: azure.location,
                              tenantId: azureTenantId,
                              sku: img.azureSku,
                              encryption: img.azureEncryption,
                          }
                        : undefined,
            },
            tags,
        },
        {
            providers: [
                providers.aws,
                providers.gcp,
                providers.azure,
                providers.dockerBuild,
            ].filter((p) => p !== undefined),
            // Artifact Registry's API must be on before its repository is created.
            dependsOn: args.gcpServices?.resources ?? [],
        },
    );
}
