/**
 * AWS: the Auto Scaling fleet behind a TLS 1.3 load balancer, in its own or a given VPC. Reads
 * no stack config: index.ts passes the parsed sections, the tags, the provider and the image.
 */
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AccessLogBucket } from "../components/aws/AccessLogBucket";
import { AsgFleet } from "../components/aws/AsgFleet";
import { ACCESS_LOG_BUCKET_NAME } from "../components/aws/checks";
import { Network } from "../components/aws/Network";
import { WebAcl } from "../components/aws/WebAcl";
import type { AppConfig, AwsConfig } from "../config";

export interface AwsFleetArgs {
    /** The `aws` config section; nothing is created unless it is enabled. */
    readonly aws: AwsConfig;
    /** The `app` config section: the released image and the per-client rate limit. */
    readonly app: AppConfig;
    /** The stack's environment (`dev`, `prod`, ...). */
    readonly environment: string;
    /** Stamped on every resource. */
    readonly tags: Record<string, string>;
    /** The AWS provider; nothing is created without it. */
    readonly provider?: aws.Provider;
    /** The app image just built into ECR (`AppImage.refs.aws`); else `app.image` is run. */
    readonly builtImage?: pulumi.Input<string>;
}

export interface AwsFleet {
    readonly fleet: AsgFleet;
    readonly waf?: WebAcl;
    readonly vpcId: pulumi.Output<string>;
}

/** The AWS fleet, or undefined when AWS is off. */
export function awsFleet(args: AwsFleetArgs): AwsFleet | undefined {
    const { aws, app, environment, tags, provider } = args;
    if (!aws.enabled || !provider) return undefined;
    const opts = { providers: [provider] };
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
    // The load balancer's access logs (client TLS versions and ciphers, for audit), in a bucket
    // of the stack's own.
    const accessLogs = aws.loadBalancer.accessLogs.enabled
        ? new AccessLogBucket(
              ACCESS_LOG_BUCKET_NAME,
              {
                  region: aws.region,
                  expirationDays: aws.loadBalancer.accessLogs.expirationDays,
                  tags,
              },
              opts,
          )
        : undefined;
    const fleet = new AsgFleet(
        "app",
        {
            vpcId: network.vpcId,
            publicSubnetIds: network.publicSubnetIds,
            privateSubnetIds: network.privateSubnetIds,
            // The image just built into ECR, else the released image.
            image: args.builtImage ?? app.image,
            environment,
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
            serviceLinkedRoleArn: aws.fleet.serviceLinkedRoleArn,
            instanceRefresh: aws.fleet.instanceRefresh,
            healthCheckGracePeriodSeconds: aws.fleet.healthCheckGracePeriodSeconds,
            certificateArn: aws.loadBalancer.certificateArn,
            sslPolicy: aws.loadBalancer.sslPolicy,
            ingressCidrs: aws.loadBalancer.ingressCidrs,
            deletionProtection: aws.loadBalancer.deletionProtection,
            idleTimeoutSeconds: aws.loadBalancer.idleTimeoutSeconds,
            targetProtocol: aws.loadBalancer.targetProtocol,
            accessLogs: accessLogs && {
                bucket: accessLogs.bucketName,
                prefix: accessLogs.prefix,
                writable: accessLogs.policy,
            },
            alertEmails: aws.alerts.emails,
            highCpuThreshold: aws.alerts.highCpuThreshold,
            error5xxRatePercent: aws.alerts.error5xxRatePercent,
        },
        // A created network is complete (NAT routes included) before instances boot.
        network instanceof Network ? { ...opts, dependsOn: [network] } : opts,
    );
    // Rate limits at the edge: the same per-client limit the ingress of every cluster enforces.
    const waf = aws.waf.enabled
        ? new WebAcl(
              "app-waf",
              {
                  loadBalancerArn: fleet.albArn,
                  requestsPer5Minutes: app.rateLimit.requestsPer5Minutes,
                  rateLimitAction: aws.waf.rateLimitAction,
                  commonRuleSetExcludedRules: aws.waf.commonRuleSetExcludedRules,
                  logRetentionDays: aws.waf.logRetentionDays,
                  tags,
              },
              opts,
          )
        : undefined;
    return { fleet, waf, vpcId: pulumi.output(network.vpcId) };
}
