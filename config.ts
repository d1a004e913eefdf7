/**
 * The typed schema of the whole stack config, and its validation.
 *
 * Every key lives in the project namespace (`multicloud:`). Objects are set with
 * `pulumi config set --path`, e.g. `pulumi config set --path aws.fleet.maxSize 10`.
 * `parseStackConfig` is pure: it takes the raw config map Pulumi hands the program
 * (`pulumi.runtime.allConfig()`), and either returns the typed config with every
 * default settled, or throws one `ConfigError` that lists every problem at once.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import {
    boolean,
    ConfigError,
    describeIssue,
    integer,
    namespaceValues,
    number,
    pathText,
    text,
} from "./config-issues";
import {
    architectureProblems,
    AUTOSCALING_ROLE_ARN,
    AWS_FORMATS,
    certificateProblems,
    DEFAULT_ACCESS_LOG_EXPIRATION_DAYS,
    DEFAULT_REFRESH_MAX_HEALTHY_PERCENTAGE,
    DEFAULT_REFRESH_MIN_HEALTHY_PERCENTAGE,
    DEFAULT_SSL_POLICY,
    DEFAULT_TARGET_PROTOCOL,
    FLEET_OS,
    fleetSizingProblems,
    instanceRefreshProblems,
    LOG_RETENTION_DAYS as CLOUDWATCH_LOG_RETENTION_DAYS,
    TARGET_PROTOCOLS,
    WAF_RATE_LIMIT_MAX,
    WAF_RATE_LIMIT_MIN,
} from "./components/aws/checks";
import { canonicalCidr, cidrHostBitsProblem, cidrsOverlap } from "./components/cidr";
import {
    DEFAULT_IMAGE_PLATFORMS,
    IMAGE_PLATFORMS,
    imagePlatformProblems,
} from "./components/app/platforms";
import { baseImageArgProblems, targetProblem } from "./components/app/dockerfile";
import {
    attestationProblems,
    DEFAULT_PROVENANCE,
    DEFAULT_SBOM,
    PROVENANCE_MODES,
} from "./components/app/attestations";
import { acrEncryptionProblems } from "./components/azure/keyVaultKey";
import { DEFAULT_POD_SECURITY_EXCLUDED_NAMESPACES } from "./components/azure/podSecurity";
import {
    agentChartVersionProblem,
    ARC_DISTRIBUTIONS,
    ARC_INFRASTRUCTURES,
    kubeconfigProblem,
} from "./components/edge/checks";
import { EdgeShard, ShardableSite, shardProblems } from "./components/edge/shards";
import {
    DEFAULT_INGRESS_CONTROLLER_NAMESPACE,
    DEFAULT_PULL_SECRET_NAME,
    DEFAULT_REQUESTS_PER_5_MINUTES,
    GITOPS_WORKLOAD_DIR,
    GKE_INGRESS_CLASSES,
    REGISTRY_HOST,
} from "./components/app/checks";
import {
    DashboardFile,
    GRAFANA_WORKSPACE_NAME,
    GRAFANA_WORKSPACE_NAME_RULE,
    loadDashboards,
    PRINCIPAL_TYPES,
} from "./components/azure/dashboards";
import {
    ATTACHED_PLATFORM_VERSION,
    DNS_LABEL,
    GIT_URL,
    HTTPS_URL,
    IMAGE_BY_DIGEST,
    KUBE_CPU,
    KUBE_MEMORY,
    ROTATION_LABEL,
} from "./components/formats";
import {
    DEFAULT_MACHINE_TYPE,
    GCP_LOCATION,
    KMS_KEY,
    NETWORK_POLICY_ENFORCEMENTS,
    SECRET_TYPES,
} from "./components/gcp/checks";

/** Tag keys the program sets itself on every resource; users may not override them. */
export const RESERVED_TAGS = ["project", "stack", "environment", "managed-by"] as const;

/** Config namespaces of the providers this program configures explicitly (never via ambient config). */
export const PROVIDER_NAMESPACES = [
    "aws",
    "gcp",
    "azure-native",
    "kubernetes",
    "docker",
    "docker-build",
    "tls",
] as const;

// ---------------------------------------------------------------------------------------------
// Leaf types (integer, number, boolean, text come from config-issues.ts, which accept what
// Pulumi hands a program: scalars as strings), then the formats of each cloud.
// ---------------------------------------------------------------------------------------------

const awsRegion = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, {
    message: "must be an AWS region code such as us-east-1 or eu-west-2",
});
const awsAccountId = text().pipe(
    z.string().regex(/^\d{12}$/, {
        message:
            'must be a 12-digit AWS account id, quoted in the stack file ("012345678901") so that a leading zero survives',
    }),
);
const gcpProject = z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, {
    message:
        "must be a Google Cloud project id: 6-30 lowercase letters, digits or hyphens, starting with a letter",
});
const gcpRegion = z.string().regex(/^[a-z]+(-[a-z]+)+\d+$/, {
    message: "must be a Google Cloud region such as europe-west1 or us-central1 (not a zone)",
});
const gcpService = z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)*\.googleapis\.com$/, {
    message: "must be a Google API service name such as container.googleapis.com",
});
const azureLocation = z.string().regex(/^[a-z][a-z0-9]+$/, {
    message: "must be an Azure location name such as westeurope or eastus2 (lowercase, no spaces)",
});
const uuid = (what: string) =>
    z
        .string()
        .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, {
            message: `must be the ${what} as a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`,
        });
const oidcIssuerUrl = z
    .string()
    .regex(HTTPS_URL, { message: "must be the cluster's https OIDC issuer URL" });
const attachedPlatformVersion = z.string().regex(ATTACHED_PLATFORM_VERSION, {
    message: "must be an attached clusters version such as 1.31.0-gke.1",
});
const azureResourceGroupName = z.string().regex(/^[-\w.()]{0,89}[-\w()]$/, {
    message:
        "must be 1-90 letters, digits, underscores, hyphens, periods or parentheses, not ending in a period",
});

/**
 * Tags become AWS tags, Google Cloud labels and Azure tags, so they follow the strictest of
 * the three: Google Cloud label rules (lowercase, 63 characters).
 */
const tagKey = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, {
    message:
        "must be a valid tag key on every cloud: start with a lowercase letter, then up to 62 lowercase letters, digits, _ or - (Google Cloud label rules)",
});
const tagValue = text().pipe(
    z.string().regex(/^[a-z0-9_-]{0,63}$/, {
        message:
            "must be a valid tag value on every cloud: up to 63 lowercase letters, digits, _ or - (Google Cloud label rules)",
    }),
);

// ---------------------------------------------------------------------------------------------
// Sections
// ---------------------------------------------------------------------------------------------

/** A well-formed CIDR must also have no host bits set: the clouds refuse 10.0.0.1/16. */
function networkAddress<T extends z.ZodType<string>>(cidrSchema: T) {
    return cidrSchema.superRefine((value, ctx) => {
        const problem = cidrHostBitsProblem(value);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
    });
}

/**
 * A list whose items must be distinct: a repeated item would create the same cloud object twice
 * (Azure refuses a second role assignment of one role to one principal at one scope with
 * RoleAssignmentExists; EC2 refuses a repeated security-group rule with
 * InvalidPermission.Duplicate). Each repeat is reported at its own index.
 */
function distinct<T extends z.ZodType<string>>(
    item: T,
    what: string,
    key: (value: string) => string = (value) => value,
) {
    return z.array(item).superRefine((list, ctx) => {
        const keys = list.map(key);
        list.forEach((value, i) => {
            if (keys.indexOf(keys[i]) !== i) {
                ctx.addIssue({
                    code: "custom",
                    path: [i],
                    message: `'${value}' is listed twice: each ${what} may appear once; remove the repeat`,
                });
            }
        });
    });
}

/** Entra ID group object ids, each once (GUIDs compare without case). @default [] */
const groupObjectIds = () =>
    distinct(uuid("Entra ID group object id"), "group", (id) => id.toLowerCase()).default([]);

const awsFormat = (pattern: RegExp, message: string) => z.string().regex(pattern, { message });
const percentage = (fallback: number) => number().pipe(z.number().gt(0).lte(100)).default(fallback);

