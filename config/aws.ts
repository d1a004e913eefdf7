/**
 * The `aws` section of the stack config: the Auto Scaling fleet behind its load balancer, its
 * network, alerts and web ACL (components/aws/). Defaults and rules shared with the components
 * come from components/aws/checks.ts.
 */
import { z } from "zod";
import { boolean, integer, number, setFixUnlessGiven, text } from "../config-issues";
import {
    ACCESS_LOG_EXPIRATION_DAYS,
    architectureProblems,
    AUTOSCALING_ROLE_ARN,
    AVAILABILITY_ZONE_COUNT,
    AWS_FORMATS,
    certificateProblems,
    DEFAULT_ARCHITECTURE,
    DEFAULT_DELETION_PROTECTION,
    DEFAULT_ERROR_5XX_RATE_PERCENT,
    DEFAULT_FLEET_OS,
    DEFAULT_HIGH_CPU_THRESHOLD,
    DEFAULT_INGRESS_CIDRS,
    DEFAULT_INSTANCE_TYPE,
    DEFAULT_NAT_GATEWAYS,
    DEFAULT_RATE_LIMIT_ACTION,
    DEFAULT_REFRESH_MAX_HEALTHY_PERCENTAGE,
    DEFAULT_REFRESH_MIN_HEALTHY_PERCENTAGE,
    DEFAULT_SSL_POLICY,
    DEFAULT_TARGET_CPU_UTILIZATION,
    DEFAULT_TARGET_PROTOCOL,
    DEFAULT_VPC_CIDR,
    DEFAULT_WAF_LOG_RETENTION_DAYS,
    FLEET_ARCHITECTURES,
    FLEET_OS,
    FLEET_SIZE,
    fleetSizingProblems,
    HEALTH_CHECK_GRACE_PERIOD_SECONDS,
    IDLE_TIMEOUT_SECONDS,
    instanceRefreshProblems,
    LOG_RETENTION_DAYS as CLOUDWATCH_LOG_RETENTION_DAYS,
    NAT_GATEWAY_MODES,
    PERCENTAGE,
    ROOT_VOLUME_SIZE_GIB,
    TARGET_PROTOCOLS,
    VPC_PREFIX_LENGTH,
    WAF_NAME,
    WAF_RATE_LIMIT_ACTIONS,
    alertEmailRepeats,
    repeatedExcludedRules,
} from "../components/aws/checks";
import { canonicalCidr } from "../components/cidr";
import { distinct, networkAddress, requiredWhenEnabled, Section } from "./common";

const awsRegion = z.string().regex(AWS_FORMATS.region, {
    message: "must be an AWS region code such as us-east-1 or eu-west-2",
});
const awsAccountId = text(
    z.string().regex(AWS_FORMATS.accountId, {
        message:
            'must be a 12-digit AWS account id, as text so that a leading zero survives ("012345678901")',
    }),
);

const awsFormat = (pattern: RegExp, message: string) => z.string().regex(pattern, { message });
const percentage = (fallback: number) =>
    number().pipe(z.number().gt(PERCENTAGE.above).lte(PERCENTAGE.max)).default(fallback);

