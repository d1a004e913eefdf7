import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    alertEmailRepeats,
    architectureProblems,
    AUTOSCALING_ROLE_ARN,
    AUTOSCALING_SERVICE,
    autoscalingRoleSuffix,
    AWS_FORMATS,
    DEFAULT_ARCHITECTURE,
    DEFAULT_DELETION_PROTECTION,
    DEFAULT_ERROR_5XX_RATE_PERCENT,
    DEFAULT_FLEET_OS,
    DEFAULT_HIGH_CPU_THRESHOLD,
    DEFAULT_INGRESS_CIDRS,
    DEFAULT_INSTANCE_TYPE,
    DEFAULT_REFRESH_MAX_HEALTHY_PERCENTAGE,
    DEFAULT_REFRESH_MIN_HEALTHY_PERCENTAGE,
    DEFAULT_SSL_POLICY,
    DEFAULT_TARGET_CPU_UTILIZATION,
    DEFAULT_TARGET_PROTOCOL,
    FleetArchitecture,
    FLEET_OS,
    FLEET_SIZE,
    FleetOs,
    fleetSizingProblems,
    HEALTH_CHECK_GRACE_PERIOD_SECONDS,
    IDLE_TIMEOUT_SECONDS,
    instanceRefreshProblems,
    isFleetOs,
    isPercentage,
    itemKey,
    PERCENTAGE_RANGE,
    ROOT_VOLUME_SIZE_GIB,
    TARGET_PROTOCOLS,
    TargetProtocol,
} from "./checks";
import { cidrHostBitsProblem, duplicateCidrProblems } from "../cidr";
import { APP_PORT, HEALTH_CHECK_PATH } from "../app/runtimePort";
import { APP_UID } from "../app/runtimeUser";
import { throwIfInvalid } from "../validation";

// HEALTH_CHECK_PATH: the app's liveness endpoint, which the target group's health check calls.
export { APP_PORT, HEALTH_CHECK_PATH } from "../app/runtimePort";
export { DEFAULT_TARGET_PROTOCOL, FLEET_OS, itemKey, TARGET_PROTOCOLS } from "./checks";
export type { FleetArchitecture, FleetOs, TargetProtocol } from "./checks";

/**
 * The lowest TLS version the instances accept from the load balancer (Python `ssl.TLSVersion`):
 * 1.2, the floor of the listener's policy; the load balancer's own requests negotiate 1.3.
 */
export const TARGET_TLS_MINIMUM = "TLSv1_2";
/** Where the boot script writes the instance's key, certificate and gunicorn TLS config. */
export const TARGET_TLS_DIR = "/etc/app-tls";

export interface AsgFleetArgs {
    /** VPC of the fleet. */
    readonly vpcId: pulumi.Input<string>;
    /** Public subnets for the load balancer: at least two, in different zones. */
    readonly publicSubnetIds: readonly pulumi.Input<string>[];
    /** Private subnets for the instances (no public IPs): at least two, in different zones. */
    readonly privateSubnetIds: readonly pulumi.Input<string>[];
    /** The app image, pinned by digest (`registry/repo@sha256:...`). Pulled on boot. */
    readonly image: pulumi.Input<string>;
    /** ACM certificate of the HTTPS listener. */
    readonly certificateArn: pulumi.Input<string>;
    /** Environment name, the `Environment` tag propagated to every instance. */
    readonly environment: string;
    /** Extra tags propagated to the instances and their volumes. @default {} */
    readonly tags?: Readonly<Record<string, string>>;
    /** Name prefix of the Auto Scaling group. @default `<project>-app-asg-` */
    readonly groupNamePrefix?: string;
    /** @default 2 */
    readonly minSize?: number;
    /** @default 10 */
    readonly maxSize?: number;
    /** Initial size; the scaling policy owns it afterwards. @default 2 */
    readonly desiredCapacity?: number;
    /** Average CPU (percent) the target-tracking policy holds the group at. @default 65 */
    readonly targetCpuUtilization?: number;
    /** @default "t3.small" */
    readonly instanceType?: string;
    /** @default "al2023" */
    readonly os?: FleetOs;
    /** Must match the instance type's architecture. @default "x86_64" */
    readonly architecture?: FleetArchitecture;
    /** Size of the gp3 root volume. @default 20 */
    readonly rootVolumeSizeGiB?: number;
    /**
     * KMS key (ARN) that encrypts the root volumes and the alert topic. Its policy must let the
     * Auto Scaling service-linked role use it for EBS and CloudWatch publish to SNS with it.
     * @default a key created here, with rotation on and exactly that policy
     */
    readonly kmsKeyArn?: pulumi.Input<string>;
    /**
     * The Auto Scaling service-linked role the group launches with, and which the created key's
     * policy lets use the key for EBS. An existing role of `autoscaling.amazonaws.com` (the
     * account's `AWSServiceRoleForAutoScaling`, or one with a custom suffix).
     * @default with a created key: a service-linked role created here with the custom suffix
     * `<project>-<stack>-<name>`, so that a fresh account (which has no Auto Scaling role yet, and
     * whose key policy KMS would refuse) works on the first `up`; with a given `kmsKeyArn`: none,
     * so AWS uses the account's default role, which that key's policy must already name
     */
    readonly serviceLinkedRoleArn?: pulumi.Input<string>;
    /**
     * Healthy-percentage bounds of the rolling instance refresh that a new launch template
     * version starts. AWS requires max - min <= 100.
     * @default { minHealthyPercentage: 100, maxHealthyPercentage: 150 }: replacements launch
     * before old instances go, half of the group at a time
     */
    readonly instanceRefresh?: {
        /** @default 100 */
        readonly minHealthyPercentage?: number;
        /** @default 150 */
        readonly maxHealthyPercentage?: number;
    };
    /** Seconds after launch before ELB health checks count. @default 300 */
    readonly healthCheckGracePeriodSeconds?: number;
    /** Security policy of the HTTPS listener; must offer TLS 1.3. @default "ELBSecurityPolicy-TLS13-1-2-2021-06" */
    readonly sslPolicy?: string;
    /** Client ranges allowed to reach the load balancer on 443 and 80. @default ["0.0.0.0/0"] */
    readonly ingressCidrs?: readonly string[];
    /**
     * What the load balancer speaks to the instances on {@link APP_PORT}, and its health checks
     * too. `HTTPS`: each instance makes its own key and self-signed certificate at boot (the key
     * never leaves the instance) and gunicorn serves TLS 1.3 and 1.2. `HTTP` is the documented
     * exception: plain HTTP inside the VPC. Changing it replaces the target group and rolls the
     * instances (docs/aws.md#tls-from-the-load-balancer-to-the-instances).
     * @default "HTTPS"
     */
    readonly targetProtocol?: TargetProtocol;
    /**
     * Where the load balancer writes its access logs (e.g. an {@link AccessLogBucket}'s
     * `bucketName`, `prefix` and `policy`). The load balancer waits for `writable`, the bucket
     * policy that lets it write: ALB checks write access when logs are switched on.
     * @default none: no access logs
     */
    readonly accessLogs?: {
        readonly bucket: pulumi.Input<string>;
        readonly prefix: string;
        readonly writable: pulumi.Resource;
    };
    /** Protect the load balancer from deletion. @default false */
    readonly deletionProtection?: boolean;
    /** Load balancer idle timeout, seconds. @default 60 */
    readonly idleTimeoutSeconds?: number;
    /** Addresses subscribed to the alert topic (each must confirm by mail). @default [] */
    readonly alertEmails?: readonly string[];
    /** Average CPU (percent) over 15 minutes that raises the high-CPU alarm. @default 85 */
    readonly highCpuThreshold?: number;
    /** Share of 5xx responses (percent of requests, over 15 minutes) that raises the alarm. @default 5 */
    readonly error5xxRatePercent?: number;
}

