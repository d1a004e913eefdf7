/**
 * The `aws` section of the stack config (config/aws.ts), parsed directly: the problems it
 * reports, each with its key and fix, and that it refuses exactly what the AWS components
 * (components/aws/) refuse, the rules being written once (components/aws/checks.ts).
 */
import { AsgFleetArgs, validateAsgFleetArgs } from "../../components/aws/AsgFleet";
import { validateAccessLogBucketArgs } from "../../components/aws/AccessLogBucket";
import { validateNetworkArgs } from "../../components/aws/Network";
import { validateWebAclArgs } from "../../components/aws/WebAcl";
import { parseStackConfig } from "../../config";
import { AwsSchema } from "../../config/aws";
import { APP, AWS_ON, AWS_REQUIRED, awsWith, NS, problemsOf, raw } from "./harness";

/** The least an AsgFleet needs, as composition/aws.ts would pass it. */
function minimalArgs(): AsgFleetArgs {
    return {
        vpcId: "vpc-0123456789abcdef0",
        publicSubnetIds: ["subnet-0000000a", "subnet-0000000b"],
        privateSubnetIds: ["subnet-0000000c", "subnet-0000000d"],
        image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/multicloud-app@sha256:${"ab".repeat(32)}`,
        certificateArn:
            "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
        environment: "test",
    };
}

describe("the aws section's problems, each with its key and fix", () => {
    it("requires the certificate once AWS is on, the app release always, and a whole existing network or none", () => {
        const problems = problemsOf(
            raw({
                app: { ...APP, image: undefined },
                aws: {
                    ...AWS_ON,
                    loadBalancer: {},
                    network: { vpcId: "vpc-0123456789abcdef0" },
                },
            }),
        );
        expect(problems).toEqual(
            expect.arrayContaining([
                expect.stringMatching(
                    /^multicloud:app\.image is required: a stack that sets multicloud:app replaces Pulumi\.yaml's whole/,
                ),
                expect.stringContaining(
                    "multicloud:aws.loadBalancer.certificateArn is required when aws.enabled is true",
                ),
                "multicloud:aws.network gives vpcId but not all of vpcId, publicSubnetIds and privateSubnetIds: give all three to use an existing network, or none to create one",
            ]),
        );
        expect(problems).toHaveLength(3);
    });

    it("refuses an SSL policy without TLS 1.3 and an alarm threshold outside (0, 100]", () => {
        const problems = problemsOf(
            raw({
                aws: {
                    ...AWS_ON,
                    loadBalancer: {
                        ...AWS_ON.loadBalancer,
                        sslPolicy: "ELBSecurityPolicy-2016-08",
                    },
                    alerts: { error5xxRatePercent: 0 },
                },
            }),
        );
        expect(problems).toEqual([
            expect.stringContaining(
                "multicloud:aws.loadBalancer.sslPolicy must be a TLS 1.3 policy with a TLS 1.2 minimum (ELBSecurityPolicy-TLS13-1-2-* or -1-3-*)",
            ),
            expect.stringContaining("multicloud:aws.alerts.error5xxRatePercent (0) must be > 0"),
        ]);
    });

    // Settings each refused with the whole message a user reads.
    const cases: [string, Record<string, unknown>, string[]][] = [
        [
            "maxSize below minSize",
            awsWith({}, { minSize: 2, maxSize: 1 }),
            [
                "multicloud:aws.fleet.maxSize (1) must be >= minSize (2): raise maxSize or lower minSize",
            ],
        ],
        [
            "desiredCapacity outside [min, max]",
            awsWith({}, { desiredCapacity: 20 }),
            [
                "multicloud:aws.fleet.desiredCapacity (20) must be within [minSize, maxSize] = [2, 10]: fix it with `pulumi config set --path aws.fleet.desiredCapacity <value>`",
            ],
        ],
        [
            "a CPU target outside (0, 100]",
            awsWith({}, { targetCpuUtilization: 0 }),
            [
                "multicloud:aws.fleet.targetCpuUtilization (0) must be a percentage in (0, 100], e.g. 65: fix it with `pulumi config set --path aws.fleet.targetCpuUtilization <value>`",
            ],
        ],
        [
            "a malformed region",
            awsWith({ region: "US East" }),
            [
                'multicloud:aws.region must be an AWS region code such as us-east-1 or eu-west-2, got "US East": ' +
                    "fix it with `pulumi config set --path aws.region <value>`",
            ],
        ],
        [
            "a malformed account id",
            awsWith({ allowedAccountIds: ["1234"] }),
            [
                // Digits alone: `pulumi config set --path` would store a number and drop a
                // leading zero, so the fix says --type string.
                "multicloud:aws.allowedAccountIds[0] must be a 12-digit AWS account id, as text so that a " +
                    'leading zero survives ("012345678901"), got "1234": ' +
                    "set it as text with `pulumi config set --path 'aws.allowedAccountIds[0]' <value> --type string`, or quote it in the stack file",
            ],
        ],
    ];

    it.each(cases)("%s", (_what, aws, expected) => {
        expect(problemsOf(raw({ aws }))).toEqual(expected);
    });
});

describe("aws.loadBalancer: target protocol and access logs", () => {
    const lb = (patch: Record<string, unknown>) =>
        raw({ aws: awsWith({ loadBalancer: { ...AWS_REQUIRED.loadBalancer, ...patch } }) });

    it("takes HTTP as the explicit exception, and access logs with their expiry", () => {
        const config = parseStackConfig(
            lb({ targetProtocol: "HTTP", accessLogs: { enabled: true, expirationDays: 30 } }),
            NS,
        );
        expect(config.aws.loadBalancer.targetProtocol).toBe("HTTP");
        expect(config.aws.loadBalancer.accessLogs).toEqual({ enabled: true, expirationDays: 30 });
    });

    it("refuses another protocol and an expiry below one day", () => {
        expect(
            problemsOf(
                lb({ targetProtocol: "TCP", accessLogs: { enabled: true, expirationDays: 0 } }),
            ),
        ).toEqual([
            `${NS}:aws.loadBalancer.targetProtocol must be one of "HTTPS", "HTTP", got "TCP": fix it with \`pulumi config set --path aws.loadBalancer.targetProtocol <value>\``,
            `${NS}:aws.loadBalancer.accessLogs.expirationDays (0) must be >= 1: fix it with \`pulumi config set --path aws.loadBalancer.accessLogs.expirationDays <value>\``,
        ]);
    });
});

