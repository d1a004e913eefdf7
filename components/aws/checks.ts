/**
 * Pure checks and constants shared by the AWS components' argument validation and the stack
 * config schema, so that a rule (and its message) is written once. No SDK imports: config/
 * reads it without loading @pulumi/aws.
 */
import { createHash } from "crypto";
import { CIDR, EMAIL, IMAGE_BY_DIGEST } from "../formats";

/** Formats of AWS identifiers and values the AWS components accept. */
export const AWS_FORMATS = {
    /** An ACM certificate ARN. */
    certificateArn: /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/,
    /** A KMS key ARN (not an alias: EBS and SNS need the key itself for grants). */
    kmsKeyArn: /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-)?[0-9a-f-]{32,36}$/,
    vpcId: /^vpc-[0-9a-f]{8,17}$/,
    subnetId: /^subnet-[0-9a-f]{8,17}$/,
    /** An IPv4 CIDR block such as 10.0.0.0/16. */
    cidr: CIDR,
    /** A container image pinned by digest: `registry/repo@sha256:<64 hex>`. */
    imageByDigest: IMAGE_BY_DIGEST,
    /** An ALB security policy that offers TLS 1.3. */
    // TLS 1.3 offered and nothing below 1.2 accepted: the TLS13-1-0/-1-1 policies still take 1.0/1.1.
    tls13SslPolicy: /^ELBSecurityPolicy-TLS13-1-[23]-/,
    email: EMAIL,
    /** A 12-digit AWS account id (a string: a leading zero is part of it). */
    accountId: /^\d{12}$/,
    /** A Region code such as us-east-1, eu-west-2, us-gov-west-1 or us-iso-east-1. */
    region: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/,
    /**
     * An EC2 instance type such as t3.small, m7g.large, m7i-flex.large or m7i.metal-24xl (every
     * name of @pulumi/aws types/enums/ec2 InstanceType; tests/components/aws/checks.test.ts).
     */
    instanceType: /^[a-z][a-z0-9-]*\.[a-z0-9]+(-[a-z0-9]+)*$/,
} as const;

/**
 * The name index.ts gives the load balancer's access-log bucket (the bucket is autonamed
 * `<this>-<suffix>`); the deploying identity's S3 grant is scoped to it
 * (deployments/permissions.ts).
 */
export const ACCESS_LOG_BUCKET_NAME = "app-alb-logs";

/** The default HTTPS policy: TLS 1.3 and 1.2. `ELBSecurityPolicy-TLS13-1-3-2021-06` is 1.3 only. */
export const DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** A problem with one argument: `path` names it relative to the object checked. */
export interface Problem {
    readonly path: string;
    readonly message: string;
}

// --- The fleet's size and scaling target (AsgFleet) ---------------------------------------------

/**
 * The fleet's sizes: their defaults, the blueprint's Terraform values (2 instances, up to 10),
 * and the least each may be (whole numbers; a fleet of at most 0 instances serves nothing).
 */
export const FLEET_SIZE = {
    minSize: { default: 2, min: 0 },
    maxSize: { default: 10, min: 1 },
    desiredCapacity: { default: 2, min: 0 },
} as const;

/** Average CPU (percent) the target-tracking policy holds the group at: the blueprint's 65. */
export const DEFAULT_TARGET_CPU_UTILIZATION = 65;

/**
 * What the fleet's scaling target and alarm thresholds accept as a percentage: above `above`,
 * at most `max`, i.e. (0, 100].
 */
export const PERCENTAGE = { above: 0, max: 100 } as const;
/** Whether `n` is in {@link PERCENTAGE}'s range (0, 100]. */
export function isPercentage(n: number): boolean {
    return n > PERCENTAGE.above && n <= PERCENTAGE.max;
}
/** `(0, 100]`, as messages write {@link PERCENTAGE}'s range. */
export const PERCENTAGE_RANGE = `(${PERCENTAGE.above}, ${PERCENTAGE.max}]`;

export interface FleetSizing {
    readonly minSize: number;
    readonly maxSize: number;
    readonly desiredCapacity: number;
    readonly targetCpuUtilization: number;
}