const plain = (v: unknown): v is string => typeof v === "string";

/** Every problem with `args`, each naming the argument and the fix; empty when valid. */
export function validateAsgFleetArgs(name: string, args: AsgFleetArgs): string[] {
    const problems: string[] = [];
    if (!/^[a-z][a-z0-9-]{0,19}$/.test(name)) {
        problems.push(
            `name '${name}' must be 1-20 lowercase letters, digits or hyphens: it prefixes the load balancer and target group names, which AWS caps at 32 characters`,
        );
    }
    const sizes = fleetSizes(args);
    for (const p of fleetSizingProblems({
        ...sizes,
        targetCpuUtilization: args.targetCpuUtilization ?? DEFAULT_TARGET_CPU_UTILIZATION,
    })) {
        problems.push(`${p.path} ${p.message}`);
    }
    for (const key of ["minSize", "maxSize", "desiredCapacity"] as const) {
        const { min } = FLEET_SIZE[key];
        if (!Number.isInteger(sizes[key]) || sizes[key] < min)
            problems.push(`${key} (${sizes[key]}) must be a whole number >= ${min}`);
    }
    for (const p of instanceRefreshProblems(refreshBounds(args))) {
        problems.push(`instanceRefresh.${p.path} ${p.message}`);
    }
    const instanceType = args.instanceType ?? DEFAULT_INSTANCE_TYPE;
    if (!AWS_FORMATS.instanceType.test(instanceType)) {
        problems.push(
            `instanceType '${instanceType}' is not an EC2 instance type such as t3.small or m7g.large`,
        );
    }
    for (const p of architectureProblems(instanceType, args.architecture ?? DEFAULT_ARCHITECTURE)) {
        problems.push(`architecture ${p}`);
    }
    if (plain(args.serviceLinkedRoleArn) && !AUTOSCALING_ROLE_ARN.test(args.serviceLinkedRoleArn)) {
        problems.push(
            `serviceLinkedRoleArn '${args.serviceLinkedRoleArn}' is not an Auto Scaling service-linked role ARN (arn:aws:iam::<account>:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling[_<suffix>])`,
        );
    }
    for (const key of ["publicSubnetIds", "privateSubnetIds"] as const) {
        if (args[key].length < 2) {
            problems.push(
                `${key} lists ${args[key].length} subnet(s): give at least two, in different availability zones`,
            );
        }
        for (const id of args[key].filter(plain).filter((id) => !AWS_FORMATS.subnetId.test(id))) {
            problems.push(`${key}: '${id}' is not a subnet id (subnet-...)`);
        }
    }
    if (plain(args.vpcId) && !AWS_FORMATS.vpcId.test(args.vpcId))
        problems.push(`vpcId '${args.vpcId}' is not a VPC id (vpc-...)`);
    if (plain(args.certificateArn) && !AWS_FORMATS.certificateArn.test(args.certificateArn)) {
        problems.push(
            `certificateArn '${args.certificateArn}' is not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)`,
        );
    }
    if (plain(args.kmsKeyArn) && !AWS_FORMATS.kmsKeyArn.test(args.kmsKeyArn)) {
        problems.push(
            `kmsKeyArn '${args.kmsKeyArn}' is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); aliases are not accepted`,
        );
    }
    if (plain(args.image) && !AWS_FORMATS.imageByDigest.test(args.image)) {
        problems.push(
            `image '${args.image}' must be pinned by digest: <registry>/<repository>@sha256:<64 hex digits>`,
        );
    }
    const sslPolicy = args.sslPolicy ?? DEFAULT_SSL_POLICY;
    if (!AWS_FORMATS.tls13SslPolicy.test(sslPolicy)) {
        problems.push(
            `sslPolicy '${sslPolicy}' does not offer TLS 1.3 with a TLS 1.2 minimum: use an ELBSecurityPolicy-TLS13-1-2-* or -1-3-* policy such as ${DEFAULT_SSL_POLICY}`,
        );
    }
    const cidrs = args.ingressCidrs ?? DEFAULT_INGRESS_CIDRS;
    if (cidrs.length === 0)
        problems.push(
            "ingressCidrs is empty: nobody could reach the load balancer; give at least one range",
        );
    for (const cidr of cidrs) {
        if (!AWS_FORMATS.cidr.test(cidr)) {
            problems.push(
                `ingressCidrs: '${cidr}' is not an IPv4 CIDR block such as 203.0.113.0/24`,
            );
        } else {
            const hostBits = cidrHostBitsProblem(cidr);
            if (hostBits) problems.push(`ingressCidrs: ${hostBits}`);
        }
    }
    problems.push(...duplicateCidrProblems("ingressCidrs", cidrs));
    const emails = args.alertEmails ?? [];
    for (const email of emails.filter((e) => !AWS_FORMATS.email.test(e))) {
        problems.push(`alertEmails: '${email}' is not an email address`);
    }
    for (const { index, message } of alertEmailRepeats(emails, "alertEmails")) {
        problems.push(`alertEmails[${index}] ${message}`);
    }
    if (
        args.targetProtocol !== undefined &&
        !(TARGET_PROTOCOLS as readonly string[]).includes(args.targetProtocol)
    ) {
        problems.push(
            `targetProtocol '${String(args.targetProtocol)}' must be one of ${TARGET_PROTOCOLS.join(", ")}`,
        );
    }
    if (args.os !== undefined && !isFleetOs(args.os))
        problems.push(`os '${args.os}' must be one of ${Object.keys(FLEET_OS).join(", ")}`);
    const size = args.rootVolumeSizeGiB ?? ROOT_VOLUME_SIZE_GIB.default;
    if (
        !Number.isInteger(size) ||
        size < ROOT_VOLUME_SIZE_GIB.min ||
        size > ROOT_VOLUME_SIZE_GIB.max
    )
        problems.push(
            `rootVolumeSizeGiB (${size}) must be a whole number from ${ROOT_VOLUME_SIZE_GIB.min} to ${ROOT_VOLUME_SIZE_GIB.max}`,
        );
    const grace = args.healthCheckGracePeriodSeconds ?? HEALTH_CHECK_GRACE_PERIOD_SECONDS.default;
    if (!Number.isInteger(grace) || grace < HEALTH_CHECK_GRACE_PERIOD_SECONDS.min)
        problems.push(
            `healthCheckGracePeriodSeconds (${grace}) must be a whole number >= ${HEALTH_CHECK_GRACE_PERIOD_SECONDS.min}`,
        );
    const idle = args.idleTimeoutSeconds ?? IDLE_TIMEOUT_SECONDS.default;
    if (
        !Number.isInteger(idle) ||
        idle < IDLE_TIMEOUT_SECONDS.min ||
        idle > IDLE_TIMEOUT_SECONDS.max
    )
        problems.push(
            `idleTimeoutSeconds (${idle}) must be from ${IDLE_TIMEOUT_SECONDS.min} to ${IDLE_TIMEOUT_SECONDS.max}`,
        );
    const cpu = args.highCpuThreshold ?? DEFAULT_HIGH_CPU_THRESHOLD;
    if (!isPercentage(cpu))
        problems.push(`highCpuThreshold (${cpu}) must be a percentage in ${PERCENTAGE_RANGE}`);
    const rate = args.error5xxRatePercent ?? DEFAULT_ERROR_5XX_RATE_PERCENT;
    if (!isPercentage(rate))
        problems.push(`error5xxRatePercent (${rate}) must be a percentage in ${PERCENTAGE_RANGE}`);
    return problems;
}

