/**
 * components/aws/checks.ts: the AWS defaults and rules written once, which the stack config
 * (config/aws.ts) and the AWS components (components/aws/) both read. Pure: no SDK, no plan.
 */
import {
    ACCESS_LOG_EXPIRATION_DAYS,
    architectureProblems,
    autoscalingRoleArn,
    autoscalingRoleSuffix,
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
    DEFAULT_TARGET_CPU_UTILIZATION,
    DEFAULT_VPC_CIDR,
    DEFAULT_WAF_LOG_RETENTION_DAYS,
    FLEET_SIZE,
    fleetSizingProblems,
    HEALTH_CHECK_GRACE_PERIOD_SECONDS,
    instanceRefreshProblems,
    instanceTypeArchitecture,
    isFleetOs,
    isPercentage,
    itemKey,
    LOG_RETENTION_DAYS,
    MAX_AUTOSCALING_ROLE_SUFFIX,
    PERCENTAGE_RANGE,
    VPC_PREFIX_LENGTH,
    WAF_NAME,
} from "../../../components/aws/checks";
import { AppSchema } from "../../../config/app";
import { AwsSchema } from "../../../config/aws";
import { workerModule } from "../../harness";
import { documentedDefaults, documentedValue } from "../../tsdoc";

describe("the AWS defaults", () => {
    it("are the blueprint's values", () => {
        expect(FLEET_SIZE).toEqual({
            minSize: { default: 2, min: 0 },
            maxSize: { default: 10, min: 1 },
            desiredCapacity: { default: 2, min: 0 },
        });
        expect([
            DEFAULT_TARGET_CPU_UTILIZATION,
            DEFAULT_INSTANCE_TYPE,
            DEFAULT_FLEET_OS,
            DEFAULT_ARCHITECTURE,
            HEALTH_CHECK_GRACE_PERIOD_SECONDS,
        ]).toEqual([65, "t3.small", "al2023", "x86_64", { default: 300, min: 0 }]);
        expect([DEFAULT_INGRESS_CIDRS, DEFAULT_DELETION_PROTECTION]).toEqual([
            ["0.0.0.0/0"],
            false,
        ]);
        expect([DEFAULT_HIGH_CPU_THRESHOLD, DEFAULT_ERROR_5XX_RATE_PERCENT]).toEqual([85, 5]);
        expect([DEFAULT_VPC_CIDR, AVAILABILITY_ZONE_COUNT, DEFAULT_NAT_GATEWAYS]).toEqual([
            "10.0.0.0/16",
            { default: 2, min: 2, max: 6 },
            "single",
        ]);
        expect([DEFAULT_RATE_LIMIT_ACTION, DEFAULT_WAF_LOG_RETENTION_DAYS]).toEqual(["block", 90]);
        expect(LOG_RETENTION_DAYS).toContain(DEFAULT_WAF_LOG_RETENTION_DAYS);
        expect(ACCESS_LOG_EXPIRATION_DAYS).toEqual({ default: 90, min: 1 });
    });

    it("are what the stack config applies when the stack file sets nothing", () => {
        const config = AwsSchema.parse({});
        expect(config.fleet).toMatchObject({
            minSize: FLEET_SIZE.minSize.default,
            maxSize: FLEET_SIZE.maxSize.default,
            desiredCapacity: FLEET_SIZE.desiredCapacity.default,
            targetCpuUtilization: DEFAULT_TARGET_CPU_UTILIZATION,
            instanceType: DEFAULT_INSTANCE_TYPE,
            os: DEFAULT_FLEET_OS,
            architecture: DEFAULT_ARCHITECTURE,
            healthCheckGracePeriodSeconds: HEALTH_CHECK_GRACE_PERIOD_SECONDS.default,
        });
        expect(config.network).toEqual({
            cidrBlock: DEFAULT_VPC_CIDR,
            availabilityZoneCount: AVAILABILITY_ZONE_COUNT.default,
            natGateways: DEFAULT_NAT_GATEWAYS,
        });
        expect(config.loadBalancer).toMatchObject({
            ingressCidrs: DEFAULT_INGRESS_CIDRS,
            deletionProtection: DEFAULT_DELETION_PROTECTION,
            accessLogs: { expirationDays: ACCESS_LOG_EXPIRATION_DAYS.default },
        });
        expect(config.alerts).toMatchObject({
            highCpuThreshold: DEFAULT_HIGH_CPU_THRESHOLD,
            error5xxRatePercent: DEFAULT_ERROR_5XX_RATE_PERCENT,
        });
        expect(config.waf).toMatchObject({
            rateLimitAction: DEFAULT_RATE_LIMIT_ACTION,
            logRetentionDays: DEFAULT_WAF_LOG_RETENTION_DAYS,
        });
    });

    it("give each stack its own list of client ranges", () => {
        const first = AwsSchema.parse({}).loadBalancer.ingressCidrs;
        first.push("203.0.113.0/24");
        expect(AwsSchema.parse({}).loadBalancer.ingressCidrs).toEqual(["0.0.0.0/0"]);
        expect(DEFAULT_INGRESS_CIDRS).toEqual(["0.0.0.0/0"]);
    });
});

