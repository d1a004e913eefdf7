/**
 * The `aws` section of the stack config (config/aws.ts), parsed directly: the problems it
 * reports, each with its key and fix, and that it refuses exactly what the AWS components
 * (components/aws/) refuse, the rules being written once (components/aws/checks.ts).
 */
import { AsgFleetArgs, validateAsgFleetArgs } from "../../components/aws/AsgFleet";
import { validateAccessLogBucketArgs } from "../../components/aws/AccessLogBucket";
import { validateNetworkArgs } from "../../components/aws/Network";
import { validateWebAclArgs } from "../../components/aws/WebAcl";
import { AwsSchema } from "../../config/aws";
import { APP, AWS_ON, problemsOf, raw } from "./harness";

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
                "multicloud:app.image is required: fix it with `pulumi config set --path app.image <value>`",
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