/** The group's sizes of `args`, defaults applied. */
function fleetSizes(args: AsgFleetArgs) {
    return {
        minSize: args.minSize ?? FLEET_SIZE.minSize.default,
        maxSize: args.maxSize ?? FLEET_SIZE.maxSize.default,
        desiredCapacity: args.desiredCapacity ?? FLEET_SIZE.desiredCapacity.default,
    };
}

/** The instance refresh bounds of `args`, defaults applied. */
function refreshBounds(args: AsgFleetArgs) {
    return {
        minHealthyPercentage:
            args.instanceRefresh?.minHealthyPercentage ?? DEFAULT_REFRESH_MIN_HEALTHY_PERCENTAGE,
        maxHealthyPercentage:
            args.instanceRefresh?.maxHealthyPercentage ?? DEFAULT_REFRESH_MAX_HEALTHY_PERCENTAGE,
    };
}

/** The ECR repository an image reference points into, or undefined for other registries. */
export function ecrRepositoryOf(
    image: string,
): { region: string; account: string; repository: string } | undefined {
    const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/([^@:]+)/.exec(image);
    return m ? { account: m[1], region: m[2], repository: m[4] } : undefined;
}

/**
 * The part of the boot script that makes the instance's TLS key and self-signed certificate
 * (RSA 2048, which every TLS client takes) and gunicorn's TLS settings, and the `docker run`
 * flags that hand them to the container. Made on the instance: the key is never in user data,
 * in Pulumi state or anywhere off the instance's encrypted root volume; only the container's
 * user ({@link APP_UID}) and root can read it. The ALB checks neither issuer nor expiry.
 */