/** Sizing rules of an Auto Scaling fleet: bounds in order, desired within them, a real target. */
export function fleetSizingProblems(f: FleetSizing): Problem[] {
    const problems: Problem[] = [];
    if (f.maxSize < f.minSize) {
        problems.push({
            path: "maxSize",
            message: `(${f.maxSize}) must be >= minSize (${f.minSize}): raise maxSize or lower minSize`,
        });
    } else if (f.desiredCapacity < f.minSize || f.desiredCapacity > f.maxSize) {
        problems.push({
            path: "desiredCapacity",
            message: `(${f.desiredCapacity}) must be within [minSize, maxSize] = [${f.minSize}, ${f.maxSize}]`,
        });
    }
    if (!isPercentage(f.targetCpuUtilization)) {
        problems.push({
            path: "targetCpuUtilization",
            message: `(${f.targetCpuUtilization}) must be a percentage in ${PERCENTAGE_RANGE}, e.g. ${DEFAULT_TARGET_CPU_UTILIZATION}`,
        });
    }
    return problems;
}

// --- Instance refresh --------------------------------------------------------------------------

/**
 * Instance refresh defaults: launch replacements before terminating (capacity never drops below
 * the desired count) and replace up to half of the group per batch.
 */
export const DEFAULT_REFRESH_MIN_HEALTHY_PERCENTAGE = 100;
/** See {@link DEFAULT_REFRESH_MIN_HEALTHY_PERCENTAGE}. */
export const DEFAULT_REFRESH_MAX_HEALTHY_PERCENTAGE = 150;

export interface InstanceRefreshBounds {
    readonly minHealthyPercentage: number;
    readonly maxHealthyPercentage: number;
}

/**
 * Rules of an instance refresh's healthy-percentage bounds (`path` relative to the bounds).
 *
 * AWS (RefreshPreferences, https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html,
 * and the same words in API_InstanceMaintenancePolicy.html): MinHealthyPercentage is 0 to 100,
 * MaxHealthyPercentage is 100 to 200, and "the difference between them cannot be greater than
 * 100". The provider checks only the two ranges (hashicorp/terraform-provider-aws,
 * internal/service/autoscaling/group.go, `instance_refresh.preferences`), and it calls
 * UpdateAutoScalingGroup before StartInstanceRefresh: a pair 90/200 passes the first `up`, then
 * every launch-template change moves the group to the new version and fails to refresh it.
 */
export function instanceRefreshProblems(r: InstanceRefreshBounds): Problem[] {
    const problems: Problem[] = [];
    const { minHealthyPercentage: min, maxHealthyPercentage: max } = r;
    if (!Number.isInteger(min) || min < 0 || min > 100) {
        problems.push({
            path: "minHealthyPercentage",
            message: `(${min}) must be a whole percentage from 0 to 100, e.g. ${DEFAULT_REFRESH_MIN_HEALTHY_PERCENTAGE}`,
        });
    }
    if (!Number.isInteger(max) || max < 100 || max > 200) {
        problems.push({
            path: "maxHealthyPercentage",
            message: `(${max}) must be a whole percentage from 100 to 200, e.g. ${DEFAULT_REFRESH_MAX_HEALTHY_PERCENTAGE}`,
        });
    }
    if (problems.length === 0 && max - min > 100) {
        problems.push({
            path: "maxHealthyPercentage",
            message: `(${max}) may exceed minHealthyPercentage (${min}) by 100 at most (AWS refuses to start the refresh otherwise): raise minHealthyPercentage to ${max - 100} or lower maxHealthyPercentage to ${min + 100}`,
        });
    }
    return problems;
}

// --- Certificates --------------------------------------------------------------------------------

const ACM_ARN = /^arn:(aws[a-z-]*):acm:([a-z0-9-]+):(\d{12}):certificate\/[0-9a-f-]{36}$/;

/**
 * Problems with the ALB certificate `arn` for a load balancer in `region`, written to follow the
 * config key (`multicloud:aws.loadBalancer.certificateArn <message>`). An ARN of another shape is
 * left to the format rule.
 *
 * - ACM certificates are regional: "To use a certificate with Elastic Load Balancing ... you must
 *   request or import a certificate for each region" (https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html);
 *   CreateListener answers CertificateNotFound for a certificate of another region.
 * - ACM certificates cannot be shared with other accounts: the listener's account must own it
 *   (one certificate per account and Region, as AWS's own multi-account guidance says). When
 *   `allowedAccountIds` pins the stack's accounts, the certificate's account must be one of them.
 */