/** The EC2 Auto Scaling fleet; sizing defaults are the blueprint's Terraform values. */
const AwsFleetSchema = z
    .strictObject({
        /** @default 2 */
        minSize: integer().pipe(z.number().min(0)).default(2),
        /** @default 10 */
        maxSize: integer().pipe(z.number().min(1)).default(10),
        /** Initial size; the scaling policy owns it afterwards. @default 2 */
        desiredCapacity: integer().pipe(z.number().min(0)).default(2),
        /** Target average CPU utilization (percent) of the target-tracking policy. @default 65 */
        targetCpuUtilization: number().default(65),
        /** @default "t3.small" */
        instanceType: z
            .string()
            .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, {
                message: "must be an EC2 instance type such as t3.small or m7g.large",
            })
            .default("t3.small"),
        /** @default "al2023" */
        os: z.enum(Object.keys(FLEET_OS) as [keyof typeof FLEET_OS]).default("al2023"),
        /** CPU architecture; must match instanceType (arm64 for Graviton types such as m7g). @default "x86_64" */
        architecture: z.enum(["x86_64", "arm64"]).default("x86_64"),
        /** @default 20 */
        rootVolumeSizeGiB: integer().pipe(z.number().min(8).max(16384)).default(20),
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
                /** @default 100 */
                minHealthyPercentage: integer().default(DEFAULT_REFRESH_MIN_HEALTHY_PERCENTAGE),
                /** @default 150 */
                maxHealthyPercentage: integer().default(DEFAULT_REFRESH_MAX_HEALTHY_PERCENTAGE),
            })
            .prefault({}),
        /** @default 300 */
        healthCheckGracePeriodSeconds: integer().pipe(z.number().min(0)).default(300),
    })
    .superRefine((f, ctx) => {
        for (const p of fleetSizingProblems(f))
            ctx.addIssue({ code: "custom", path: [p.path], message: p.message });
        for (const p of instanceRefreshProblems(f.instanceRefresh))
            ctx.addIssue({ code: "custom", path: ["instanceRefresh", p.path], message: p.message });
        for (const message of architectureProblems(f.instanceType, f.architecture))
            ctx.addIssue({ code: "custom", path: ["architecture"], message });
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
            .refine((c) => Number(c.split("/")[1]) >= 16 && Number(c.split("/")[1]) <= 23, {
                message:
                    "must have a prefix from /16 to /23 (subnets of /27 or larger for load balancers)",
            })
            .default("10.0.0.0/16"),
        /** Zones a created VPC spans. @default 2 */
        availabilityZoneCount: integer().pipe(z.number().min(2).max(6)).default(2),
        /** NAT gateways of a created VPC: one, or one per zone. @default "single" */
        natGateways: z.enum(["single", "perZone"]).default("single"),
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

const AwsLoadBalancerSchema = z.strictObject({
    /** ACM certificate of the HTTPS listener. Required when aws.enabled is true. */
    certificateArn: awsFormat(
        AWS_FORMATS.certificateArn,
        "must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)",
    ).optional(),
    /** @default "ELBSecurityPolicy-TLS13-1-2-2021-06" (TLS 1.3 and 1.2); "ELBSecurityPolicy-TLS13-1-3-2021-06" is TLS 1.3 only */
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
        .default(["0.0.0.0/0"]),
    /** @default false */
    deletionProtection: boolean().default(false),
    /** @default 60 */
    idleTimeoutSeconds: integer().pipe(z.number().min(1).max(4000)).default(60),
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
                .pipe(z.number().min(1))
                .default(DEFAULT_ACCESS_LOG_EXPIRATION_DAYS),
        })
        .prefault({}),
});

const AwsAlertsSchema = z.strictObject({
    /** Subscribed to the alert topic; each must confirm by mail. @default [] */
    emails: z.array(awsFormat(AWS_FORMATS.email, "must be an email address")).default([]),
    /** Average CPU (percent, over 15 minutes) that raises the high-CPU alarm. @default 85 */
    highCpuThreshold: percentage(85),
    /** Share of 5xx responses (percent, over 15 minutes) that raises the alarm. @default 5 */
    error5xxRatePercent: percentage(5),
});

/** The AWS WAFv2 web ACL in front of the load balancer; its rate limit is `app.rateLimit`. */
const AwsWafSchema = z.strictObject({
    /** Put the web ACL (common rule set, per-IP rate limit, logging) on the ALB. @default true */
    enabled: boolean().default(true),
    /** `count` only measures what `block` would stop: for a first week in prod. @default "block" */
    rateLimitAction: z.enum(["block", "count"]).default("block"),
    /** Rules of AWSManagedRulesCommonRuleSet switched to count (false positives). @default [] */
    commonRuleSetExcludedRules: z
        .array(
            z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, {
                message:
                    "must be a rule name of the common rule set, such as SizeRestrictions_BODY",
            }),
        )
        .default([]),
    /** Retention of the web ACL's log group, days. @default 90 */
    logRetentionDays: integer()
        .pipe(
            z
                .number()
                .refine((d) => (CLOUDWATCH_LOG_RETENTION_DAYS as readonly number[]).includes(d), {
                    message: `must be one of CloudWatch Logs' retention periods: ${CLOUDWATCH_LOG_RETENTION_DAYS.join(", ")}`,
                }),
        )
        .default(90),
});

/** Adds "X is required when <section>.enabled is true" problems for missing fields. */
function requiredWhenEnabled(section: string, fields: readonly string[]) {
    // Returned as a check plus its `when`, so it also runs when other fields are invalid.
    return {
        check: (value: unknown, ctx: z.RefinementCtx) => {
            const v = value as Record<string, unknown> | undefined;
            if (!v || v.enabled !== true) return;
            for (const field of fields) {
                const path = field.split(".");
                const value = path.reduce<unknown>(
                    (at, k) => (at as Record<string, unknown> | undefined)?.[k],
                    v,
                );
                if (value === undefined) {
                    ctx.addIssue({
                        code: "custom",
                        path,
                        message: `is required when ${section}.enabled is true: set it with \`pulumi config set --path ${section}.${field} <value>\`, or set ${section}.enabled to false`,
                    });
                }
            }
        },
        // Run even when other fields of the section are invalid, so every problem is listed.
        when: () => true,
    };
}

const AWS_REQUIRED = ["region", "loadBalancer.certificateArn"] as const;
const awsRequired = requiredWhenEnabled("aws", AWS_REQUIRED);
const AwsSchema = z
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
        const accountsValid = a.allowedAccountIds.every((id) => /^\d{12}$/.test(String(id)));
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
                ctx.addIssue({ code: "custom", path: ["loadBalancer", "certificateArn"], message });
        }
    });

/** The `sslmode` values with which libpq never connects without TLS. */
export const TLS_SSL_MODES = ["require", "verify-ca", "verify-full"] as const;

/**
 * Why a database URL does not require TLS, or undefined when it does; never quotes the URL (a
 * secret). libpq semantics (PostgreSQL docs, "Connection Strings" and "sslmode"): a URI starts
 * with `postgresql://` or `postgres://`; `sslmode` defaults to `prefer`, which like `allow` and
 * `disable` connects without TLS when the server does not offer it, so only `require`,
 * `verify-ca` and `verify-full` count. Every `sslmode` in the query string must be one of them.
 */
export function databaseUrlTlsProblem(url: string): string | undefined {
    const fix =
        "`pulumi config set --secret databaseUrl 'postgresql://<user>:<password>@<host>:5432/<database>?sslmode=verify-full'`";
    if (!/^postgres(ql)?:\/\//i.test(url)) {
        return `is not a PostgreSQL connection URI (postgresql:// or postgres://): set it with ${fix}`;
    }
    const query = url.includes("?") ? url.slice(url.indexOf("?") + 1) : "";
    const modes = query
        .split("&")
        .map((pair) => pair.split("="))
        .filter(([key]) => safeDecode(key) === "sslmode")
        .map(([, value]) => safeDecode(value ?? ""));
    if (modes.length > 0 && modes.every((m) => (TLS_SSL_MODES as readonly string[]).includes(m))) {
        return undefined;
    }
    return `does not require TLS: its sslmode is ${modes.length === 0 ? "missing (libpq then uses prefer)" : "not one of require, verify-ca, verify-full"}, and disable, allow and prefer let libpq connect in plain text; add sslmode=verify-full (or verify-ca, or require) to its query string: ${fix}`;
}

function safeDecode(text: string): string {
    try {
        return decodeURIComponent(text);
    } catch {
        return text;
    }
}

/** Google APIs every GKE fleet stack needs enabled before anything else is created. */
export const REQUIRED_GCP_SERVICES = [
    "compute.googleapis.com",
    "container.googleapis.com",
    "cloudkms.googleapis.com",
    "iam.googleapis.com",
    "gkehub.googleapis.com",
    "anthosconfigmanagement.googleapis.com",
    "artifactregistry.googleapis.com",
    // Attached clusters (EKS, AKS, on-prem) and the Connect gateway to reach them.
    "gkemulticloud.googleapis.com",
    "gkeconnect.googleapis.com",
    "connectgateway.googleapis.com",
    // GKE's system metrics, which the fleet dashboard reads.
    "monitoring.googleapis.com",
] as const;

const dnsLabel = z.string().regex(/^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$/, {
    message: "must be 1-20 lowercase letters, digits or hyphens, starting with a letter",
});
const gcpLocation = z.string().regex(GCP_LOCATION, {
    message:
        "must be a Google Cloud region (europe-west1) for a regional cluster or a zone (europe-west1-b) for a zonal one",
});
const cidr = networkAddress(
    z
        .string()
        .regex(AWS_FORMATS.cidr, { message: "must be an IPv4 CIDR block such as 203.0.113.0/24" }),
);
const gitUrl = z.string().regex(GIT_URL, {
    message:
        "must be an https or ssh git URL (https://host/org/repo.git or git@host:org/repo.git); plain http is refused",
});