function targetTls(): { setup: string; runFlags: string } {
    const dir = TARGET_TLS_DIR;
    const setup = `# TLS from the load balancer: this instance's own key and self-signed certificate.
install -d -m 0755 -o root -g root ${dir}
if [ ! -s ${dir}/key.pem ]; then
  (umask 077 && openssl req -x509 -newkey rsa:2048 -noenc -days 365 -subj "/CN=$(hostname)" \\
    -keyout ${dir}/key.pem -out ${dir}/cert.pem)
fi
chown ${APP_UID}:${APP_UID} ${dir}/key.pem
chmod 0400 ${dir}/key.pem
chmod 0444 ${dir}/cert.pem
# gunicorn's ssl_context hook (gunicorn 21.0 and later): nothing below ${TARGET_TLS_MINIMUM}.
cat > ${dir}/gunicorn_tls.py <<'PY'
import ssl


def ssl_context(conf, default_ssl_context_factory):
    context = default_ssl_context_factory()
    context.minimum_version = ssl.TLSVersion.${TARGET_TLS_MINIMUM}
    return context
PY
chmod 0444 ${dir}/gunicorn_tls.py
`;
    // GUNICORN_CMD_ARGS: gunicorn reads --certfile/--keyfile and --config from it (gunicorn
    // 27.0.1 config.py get_cmd_args_from_env, app/base.py load_config; app/tests/test_gunicorn.py
    // runs it so, with the hook below). The image's HEALTHCHECK (app/Dockerfile) probes the
    // health path over plain HTTP, which fails once the port speaks TLS: it is switched off here,
    // since nothing on the fleet reads Docker's health status (Docker does not restart an
    // unhealthy container); the load balancer's HTTPS check on HEALTH_CHECK_PATH, with ELB
    // health checks on the group, replaces a failing instance.
    const runFlags = `-v ${dir}:/tls:ro -e "GUNICORN_CMD_ARGS=--certfile /tls/cert.pem --keyfile /tls/key.pem --config /tls/gunicorn_tls.py" --no-healthcheck `;
    return { setup, runFlags };
}

/**
 * The boot script: install Docker, the ECR credential helper and openssl, make the instance's
 * TLS key and certificate (HTTPS targets), then run the image by digest as a systemd service on
 * the app port, read-only, with every capability dropped, as {@link APP_UID} (`--user`: the
 * owner of the TLS key whatever USER the image names, as the pod's runAsUser is on Kubernetes).
 */
export function userDataScript(
    os: FleetOs,
    image: string,
    targetProtocol: TargetProtocol = DEFAULT_TARGET_PROTOCOL,
): string {
    const registry = image.split("/")[0];
    const tls = targetProtocol === "HTTPS" ? targetTls() : { setup: "", runFlags: "" };
    return `#!/bin/bash
set -euo pipefail
# Package mirrors may be unreachable for a moment while NAT comes up: retry before giving up.
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  if ${FLEET_OS[os].install}; then break; fi
  [ "$attempt" = 10 ] && exit 1
  sleep 15
done
systemctl enable --now docker
${tls.setup}mkdir -p /root/.docker
cat > /root/.docker/config.json <<'JSON'
{ "credHelpers": { "${registry}": "ecr-login" } }
JSON
cat > /etc/systemd/system/app.service <<'UNIT'
[Unit]
Description=app container
After=docker.service
Requires=docker.service

[Service]
Restart=always
RestartSec=5
ExecStartPre=-/usr/bin/docker rm -f app
ExecStartPre=/usr/bin/docker pull ${image}
ExecStart=/usr/bin/docker run --rm --name app -p ${APP_PORT}:${APP_PORT} --user ${APP_UID}:${APP_UID} --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges ${tls.runFlags}${image}
ExecStop=/usr/bin/docker stop app

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now app.service
`;
}

/**
 * An EC2 Auto Scaling fleet behind an internet-facing Application Load Balancer that speaks
 * TLS 1.3, scaling on average CPU, with alarms to an encrypted SNS topic.
 *
 * Parity with the blueprint's Terraform: group name prefix `<project>-app-asg-`, 2/2/10
 * desired/min/max, spread over the given subnets, launch template at its latest version,
 * attached to the target group, `Environment` tag propagated at launch, target tracking on
 * `ASGAverageCPUUtilization` at 65 %.
 */