export function certificateProblems(
    arn: string,
    region: string,
    allowedAccountIds: readonly string[] = [],
): string[] {
    const m = ACM_ARN.exec(arn);
    if (!m) return [];
    const [, , certRegion, account] = m;
    const problems: string[] = [];
    if (certRegion !== region) {
        problems.push(
            `is a certificate in ${certRegion}, but the load balancer is in ${region}: request or import the certificate in ${region} (ACM certificates are regional)`,
        );
    }
    if (allowedAccountIds.length > 0 && !allowedAccountIds.includes(account)) {
        problems.push(
            `belongs to account ${account}, not to the stack's account (aws.allowedAccountIds: ${allowedAccountIds.join(", ")}): request or import it in that account (a load balancer cannot use another account's certificate)`,
        );
    }
    return problems;
}

// --- Instance types and architecture --------------------------------------------------------------

/**
 * The CPU architecture of an EC2 instance type, from its name: the family `a` (A1, first
 * Graviton) and every family whose attributes contain `g` (m7g, c6gn, x2gd, is4gen, g5g: AWS
 * Graviton) are arm64; `mac2*` (Apple silicon) too; everything else is x86_64.
 *
 * Sources: "Amazon EC2 instance type naming conventions", attribute `g` = AWS Graviton
 * processors (https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html);
 * the same rule in aws/aws-cdk, packages/aws-cdk-lib/aws-ec2/lib/instance-types.ts
 * (`InstanceType.architecture`). Note `g4dn`/`g6`: `g` is the family there (GPU), not an
 * attribute, and they are x86_64.
 */
export function instanceTypeArchitecture(instanceType: string): FleetArchitecture {
    const m = /^([a-z]+)(\d{1,2})([a-z-]*)\./.exec(instanceType);
    if (!m) return "x86_64";
    const [, family, generation, attributes] = m;
    if (family === "a" || attributes.replace(/-.*$/, "").includes("g")) return "arm64";
    if (family === "mac" && Number(generation) >= 2) return "arm64";
    return "x86_64";
}

/** The CPU architectures an Auto Scaling fleet can run. */
export const FLEET_ARCHITECTURES = ["x86_64", "arm64"] as const;
export type FleetArchitecture = (typeof FLEET_ARCHITECTURES)[number];
/** The fleet's default architecture, that of {@link DEFAULT_INSTANCE_TYPE}. */
export const DEFAULT_ARCHITECTURE: FleetArchitecture = "x86_64";
/** The fleet's default instance type (the blueprint's). */
export const DEFAULT_INSTANCE_TYPE = "t3.small";

/**
 * The problem when `architecture` (which selects the AMI) does not match `instanceType`:
 * EC2 refuses to launch an arm64 AMI on an x86_64 type and the reverse, so every launch of the
 * group fails. Written to follow the key `architecture`.
 */
export function architectureProblems(
    instanceType: string,
    architecture: FleetArchitecture,
): string[] {
    const needed = instanceTypeArchitecture(instanceType);
    if (needed === architecture) return [];
    return [
        `(${architecture}) does not match instanceType ${instanceType}, which is ${needed}${needed === "arm64" ? " (AWS Graviton)" : ""}: set architecture to ${needed}, or choose an ${architecture} instance type${architecture === "arm64" ? " such as m7g.large" : " such as t3.small"}`,
    ];
}

// --- EC2 descriptions ------------------------------------------------------------------------------

/**
 * Characters EC2 accepts in a security group's description and in a rule's description:
 * "a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*", up to 255 characters
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpRange.html, and
 * hashicorp/terraform-provider-aws internal/service/ec2/validate.go
 * `validSecurityGroupRuleDescription`). An apostrophe, for one, is refused by the API.
 */
export const EC2_DESCRIPTION = /^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]{0,255}$/;

// --- The Auto Scaling service-linked role ---------------------------------------------------------