/** The EC2 Auto Scaling fleet; sizing defaults are the blueprint's Terraform values. */
const AwsFleetSchema = z
    .strictObject({
        /** Fewest instances the Auto Scaling group keeps. @default 2 */
        minSize: integer()
            .pipe(z.number().min(FLEET_SIZE.minSize.min))
            .default(FLEET_SIZE.minSize.default),
        /** Most instances the Auto Scaling group scales out to. @default 10 */
        maxSize: integer()
            .pipe(z.number().min(FLEET_SIZE.maxSize.min))
            .default(FLEET_SIZE.maxSize.default),
        /** Initial size; the scaling policy owns it afterwards. @default 2 */
        desiredCapacity: integer()
            .pipe(z.number().min(FLEET_SIZE.desiredCapacity.min))
            .default(FLEET_SIZE.desiredCapacity.default),
        /** Target average CPU utilization (percent) of the target-tracking policy. @default 65 */
        targetCpuUtilization: number().default(DEFAULT_TARGET_CPU_UTILIZATION),
        /** EC2 instance type of the fleet's launch template. @default "t3.small" */
        instanceType: z
            .string()
            .regex(AWS_FORMATS.instanceType, {
                message: "must be an EC2 instance type such as t3.small or m7g.large",
            })
            .default(DEFAULT_INSTANCE_TYPE),
        /** Operating system of the instances: its latest AMI for the architecture, read from SSM at deploy time. @default "al2023" */
        os: z.enum(Object.keys(FLEET_OS) as [keyof typeof FLEET_OS]).default(DEFAULT_FLEET_OS),
        /** CPU architecture; must match instanceType (arm64 for Graviton types such as m7g). @default "x86_64" */
        architecture: z.enum(FLEET_ARCHITECTURES).default(DEFAULT_ARCHITECTURE),
        /** Size of each instance's encrypted gp3 root volume, GiB. @default 20 */
        rootVolumeSizeGiB: integer()
            .pipe(z.number().min(ROOT_VOLUME_SIZE_GIB.min).max(ROOT_VOLUME_SIZE_GIB.max))
            .default(ROOT_VOLUME_SIZE_GIB.default),
        /** KMS key for root volumes and the alert topic. @default a key created with rotation on */
        kmsKeyArn: awsFormat(
            AWS_FORMATS.kmsKeyArn,
            "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias",
        ).optional(),
        /**
         * An existing Auto Scaling service-linked role for the group (its ARN). @default one the
         * fleet creates with a stack suffix when it creates its key, so that the key policy names
         * a role that exists in a fresh account
         */
        serviceLinkedRoleArn: awsFormat(
            AUTOSCALING_ROLE_ARN,
            "must be an Auto Scaling service-linked role ARN (arn:aws:iam::<account>:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling[_<suffix>])",
        ).optional(),
        /** Removed: the fleet creates its own suffixed role (see serviceLinkedRoleArn). */
        createServiceLinkedRole: z.unknown().optional(),
        /** Rolling instance refresh bounds; AWS requires max - min <= 100. @default { minHealthyPercentage: 100, maxHealthyPercentage: 150 } */
        instanceRefresh: z
            .strictObject({
                /** Share of the group's desired capacity that must stay healthy during an instance refresh, percent. @default 100 */
                minHealthyPercentage: integer().default(DEFAULT_REFRESH_MIN_HEALTHY_PERCENTAGE),
                /** Most of the group's desired capacity, percent, that may run during a refresh, old and new instances together. @default 150 */
                maxHealthyPercentage: integer().default(DEFAULT_REFRESH_MAX_HEALTHY_PERCENTAGE),
            })
            .prefault({}),
        /** Seconds after an instance launches before the load balancer's health checks count against it. @default 300 */
        healthCheckGracePeriodSeconds: integer()
            .pipe(z.number().min(HEALTH_CHECK_GRACE_PERIOD_SECONDS.min))
            .default(HEALTH_CHECK_GRACE_PERIOD_SECONDS.default),
    })
    .superRefine((f, ctx) => {
        for (const p of fleetSizingProblems(f))
            ctx.addIssue({
                code: "custom",
                path: [p.path],
                message: p.message,
                params: setFixUnlessGiven(p.message),
            });
        for (const p of instanceRefreshProblems(f.instanceRefresh))
            ctx.addIssue({
                code: "custom",
                path: ["instanceRefresh", p.path],
                message: p.message,
                params: setFixUnlessGiven(p.message),
            });
        for (const message of architectureProblems(f.instanceType, f.architecture))
            ctx.addIssue({
                code: "custom",
                path: ["architecture"],
                message,
                params: setFixUnlessGiven(message),
            });
        if (f.createServiceLinkedRole !== undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["createServiceLinkedRole"],
                message:
                    "has been removed: the fleet now creates its own Auto Scaling service-linked role with a stack suffix (or uses aws.fleet.serviceLinkedRoleArn); remove it with `pulumi config rm --path aws.fleet.createServiceLinkedRole`; a stack that ran with it true holds the account's default role as `app-autoscaling`: drop it from the state first (`pulumi state delete <its URN>`), or the next up deletes that account-wide role",
            });
        }
    });