/** A GKE cluster of the fleet. */
const GkeClusterSchema = z
    .strictObject({
        /** Name of the cluster, its membership and its node service account prefix. */
        name: dnsLabel,
        /** A region (regional, highly available control plane) or a zone (zonal). */
        location: gcpLocation,
        /** @default "REGULAR" */
        releaseChannel: z.enum(["RAPID", "REGULAR", "STABLE"]).default("REGULAR"),
        /** @default "e2-standard-4" */
        machineType: z
            .string()
            .regex(/^[a-z0-9]+-[a-z0-9-]+$/, {
                message: "must be a machine type such as e2-standard-4",
            })
            .default(DEFAULT_MACHINE_TYPE),
        /** @default 1 */
        minNodesPerZone: integer().pipe(z.number().min(0)).default(1),
        /** @default 3 */
        maxNodesPerZone: integer().pipe(z.number().min(1)).default(3),
        /**
         * Private /28 of the control plane; unique per cluster in a network. Required, and never
         * to change for a running cluster: a new range replaces it (no default, which could move).
         * @default none: required
         */
        masterIpv4CidrBlock: networkAddress(
            z
                .string()
                .regex(
                    /^172\.(1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3}\/28$|^10\.\d{1,3}\.\d{1,3}\.\d{1,3}\/28$|^192\.168\.\d{1,3}\.\d{1,3}\/28$/,
                    {
                        message: "must be a private /28 such as 172.16.0.16/28",
                    },
                ),
        ).optional(),
        /** Ranges allowed to reach the control plane. @default [] */
        masterAuthorizedNetworks: z
            .array(z.strictObject({ cidrBlock: cidr, displayName: z.string().min(1) }))
            .default([]),
        /** Cloud KMS key for Secrets encryption. @default a key created with 90-day rotation */
        databaseEncryptionKey: z
            .string()
            .regex(KMS_KEY, {
                message:
                    "must be a Cloud KMS key id: projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>",
            })
            .optional(),
        /** VPC network of the nodes. @default "default" */
        network: z.string().min(1).optional(),
        /** Subnetwork of the nodes. @default the network's subnetwork in the region */
        subnetwork: z.string().min(1).optional(),
        /** @default true */
        deletionProtection: boolean().default(true),
        /**
         * How NetworkPolicies are enforced: `dataplane-v2` can be chosen only when the cluster is
         * created (switching an existing cluster to it replaces the cluster); `calico` (the
         * network-policy add-on) turns on in place, for clusters created without either.
         * @default "dataplane-v2"
         */
        networkPolicyEnforcement: z.enum(NETWORK_POLICY_ENFORCEMENTS).optional(),
        /** Config Sync branch for this cluster only. @default the fleet's */
        configSyncBranch: z.string().min(1).optional(),
        /** Config Sync folder for this cluster only. @default the fleet's */
        configSyncPolicyDir: z.string().min(1).optional(),
    })
    .superRefine((c, ctx) => {
        if (c.maxNodesPerZone < c.minNodesPerZone) {
            ctx.addIssue({
                code: "custom",
                path: ["maxNodesPerZone"],
                message: `(${c.maxNodesPerZone}) must be >= minNodesPerZone (${c.minNodesPerZone})`,
            });
        }
    });

/**
 * The control-plane range of a cluster, which every cluster states (the parser refuses one
 * without). No default: `masterIpv4CidrBlock` is ForceNew (terraform-provider-google
 * container/resource_container_cluster.go, private_cluster_config.master_ipv4_cidr_block), so a
 * default that moved (with the list, or when a cluster's range is removed from the stack file)
 * would replace the cluster, and the replacement, created before the old cluster is deleted,
 * would collide with the old one's range.
 */
export function masterRange(cluster: { masterIpv4CidrBlock?: string }): string {
    if (cluster.masterIpv4CidrBlock === undefined) {
        throw new Error(
            "masterRange: the config parser lets no GKE cluster without its range through",
        );
    }
    return cluster.masterIpv4CidrBlock;
}

/** A cluster outside Google Cloud, attached to the fleet (EKS, AKS, on-prem). */
const AttachedClusterSchema = z.strictObject({
    name: dnsLabel,
    /** Google Cloud region that hosts the attached cluster's resource. */
    location: gcpRegion,
    distribution: z.enum(["eks", "aks", "generic"]),
    /** The cluster's OIDC issuer URL (https). */
    oidcIssuerUrl,
    /** Attached clusters platform version, e.g. 1.31.0-gke.1. */
    platformVersion: attachedPlatformVersion,
    /** The issuer's JWKS, for issuers not reachable from the internet. */
    jwks: z.string().min(1).optional(),
    /** Kubeconfig of the cluster, set with `pulumi config set --secret --path`. */
    kubeconfig: z.string().min(1),
    /** Google users granted cluster-admin through the Connect gateway. @default [] */
    adminUsers: z
        .array(z.string().regex(AWS_FORMATS.email, { message: "must be a Google account email" }))
        .default([]),
});

/** Config Sync: what every cluster of the fleet syncs. */
const ConfigSyncSchema = z.strictObject({
    /** @default true */
    enabled: boolean().default(true),
    /** Repository, https or ssh. Required when Config Sync is enabled. */
    syncRepo: gitUrl.optional(),
    /** @default "main" */
    syncBranch: z.string().min(1).default("main"),
    /** What every fleet cluster syncs: the baseline and the workload. @default "gitops" */
    policyDir: z.string().min(1).default("gitops"),
    /**
     * What the GKE clusters of this program sync instead: the baseline only, since Pulumi
     * applies the workload to them itself. @default "gitops/cluster"
     */
    baselinePolicyDir: z.string().min(1).default("gitops/cluster"),
    /** @default "none" */
    secretType: z.enum(SECRET_TYPES).default("none"),
    /** @default "unstructured" */
    sourceFormat: z.enum(["unstructured", "hierarchy"]).default("unstructured"),
    /** Google service account for secretType gcpserviceaccount. */
    gcpServiceAccountEmail: z
        .string()
        .regex(AWS_FORMATS.email, { message: "must be a service account email" })
        .optional(),
});