/** The service principal of EC2 Auto Scaling, whose service-linked role launches the instances. */
export const AUTOSCALING_SERVICE = "autoscaling.amazonaws.com";
/** The name of the account's default Auto Scaling service-linked role; custom ones add `_<suffix>`. */
export const AUTOSCALING_ROLE_NAME = "AWSServiceRoleForAutoScaling";
/**
 * The longest custom suffix: an IAM role name has at most 64 characters
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html, RoleName), and the
 * service prefixes `AWSServiceRoleForAutoScaling_` (29).
 */
export const MAX_AUTOSCALING_ROLE_SUFFIX = 64 - AUTOSCALING_ROLE_NAME.length - 1;

/** An Auto Scaling service-linked role ARN (the default role, or one with a custom suffix). */
export const AUTOSCALING_ROLE_ARN =
    /^arn:aws[a-z-]*:iam::\d{12}:role\/aws-service-role\/autoscaling\.amazonaws\.com\/AWSServiceRoleForAutoScaling(_[A-Za-z0-9+=,.@-]+)?$/;

/**
 * The custom suffix of the Auto Scaling service-linked role a fleet owns: unique per project,
 * stack and fleet (role names are unique per account, and two stacks may share an account).
 *
 * Rules it keeps:
 * - IAM CreateServiceLinkedRole: characters `[\w+=,.@-]`
 *   (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceLinkedRole.html), and
 *   the role name within 64 characters ({@link MAX_AUTOSCALING_ROLE_SUFFIX}).
 * - No underscore: the provider reads the suffix back by splitting the role name on `_` and keeps
 *   it only when there are exactly two parts (hashicorp/terraform-provider-aws,
 *   internal/service/iam/service_linked_role.go `DecodeServiceLinkedRoleID`); with a second `_`
 *   it reads an empty suffix, sees a diff on `custom_suffix` (ForceNew) and replaces the role on
 *   every update.
 * - Auto Scaling accepts custom suffixes: "AWSServiceRoleForAutoScaling_mysuffix"
 *   (https://docs.aws.amazon.com/autoscaling/ec2/userguide/autoscaling-service-linked-role.html).
 */
export function autoscalingRoleSuffix(project: string, stack: string, name: string): string {
    const raw = `${project}-${stack}-${name}`.replace(/[^A-Za-z0-9+=,.@-]+/g, "-");
    if (raw.length <= MAX_AUTOSCALING_ROLE_SUFFIX) return raw;
    const hash = createHash("sha256").update(raw).digest("hex").slice(0, 8);
    return `${raw.slice(0, MAX_AUTOSCALING_ROLE_SUFFIX - hash.length - 1)}-${hash}`;
}

/** The ARN IAM gives the Auto Scaling service-linked role with `suffix` (none: the default role). */
export function autoscalingRoleArn(partition: string, account: string, suffix?: string): string {
    const roleName = suffix ? `${AUTOSCALING_ROLE_NAME}_${suffix}` : AUTOSCALING_ROLE_NAME;
    return `arn:${partition}:iam::${account}:role/aws-service-role/${AUTOSCALING_SERVICE}/${roleName}`;
}

// --- The fleet's operating systems and target protocol (AsgFleet) ---------------------------------

/** Operating systems the fleet can run, with the public SSM parameter of their latest AMI. */
export const FLEET_OS = {
    al2023: {
        ami: (arch: FleetArchitecture) =>
            `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`,
        rootDevice: "/dev/xvda",
        // openssl makes each instance's TLS key and certificate at boot (a no-op where present).
        install: "dnf install -y docker amazon-ecr-credential-helper openssl",
        /** Package repositories are reached over HTTPS only. */
        needsHttpEgress: false,
    },
    "ubuntu-24.04": {
        ami: (arch: FleetArchitecture) =>
            `/aws/service/canonical/ubuntu/server/24.04/stable/current/${arch === "x86_64" ? "amd64" : "arm64"}/hvm/ebs-gp3/ami-id`,
        rootDevice: "/dev/sda1",
        install:
            "apt-get update && apt-get install -y docker.io amazon-ecr-credential-helper openssl",
        /** Ubuntu's archive mirrors serve packages over plain HTTP (signed with apt keys). */
        needsHttpEgress: true,
    },
} as const;
export type FleetOs = keyof typeof FLEET_OS;
/** The fleet's default operating system. */
export const DEFAULT_FLEET_OS: FleetOs = "al2023";
/** Whether `os` is one of {@link FLEET_OS} (its own keys, not `toString` and the like). */
export function isFleetOs(os: string): os is FleetOs {
    return Object.keys(FLEET_OS).includes(os);
}