// --- `@default` in the TSDoc: what a reader of the args or the config is told ------------------

/** The `@default` texts of the schema `name` in config/aws.ts, keyed by config path (`prefix`...). */
const schemaDefaults = (name: string, prefix: string) =>
    new Map(
        [...documentedDefaults("config/aws.ts", name)].map(([key, text]) => [prefix + key, text]),
    );

const at = (value: unknown, dotted: string): unknown =>
    dotted
        .split(".")
        .reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], value);

/** What the stack config applies when the stack file sets nothing: `aws` and `app.rateLimit`. */
const CONFIG = {
    aws: AwsSchema.parse({}),
    app: { rateLimit: AppSchema.shape.rateLimit.parse(undefined) },
};

describe("the @default of each documented setting", () => {
    const configDocs = new Map([
        ...schemaDefaults("AwsFleetSchema", "aws.fleet."),
        ...schemaDefaults("AwsNetworkSchema", "aws.network."),
        ...schemaDefaults("AwsLoadBalancerSchema", "aws.loadBalancer."),
        ...schemaDefaults("AwsAlertsSchema", "aws.alerts."),
        ...schemaDefaults("AwsWafSchema", "aws.waf."),
    ]);

    it("in config/aws.ts states the default the schema applies", () => {
        const leaves = [...configDocs].filter(([key]) => {
            const value = at(CONFIG, key);
            return value !== undefined && (typeof value !== "object" || Array.isArray(value));
        });
        expect(leaves.length).toBeGreaterThan(20);
        for (const [key, text] of leaves) {
            expect([key, documentedValue(text)]).toEqual([key, at(CONFIG, key)]);
        }
    });

    // Each component argument the composition (composition/aws.ts) fills from a config key.
    const COMPONENTS: [file: string, args: string, argToConfig: Record<string, string>][] = [
        [
            "components/aws/AsgFleet.ts",
            "AsgFleetArgs",
            {
                minSize: "aws.fleet.minSize",
                maxSize: "aws.fleet.maxSize",
                desiredCapacity: "aws.fleet.desiredCapacity",
                targetCpuUtilization: "aws.fleet.targetCpuUtilization",
                instanceType: "aws.fleet.instanceType",
                os: "aws.fleet.os",
                architecture: "aws.fleet.architecture",
                rootVolumeSizeGiB: "aws.fleet.rootVolumeSizeGiB",
                "instanceRefresh.minHealthyPercentage":
                    "aws.fleet.instanceRefresh.minHealthyPercentage",
                "instanceRefresh.maxHealthyPercentage":
                    "aws.fleet.instanceRefresh.maxHealthyPercentage",
                healthCheckGracePeriodSeconds: "aws.fleet.healthCheckGracePeriodSeconds",
                sslPolicy: "aws.loadBalancer.sslPolicy",
                ingressCidrs: "aws.loadBalancer.ingressCidrs",
                targetProtocol: "aws.loadBalancer.targetProtocol",
                deletionProtection: "aws.loadBalancer.deletionProtection",
                idleTimeoutSeconds: "aws.loadBalancer.idleTimeoutSeconds",
                alertEmails: "aws.alerts.emails",
                highCpuThreshold: "aws.alerts.highCpuThreshold",
                error5xxRatePercent: "aws.alerts.error5xxRatePercent",
            },
        ],
        [
            "components/aws/Network.ts",
            "NetworkArgs",
            {
                cidrBlock: "aws.network.cidrBlock",
                availabilityZoneCount: "aws.network.availabilityZoneCount",
                natGateways: "aws.network.natGateways",
            },
        ],
        [
            "components/aws/WebAcl.ts",
            "WebAclArgs",
            {
                requestsPer5Minutes: "app.rateLimit.requestsPer5Minutes",
                rateLimitAction: "aws.waf.rateLimitAction",
                commonRuleSetExcludedRules: "aws.waf.commonRuleSetExcludedRules",
                logRetentionDays: "aws.waf.logRetentionDays",
            },
        ],
        [
            "components/aws/AccessLogBucket.ts",
            "AccessLogBucketArgs",
            { expirationDays: "aws.loadBalancer.accessLogs.expirationDays" },
        ],
    ];

    it.each(COMPONENTS)("in %s (%s) states the stack config's default", (file, args, keys) => {
        const docs = documentedDefaults(file, args);
        for (const [arg, key] of Object.entries(keys)) {
            expect([arg, docs.has(arg)]).toEqual([arg, true]);
            expect([arg, documentedValue(docs.get(arg))]).toEqual([arg, at(CONFIG, key)]);
        }
    });
});