const GCP_REQUIRED = ["project", "region"] as const;
const gcpRequired = requiredWhenEnabled("gcp", GCP_REQUIRED);
const GcpSchema = z
    .strictObject({
        /** Deploy the Google Cloud side of the fleet. @default false */
        enabled: boolean().default(false),
        /** Project that holds the clusters and the fleet (GKE Hub host project). Required when enabled. */
        project: gcpProject.optional(),
        /** Default region of regional resources. Required when enabled. */
        region: gcpRegion.optional(),
        /** Extra Google APIs to enable besides the ones the program needs. @default [] */
        extraServices: z.array(gcpService).default([]),
        /** Domain of the gke-security-groups@<domain> group for Google Groups for RBAC. @default off */
        rbacGroupDomain: z
            .string()
            .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, {
                message: "must be a domain such as example.com",
            })
            .optional(),
        /** GKE clusters, each registered into the fleet. @default [] */
        clusters: z.array(GkeClusterSchema).default([]),
        /** Clusters outside Google Cloud, attached to the fleet. @default [] */
        attachedClusters: z.array(AttachedClusterSchema).default([]),
        configSync: ConfigSyncSchema.prefault({}),
    })
    .check(z.superRefine(gcpRequired.check, { when: gcpRequired.when }))
    .superRefine((g, ctx) => {
        // GKE: the control plane's range "must not overlap with any other ranges in use within
        // the cluster's network" (container API, PrivateClusterConfig.masterIpv4CidrBlock).
        g.clusters.forEach((c, i) => {
            if (c.masterIpv4CidrBlock !== undefined) return;
            ctx.addIssue({
                code: "custom",
                path: ["clusters", i, "masterIpv4CidrBlock"],
                message:
                    `is required ('${c.name}' sets none): the control plane's private /28, its own in the cluster's network. ` +
                    `For a running cluster, set the range it has, since a new one replaces the cluster: ` +
                    `\`gcloud container clusters describe ${c.name} --location ${c.location} --format='value(privateClusterConfig.masterIpv4CidrBlock)'\` ` +
                    `(earlier versions of this program gave the cluster at position i 172.16.0.<16 x i>/28); ` +
                    `a new cluster takes any free private /28, such as 172.16.0.0/28`,
            });
        });
        // (A missing range, reported above, overlaps nothing.)
        const ranges = g.clusters.map((c) => ({
            network: c.network ?? "default",
            range: c.masterIpv4CidrBlock,
        }));
        ranges.forEach((r, i) => {
            const other = ranges.findIndex(
                (o, j) =>
                    j < i &&
                    o.network === r.network &&
                    o.range !== undefined &&
                    r.range !== undefined &&
                    cidrsOverlap(o.range, r.range),
            );
            if (other >= 0) {
                ctx.addIssue({
                    code: "custom",
                    path: ["clusters", i, "masterIpv4CidrBlock"],
                    message: `(${r.range}) overlaps ${ranges[other].range}, the control-plane range of cluster '${g.clusters[other].name}' in network '${r.network}': give each cluster its own /28`,
                });
            }
        });
        const names = [...g.clusters, ...g.attachedClusters].map((c) => c.name);
        names.forEach((n, i) => {
            if (names.indexOf(n) !== i) {
                ctx.addIssue({
                    code: "custom",
                    path: ["clusters"],
                    message: `name '${n}' is used twice: every fleet member needs its own name`,
                });
            }
        });
        // The program's GKE clusters get the app from Pulumi: the folder they sync must not
        // hold the rendered app too, or Config Sync and Pulumi would fight over it.
        const holdsWorkload = (dir: string) => {
            const d = dir.replace(/^\.\//, "").replace(/\/+$/, "");
            return d === "" || d === "." || `${GITOPS_WORKLOAD_DIR}/`.startsWith(`${d}/`);
        };
        const baselineProblem = (path: (string | number)[], dir: string) =>
            ctx.addIssue({
                code: "custom",
                path,
                message: `('${dir}') contains ${GITOPS_WORKLOAD_DIR}, but Pulumi applies the app to the GKE clusters of this stack itself: point it at the baseline (gitops/cluster) or another folder without the app`,
            });
        if (holdsWorkload(g.configSync.baselinePolicyDir)) {
            baselineProblem(["configSync", "baselinePolicyDir"], g.configSync.baselinePolicyDir);
        }
        g.clusters.forEach((c, i) => {
            if (c.configSyncPolicyDir !== undefined && holdsWorkload(c.configSyncPolicyDir)) {
                baselineProblem(["clusters", i, "configSyncPolicyDir"], c.configSyncPolicyDir);
            }
        });
        if (g.enabled && g.configSync.enabled && !g.configSync.syncRepo) {
            ctx.addIssue({
                code: "custom",
                path: ["configSync", "syncRepo"],
                message:
                    "is required when gcp.configSync.enabled is true: set it with `pulumi config set --path gcp.configSync.syncRepo https://...`, or set gcp.configSync.enabled to false",
            });
        }
        if (g.configSync.secretType === "ssh" && g.configSync.syncRepo?.startsWith("https://")) {
            ctx.addIssue({
                code: "custom",
                path: ["configSync", "secretType"],
                message: "'ssh' needs an ssh syncRepo URL, but syncRepo is https",
            });
        }
    });

const ArcSchema = z.strictObject({
    /** Version of the azure-arc-k8sagents chart, pinned. Required when edge sites are listed. */
    agentChartVersion: z.string().optional(),
    /** Proxy the agents reach Azure through. @default none */
    proxy: z
        .strictObject({
            httpsProxy: z
                .string()
                .regex(/^https?:\/\/\S+$/, { message: "must be a proxy URL" })
                .optional(),
            httpProxy: z
                .string()
                .regex(/^https?:\/\/\S+$/, { message: "must be a proxy URL" })
                .optional(),
            noProxy: z.string().optional(),
        })
        .optional(),
    /** Moved: outside clusters are edge sites now (`edge.sites`). */
    clusters: z.unknown().optional(),
});

/** What Flux syncs on every Arc cluster: the same tree Config Sync syncs on Google Cloud. */
const AzureGitOpsSchema = z.strictObject({
    /** https or ssh URL. Required when Azure is enabled. */
    url: gitUrl.optional(),
    /** @default "main" */
    branch: z.string().min(1).default("main"),
    /** The baseline and the workload, as on every fleet cluster. @default "./gitops" */
    path: z.string().min(1).default("./gitops"),
});

const AZURE_REQUIRED = ["subscriptionId", "location", "gitops.url"] as const;
const azureRequired = requiredWhenEnabled("azure", AZURE_REQUIRED);
const AzureSchema = z
    .strictObject({
        /** Deploy the Azure side of the fleet (Arc, Policy, Monitor). @default false */
        enabled: boolean().default(false),
        /** Subscription that holds the fleet's resource group. Required when enabled. */
        subscriptionId: uuid("Azure subscription id").optional(),
        /** Entra ID tenant. @default the tenant of the credentials in use */
        tenantId: uuid("Entra ID tenant id").optional(),
        /** Location of the resource group and fleet-wide resources. Required when enabled. */
        location: azureLocation.optional(),
        /** Name of the fleet's resource group. @default `<project>-<stack>` */
        resourceGroupName: azureResourceGroupName.optional(),
        /** Log Analytics retention for Container Insights, days. @default 30 */
        logRetentionDays: integer().pipe(z.number().min(30).max(730)).default(30),
        /** Pod security baseline: `audit` reports, `deny` blocks. @default "audit" */
        podSecurityEffect: z.enum(["audit", "deny"]).default("audit"),
        /** The pod security baseline's scope. */
        podSecurity: z
            .strictObject({
                /**
                 * Namespaces the baseline does not check (kube-system, gatekeeper-system and
                 * azure-arc are exempt whatever the list). Add a platform namespace (ingress with
                 * host ports, CNI, storage) only once the audit shows it needs it.
                 * @default azure-extensions-usage-system and the GitOps engines' namespaces, with the three above
                 */
                excludedNamespaces: distinct(
                    z.string().regex(DNS_LABEL, { message: "must be a Kubernetes namespace name" }),
                    "namespace",
                ).default([...DEFAULT_POD_SECURITY_EXCLUDED_NAMESPACES]),
            })
            .prefault({}),
        /** Entra ID groups (object ids) with Azure Arc Kubernetes Cluster Admin. @default [] */
        adminGroupObjectIds: groupObjectIds(),
        /** Entra ID groups (object ids) with Azure Arc Kubernetes Viewer. @default [] */
        viewerGroupObjectIds: groupObjectIds(),
        arc: ArcSchema.prefault({}),
        gitops: AzureGitOpsSchema.prefault({}),
    })
    .check(z.superRefine(azureRequired.check, { when: azureRequired.when }))
    // Runs even when other Azure keys are invalid, so every problem is listed: read defensively.
    .check(z.superRefine(checkAzure, { when: () => true }));

function checkAzure(value: unknown, ctx: z.RefinementCtx): void {
    const a = value as { arc?: { clusters?: unknown }; gitops?: { url?: unknown } };
    if (a.arc?.clusters !== undefined) {
        ctx.addIssue({
            code: "custom",
            path: ["arc", "clusters"],
            message:
                "has moved: clusters outside Azure are edge sites now; list them under edge.sites (name, region, kubeconfig, distribution, labels) and remove azure.arc.clusters",
        });
    }
    const url = a.gitops?.url;
    if (typeof url === "string" && GIT_URL.test(url) && !url.startsWith("https://")) {
        ctx.addIssue({
            code: "custom",
            path: ["gitops", "url"],
            message:
                "must be https: the built-in Azure policy that deploys Flux to every Arc cluster takes public https repositories",
        });
    }
}

// --- The edge fleet: outside clusters by the thousand, sharded over stacks -------------------

const edgeRegion = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
    message: "must be a region label such as eu-west or store-region-7 (lowercase, digits, -)",
});
const shardName = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, {
    message: "must be a short lowercase name such as eu or stores-north",
});

/** One edge site: a cluster outside every cloud, connected to Arc and optionally attached to the GKE fleet. */
const EdgeSiteSchema = z.strictObject({
    /** Connected cluster name and fleet membership id: a lowercase DNS label. */
    name: z.string().regex(/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/, {
        message:
            "must be a lowercase DNS label of up to 63 characters (a connected cluster name and a fleet membership id)",
    }),
    /** Where the site is; shards claim sites by region. */
    region: edgeRegion,
    /** Kubeconfig of the cluster, set with `pulumi config set --secret --path`. */
    kubeconfig: z
        .string()
        .min(1)
        .superRefine((text, ctx) => {
            // The offline plan's placeholders are well-formed kubeconfigs; anything else is checked.
            const problem = kubeconfigProblem(text);
            if (problem) ctx.addIssue({ code: "custom", message: problem });
        }),
    /** @default "generic" */
    distribution: z.enum(ARC_DISTRIBUTIONS).default("generic"),
    /** @default "generic" */
    infrastructure: z.enum(ARC_INFRASTRUCTURES).default("generic"),
    /** Azure RBAC inside the cluster (the Arc guard). @default true, false on eks, gke and openshift */
    azureRbac: boolean().optional(),
    /** Users, groups or object ids the guard leaves to Kubernetes RBAC. @default [] */
    azureRbacSkipList: z
        .array(z.string().regex(/^[^,\s]+$/, { message: "must be one name or id, without commas" }))
        .default([]),
    /** Labels: shard selectors match them, and they tag the connected cluster. @default {} */
    labels: z.record(tagKey, tagValue).default({}),
    /** The cluster's service account issuer (https); required when edge.anthos is enabled. */
    oidcIssuerUrl: oidcIssuerUrl.optional(),
    /** The issuer's JWKS (`kubectl get --raw /openid/v1/jwks`), for issuers not reachable from the internet. */
    jwks: z.string().min(1).optional(),
});

const EdgeShardSchema = z
    .strictObject({
        /** The shard claims sites in these regions. @default any region */
        regions: z.array(edgeRegion).min(1).optional(),
        /** The shard claims sites carrying all of these labels. @default any labels */
        selector: z.record(tagKey, tagValue).optional(),
    })
    .refine((s) => s.regions !== undefined || s.selector !== undefined, {
        message: "claims every site: give it regions, a selector or both",
    });

const EdgeSchema = z.strictObject({
    /**
     * What delivers gitops/ to the sites: Flux through the fleet's Azure policies, or Config
     * Sync through the GKE fleet default (needs edge.anthos and gcp.configSync). @default "flux"
     */
    gitops: z.enum(["flux", "configsync"]).default("flux"),
    /** Attach every site to the GKE fleet too (as GKE attached clusters). */
    anthos: z
        .strictObject({
            /** @default false */
            enabled: boolean().default(false),
            /** Google Cloud region that hosts the attached cluster resources. Required when enabled. */
            location: gcpRegion.optional(),
            /** Attached clusters platform version, e.g. 1.31.0-gke.1. Required when enabled. */
            platformVersion: attachedPlatformVersion.optional(),
        })
        .prefault({}),
    /** Shard definitions, shared by every shard stack; together they must partition the sites. @default {} */
    shards: z.record(shardName, EdgeShardSchema).default({}),
    /** The shard this stack owns. Required when shards are defined. @default every site */
    shard: shardName.optional(),
    /** Every edge site of the fleet (the same list in every shard stack). @default [] */
    sites: z.array(EdgeSiteSchema).default([]),
});