/**
 * What the load balancer speaks to the instances: HTTPS (each instance serves TLS with a key and
 * self-signed certificate it makes at boot) or, as a documented exception, plain HTTP.
 *
 * An ALB does not validate target certificates, so self-signed ones work, and when any HTTPS
 * listener has a TLS 1.3 security policy (this fleet's always does: see `sslPolicy`) it connects
 * to targets with `ELBSecurityPolicy-TLS13-1-0-2021-06` (AWS, Elastic Load Balancing, "Target
 * groups for your Application Load Balancers", Routing configuration), so requests reach the
 * instances over TLS 1.3. The instances still accept TLS 1.2 (AsgFleet's `TARGET_TLS_MINIMUM`): AWS
 * does not document which policy the target group's health checks use, and a TLS 1.3-only
 * target that a health check cannot reach is taken out of service, on every instance at once.
 */
export const TARGET_PROTOCOLS = ["HTTPS", "HTTP"] as const;
export type TargetProtocol = (typeof TARGET_PROTOCOLS)[number];
/** See {@link TARGET_PROTOCOLS}. */
export const DEFAULT_TARGET_PROTOCOL: TargetProtocol = "HTTPS";

// --- Root volumes and the load balancer's idle timeout (AsgFleet) ---------------------------------

/**
 * Size of each instance's gp3 root volume, GiB: its default, and the bounds the stack config and
 * AsgFleet both enforce. At least 8, the size of the fleet's AMIs' root snapshots (EC2 refuses a
 * volume smaller than its snapshot); at most 16384, gp3's largest volume (16 TiB).
 */
export const ROOT_VOLUME_SIZE_GIB = { default: 20, min: 8, max: 16384 } as const;

/**
 * The load balancer's idle timeout, seconds: its default and bounds, those of the ALB attribute
 * `idle_timeout.timeout_seconds` ("The valid range is 1-4000 seconds. The default is 60
 * seconds.": Elastic Load Balancing API Reference, LoadBalancerAttribute).
 */
export const IDLE_TIMEOUT_SECONDS = { default: 60, min: 1, max: 4000 } as const;

/**
 * Seconds after an instance's launch before the group counts its ELB health checks: the default,
 * and the least (whole seconds).
 */
export const HEALTH_CHECK_GRACE_PERIOD_SECONDS = { default: 300, min: 0 } as const;

/** Client ranges allowed to reach the load balancer on 443 and 80: everyone (a public app). */
export const DEFAULT_INGRESS_CIDRS: readonly string[] = ["0.0.0.0/0"];

/** Whether the load balancer is protected from deletion by default. */
export const DEFAULT_DELETION_PROTECTION = false;

// --- The fleet's alarms (AsgFleet) -----------------------------------------------------------------

/** Average CPU (percent, over 15 minutes) that raises the high-CPU alarm. */
export const DEFAULT_HIGH_CPU_THRESHOLD = 85;
/** Share of 5xx responses (percent of requests, over 15 minutes) that raises the 5xx alarm. */
export const DEFAULT_ERROR_5XX_RATE_PERCENT = 5;

// --- The VPC (Network) -----------------------------------------------------------------------------

/** The IPv4 range of a created VPC. */
export const DEFAULT_VPC_CIDR = "10.0.0.0/16";
/**
 * The prefix lengths a created VPC's range may have: AWS allows /16 at most, and each of its
 * subnets (a sixteenth, four bits longer) must stay /27 or larger for load balancers.
 */
export const VPC_PREFIX_LENGTH = { min: 16, max: 23 } as const;
/**
 * Availability zones a created VPC spans: at least two, so that the load balancer and the fleet
 * survive the loss of a zone.
 */
export const AVAILABILITY_ZONE_COUNT = { default: 2, min: 2, max: 6 } as const;
/** NAT gateways of a created VPC: one (cheap, a zonal single point of egress), or one per zone. */
export const NAT_GATEWAY_MODES = ["single", "perZone"] as const;
export type NatGateways = (typeof NAT_GATEWAY_MODES)[number];
/** See {@link NAT_GATEWAY_MODES}. */
export const DEFAULT_NAT_GATEWAYS: NatGateways = "single";