export class AsgFleet extends pulumi.ComponentResource {
    public readonly albDnsName: pulumi.Output<string>;
    public readonly albArn: pulumi.Output<string>;
    /** `app/<name>/<id>`: the ALB's `LoadBalancer` dimension in CloudWatch. */
    public readonly albArnSuffix: pulumi.Output<string>;
    /** `targetgroup/<name>/<id>`: the `TargetGroup` dimension in CloudWatch. */
    public readonly targetGroupArnSuffix: pulumi.Output<string>;
    public readonly targetGroupArn: pulumi.Output<string>;
    public readonly groupName: pulumi.Output<string>;
    public readonly alertTopicArn: pulumi.Output<string>;
    public readonly kmsKeyArn: pulumi.Output<string>;
    /**
     * The Auto Scaling service-linked role the group launches with; undefined when AWS picks the
     * account's default role (a given `kmsKeyArn` and no `serviceLinkedRoleArn`).
     */
    public readonly serviceLinkedRoleArn: pulumi.Output<string | undefined>;
    public readonly albSecurityGroupId: pulumi.Output<string>;
    public readonly instanceSecurityGroupId: pulumi.Output<string>;

    constructor(name: string, args: AsgFleetArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfInvalid("AsgFleet", name, validateAsgFleetArgs(name, args));
        super("multicloud:aws:AsgFleet", name, {}, opts);

        // --- Defaults, settled once ---------------------------------------------------------
        const { minSize, maxSize, desiredCapacity } = fleetSizes(args);
        const targetCpuUtilization = args.targetCpuUtilization ?? DEFAULT_TARGET_CPU_UTILIZATION;
        const instanceType = args.instanceType ?? DEFAULT_INSTANCE_TYPE;
        const os = args.os ?? DEFAULT_FLEET_OS;
        const architecture = args.architecture ?? DEFAULT_ARCHITECTURE;
        const rootVolumeSizeGiB = args.rootVolumeSizeGiB ?? ROOT_VOLUME_SIZE_GIB.default;
        const healthCheckGracePeriod =
            args.healthCheckGracePeriodSeconds ?? HEALTH_CHECK_GRACE_PERIOD_SECONDS.default;
        const sslPolicy = args.sslPolicy ?? DEFAULT_SSL_POLICY;
        const targetProtocol = args.targetProtocol ?? DEFAULT_TARGET_PROTOCOL;
        const ingressCidrs = args.ingressCidrs ?? DEFAULT_INGRESS_CIDRS;
        const deletionProtection = args.deletionProtection ?? DEFAULT_DELETION_PROTECTION;
        const idleTimeoutSeconds = args.idleTimeoutSeconds ?? IDLE_TIMEOUT_SECONDS.default;
        const alertEmails = args.alertEmails ?? [];
        const highCpuThreshold = args.highCpuThreshold ?? DEFAULT_HIGH_CPU_THRESHOLD;
        const error5xxRatePercent = args.error5xxRatePercent ?? DEFAULT_ERROR_5XX_RATE_PERCENT;
        const groupNamePrefix = args.groupNamePrefix ?? `${pulumi.getProject()}-app-asg-`;
        const instanceTags = { Environment: args.environment, ...args.tags };
        const parent = { parent: this };

        const identity = aws.getCallerIdentityOutput({}, parent);
        const partition = aws.getPartitionOutput({}, parent);

        // --- Encryption key: root volumes and the alert topic -------------------------------
        // The service-linked role the group launches with. KMS refuses a key policy that names a
        // principal that does not exist (MalformedPolicyDocumentException), and a fresh account has
        // no Auto Scaling role until its first group: so a created key names a role this fleet
        // creates first. The provider retries CreateKey/PutKeyPolicy on that error for 2 minutes
        // while IAM propagates the new role (hashicorp/terraform-provider-aws,
        // internal/service/kms/key.go and wait.go, `waitIAMPropagation`).
        const serviceLinkedRole =
            args.serviceLinkedRoleArn === undefined && args.kmsKeyArn === undefined
                ? new aws.iam.ServiceLinkedRole(
                      `${name}-autoscaling`,
                      {
                          awsServiceName: AUTOSCALING_SERVICE,
                          customSuffix: autoscalingRoleSuffix(
                              pulumi.getProject(),
                              pulumi.getStack(),
                              name,
                          ),
                          description: `${name}: launches the instances of the Auto Scaling fleet, with the fleet's KMS key`,
                      },
                      parent,
                  )
                : undefined;
        const serviceLinkedRoleArn: pulumi.Output<string> | undefined =
            args.serviceLinkedRoleArn !== undefined
                ? pulumi.output(args.serviceLinkedRoleArn)
                : serviceLinkedRole?.arn;
        const autoscalingRole =
            serviceLinkedRoleArn ??
            pulumi.interpolate`arn:${partition.partition}:iam::${identity.accountId}:role/aws-service-role/${AUTOSCALING_SERVICE}/AWSServiceRoleForAutoScaling`;
        const createdKey =
            args.kmsKeyArn === undefined
                ? new aws.kms.Key(
                      `${name}-key`,
                      {
                          description: `${name}: EBS root volumes and alert topic of the Auto Scaling fleet`,
                          enableKeyRotation: true,
                          deletionWindowInDays: 30,
                          policy: pulumi.jsonStringify({
                              Version: "2012-10-17",
                              Statement: [
                                  {
                                      Sid: "AccountAdministersTheKey",
                                      Effect: "Allow",
                                      Principal: {
                                          AWS: pulumi.interpolate`arn:${partition.partition}:iam::${identity.accountId}:root`,
                                      },
                                      Action: "kms:*",
                                      Resource: "*",
                                  },
                                  {
                                      // Without this, launches fail with Client.InternalError.
                                      Sid: "AutoScalingUsesTheKeyForEbs",
                                      Effect: "Allow",
                                      Principal: { AWS: autoscalingRole },
                                      Action: [
                                          "kms:Encrypt",
                                          "kms:Decrypt",
                                          "kms:ReEncrypt*",
                                          "kms:GenerateDataKey*",
                                          "kms:DescribeKey",
                                      ],
                                      Resource: "*",
                                  },
                                  {
                                      Sid: "AutoScalingGrantsEbs",
                                      Effect: "Allow",
                                      Principal: { AWS: autoscalingRole },
                                      Action: "kms:CreateGrant",
                                      Resource: "*",
                                      Condition: { Bool: { "kms:GrantIsForAWSResource": true } },
                                  },
                                  {
                                      // CloudWatch cannot publish alarms to a topic whose key it may not use.
                                      Sid: "CloudWatchPublishesToTheAlertTopic",
                                      Effect: "Allow",
                                      Principal: { Service: "cloudwatch.amazonaws.com" },
                                      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                                      Resource: "*",
                                      // Only on behalf of this account's alarms (no confused deputy).
                                      Condition: {
                                          StringEquals: { "aws:SourceAccount": identity.accountId },
                                      },
                                  },
                              ],
                          }),
                      },
                      parent,
                  )
                : undefined;
        const kmsKeyArn =
            args.kmsKeyArn !== undefined ? pulumi.output(args.kmsKeyArn) : createdKey!.arn;

        // --- Instance identity: SSM, CloudWatch agent, pull from the image's repository -----
        const role = new aws.iam.Role(
            `${name}-instance`,
            {
                description: `${name}: EC2 instances of the Auto Scaling fleet`,
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Principal: { Service: "ec2.amazonaws.com" },
                            Action: "sts:AssumeRole",
                        },
                    ],
                }),
            },
            parent,
        );
        for (const [suffix, policy] of [
            ["ssm", "AmazonSSMManagedInstanceCore"],
            ["cloudwatch-agent", "CloudWatchAgentServerPolicy"],
        ] as const) {
            new aws.iam.RolePolicyAttachment(
                `${name}-${suffix}`,
                {
                    role: role.name,
                    policyArn: pulumi.interpolate`arn:${partition.partition}:iam::aws:policy/${policy}`,
                },
                parent,
            );
        }
        new aws.iam.RolePolicy(
            `${name}-ecr-pull`,
            {
                role: role.id,
                policy: pulumi
                    .all([pulumi.output(args.image), partition.partition])
                    .apply(([image, part]) => {
                        const repo = ecrRepositoryOf(image);
                        return JSON.stringify({
                            Version: "2012-10-17",
                            Statement: [
                                // GetAuthorizationToken has no resource-level permissions.
                                {
                                    Sid: "EcrLogin",
                                    Effect: "Allow",
                                    Action: "ecr:GetAuthorizationToken",
                                    Resource: "*",
                                },
                                {
                                    Sid: "PullTheAppImageOnly",
                                    Effect: "Allow",
                                    Action: [
                                        "ecr:BatchGetImage",
                                        "ecr:GetDownloadUrlForLayer",
                                        "ecr:BatchCheckLayerAvailability",
                                    ],
                                    Resource: repo
                                        ? `arn:${part}:ecr:${repo.region}:${repo.account}:repository/${repo.repository}`
                                        : `arn:${part}:ecr:*:*:repository/none-the-image-is-not-in-ecr`,
                                },
                            ],
                        });
                    }),
            },
            parent,
        );
        const profile = new aws.iam.InstanceProfile(
            `${name}-instance`,
            { role: role.name },
            parent,
        );

        // --- Security groups: clients -> ALB on 443/80; ALB -> instances on the app port only
        const albSg = new aws.ec2.SecurityGroup(
            `${name}-alb`,
            {
                vpcId: args.vpcId,
                description: `${name}: load balancer`,
                tags: { Name: `${name}-alb` },
            },
            parent,
        );
        const instanceSg = new aws.ec2.SecurityGroup(
            `${name}-instances`,
            {
                vpcId: args.vpcId,
                description: `${name}: instances, reachable from the load balancer only`,
                tags: { Name: `${name}-instances` },
            },
            parent,
        );
        ingressCidrs.forEach((cidr, i) => {
            for (const port of [443, 80]) {
                new aws.vpc.SecurityGroupIngressRule(
                    `${name}-alb-in-${port}-${itemKey(cidr)}`,
                    {
                        securityGroupId: albSg.id,
                        cidrIpv4: cidr,
                        ipProtocol: "tcp",
                        fromPort: port,
                        toPort: port,
                        description: `clients on ${port}`,
                    },
                    // Named by the range, not its position. The alias adopts the rule the
                    // index-named version of this program created, so the rename is no change.
                    { parent: this, aliases: [{ name: `${name}-alb-in-${port}-${i}` }] },
                );
            }
        });
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-alb-out-app`,
            {
                securityGroupId: albSg.id,
                referencedSecurityGroupId: instanceSg.id,
                ipProtocol: "tcp",
                fromPort: APP_PORT,
                toPort: APP_PORT,
                description: "to the app port of the instances",
            },
            parent,
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-instances-in-app`,
            {
                securityGroupId: instanceSg.id,
                referencedSecurityGroupId: albSg.id,
                ipProtocol: "tcp",
                fromPort: APP_PORT,
                toPort: APP_PORT,
                description: "from the load balancer only",
            },
            parent,
        );
        for (const port of FLEET_OS[os].needsHttpEgress ? [443, 80] : [443]) {
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-instances-out-${port}`,
                {
                    securityGroupId: instanceSg.id,
                    cidrIpv4: "0.0.0.0/0",
                    ipProtocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    description: "registries, SSM, CloudWatch and packages",
                },
                parent,
            );
        }

        // --- Launch template ------------------------------------------------------------------
        const ami = aws.ssm.getParameterOutput({ name: FLEET_OS[os].ami(architecture) }, parent);
        const launchTemplate = new aws.ec2.LaunchTemplate(
            `${name}-lt`,
            {
                description: `${name}: app instances`,
                imageId: ami.insecureValue,
                instanceType,
                iamInstanceProfile: { arn: profile.arn },
                networkInterfaces: [
                    {
                        deviceIndex: 0,
                        associatePublicIpAddress: "false",
                        securityGroups: [instanceSg.id],
                        deleteOnTermination: "true",
                    },
                ],
                metadataOptions: {
                    httpEndpoint: "enabled",
                    httpTokens: "required",
                    httpPutResponseHopLimit: 1,
                    instanceMetadataTags: "disabled",
                },
                monitoring: { enabled: true },
                ebsOptimized: "true",
                blockDeviceMappings: [
                    {
                        deviceName: FLEET_OS[os].rootDevice,
                        ebs: {
                            volumeType: "gp3",
                            volumeSize: rootVolumeSizeGiB,
                            encrypted: "true",
                            kmsKeyId: kmsKeyArn,
                            deleteOnTermination: "true",
                        },
                    },
                ],
                userData: pulumi
                    .output(args.image)
                    .apply((image) =>
                        Buffer.from(userDataScript(os, image, targetProtocol)).toString("base64"),
                    ),
                updateDefaultVersion: true,
                tagSpecifications: ["instance", "volume", "network-interface"].map(
                    (resourceType) => ({ resourceType, tags: { ...instanceTags, Name: name } }),
                ),
            },
            parent,
        );

        // --- Load balancer ----------------------------------------------------------------------
        // `protocol` is ForceNew (terraform-provider-aws internal/service/elbv2/target_group.go):
        // a change creates a new group (autonamed, so before the old one goes), moves the
        // listener and the Auto Scaling group to it, then deletes the old one. The health check's
        // protocol has the provider default HTTP: set with the group's, so an HTTPS group never
        // needs a plain-HTTP port on the instances.
        const targetGroup = new aws.lb.TargetGroup(
            `${name}-tg`,
            {
                vpcId: args.vpcId,
                port: APP_PORT,
                protocol: targetProtocol,
                targetType: "instance",
                deregistrationDelay: 30,
                healthCheck: {
                    enabled: true,
                    path: HEALTH_CHECK_PATH,
                    port: "traffic-port",
                    protocol: targetProtocol,
                    matcher: "200",
                    interval: 15,
                    timeout: 5,
                    healthyThreshold: 2,
                    unhealthyThreshold: 3,
                },
            },
            parent,
        );
        const alb = new aws.lb.LoadBalancer(
            `${name}-alb`,
            {
                loadBalancerType: "application",
                internal: false,
                subnets: [...args.publicSubnetIds],
                securityGroups: [albSg.id],
                dropInvalidHeaderFields: true,
                enableDeletionProtection: deletionProtection,
                idleTimeout: idleTimeoutSeconds,
                // Each entry records the client's TLS version and cipher (ssl_protocol,
                // ssl_cipher): the audit trail of the listener's TLS 1.3 policy.
                accessLogs: args.accessLogs
                    ? {
                          bucket: args.accessLogs.bucket,
                          prefix: args.accessLogs.prefix,
                          enabled: true,
                      }
                    : undefined,
            },
            // ALB writes a test object when access logs are switched on and refuses the change
            // if it cannot: the bucket policy first.
            args.accessLogs ? { parent: this, dependsOn: [args.accessLogs.writable] } : parent,
        );
        new aws.lb.Listener(
            `${name}-https`,
            {
                loadBalancerArn: alb.arn,
                port: 443,
                protocol: "HTTPS",
                certificateArn: args.certificateArn,
                sslPolicy,
                defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
            },
            parent,
        );
        new aws.lb.Listener(
            `${name}-http`,
            {
                loadBalancerArn: alb.arn,
                port: 80,
                protocol: "HTTP",
                defaultActions: [
                    {
                        type: "redirect",
                        redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" },
                    },
                ],
            },
            parent,
        );

        // --- The group and its scaling ------------------------------------------------------
        const group = new aws.autoscaling.Group(
            `${name}-asg`,
            {
                namePrefix: groupNamePrefix,
                minSize,
                maxSize,
                desiredCapacity,
                vpcZoneIdentifiers: [...args.privateSubnetIds],
                // The version number, not "$Latest": a new template version changes the group, and
                // that change is what starts the instance refresh.
                launchTemplate: {
                    id: launchTemplate.id,
                    version: launchTemplate.latestVersion.apply(String),
                },
                targetGroupArns: [targetGroup.arn],
                healthCheckType: "ELB",
                healthCheckGracePeriod,
                capacityRebalance: true,
                // Bounds checked by instanceRefreshProblems (max - min <= 100).
                instanceRefresh: { strategy: "Rolling", preferences: refreshBounds(args) },
                // The role whose KMS grants launch the encrypted volumes; AWS picks the
                // account's default role when undefined (a given key without a given role).
                serviceLinkedRoleArn,
                metricsGranularity: "1Minute",
                enabledMetrics: [
                    "GroupMinSize",
                    "GroupMaxSize",
                    "GroupDesiredCapacity",
                    "GroupInServiceInstances",
                    "GroupPendingInstances",
                    "GroupTerminatingInstances",
                    "GroupTotalInstances",
                ],
                tags: Object.entries(instanceTags).map(([key, value]) => ({
                    key,
                    value,
                    propagateAtLaunch: true,
                })),
            },
            // The scaling policy owns the desired capacity once the group exists: a later
            // `pulumi up` must not reset it to the initial value.
            { parent: this, ignoreChanges: ["desiredCapacity"] },
        );
        new aws.autoscaling.Policy(
            `${name}-cpu-target`,
            {
                autoscalingGroupName: group.name,
                policyType: "TargetTrackingScaling",
                targetTrackingConfiguration: {
                    predefinedMetricSpecification: {
                        predefinedMetricType: "ASGAverageCPUUtilization",
                    },
                    targetValue: targetCpuUtilization,
                },
            },
            parent,
        );

        // --- Alerts ---------------------------------------------------------------------------
        const topic = new aws.sns.Topic(`${name}-alerts`, { kmsMasterKeyId: kmsKeyArn }, parent);
        alertEmails.forEach((endpoint, i) => {
            new aws.sns.TopicSubscription(
                `${name}-alert-email-${itemKey(endpoint)}`,
                { topic: topic.arn, protocol: "email", endpoint },
                // Named by the address (see the ingress rules), adopting the index-named one.
                { parent: this, aliases: [{ name: `${name}-alert-email-${i}` }] },
            );
        });
        const actions = { alarmActions: [topic.arn], okActions: [topic.arn] };
        const albDimensions = { LoadBalancer: alb.arnSuffix };
        new aws.cloudwatch.MetricAlarm(
            `${name}-high-cpu`,
            {
                alarmDescription: `${name}: average CPU above ${highCpuThreshold}% for 15 minutes although the group scales at ${targetCpuUtilization}%`,
                namespace: "AWS/EC2",
                metricName: "CPUUtilization",
                dimensions: { AutoScalingGroupName: group.name },
                statistic: "Average",
                period: 300,
                evaluationPeriods: 3,
                threshold: highCpuThreshold,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "missing",
                ...actions,
            },
            parent,
        );
        new aws.cloudwatch.MetricAlarm(
            `${name}-unhealthy-hosts`,
            {
                alarmDescription: `${name}: at least one target fails the ${HEALTH_CHECK_PATH} health check`,
                namespace: "AWS/ApplicationELB",
                metricName: "UnHealthyHostCount",
                dimensions: { ...albDimensions, TargetGroup: targetGroup.arnSuffix },
                statistic: "Maximum",
                period: 60,
                evaluationPeriods: 3,
                datapointsToAlarm: 2,
                threshold: 0,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
                ...actions,
            },
            parent,
        );
        const sum = (id: string, metricName: string) => ({
            id,
            metric: {
                namespace: "AWS/ApplicationELB",
                metricName,
                dimensions: albDimensions,
                stat: "Sum",
                period: 300,
            },
        });
        new aws.cloudwatch.MetricAlarm(
            `${name}-5xx-rate`,
            {
                alarmDescription: `${name}: more than ${error5xxRatePercent}% of requests answered 5xx for 15 minutes`,
                metricQueries: [
                    sum("target5xx", "HTTPCode_Target_5XX_Count"),
                    sum("elb5xx", "HTTPCode_ELB_5XX_Count"),
                    sum("requests", "RequestCount"),
                    {
                        id: "rate",
                        expression: "100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests",
                        label: "5xx responses, % of requests",
                        returnData: true,
                    },
                ],
                evaluationPeriods: 3,
                threshold: error5xxRatePercent,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
                ...actions,
            },
            parent,
        );
        new aws.cloudwatch.MetricAlarm(
            `${name}-at-max-size`,
            {
                alarmDescription: `${name}: the group has sat at its maximum (${maxSize}) for 15 minutes; raise maxSize or find the load`,
                namespace: "AWS/AutoScaling",
                metricName: "GroupInServiceInstances",
                dimensions: { AutoScalingGroupName: group.name },
                statistic: "Maximum",
                period: 300,
                evaluationPeriods: 3,
                threshold: maxSize,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                treatMissingData: "missing",
                ...actions,
            },
            parent,
        );

        this.albDnsName = alb.dnsName;
        this.albArn = alb.arn;
        this.albArnSuffix = alb.arnSuffix;
        this.targetGroupArnSuffix = targetGroup.arnSuffix;
        this.targetGroupArn = targetGroup.arn;
        this.groupName = group.name;
        this.alertTopicArn = topic.arn;
        this.kmsKeyArn = kmsKeyArn;
        this.serviceLinkedRoleArn = serviceLinkedRoleArn ?? pulumi.output(undefined);
        this.albSecurityGroupId = albSg.id;
        this.instanceSecurityGroupId = instanceSg.id;
        this.registerOutputs({
            albDnsName: this.albDnsName,
            albArn: this.albArn,
            albArnSuffix: this.albArnSuffix,
            targetGroupArnSuffix: this.targetGroupArnSuffix,
            targetGroupArn: this.targetGroupArn,
            groupName: this.groupName,
            alertTopicArn: this.alertTopicArn,
            kmsKeyArn: this.kmsKeyArn,
            serviceLinkedRoleArn: this.serviceLinkedRoleArn,
            albSecurityGroupId: this.albSecurityGroupId,
            instanceSecurityGroupId: this.instanceSecurityGroupId,
        });
    }
}