/** Edge checks that read other sections. The value may be partly invalid: read it defensively. */
function checkEdge(value: unknown, ctx: z.RefinementCtx): void {
    const c = value as {
        edge?: {
            gitops?: unknown;
            anthos?: { enabled?: unknown; location?: unknown; platformVersion?: unknown };
            shards?: unknown;
            shard?: unknown;
            sites?: unknown;
        };
        azure?: { enabled?: unknown; arc?: { agentChartVersion?: unknown } };
        gcp?: {
            enabled?: unknown;
            configSync?: { enabled?: unknown };
            clusters?: { name?: unknown }[];
            attachedClusters?: { name?: unknown }[];
        };
    };
    const edge = c.edge;
    if (!edge || typeof edge !== "object") return;
    const on = (flag: unknown, fallback: boolean) =>
        flag === undefined ? fallback : flag === true || flag === "true";
    const sites = (Array.isArray(edge.sites) ? edge.sites : []) as Record<string, unknown>[];
    const issue = (path: (string | number)[], message: string) =>
        ctx.addIssue({ code: "custom", path: ["edge", ...path], message });

    const names = sites.map((s) => s?.name);
    names.forEach((n, i) => {
        if (typeof n === "string" && names.indexOf(n) !== i) {
            issue(["sites", i, "name"], `'${n}' is used twice: every site needs its own name`);
        }
    });

    // Sharding: the definitions partition the list; the stack owns one shard.
    const shards = (edge.shards && typeof edge.shards === "object" ? edge.shards : {}) as Record<
        string,
        EdgeShard
    >;
    const shardNames = Object.keys(shards);
    if (shardNames.length > 0 && edge.shard === undefined) {
        issue(
            ["shard"],
            `is required when edge.shards are defined: set the shard this stack owns with \`pulumi config set --path edge.shard <${shardNames.join("|")}>\``,
        );
    }
    if (typeof edge.shard === "string" && !shardNames.includes(edge.shard)) {
        issue(
            ["shard"],
            shardNames.length
                ? `'${edge.shard}' is not a shard in edge.shards (${shardNames.join(", ")})`
                : `'${edge.shard}' names a shard, but edge.shards defines none: define the shards, or remove edge.shard so this stack owns every site`,
        );
    }
    const wellFormed = sites.every(
        (s) => s && typeof s.name === "string" && typeof s.region === "string",
    );
    const shardsWellFormed = Object.values(shards).every(
        (s) =>
            s &&
            typeof s === "object" &&
            (s.regions === undefined || Array.isArray(s.regions)) &&
            (s.selector === undefined || typeof s.selector === "object"),
    );
    if (wellFormed && shardsWellFormed) {
        for (const p of shardProblems(sites as unknown as ShardableSite[], shards)) {
            issue(["sites", p.index], p.message);
        }
    }

    if (sites.length === 0) return;
    // Every site is connected to Arc.
    if (!on(c.azure?.enabled, false)) {
        issue(
            ["sites"],
            "lists sites, but azure.enabled is not true: every edge site is connected to Azure Arc; enable azure, or remove the sites",
        );
    } else {
        const version = c.azure?.arc?.agentChartVersion;
        if (!(typeof version === "string" && version.trim())) {
            ctx.addIssue({
                code: "custom",
                path: ["azure", "arc", "agentChartVersion"],
                message:
                    "is required when edge.sites are listed: pin the azure-arc-k8sagents chart version with `pulumi config set --path azure.arc.agentChartVersion <version>`",
            });
        } else {
            const problem = agentChartVersionProblem(version);
            if (problem) {
                ctx.addIssue({
                    code: "custom",
                    path: ["azure", "arc", "agentChartVersion"],
                    message: problem,
                });
            }
        }
    }
    const anthos = on(edge.anthos?.enabled, false);
    const configSync = on(c.gcp?.enabled, false) && on(c.gcp?.configSync?.enabled, true);
    if (anthos) {
        if (!on(c.gcp?.enabled, false)) {
            issue(
                ["anthos", "enabled"],
                "is true, but gcp.enabled is not: the GKE fleet lives in the gcp project; enable gcp, or set edge.anthos.enabled to false",
            );
        }
        for (const key of ["location", "platformVersion"] as const) {
            if (edge.anthos?.[key] === undefined) {
                issue(
                    ["anthos", key],
                    `is required when edge.anthos.enabled is true: set it with \`pulumi config set --path edge.anthos.${key} <value>\``,
                );
            }
        }
        sites.forEach((s, i) => {
            if (s && s.oidcIssuerUrl === undefined) {
                issue(
                    ["sites", i, "oidcIssuerUrl"],
                    "is required when edge.anthos.enabled is true: the GKE fleet trusts the cluster's own service account issuer (and its jwks when the issuer is not public)",
                );
            }
        });
        const taken = [...(c.gcp?.clusters ?? []), ...(c.gcp?.attachedClusters ?? [])].map(
            (m) => m?.name,
        );
        names.forEach((n, i) => {
            if (typeof n === "string" && taken.includes(n)) {
                issue(
                    ["sites", i, "name"],
                    `'${n}' is also a gcp cluster's name: fleet memberships need distinct names`,
                );
            }
        });
    }
    if (edge.gitops === "configsync" && !(anthos && configSync)) {
        issue(
            ["gitops"],
            "is configsync, but Config Sync reaches edge sites only when edge.anthos.enabled and gcp.configSync.enabled are both true: set edge.gitops to flux, or enable both",
        );
    }
    if (edge.gitops !== "configsync" && anthos && configSync) {
        issue(
            ["gitops"],
            "is flux, but the sites are attached to the GKE fleet, whose Config Sync default syncs gitops/ too: two engines would apply the same objects; set edge.gitops to configsync, or turn edge.anthos or gcp.configSync off",
        );
    }
}

// --- The app: the release every cluster runs, and the image this stack builds ----------------

const imageByDigest = z.string().regex(IMAGE_BY_DIGEST, {
    message:
        "must be an image pinned by digest: <registry>/<repository>@sha256:<64 hex digits>, never a tag such as latest",
});
const cpuQuantity = text().pipe(
    z.string().regex(KUBE_CPU, { message: "must be a CPU quantity such as 100m or 1" }),
);
const memoryQuantity = z.string().regex(KUBE_MEMORY, {
    message: "must be a memory quantity such as 128Mi or 1Gi",
});
const k8sName = z.string().regex(DNS_LABEL, {
    message: "must be a DNS label (lowercase letters, digits and -, up to 63)",
});
const computeResources = (cpu: string, memory: string) =>
    z
        .strictObject({ cpu: cpuQuantity.default(cpu), memory: memoryQuantity.default(memory) })
        .prefault({});

/**
 * The app release: the image and how it runs. Set once in Pulumi.yaml (project-level config,
 * key `app`), rendered into gitops/workload/ for every fleet cluster (`npm run gitops`) and
 * applied by Pulumi to the GKE clusters of each stack. A stack that sets `app` replaces the
 * whole object (Pulumi does not merge it) for its own clusters only.
 */
const AppSchema = z
    .strictObject({
        /** The released image, by digest: what GitOps delivers, and what runs where no image is built. Required. */
        image: imageByDigest,
        /** @default 2 */
        minReplicas: integer().pipe(z.number().min(1)).default(2),
        /** @default 10 */
        maxReplicas: integer().pipe(z.number().min(1).max(1000)).default(10),
        /** @default 65 */
        targetCpuUtilization: integer().pipe(z.number().min(10).max(95)).default(65),
        /** @default { cpu: "100m", memory: "128Mi" } */
        requests: computeResources("100m", "128Mi"),
        /** @default { cpu: "500m", memory: "256Mi" } */
        limits: computeResources("500m", "256Mi"),
        ingress: z.strictObject({
            /** Public DNS name of the app. Required. */
            host: z
                .string()
                .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/, {
                    message: "must be a fully qualified DNS name such as app.example.com",
                }),
            /** @default "nginx" */
            className: k8sName
                .refine((c) => !(GKE_INGRESS_CLASSES as readonly string[]).includes(c), {
                    message:
                        "is GKE's own ingress controller, which ignores spec.ingressClassName: run an ingress controller in the cluster (e.g. ingress-nginx, class nginx)",
                })
                .default("nginx"),
            /** @default "app-tls" */
            tlsSecretName: k8sName.default("app-tls"),
            /** cert-manager ClusterIssuer for the certificate. @default none */
            clusterIssuer: k8sName.optional(),
            /** Namespace of the ingress controller: the only one whose pods may reach the app (and cert-manager's HTTP-01 solver). @default "ingress-nginx" */
            controllerNamespace: k8sName.default(DEFAULT_INGRESS_CONTROLLER_NAMESPACE),
            /** Labels of the controller's pods in that namespace, to admit only those. @default {} (every pod of the namespace) */
            controllerPodLabels: z.record(z.string(), z.string()).default({}),
        }),
        /**
         * The per-client rate limit, the same on every cloud: the AWS web ACL's rate-based rule
         * and the ingress's rate limit on every cluster. @default { requestsPer5Minutes: 2000 }
         */
        rateLimit: z
            .strictObject({
                /** Requests one client IP may send in 5 minutes. @default 2000 */
                requestsPer5Minutes: integer()
                    .pipe(
                        z
                            .number()
                            .refine((n) => n >= WAF_RATE_LIMIT_MIN, {
                                message: `must be at least ${WAF_RATE_LIMIT_MIN}: AWS WAF's rate-based rules count no fewer than ${WAF_RATE_LIMIT_MIN} requests per 5 minutes; raise it with \`pulumi config set --path app.rateLimit.requestsPer5Minutes ${WAF_RATE_LIMIT_MIN}\``,
                            })
                            .refine((n) => n <= WAF_RATE_LIMIT_MAX, {
                                message: `must be at most ${WAF_RATE_LIMIT_MAX}, AWS WAF's largest rate limit`,
                            }),
                    )
                    .default(DEFAULT_REQUESTS_PER_5_MINUTES),
            })
            .prefault({}),
        /** Secret (key `url`) holding the database URL, mounted in the pod as DATABASE_URL_FILE. @default "app-database" */
        databaseSecretName: k8sName.default("app-database"),
        /**
         * Group allowed to deploy into the app namespace. Not a `system:` group: those are
         * Kubernetes' own (system:authenticated is everyone signed in; on GKE, any Google
         * account), which the policy kubernetes-rolebinding-no-broad-subjects refuses.
         * @default "app-deployers"
         */
        deployerGroup: z
            .string()
            .min(1)
            .refine((g) => !g.startsWith("system:"), {
                message:
                    "must not be a system: group (Kubernetes' own groups: system:authenticated is everyone signed in, on GKE any Google account): name the group of the people who deploy the app",
            })
            .default("app-deployers"),
        /** TCP port of the database (egress is allowed to it). @default 5432 */
        databasePort: integer().pipe(z.number().min(1).max(65535)).default(5432),
        /** Pull secrets for clusters outside the image registry's cloud. @default [] */
        imagePullSecrets: z.array(k8sName).default([]),
    })
    .superRefine((a, ctx) => {
        if (a.minReplicas > a.maxReplicas) {
            ctx.addIssue({
                code: "custom",
                path: ["minReplicas"],
                message: `(${a.minReplicas}) is greater than app.maxReplicas (${a.maxReplicas}): the bounds are reversed; swap them or raise app.maxReplicas`,
            });
        }
    });