// --- The web ACL (WebAcl) ---------------------------------------------------------------------------

/**
 * Bounds of a rate-based rule's `limit` (requests per evaluation window per aggregation key).
 * The SDK's own doc of `WebAclRuleStatementRateBasedStatement.limit` (types/input.d.ts of
 * @pulumi/aws 7.48.0) only says "Rate limit threshold (requests per evaluation window period)";
 * the bounds are those of the provider it wraps, hashicorp/terraform-provider-aws
 * internal/service/wafv2/schemas.go `rateBasedStatementSchema`:
 * `"limit": { ValidateFunc: validation.IntBetween(10, 2000000000) }`, which matches the AWS WAF
 * API reference of `RateBasedStatement.Limit` (minimum 10, maximum 2,000,000,000).
 */
export const WAF_RATE_LIMIT_MIN = 10;
/** See {@link WAF_RATE_LIMIT_MIN}. */
export const WAF_RATE_LIMIT_MAX = 2_000_000_000;

/**
 * What the rate-based rule does to a client over the limit: `block` it (HTTP 403) or only
 * `count` it, to measure a new limit before enforcing it.
 */
export const WAF_RATE_LIMIT_ACTIONS = ["block", "count"] as const;
export type RateLimitAction = (typeof WAF_RATE_LIMIT_ACTIONS)[number];
/** See {@link WAF_RATE_LIMIT_ACTIONS}. */
export const DEFAULT_RATE_LIMIT_ACTION: RateLimitAction = "block";

/**
 * WAF names (web ACLs, metric names, and the rule names a managed rule group's overrides
 * refer to): 1-128 letters, digits, hyphens or underscores.
 */
export const WAF_NAME = /^[A-Za-z0-9_-]{1,128}$/;

/** Days the web ACL's request logs are kept (one of {@link LOG_RETENTION_DAYS}). */
export const DEFAULT_WAF_LOG_RETENTION_DAYS = 90;

/**
 * The values `retentionInDays` of `aws.cloudwatch.LogGroup` accepts, as its SDK doc lists them
 * (0 keeps events forever).
 */
export const LOG_RETENTION_DAYS: readonly number[] = [
    0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

// --- Access logs (AccessLogBucket) ------------------------------------------------------------------

/**
 * Days an access log is kept before S3's lifecycle rule deletes it: the default, and the least
 * (S3 lifecycle expiration counts whole days from 1). @see AccessLogBucketArgs.expirationDays
 */
export const ACCESS_LOG_EXPIRATION_DAYS = { default: 90, min: 1 } as const;

/**
 * The stable part of a child's name for a list item (a CIDR, an email address): the item itself
 * with every character other than letters and digits turned into `-`, so adding or removing an
 * item never renames the others (names from list positions would, and the replacement would
 * create a rule that still exists: InvalidPermission.Duplicate).
 */
export function itemKey(item: string): string {
    return item
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "");
}

/**
 * The alert addresses that repeat an earlier one (SNS keeps one subscription per address), or
 * differ from it only in punctuation (the subscriptions' names, from `itemKey`, would collide):
 * the config (`aws.alerts.emails`) and AsgFleet (`alertEmails`) report them in these words.
 */
export function alertEmailRepeats(
    emails: readonly string[],
    key: string,
): { index: number; message: string }[] {
    return emails.flatMap((email, i) => {
        const first = emails.findIndex((e) => itemKey(e) === itemKey(email));
        if (first === i) return [];
        return [
            {
                index: i,
                message:
                    emails[first].toLowerCase() === email.toLowerCase()
                        ? `'${email}' repeats ${key}[${first}]: list each address once (SNS keeps one subscription per address)`
                        : `'${email}' and ${key}[${first}] '${emails[first]}' differ only in punctuation, which the subscriptions' names drop: subscribe one of them through a list address`,
            },
        ];
    });
}

/** The excluded rules listed more than once (`commonRuleSetExcludedRules`), each once. */
export function repeatedExcludedRules(rules: readonly string[]): string[] {
    return [...new Set(rules.filter((r, i) => rules.indexOf(r) !== i))];
}