// --- The rules ------------------------------------------------------------------------------------

describe("the AWS rules", () => {
    it("take a percentage in (0, 100]", () => {
        expect(PERCENTAGE_RANGE).toBe("(0, 100]");
        expect([0, 0.5, 100, 100.5, -1].map(isPercentage)).toEqual([
            false,
            true,
            true,
            false,
            false,
        ]);
        expect(
            fleetSizingProblems({
                minSize: 2,
                maxSize: 10,
                desiredCapacity: 2,
                targetCpuUtilization: 0,
            }),
        ).toEqual([
            {
                path: "targetCpuUtilization",
                message: "(0) must be a percentage in (0, 100], e.g. 65",
            },
        ]);
    });

    it("know the fleet's operating systems by their own names only", () => {
        expect(["al2023", "ubuntu-24.04"].map(isFleetOs)).toEqual([true, true]);
        expect(["toString", "constructor", "ubuntu"].map(isFleetOs)).toEqual([false, false, false]);
    });

    it("run the default instance type on the default architecture", () => {
        expect(instanceTypeArchitecture(DEFAULT_INSTANCE_TYPE)).toBe(DEFAULT_ARCHITECTURE);
    });

    it.each<[keyof typeof AWS_FORMATS, string[], string[]]>([
        [
            "accountId",
            ["012345678901", "123456789012"],
            ["12345678901", "1234567890123", "12345678901a"],
        ],
        [
            "region",
            ["us-east-1", "eu-west-2", "us-gov-west-1", "us-isob-east-1", "ap-southeast-3"],
            ["Virginia", "us-east", "us-east-1a", "useast1"],
        ],
        [
            "instanceType",
            ["t3.small", "m7g.large", "m7i-flex.large", "u-6tb1.metal", "m7i.metal-24xl"],
            ["t3-small", "T3.small", "t3.", ".small", "t3.small.x", "m7i.metal-", "m7i.-24xl"],
        ],
    ])("format %s: accepts %j", (format, good, bad) => {
        for (const value of good)
            expect([value, AWS_FORMATS[format].test(value)]).toEqual([value, true]);
        for (const value of bad)
            expect([value, AWS_FORMATS[format].test(value)]).toEqual([value, false]);
    });

    // Every instance type the provider knows (its enum, generated from the EC2 API) is one the
    // format accepts: a stricter rule refused m7i.metal-24xl and 92 others.
    it("accepts every EC2 instance type of the provider's InstanceType enum", () => {
        // The enum as the plans load it (a package file of its own, without the rest of the SDK).
        const { InstanceType } = workerModule<{ InstanceType: Record<string, string> }>(
            "@pulumi/aws/types/enums/ec2",
        );
        const names = Object.values(InstanceType);
        expect(names.length).toBeGreaterThan(1000);
        expect(names.filter((t) => !AWS_FORMATS.instanceType.test(t))).toEqual([]);
    });

    it("name WAF objects and rules with 1-128 letters, digits, hyphens or underscores", () => {
        expect(WAF_NAME.test("SizeRestrictions_BODY")).toBe(true);
        expect(WAF_NAME.test("R".repeat(128))).toBe(true);
        expect(WAF_NAME.test("R".repeat(129))).toBe(false);
        expect(WAF_NAME.test("")).toBe(false);
        expect(WAF_NAME.test("bad/rule")).toBe(false);
    });

    it("bound a created VPC's prefix so that its sixteenths stay /27 or larger", () => {
        expect(VPC_PREFIX_LENGTH).toEqual({ min: 16, max: 23 });
        expect(VPC_PREFIX_LENGTH.max + 4).toBe(27);
    });
});