export const REGISTRY_CLOUDS = ["aws", "gcp", "azure"] as const;

/** The image this stack builds from app/ and pushes to its clouds' registries. */
const AppImageSchema = z.strictObject({
    /** Build and push with Pulumi; when false, every cluster and instance runs app.image. @default true */
    build: boolean().default(true),
    /** Build context, relative to the project folder. @default "app" */
    context: z.string().min(1).default("app"),
    /** Dockerfile, relative to the context. @default "Dockerfile" */
    dockerfile: z.string().min(1).default("Dockerfile"),
    /** Dockerfile stage to build. @default "runtime" */
    target: z
        .string()
        .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, { message: "must be a stage name" })
        .default("runtime"),
    /**
     * Every platform the image runs on, built as one multi-platform image: it must cover the AWS
     * fleet's architecture and every GKE node pool's. @default ["linux/amd64"]
     */
    platforms: distinct(z.enum(IMAGE_PLATFORMS), "platform")
        .min(1)
        .default([...DEFAULT_IMAGE_PLATFORMS]),
    /** buildx builder for multi-platform builds (docker-container driver). @default the current builder */
    builder: z.string().min(1).optional(),
    /** Removed: see platforms. */
    platform: z.unknown().optional(),
    /** Build during previews as well (never pushed). @default false */
    buildOnPreview: boolean().default(false),
    /**
     * Build arguments. One that chooses a base image (used in a FROM line, as PYTHON_IMAGE) must be
     * pinned by digest. @default {} (the Dockerfile's digest-pinned base)
     */
    buildArgs: z
        .record(
            z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: "must be an ARG name" }),
            text(),
        )
        .default({}),
    /**
     * Store an SBOM attestation (SPDX, per platform) with the image in every registry.
     * @default true
     */
    sbom: boolean().default(DEFAULT_SBOM),
    /**
     * Provenance attestation stored with the image: max (the whole build request, build
     * argument values included), min (without them) or off. @default max
     */
    provenance: z.enum(PROVENANCE_MODES).default(DEFAULT_PROVENANCE),
    /** Repository name in every registry. @default "multicloud-app" */
    repository: z
        .string()
        .regex(/^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/, {
            message: "must be lowercase letters, digits, '.', '_' or '-', up to 63",
        })
        .default("multicloud-app"),
    /** Clouds whose registry receives the image. @default every enabled cloud */
    registries: z.array(z.enum(REGISTRY_CLOUDS)).optional(),
    /** Cloud KMS key (projects/.../cryptoKeys/...) for Artifact Registry CMEK. @default Google-managed */
    gcpKmsKeyName: z
        .string()
        .regex(KMS_KEY, {
            message:
                "must be a Cloud KMS key: projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>",
        })
        .optional(),
    /** Azure Container Registry tier; azureEncryption needs Premium. @default "Standard" */
    azureSku: z.enum(["Basic", "Standard", "Premium"]).optional(),
    /**
     * Customer-managed Key Vault key of the Azure Container Registry (Premium; the vault uses the
     * Azure RBAC permission model, soft delete and purge protection; an RSA key). Azure enables a
     * key only when a registry is created: setting or removing it creates a new registry.
     * @default Microsoft-managed keys
     */
    azureEncryption: z
        .strictObject({
            /** https://<vault>.vault.azure.net/keys/<name>; versionless rotates automatically. */
            keyIdentifier: z.string(),
            /** /subscriptions/<s>/resourceGroups/<g>/providers/Microsoft.KeyVault/vaults/<vault> */
            keyVaultId: z.string(),
        })
        .optional(),
});

/** The fleet dashboard: Azure Managed Grafana, created when Azure is enabled. */
const DashboardSchema = z.strictObject({
    /** Create the Grafana workspace, its data sources and dashboards/. Needs azure.enabled. @default true */
    enabled: boolean().default(true),
    /** Workspace name (2-30 letters, digits, -), part of its URL. @default `<project>-<stack>` */
    name: z
        .string()
        .regex(GRAFANA_WORKSPACE_NAME, { message: GRAFANA_WORKSPACE_NAME_RULE })
        .optional(),
    /** `Essential` has no SLA and no zone redundancy: for dev. @default "Standard" */
    sku: z.enum(["Standard", "Essential"]).default("Standard"),
    /** Grafana major version of the workspace. @default "11" */
    grafanaMajorVersion: z
        .string()
        .regex(/^\d{1,3}$/, { message: "must be a major version such as 11" })
        .default("11"),
    /** Spread the workspace over availability zones (Standard only). @default false */
    zoneRedundancy: boolean().default(false),
    /**
     * Object id of the identity that runs Pulumi for this stack (the Deployments identity): it
     * gets Grafana Admin to write data sources and dashboards. A fixed principal, so that runs
     * from a laptop and from Deployments do not replace each other's grant. Required while the
     * dashboard is enabled.
     */
    deployerObjectId: uuid("Entra ID object id").optional(),
    /** Its kind, as Azure must be told: ServicePrincipal (an app or managed identity), User or Group. @default "ServicePrincipal" */
    deployerPrincipalType: z.enum(PRINCIPAL_TYPES).default("ServicePrincipal"),
    /** Entra ID groups (object ids) with Grafana Admin on the workspace. @default [] */
    adminGroupObjectIds: groupObjectIds(),
    /** Entra ID groups (object ids) with Grafana Viewer on the workspace. @default [] */
    viewerGroupObjectIds: groupObjectIds(),
    /**
     * Any label; change it to replace the AWS access key and the Google service-account key the
     * CloudWatch and Cloud Monitoring data sources hold (the clouds offer Grafana no keyless
     * way in). @default "1"
     */
    credentialRotation: z
        .string()
        .regex(ROTATION_LABEL, { message: "must be a short label such as 2026-11" })
        .default("1"),
});

/** The whole stack config, keyed without the `multicloud:` namespace. */
export const StackConfigSchema = z
    .strictObject({
        /** Environment name, tagged on everything (e.g. dev, staging, prod). Required. */
        environment: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, {
            message: "must be a short lowercase name such as dev, staging or prod",
        }),
        /** Extra tags (AWS), labels (Google Cloud) and tags (Azure) for every resource. @default {} */
        tags: z.record(tagKey, tagValue).default({}),
        aws: AwsSchema.prefault({}),
        gcp: GcpSchema.prefault({}),
        azure: AzureSchema.prefault({}),
        edge: EdgeSchema.prefault({}),
        app: AppSchema,
        appImage: AppImageSchema.prefault({}),
        dashboard: DashboardSchema.prefault({}),
        /**
         * The database URL for the clusters Pulumi applies the app to; a secret. A PostgreSQL URI
         * that requires TLS (`sslmode=require`, `verify-ca` or `verify-full`). @default none
         */
        databaseUrl: z
            .string()
            .min(1)
            .superRefine((url, ctx) => {
                const problem = databaseUrlTlsProblem(url);
                if (problem) ctx.addIssue({ code: "custom", message: problem });
            })
            .optional(),
        /**
         * The released image's pull credential for the clusters GitOps feeds (edge sites,
         * attached clusters): Pulumi writes it into each as the Secret `secretName` of the app
         * namespace. A secret: set with `pulumi config set --secret --path
         * registryPullCredential.password <token password>`. @default none
         */
        registryPullCredential: z
            .strictObject({
                /** The registry host of app.image, e.g. fleet.azurecr.io. */
                server: z.string().regex(REGISTRY_HOST, {
                    message: "must be a registry host such as fleet.azurecr.io",
                }),
                /** An ACR token name, or _json_key for an Artifact Registry key. */
                username: z.string().min(1),
                password: z.string().min(1),
                /** @default "app-registry" */
                secretName: k8sName.default(DEFAULT_PULL_SECRET_NAME),
            })
            .optional(),
    })
    // Runs even when other keys are invalid, so that every problem is listed at once.
    .check(z.superRefine(checkWholeStack, { when: () => true }))
    .check(z.superRefine(checkEdge, { when: () => true }))
    .check(z.superRefine(checkDashboard, { when: () => true }));