/** Where the fleet lives: an existing VPC and subnets, or a VPC the program creates. */
const AwsNetworkSchema = z
    .strictObject({
        /** Existing VPC. @default a VPC created by the program */
        vpcId: awsFormat(AWS_FORMATS.vpcId, "must be a VPC id (vpc-...)").optional(),
        /** Existing public subnets for the load balancer (two or more). */
        publicSubnetIds: z
            .array(awsFormat(AWS_FORMATS.subnetId, "must be a subnet id (subnet-...)"))
            .min(2)
            .optional(),
        /** Existing private subnets for the instances (two or more). */
        privateSubnetIds: z
            .array(awsFormat(AWS_FORMATS.subnetId, "must be a subnet id (subnet-...)"))
            .min(2)
            .optional(),
        /** Range of a created VPC. @default "10.0.0.0/16" */
        cidrBlock: networkAddress(
            awsFormat(AWS_FORMATS.cidr, "must be an IPv4 CIDR block such as 10.0.0.0/16"),
        )
            .refine(
                (c) =>
                    Number(c.split("/")[1]) >= VPC_PREFIX_LENGTH.min &&
                    Number(c.split("/")[1]) <= VPC_PREFIX_LENGTH.max,
                {
                    message: `must have a prefix from /${VPC_PREFIX_LENGTH.min} to /${VPC_PREFIX_LENGTH.max} (subnets of /27 or larger for load balancers)`,
                },
            )
            .default(DEFAULT_VPC_CIDR),
        /** Zones a created VPC spans. @default 2 */
        availabilityZoneCount: integer()
            .pipe(z.number().min(AVAILABILITY_ZONE_COUNT.min).max(AVAILABILITY_ZONE_COUNT.max))
            .default(AVAILABILITY_ZONE_COUNT.default),
        /** NAT gateways of a created VPC: one, or one per zone. @default "single" */
        natGateways: z.enum(NAT_GATEWAY_MODES).default(DEFAULT_NAT_GATEWAYS),
    })
    .superRefine((n, ctx) => {
        const given = (["vpcId", "publicSubnetIds", "privateSubnetIds"] as const).filter(
            (k) => n[k] !== undefined,
        );
        if (given.length > 0 && given.length < 3) {
            ctx.addIssue({
                code: "custom",
                path: [],
                message: `gives ${given.join(" and ")} but not all of vpcId, publicSubnetIds and privateSubnetIds: give all three to use an existing network, or none to create one`,
            });
        }
    });

/** The Application Load Balancer in front of the fleet: its HTTPS listener, clients and logs. */
const AwsLoadBalancerSchema = z.strictObject({
    /** ACM certificate of the HTTPS listener. Required when aws.enabled is true. */
    certificateArn: awsFormat(
        AWS_FORMATS.certificateArn,
        "must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)",
    ).optional(),
    /** Security policy of the HTTPS listener, which sets its TLS versions and ciphers. @default "ELBSecurityPolicy-TLS13-1-2-2021-06" (TLS 1.3 and 1.2); "ELBSecurityPolicy-TLS13-1-3-2021-06" is TLS 1.3 only */
    sslPolicy: awsFormat(
        AWS_FORMATS.tls13SslPolicy,
        "must be a TLS 1.3 policy with a TLS 1.2 minimum (ELBSecurityPolicy-TLS13-1-2-* or -1-3-*)",
    ).default(DEFAULT_SSL_POLICY),
    /** Client ranges allowed on 443 and 80. @default ["0.0.0.0/0"] */
    ingressCidrs: distinct(
        networkAddress(
            awsFormat(AWS_FORMATS.cidr, "must be an IPv4 CIDR block such as 203.0.113.0/24"),
        ),
        "client range",
        (c) => canonicalCidr(c) ?? c,
    )
        .min(1)
        .default(() => [...DEFAULT_INGRESS_CIDRS]),
    /** Refuse to delete the load balancer (`pulumi destroy` fails until it is turned off). @default false */
    deletionProtection: boolean().default(DEFAULT_DELETION_PROTECTION),
    /** Seconds a connection may stay idle before the load balancer closes it. @default 60 */
    idleTimeoutSeconds: integer()
        .pipe(z.number().min(IDLE_TIMEOUT_SECONDS.min).max(IDLE_TIMEOUT_SECONDS.max))
        .default(IDLE_TIMEOUT_SECONDS.default),
    /**
     * What the load balancer speaks to the instances: HTTPS (each instance's own key and
     * self-signed certificate, TLS 1.3), or HTTP, the documented exception. Changing it on a
     * running stack replaces the target group and rolls the instances. @default "HTTPS"
     */
    targetProtocol: z.enum(TARGET_PROTOCOLS).default(DEFAULT_TARGET_PROTOCOL),
    /** The load balancer's access logs, in an S3 bucket the stack creates. */
    accessLogs: z
        .strictObject({
            /** Write access logs (each entry records the client's TLS version and cipher). @default false */
            enabled: boolean().default(false),
            /** Days a log is kept before S3 deletes it. @default 90 */
            expirationDays: integer()
                .pipe(z.number().min(ACCESS_LOG_EXPIRATION_DAYS.min))
                .default(ACCESS_LOG_EXPIRATION_DAYS.default),
        })
        .prefault({}),
});

