/**
 * The multi-cloud fleet: reads the stack config once, validates all of it before anything is
 * registered, then composes one component per concern on each enabled cloud.
 */
import * as azureNative from "@pulumi/azure-native";
import * as pulumi from "@pulumi/pulumi";
import { ProjectServices } from "./components/gcp/ProjectServices";
import { parseStackConfig, REQUIRED_GCP_SERVICES } from "./config";
import { createProviders } from "./providers";

const project = pulumi.getProject();
const stack = pulumi.getStack();

// The only place that reads stack config. Throws one error listing every problem, before any
// resource is registered.
const config = parseStackConfig(pulumi.runtime.allConfig(), project, stack);

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

// --- Stack outputs ---------------------------------------------------------------------------
// One object per cloud, `null` when the stack switches that cloud off (an undefined output
// would only earn a warning from the engine).
export const environment = config.environment;
export const enabledClouds = (["aws", "gcp", "azure"] as const).filter((c) => config[c].enabled);
export const aws = config.aws.enabled ? { region: config.aws.region } : null;
export const gcp = config.gcp.enabled
    ? {
          project: config.gcp.project,
          region: config.gcp.region,
          enabledServices: gcpServices?.services,
      }
    : null;
export const azure = fleetResourceGroup
    ? { resourceGroupName: fleetResourceGroup.name, resourceGroupId: fleetResourceGroup.id }
    : null;