/** Zone redundancy is a Standard feature. Read defensively: the value may be partly invalid. */
function checkDashboard(value: unknown, ctx: z.RefinementCtx): void {
    const c = value as {
        azure?: { enabled?: unknown };
        dashboard?: {
            enabled?: unknown;
            sku?: unknown;
            zoneRedundancy?: unknown;
            deployerObjectId?: unknown;
        };
    };
    const d = c.dashboard;
    const on = (flag: unknown, fallback: boolean) =>
        flag === undefined ? fallback : flag === true || flag === "true";
    if (on(c.azure?.enabled, false) && on(d?.enabled, true) && d?.deployerObjectId === undefined) {
        ctx.addIssue({
            code: "custom",
            path: ["dashboard", "deployerObjectId"],
            message:
                "is required while dashboard.enabled is true: the object id of the identity that runs Pulumi for this stack (for an app: `az ad sp show --id <appId> --query id -o tsv`), which gets Grafana Admin to write the data sources and dashboards; or set dashboard.enabled to false",
        });
    }
    if (d?.sku === "Essential" && (d.zoneRedundancy === true || d.zoneRedundancy === "true")) {
        ctx.addIssue({
            code: "custom",
            path: ["dashboard", "zoneRedundancy"],
            message:
                "needs the Standard plan: set dashboard.sku to Standard, or dashboard.zoneRedundancy to false",
            params: { standalone: true },
        });
    }
}

/** Cross-section checks. The value may be partly invalid here: read it defensively. */
function checkWholeStack(value: unknown, ctx: z.RefinementCtx): void {
    const c = value as Record<string, { enabled?: unknown } | undefined>;
    const sections = ["aws", "gcp", "azure"].map((cloud) => c[cloud]);
    // A section that is not an object is reported on its own; "no cloud" would only be noise.
    if (
        sections.some(
            (section) => section !== undefined && (typeof section !== "object" || section === null),
        )
    ) {
        return;
    }
    const flags = ["aws", "gcp", "azure"].map((cloud) => c[cloud]?.enabled ?? false);
    // An invalid flag is reported on its own; "no cloud" would only be noise then.
    if (flags.every((f) => f === false)) {
        ctx.addIssue({
            code: "custom",
            path: [],
            message:
                "enables no cloud: set at least one of aws.enabled, gcp.enabled, azure.enabled to true",
        });
    }
    const registries = (c.appImage as { registries?: unknown } | undefined)?.registries;
    if (Array.isArray(registries)) {
        registries.forEach((cloud: unknown, i) => {
            if (
                typeof cloud !== "string" ||
                !(REGISTRY_CLOUDS as readonly string[]).includes(cloud)
            )
                return;
            const enabled = c[cloud]?.enabled;
            if (enabled !== true && enabled !== "true") {
                ctx.addIssue({
                    code: "custom",
                    path: ["appImage", "registries", i],
                    message: `names the ${cloud} registry, but ${cloud}.enabled is not true: remove ${cloud} from appImage.registries, or enable ${cloud}`,
                    params: { standalone: true },
                });
            }
        });
    }
    const image = c.appImage as
        | {
              azureSku?: unknown;
              azureEncryption?: { keyIdentifier?: unknown; keyVaultId?: unknown };
          }
        | undefined;
    if (image?.azureEncryption && typeof image.azureEncryption === "object") {
        const names = {
            encryption: "appImage.azureEncryption",
            sku: "appImage.azureSku",
            keyIdentifier: "appImage.azureEncryption.keyIdentifier",
            keyVaultId: "appImage.azureEncryption.keyVaultId",
        } as const;
        for (const p of acrEncryptionProblems(
            { sku: image.azureSku, ...image.azureEncryption },
            names,
        )) {
            ctx.addIssue({
                code: "custom",
                path: names[p.field].split("."),
                message: p.message,
                params: { standalone: true },
            });
        }
    }
    if ((c.appImage as { platform?: unknown } | undefined)?.platform !== undefined) {
        ctx.addIssue({
            code: "custom",
            path: ["appImage", "platform"],
            message:
                "has moved: list every platform in appImage.platforms (e.g. [linux/amd64, linux/arm64]) and remove appImage.platform with `pulumi config rm --path appImage.platform`",
            params: { standalone: true },
        });
    }
    const tags = c.tags && typeof c.tags === "object" ? c.tags : {};
    for (const key of Object.keys(tags).filter((k) =>
        (RESERVED_TAGS as readonly string[]).includes(k),
    )) {
        ctx.addIssue({
            code: "custom",
            path: ["tags", key],
            message: `is set by the program on every resource; remove it (reserved: ${RESERVED_TAGS.join(", ")})`,
            // Reported even when the value is invalid too: it is a separate problem.
            params: { standalone: true },
        });
    }
}

type Parsed = z.output<typeof StackConfigSchema>;

/**
 * A cloud section, narrowed on `enabled`: when a cloud is on, the fields it requires are
 * present (the schema's `requiredWhenEnabled` checks guarantee it).
 */
type RequirePath<T, P extends string> = P extends `${infer K}.${infer Rest}`
    ? K extends keyof T
        ? Omit<T, K> & { [Q in K]: RequirePath<T[K], Rest> }
        : T
    : P extends keyof T
      ? Omit<T, P> & { [Q in P]-?: NonNullable<T[P]> }
      : T;
type RequireAll<T, Paths extends readonly string[]> = Paths extends readonly [
    infer H extends string,
    ...infer R extends string[],
]
    ? RequireAll<RequirePath<T, H>, R>
    : T;
type Section<T extends { enabled: boolean }, Required extends readonly string[]> =
    | (Omit<T, "enabled"> & { enabled: false })
    | RequireAll<Omit<T, "enabled"> & { enabled: true }, Required>;

export type AwsConfig = Section<Parsed["aws"], typeof AWS_REQUIRED>;
export type GcpConfig = Section<Parsed["gcp"], typeof GCP_REQUIRED>;
export type AzureConfig = Section<Parsed["azure"], typeof AZURE_REQUIRED>;

export type AppConfig = Parsed["app"];
export type EdgeConfig = Parsed["edge"];
export type EdgeSiteConfig = EdgeConfig["sites"][number];
export type AppImageConfig = Omit<Parsed["appImage"], "registries"> & {
    /** Settled: the enabled clouds when the stack does not list them. */
    readonly registries: readonly (typeof REGISTRY_CLOUDS)[number][];
};

/** The validated stack config, every default settled. */
export type StackConfig = Omit<Parsed, "aws" | "gcp" | "azure" | "appImage" | "dashboard"> & {
    readonly dashboard: Parsed["dashboard"] & {
        /** The repository's dashboards (`dashboards/*.json`), checked; [] without a project folder. */
        readonly files: readonly DashboardFile[];
    };
    readonly aws: AwsConfig;
    readonly gcp: GcpConfig;
    readonly azure: AzureConfig;
    readonly appImage: AppImageConfig;
};

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

export { ConfigError };

/**
 * Validates the raw config map Pulumi gives the program (`pulumi.runtime.allConfig()`: keys
 * `<namespace>:<key>`, structured values as JSON text) and returns the typed config. Throws one
 * `ConfigError` listing every problem: the key path, what is wrong, and how to fix it.
 * `secretKeys` are the keys Pulumi holds as secrets (values that must be secret are checked).
 */
export function parseStackConfig(
    raw: Readonly<Record<string, string>>,
    project: string,
    stack?: string,
    secretKeys: readonly string[] = [],
    /** When given, paths in the config (the image's build context) are checked against it. */
    projectDir?: string,
): StackConfig {
    const problems: string[] = [];
    for (const fullKey of Object.keys(raw)) {
        const ns = fullKey.slice(0, fullKey.indexOf(":"));
        if ((PROVIDER_NAMESPACES as readonly string[]).includes(ns)) {
            problems.push(
                `${fullKey} has no effect: this program configures every provider explicitly from ${project}:* keys ` +
                    `(e.g. ${project}:aws.region, ${project}:gcp.project); remove it with \`pulumi config rm ${fullKey}\``,
            );
        }
    }
    // Other namespaces (pulumi:, policy packs, ...) are not ours.
    const values = namespaceValues(raw, project, problems);
    // The program tags everything with the project and stack names: they must be label-safe too.
    for (const [what, name, fix] of [
        ["project", project, "rename the project in Pulumi.yaml"],
        [
            "stack",
            stack,
            `rename the stack with \`pulumi stack rename ${stack?.toLowerCase().replace(/[^a-z0-9_-]/g, "-")}\``,
        ],
    ] as const) {
        if (name !== undefined && !/^[a-z0-9_-]{1,63}$/.test(name)) {
            problems.push(
                `the ${what} name '${name}' cannot be a tag value on every cloud (Google Cloud label rules: up to 63 lowercase letters, digits, _ or -): ${fix}`,
            );
        }
    }
    const result = StackConfigSchema.safeParse(values, { reportInput: true });
    if (!result.success) {
        // A cross-field check on a key that already failed on its own adds nothing: drop it.
        const failed = new Set(
            result.error.issues.filter((i) => i.code !== "custom").map((i) => pathText(i.path)),
        );
        const standalone = (i: z.core.$ZodIssue) =>
            i.code === "custom" && (i.params as { standalone?: boolean } | undefined)?.standalone;
        const issues = result.error.issues.filter(
            (i) => i.code !== "custom" || standalone(i) || !failed.has(pathText(i.path)),
        );
        problems.push(
            ...issues.flatMap((issue) => describeIssue(issue, project, StackConfigSchema)),
        );
    }
    // Kubeconfigs grant cluster access: they must arrive as Pulumi secrets.
    if (
        result.success &&
        result.data.gcp.attachedClusters.length &&
        !secretKeys.includes(`${project}:gcp`)
    ) {
        result.data.gcp.attachedClusters.forEach((c, i) =>
            problems.push(
                `${project}:gcp.attachedClusters[${i}].kubeconfig must be a secret: set it with ` +
                    `\`pulumi config set --secret --path 'gcp.attachedClusters[${i}].kubeconfig' "$(cat kubeconfig-${c.name})"\``,
            ),
        );
    }
    if (
        result.success &&
        result.data.edge.sites.length &&
        !secretKeys.includes(`${project}:edge`)
    ) {
        problems.push(
            `${project}:edge.sites[*].kubeconfig must be secrets: set each with ` +
                `\`pulumi config set --secret --path 'edge.sites[0].kubeconfig' "$(cat kubeconfig-${result.data.edge.sites[0].name})"\``,
        );
    }
    if (
        result.success &&
        result.data.registryPullCredential !== undefined &&
        !secretKeys.includes(`${project}:registryPullCredential`)
    ) {
        problems.push(
            `${project}:registryPullCredential must be a secret: set its password with \`pulumi config set --secret --path registryPullCredential.password <password>\``,
        );
    }
    if (
        result.success &&
        result.data.databaseUrl !== undefined &&
        !secretKeys.includes(`${project}:databaseUrl`)
    ) {
        problems.push(
            `${project}:databaseUrl must be a secret: set it with \`pulumi config set --secret databaseUrl <postgresql://...>\``,
        );
    }
    problems.push(...buildContextProblems(values.appImage, project, projectDir));
    if (result.success) problems.push(...crossCloudProblems(result.data, project, secretKeys));
    // Dashboards are read (and every panel checked) only where a stack would render them.
    const dashboards =
        projectDir !== undefined &&
        result.success &&
        result.data.dashboard.enabled &&
        result.data.azure.enabled
            ? loadDashboards(projectDir)
            : { dashboards: [], problems: [] };
    problems.push(...dashboards.problems);
    if (problems.length > 0 || !result.success) {
        throw new ConfigError(problems, stack);
    }
    const data = result.data;
    const appImage: AppImageConfig = {
        ...data.appImage,
        registries: imageRegistries(data),
    };
    const dashboard = { ...data.dashboard, files: dashboards.dashboards };
    // Sound: the requiredWhenEnabled checks passed, so enabled sections hold their required fields.
    return { ...data, appImage, dashboard } as StackConfig;
}