describe("AWS rules as pure checks (shared with the stack config)", () => {
    it("bounds an instance refresh as AWS does: min 0-100, max 100-200, max - min <= 100", () => {
        // https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html;
        // the provider checks only the ranges (terraform-provider-aws
        // internal/service/autoscaling/group.go) and calls StartInstanceRefresh after
        // UpdateAutoScalingGroup, so a bad pair fails only on the update that needs a refresh.
        const bounds = (minHealthyPercentage: number, maxHealthyPercentage: number) =>
            instanceRefreshProblems({ minHealthyPercentage, maxHealthyPercentage });
        expect(bounds(100, 200)).toEqual([]);
        expect(bounds(0, 100)).toEqual([]);
        expect(bounds(90, 190)).toEqual([]);
        expect(bounds(90, 200).map((p) => p.path)).toEqual(["maxHealthyPercentage"]);
        expect(bounds(0, 101).map((p) => p.path)).toEqual(["maxHealthyPercentage"]);
        expect(bounds(101, 99)).toEqual([
            {
                path: "minHealthyPercentage",
                message: "(101) must be a whole percentage from 0 to 100, e.g. 100",
            },
            {
                path: "maxHealthyPercentage",
                message: "(99) must be a whole percentage from 100 to 200, e.g. 150",
            },
        ]);
    });

    it("wants the listener's certificate in the load balancer's region and the stack's account", () => {
        // ACM certificates are regional (https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html)
        // and cannot be used by another account's load balancer.
        const arn =
            "arn:aws:acm:eu-west-1:111111111111:certificate/11111111-1111-1111-1111-111111111111";
        expect(certificateProblems(arn, "eu-west-1", ["111111111111"])).toEqual([]);
        expect(certificateProblems(arn, "eu-west-1")).toEqual([]);
        expect(certificateProblems(arn, "us-east-1", ["222222222222"])).toEqual([
            "is a certificate in eu-west-1, but the load balancer is in us-east-1: request or import the certificate in us-east-1 (ACM certificates are regional)",
            "belongs to account 111111111111, not to the stack's account (aws.allowedAccountIds: 222222222222): request or import it in that account (a load balancer cannot use another account's certificate)",
        ]);
        expect(certificateProblems("not-an-arn", "us-east-1", ["222222222222"])).toEqual([]);
    });

    it.each<[string, "arm64" | "x86_64"]>([
        ["m7g.large", "arm64"],
        ["t4g.small", "arm64"],
        ["c6gn.xlarge", "arm64"],
        ["x2gd.medium", "arm64"],
        ["is4gen.large", "arm64"],
        ["im4gn.large", "arm64"],
        ["g5g.xlarge", "arm64"], // Graviton with NVIDIA GPU
        ["a1.large", "arm64"], // first-generation Graviton
        ["c8g.large", "arm64"],
        ["t3.small", "x86_64"],
        ["m7i.large", "x86_64"],
        ["m7i-flex.large", "x86_64"],
        ["c7a.large", "x86_64"],
        ["g4dn.xlarge", "x86_64"], // `g` is the family (GPU), not the Graviton attribute
        ["gr6.4xlarge", "x86_64"],
        ["u-6tb1.metal", "x86_64"],
    ])("%s runs %s", (instanceType, arch) => {
        // "Amazon EC2 instance type naming conventions": attribute g = AWS Graviton
        // (https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html);
        // aws/aws-cdk aws-ec2/lib/instance-types.ts InstanceType.architecture.
        expect(instanceTypeArchitecture(instanceType)).toBe(arch);
        expect(architectureProblems(instanceType, arch)).toEqual([]);
        expect(
            architectureProblems(instanceType, arch === "arm64" ? "x86_64" : "arm64"),
        ).toHaveLength(1);
    });

    it("gives the fleet's service-linked role a suffix IAM and the provider accept, stable per stack", () => {
        // IAM: [\w+=,.@-], role name <= 64 (29 taken by AWSServiceRoleForAutoScaling_); no `_`,
        // or terraform-provider-aws iam/service_linked_role.go DecodeServiceLinkedRoleID reads
        // back an empty suffix and replaces the role on every update.
        expect(autoscalingRoleSuffix("multicloud", "prod", "app")).toBe("multicloud-prod-app");
        expect(autoscalingRoleSuffix("my_project", "org/dev", "web")).toBe(
            "my-project-org-dev-web",
        );
        const long = autoscalingRoleSuffix(
            "a-very-long-project-name",
            "feature-branch-stack",
            "app",
        );
        expect(long).toHaveLength(MAX_AUTOSCALING_ROLE_SUFFIX);
        expect(MAX_AUTOSCALING_ROLE_SUFFIX).toBe(35);
        expect(long).toBe(
            autoscalingRoleSuffix("a-very-long-project-name", "feature-branch-stack", "app"),
        );
        expect(long).not.toBe(
            autoscalingRoleSuffix("a-very-long-project-name", "feature-branch-stack", "api"),
        );
        for (const suffix of [long, autoscalingRoleSuffix("p", "s", "n")]) {
            expect(suffix).toMatch(/^[A-Za-z0-9+=,.@-]+$/);
            expect(`AWSServiceRoleForAutoScaling_${suffix}`.length).toBeLessThanOrEqual(64);
        }
        expect(autoscalingRoleArn("aws", "123456789012", "multicloud-prod-app")).toBe(
            "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_multicloud-prod-app",
        );
    });

    it("names list items by their value, so removing one renames none of the others", () => {
        expect(["0.0.0.0/0", "203.0.113.0/24"].map(itemKey)).toEqual([
            "0-0-0-0-0",
            "203-0-113-0-24",
        ]);
        expect(itemKey("Platform-OnCall@example.com")).toBe("platform-oncall-example-com");
    });
});