/** CloudWatch alarms on the fleet (high CPU, 5xx share), sent to an encrypted SNS topic. */
const AwsAlertsSchema = z.strictObject({
    /** Subscribed to the alert topic; each must confirm by mail. @default [] */
    emails: z
        .array(awsFormat(AWS_FORMATS.email, "must be an email address"))
        .superRefine((emails, ctx) => {
            for (const { index, message } of alertEmailRepeats(emails, "aws.alerts.emails")) {
                ctx.addIssue({ code: "custom", path: [index], message });
            }
        })
        .default([]),
    /** Average CPU (percent, over 15 minutes) that raises the high-CPU alarm. @default 85 */
    highCpuThreshold: percentage(DEFAULT_HIGH_CPU_THRESHOLD),
    /** Share of 5xx responses (percent, over 15 minutes) that raises the alarm. @default 5 */
    error5xxRatePercent: percentage(DEFAULT_ERROR_5XX_RATE_PERCENT),
});

/** The AWS WAFv2 web ACL in front of the load balancer; its rate limit is `app.rateLimit`. */
const AwsWafSchema = z.strictObject({
    /** Put the web ACL (common rule set, per-IP rate limit, logging) on the ALB. @default true */
    enabled: boolean().default(true),
    /** `count` only measures what `block` would stop: for a first week in prod. @default "block" */
    rateLimitAction: z.enum(WAF_RATE_LIMIT_ACTIONS).default(DEFAULT_RATE_LIMIT_ACTION),
    /** Rules of AWSManagedRulesCommonRuleSet switched to count (false positives). @default [] */
    commonRuleSetExcludedRules: z
        .array(
            z.string().regex(WAF_NAME, {
                message:
                    "must be a rule name of the common rule set, such as SizeRestrictions_BODY",
            }),
        )
        .superRefine((rules, ctx) => {
            for (const rule of repeatedExcludedRules(rules)) {
                ctx.addIssue({
                    code: "custom",
                    path: [rules.lastIndexOf(rule)],
                    message: `lists '${rule}' more than once: list it once`,
                });
            }
        })
        .default([]),
    /** Retention of the web ACL's log group, days. @default 90 */
    logRetentionDays: integer()
        .pipe(
            z
                .number()
                .refine((d) => (CLOUDWATCH_LOG_RETENTION_DAYS as readonly number[]).includes(d), {
                    message: `must be one of CloudWatch Logs' retention periods (${CLOUDWATCH_LOG_RETENTION_DAYS.join(", ")})`,
                    params: { setFix: true },
                }),
        )
        .default(DEFAULT_WAF_LOG_RETENTION_DAYS),
});

const AWS_REQUIRED = ["region", "loadBalancer.certificateArn"] as const;
const awsRequired = requiredWhenEnabled("aws", AWS_REQUIRED);
export const AwsSchema = z
    .strictObject({
        /** Deploy the AWS side of the fleet. @default false */
        enabled: boolean().default(false),
        /** Region of every AWS resource. Required when enabled. */
        region: awsRegion.optional(),
        /**
         * Account ids this stack may deploy into; the AWS provider refuses any other account, so
         * a dev stack can never touch prod by a wrong credential. @default [] (any account)
         */
        allowedAccountIds: z.array(awsAccountId).default([]),
        /** The Auto Scaling fleet. @default the blueprint's values */
        fleet: AwsFleetSchema.prefault({}),
        network: AwsNetworkSchema.prefault({}),
        loadBalancer: AwsLoadBalancerSchema.prefault({}),
        alerts: AwsAlertsSchema.prefault({}),
        waf: AwsWafSchema.prefault({}),
    })
    .check(z.superRefine(awsRequired.check, { when: awsRequired.when }))
    .superRefine((a, ctx) => {
        // The ALB's listener takes only a certificate of its own region and account.
        // Only over well-formed values: a malformed region or account is reported on its own.
        const accountsValid = a.allowedAccountIds.every((id) =>
            AWS_FORMATS.accountId.test(String(id)),
        );
        if (
            a.region &&
            awsRegion.safeParse(a.region).success &&
            accountsValid &&
            a.loadBalancer.certificateArn
        ) {
            for (const message of certificateProblems(
                a.loadBalancer.certificateArn,
                a.region,
                a.allowedAccountIds,
            ))
                ctx.addIssue({
                    code: "custom",
                    path: ["loadBalancer", "certificateArn"],
                    message,
                    params: setFixUnlessGiven(message),
                });
        }
    });

export type AwsConfig = Section<z.output<typeof AwsSchema>, typeof AWS_REQUIRED>;