/** The clouds whose registry receives the image: as configured, else every enabled cloud. */
function imageRegistries(data: Parsed): (typeof REGISTRY_CLOUDS)[number][] {
    return data.appImage.registries ?? REGISTRY_CLOUDS.filter((c) => data[c].enabled);
}

/**
 * Checks that need the parsed config of several clouds at once.
 * - The image built here must cover every architecture the nodes that run it have (AWS fleet,
 *   GKE node pools): a node of another architecture fails with `exec format error`.
 * - Clusters that GitOps feeds (edge sites, attached clusters) pull the released image
 *   `app.image` with no cloud identity: see `releasedImageProblems`.
 */
function crossCloudProblems(
    data: Parsed,
    project: string,
    secretKeys: readonly string[] = [],
): string[] {
    const problems: string[] = [];
    const image = data.appImage;
    if (image.build) {
        const registries = imageRegistries(data);
        problems.push(
            ...imagePlatformProblems(
                image.platforms,
                {
                    awsFleetArchitecture:
                        data.aws.enabled && registries.includes("aws")
                            ? data.aws.fleet.architecture
                            : undefined,
                    gkeClusters:
                        data.gcp.enabled && registries.includes("gcp") ? data.gcp.clusters : [],
                },
                `${project}:appImage.platforms`,
            ),
        );
        // A secret under appImage (`pulumi config set --secret --path appImage.buildArgs.X`) makes
        // the whole key secret: any build argument may then be one, and provenance max would
        // publish its value.
        const argNames = Object.keys(image.buildArgs);
        problems.push(
            ...attestationProblems(
                image.provenance,
                argNames,
                secretKeys.includes(`${project}:appImage`) ? argNames : [],
                `${project}:appImage.`,
            ),
        );
    }
    problems.push(...releasedImageProblems(data, project));
    return problems;
}

/** Private ECR hosts: `<account>.dkr.ecr.<region>.amazonaws.com[.cn]`. */
const ECR_HOST = /^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;
/** Azure Container Registry and Artifact Registry hosts (private unless made public). */
const PRIVATE_REGISTRY_HOST = /^([a-z0-9]+\.azurecr\.(io|cn|us)|[a-z0-9-]+-docker\.pkg\.dev)\//;

/**
 * The released image (`app.image`) is what GitOps delivers to the edge sites and the attached
 * clusters, whose kubelets have no cloud identity to pull with:
 * - a private ECR image cannot be pulled there for long: an ECR authorization token is valid
 *   for 12 hours (docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html), so a
 *   pull secret made from one stops working the same day;
 * - an ACR or Artifact Registry image needs a pull secret in the app namespace of every such
 *   cluster, listed in `app.imagePullSecrets` (README: "Pulling the released image").
 */
function releasedImageProblems(
    data: Pick<Parsed, "app" | "edge" | "gcp" | "registryPullCredential">,
    project: string,
): string[] {
    const credential = data.registryPullCredential;
    if (credential) {
        const problems: string[] = [];
        const host = data.app.image.split("/")[0];
        if (credential.server !== host) {
            problems.push(
                `${project}:registryPullCredential.server '${credential.server}' is not the registry of app.image ('${host}'): the kubelet offers a credential only to its own registry; set it to ${host}`,
            );
        }
        if (!data.app.imagePullSecrets.includes(credential.secretName)) {
            problems.push(
                `${project}:app.imagePullSecrets does not list '${credential.secretName}', the Secret Pulumi writes from registryPullCredential: add it in Pulumi.yaml (app.imagePullSecrets)`,
            );
        }
        return problems;
    }
    const registry = ECR_HOST.test(data.app.image)
        ? "ecr"
        : PRIVATE_REGISTRY_HOST.test(data.app.image)
          ? data.app.image.includes(".azurecr.")
              ? "acr"
              : "artifact-registry"
          : undefined;
    if (registry === undefined) return [];
    // EKS nodes pull from ECR with their node role (AmazonEC2ContainerRegistryPullOnly), and AKS
    // nodes from ACR with their kubelet identity (AcrPull): those clusters need no pull secret.
    const native = (distribution: string) =>
        (registry === "ecr" && distribution === "eks") ||
        (registry === "acr" && distribution === "aks");
    const gitopsClusters = [
        ...data.edge.sites
            .filter((s) => !native(s.distribution))
            .map((s) => `edge site '${s.name}'`),
        ...(data.gcp.enabled ? data.gcp.attachedClusters : [])
            .filter((a) => !native(a.distribution))
            .map((a) => `attached cluster '${a.name}'`),
    ];
    if (gitopsClusters.length === 0) return [];
    const pull = gitopsClusters.length === 1 ? "pulls" : "pull";
    const where =
        gitopsClusters.length > 2
            ? `${gitopsClusters.slice(0, 2).join(", ")} and ${gitopsClusters.length - 2} more`
            : gitopsClusters.join(" and ");
    if (registry === "ecr") {
        return [
            `${project}:app.image is in a private Amazon ECR registry, but ${where} ${pull} it through GitOps with no AWS identity, and an ECR pull token expires after 12 hours: release the image through ACR or Artifact Registry (app.built.refs.azure or .gcp after a \`pulumi up\`) with a pull secret in app.imagePullSecrets, or through a public registry`,
        ];
    }
    if (data.app.imagePullSecrets.length === 0) {
        return [
            `${project}:app.imagePullSecrets is empty, but app.image is in a private registry that ${where} ${pull} from with no cloud identity: create a pull credential (README, "Pulling the released image"), set it as registryPullCredential so that Pulumi writes it into each of those clusters, and list its secret name (app-registry) in app.imagePullSecrets`,
        ];
    }
    return [];
}

/** The image's build context must hold its Dockerfile (read from the raw, unparsed section). */
function buildContextProblems(raw: unknown, project: string, projectDir?: string): string[] {
    if (projectDir === undefined) return [];
    const section = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
    if (section.build === false || section.build === "false") return [];
    const context = typeof section.context === "string" ? section.context : "app";
    const dockerfile = typeof section.dockerfile === "string" ? section.dockerfile : "Dockerfile";
    const dir = path.resolve(projectDir, context);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        return [
            `${project}:appImage.context '${context}' is not a folder of the project: point it at the app's folder with \`pulumi config set --path appImage.context app\``,
        ];
    }
    if (!fs.existsSync(path.join(dir, dockerfile))) {
        return [
            `${project}:appImage.context '${context}' has no ${dockerfile}: add it, set appImage.dockerfile to its path relative to the context, or set appImage.build to false`,
        ];
    }
    // BuildKit fails the build when the target names no stage of the Dockerfile.
    const target = typeof section.target === "string" ? section.target : "runtime";
    const text = fs.readFileSync(path.join(dir, dockerfile), "utf8");
    const problem = targetProblem(text, target, `${project}:appImage.target`);
    const buildArgs =
        section.buildArgs && typeof section.buildArgs === "object"
            ? (section.buildArgs as Record<string, unknown>)
            : {};
    return [
        ...(problem ? [problem] : []),
        ...baseImageArgProblems(text, buildArgs, `${project}:appImage.buildArgs`),
    ];
}

/**
 * Validates the app release alone (the `app` key of Pulumi.yaml's project-level config), for
 * renderers that need no stack. Throws a `ConfigError` listing every problem.
 */
export function parseAppConfig(value: unknown, project: string): AppConfig {
    const result = AppSchema.safeParse(value, { reportInput: true });
    if (result.success) return result.data;
    throw new ConfigError(
        result.error.issues.flatMap((issue) =>
            describeIssue(
                { ...issue, path: ["app", ...issue.path] } as z.core.$ZodIssue,
                project,
                StackConfigSchema,
            ),
        ),
    );
}
