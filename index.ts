/**
 * The multi-cloud fleet: reads the stack config once, validates all of it before anything is
 * registered, then composes one component per concern on each enabled cloud.
 */
import * as azureNative from "@pulumi/azure-native";
import * as pulumi from "@pulumi/pulumi";
import { AsgFleet } from "./components/aws/AsgFleet";
import { Network } from "./components/aws/Network";
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
        opts,
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