describe("the aws section: combinations the clouds refuse", () => {
    it("refuses a client range listed twice (EC2: InvalidPermission.Duplicate)", () => {
        // AuthorizeSecurityGroupIngress refuses a rule that already exists
        // (docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
        const aws = awsWith({
            loadBalancer: {
                ...AWS_REQUIRED.loadBalancer,
                ingressCidrs: ["203.0.113.0/24", "198.51.100.0/24", "203.0.113.0/24"],
            },
        });
        expect(problemsOf(raw({ aws }))).toEqual([
            "multicloud:aws.loadBalancer.ingressCidrs[2] '203.0.113.0/24' is listed twice: each client range may appear once; remove the repeat",
        ]);
    });

    it("refuses an alert address or an excluded WAF rule listed twice, as AsgFleet and WebAcl do", () => {
        // SNS keeps one subscription per endpoint; the subscriptions' names drop punctuation
        // (components/aws/checks.ts alertEmailRepeats, itemKey); WAF refuses a repeated rule
        // action override (the components report the same, at plan time).
        const aws = awsWith({
            alerts: {
                emails: [
                    "ops@example.com",
                    "OPS@example.com",
                    "a.b@example.com",
                    "a-b@example.com",
                ],
            },
            waf: { commonRuleSetExcludedRules: ["SizeRestrictions_BODY", "SizeRestrictions_BODY"] },
        });
        expect(problemsOf(raw({ aws }))).toEqual([
            "multicloud:aws.alerts.emails[1] 'OPS@example.com' repeats aws.alerts.emails[0]: list each address once (SNS keeps one subscription per address)",
            "multicloud:aws.alerts.emails[3] 'a-b@example.com' and aws.alerts.emails[2] 'a.b@example.com' differ only in punctuation, which the subscriptions' names drop: subscribe one of them through a list address",
            "multicloud:aws.waf.commonRuleSetExcludedRules[1] lists 'SizeRestrictions_BODY' more than once: list it once",
        ]);
    });

    it("refuses instance refresh bounds more than 100 apart", () => {
        // RefreshPreferences: "the difference between [Min and MaxHealthyPercentage] cannot be
        // greater than 100" (docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html).
        // The provider checks only each range, so the first `up` passes and every later launch
        // template change fails to start its refresh.
        const aws = awsWith(
            {},
            { instanceRefresh: { minHealthyPercentage: 90, maxHealthyPercentage: 200 } },
        );
        expect(problemsOf(raw({ aws }))).toEqual([
            "multicloud:aws.fleet.instanceRefresh.maxHealthyPercentage (200) may exceed minHealthyPercentage (90) by 100 at most (AWS refuses to start the refresh otherwise): raise minHealthyPercentage to 100 or lower maxHealthyPercentage to 190",
        ]);
        expect(parseStackConfig(raw(), NS, "dev").aws).toMatchObject({
            fleet: { instanceRefresh: { minHealthyPercentage: 100, maxHealthyPercentage: 150 } },
        });
    });

    it("refuses createServiceLinkedRole, which created a role KMS could not name in a fresh account", () => {
        const aws = awsWith({}, { createServiceLinkedRole: true });
        expect(problemsOf(raw({ aws }))).toEqual([
            "multicloud:aws.fleet.createServiceLinkedRole has been removed: the fleet now creates its own Auto Scaling service-linked role with a stack suffix (or uses aws.fleet.serviceLinkedRoleArn); remove it with `pulumi config rm --path aws.fleet.createServiceLinkedRole`; a stack that ran with it true holds the account's default role as `app-autoscaling`: drop it from the state first (`pulumi state delete <its URN>`), or the next up deletes that account-wide role",
        ]);
    });

    it("refuses an instance type of another architecture than aws.fleet.architecture", () => {
        // m7g is Graviton: an x86_64 AMI does not boot on it (EC2 instance type naming).
        const aws = awsWith({}, { instanceType: "m7g.large" });
        expect(problemsOf(raw({ aws }))).toEqual([
            "multicloud:aws.fleet.architecture (x86_64) does not match instanceType m7g.large, which is arm64 (AWS Graviton): set architecture to arm64, or choose an x86_64 instance type such as t3.small",
        ]);
    });

    it("refuses a certificate of another region or account than the load balancer", () => {
        // ACM certificates are regional and cannot be shared across accounts
        // (docs.aws.amazon.com/acm/latest/userguide/acm-regions.html).
        const aws = awsWith({
            allowedAccountIds: ["210987654321"],
            loadBalancer: {
                certificateArn:
                    "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
            },
        });
        expect(problemsOf(raw({ aws }))).toEqual([
            "multicloud:aws.loadBalancer.certificateArn is a certificate in eu-west-1, but the load balancer is in us-east-1: request or import the certificate in us-east-1 (ACM certificates are regional)",
            "multicloud:aws.loadBalancer.certificateArn belongs to account 123456789012, not to the stack's account (aws.allowedAccountIds: 210987654321): request or import it in that account (a load balancer cannot use another account's certificate)",
        ]);
    });

    it("refuses a CIDR with host bits set", () => {
        // terraform-provider-aws internal/verify/validate.go ValidateIPv4CIDRBlock ("did you
        // mean ...?"); the Google provider's IsCIDRNetwork for GKE ranges.
        const aws = awsWith({
            loadBalancer: { ...AWS_REQUIRED.loadBalancer, ingressCidrs: ["10.0.0.1/16"] },
        });
        expect(problemsOf(raw({ aws }))).toEqual([
            "multicloud:aws.loadBalancer.ingressCidrs[0] '10.0.0.1/16' has host bits set: write its network address 10.0.0.0/16 (the clouds refuse or rewrite such a block)",
        ]);
    });
});

describe("the stack config and the AWS components refuse the same values", () => {
    // Each rule is written once (components/aws/checks.ts): a value the config lets through
    // must not fail later in a component, and the reverse. Each row: the `aws` settings, the
    // path the config reports, and the component's problems for the same value.
    const fleet = (patch: Partial<AsgFleetArgs>) =>
        validateAsgFleetArgs("app", { ...minimalArgs(), ...patch });
    const ALB_ARN =
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/app-alb/0123456789abcdef";
    const cases: [string, Record<string, unknown>, string, string[]][] = [
        ["a negative minSize", { fleet: { minSize: -1 } }, "fleet.minSize", fleet({ minSize: -1 })],
        [
            "a maxSize of 0",
            { fleet: { minSize: 0, maxSize: 0, desiredCapacity: 0 } },
            "fleet.maxSize",
            fleet({ minSize: 0, maxSize: 0, desiredCapacity: 0 }),
        ],
        [
            "a fractional desiredCapacity",
            { fleet: { desiredCapacity: 2.5 } },
            "fleet.desiredCapacity",
            fleet({ desiredCapacity: 2.5 }),
        ],
        [
            "a CPU target over 100",
            { fleet: { targetCpuUtilization: 101 } },
            "fleet.targetCpuUtilization",
            fleet({ targetCpuUtilization: 101 }),
        ],
        [
            "an instance type of another shape",
            { fleet: { instanceType: "t3-small" } },
            "fleet.instanceType",
            fleet({ instanceType: "t3-small" }),
        ],
        [
            "an OS that is an object's property",
            { fleet: { os: "toString" } },
            "fleet.os",
            fleet({ os: "toString" as never }),
        ],
        [
            "an arm64 AMI on an x86_64 type",
            { fleet: { architecture: "arm64" } },
            "fleet.architecture",
            fleet({ architecture: "arm64" }),
        ],
        [
            "a root volume below the AMI's snapshot",
            { fleet: { rootVolumeSizeGiB: 7 } },
            "fleet.rootVolumeSizeGiB",
            fleet({ rootVolumeSizeGiB: 7 }),
        ],
        [
            "a negative grace period",
            { fleet: { healthCheckGracePeriodSeconds: -1 } },
            "fleet.healthCheckGracePeriodSeconds",
            fleet({ healthCheckGracePeriodSeconds: -1 }),
        ],
        [
            "refresh bounds more than 100 apart",
            { fleet: { instanceRefresh: { minHealthyPercentage: 90, maxHealthyPercentage: 200 } } },
            "fleet.instanceRefresh.maxHealthyPercentage",
            fleet({ instanceRefresh: { minHealthyPercentage: 90, maxHealthyPercentage: 200 } }),
        ],
        [
            "no client range",
            { loadBalancer: { ingressCidrs: [] } },
            "loadBalancer.ingressCidrs",
            fleet({ ingressCidrs: [] }),
        ],
        [
            "an idle timeout over 4000 s",
            { loadBalancer: { idleTimeoutSeconds: 4001 } },
            "loadBalancer.idleTimeoutSeconds",
            fleet({ idleTimeoutSeconds: 4001 }),
        ],
        [
            "a CPU alarm at 0 %",
            { alerts: { highCpuThreshold: 0 } },
            "alerts.highCpuThreshold",
            fleet({ highCpuThreshold: 0 }),
        ],
        [
            "a 5xx alarm over 100 %",
            { alerts: { error5xxRatePercent: 101 } },
            "alerts.error5xxRatePercent",
            fleet({ error5xxRatePercent: 101 }),
        ],
        [
            "a VPC range smaller than /23",
            { network: { cidrBlock: "10.0.0.0/24" } },
            "network.cidrBlock",
            validateNetworkArgs({ cidrBlock: "10.0.0.0/24" }),
        ],
        [
            "seven zones",
            { network: { availabilityZoneCount: 7 } },
            "network.availabilityZoneCount",
            validateNetworkArgs({ availabilityZoneCount: 7 }),
        ],
        [
            "no NAT gateway",
            { network: { natGateways: "none" } },
            "network.natGateways",
            validateNetworkArgs({ natGateways: "none" as never }),
        ],
        [
            "a rate action WAF does not take",
            { waf: { rateLimitAction: "captcha" } },
            "waf.rateLimitAction",
            validateWebAclArgs("web", {
                loadBalancerArn: ALB_ARN,
                rateLimitAction: "captcha" as never,
            }),
        ],
        [
            "a rule name over WAF's 128 characters",
            { waf: { commonRuleSetExcludedRules: ["R".repeat(129)] } },
            "waf.commonRuleSetExcludedRules.0",
            validateWebAclArgs("web", {
                loadBalancerArn: ALB_ARN,
                commonRuleSetExcludedRules: ["R".repeat(129)],
            }),
        ],
        [
            "a retention CloudWatch Logs does not offer",
            { waf: { logRetentionDays: 45 } },
            "waf.logRetentionDays",
            validateWebAclArgs("web", { loadBalancerArn: ALB_ARN, logRetentionDays: 45 }),
        ],
        [
            "access logs kept 0 days",
            { loadBalancer: { accessLogs: { expirationDays: 0 } } },
            "loadBalancer.accessLogs.expirationDays",
            validateAccessLogBucketArgs({ region: "us-east-1", expirationDays: 0 }),
        ],
        [
            "a Region by its name",
            { region: "Virginia" },
            "region",
            validateAccessLogBucketArgs({ region: "Virginia" }),
        ],
    ];

    it.each(cases)("%s", (_what, aws, configPath, componentProblems) => {
        const parsed = AwsSchema.safeParse(aws);
        expect(parsed.success).toBe(false);
        expect(parsed.error?.issues.map((i) => i.path.join("."))).toContain(configPath);
        expect(componentProblems).toHaveLength(1);
    });

    it("and both take the values at the edges of each rule", () => {
        expect(
            AwsSchema.safeParse({
                region: "us-gov-west-1",
                fleet: {
                    minSize: 0,
                    maxSize: 1,
                    desiredCapacity: 0,
                    targetCpuUtilization: 100,
                    instanceType: "m7i-flex.large",
                    rootVolumeSizeGiB: 8,
                    healthCheckGracePeriodSeconds: 0,
                },
                loadBalancer: { idleTimeoutSeconds: 4000, accessLogs: { expirationDays: 1 } },
                alerts: { highCpuThreshold: 100, error5xxRatePercent: 0.5 },
                network: { cidrBlock: "10.0.0.0/23", availabilityZoneCount: 6 },
                waf: { commonRuleSetExcludedRules: ["R".repeat(128)], logRetentionDays: 0 },
            }).error,
        ).toBeUndefined();
        expect(
            fleet({
                minSize: 0,
                maxSize: 1,
                desiredCapacity: 0,
                targetCpuUtilization: 100,
                instanceType: "m7i-flex.large",
                rootVolumeSizeGiB: 8,
                healthCheckGracePeriodSeconds: 0,
                idleTimeoutSeconds: 4000,
                highCpuThreshold: 100,
                error5xxRatePercent: 0.5,
            }),
        ).toEqual([]);
        expect(validateNetworkArgs({ cidrBlock: "10.0.0.0/23", availabilityZoneCount: 6 })).toEqual(
            [],
        );
        expect(
            validateWebAclArgs("web", {
                loadBalancerArn: ALB_ARN,
                commonRuleSetExcludedRules: ["R".repeat(128)],
                logRetentionDays: 0,
            }),
        ).toEqual([]);
        expect(validateAccessLogBucketArgs({ region: "us-gov-west-1", expirationDays: 1 })).toEqual(
            [],
        );
    });
});
