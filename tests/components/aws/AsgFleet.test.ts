/**
 * AsgFleet (components/aws/AsgFleet.ts): the Auto Scaling fleet behind its load balancer, with
 * its key, roles, security groups and alarms. The prod stack's fleet as the committed stack
 * registers it; variants and defaults planned directly (a program of nothing but fleets, or the
 * AWS composition of composition/aws.ts with a given config); its argument checks called directly.
 */
import type { PlanResult } from "../../../plan/run";
import type * as AsgFleetModule from "../../../components/aws/AsgFleet";
import type { AsgFleetArgs } from "../../../components/aws/AsgFleet";
import { EC2_DESCRIPTION, FLEET_OS, instanceRefreshProblems } from "../../../components/aws/checks";
import { HEALTH_CHECK_PATH } from "../../../components/app/runtimePort";
import { parseStackConfig } from "../../../config";
import { AwsSchema } from "../../../config/aws";
import { AWS_ON, NS, raw } from "../../config/harness";
import { byUrn, created, ofType, one, planStack, waitsFor, workerModule } from "../../harness";
import { planAws } from "./harness";

/** The component's module as the plans load it: its checks and helpers, called directly. */
const { ecrRepositoryOf, userDataScript, validateAsgFleetArgs } =
    workerModule<typeof AsgFleetModule>("components/aws/AsgFleet");

const T = {
    group: "aws:autoscaling/group:Group",
    policy: "aws:autoscaling/policy:Policy",
    lt: "aws:ec2/launchTemplate:LaunchTemplate",
    tg: "aws:lb/targetGroup:TargetGroup",
    alb: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    topic: "aws:sns/topic:Topic",
    key: "aws:kms/key:Key",
    slr: "aws:iam/serviceLinkedRole:ServiceLinkedRole",
    bucket: "aws:s3/bucket:Bucket",
};

const DIGEST = "sha256:" + "ab".repeat(32);
const IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/multicloud-app@${DIGEST}`;

/** The mock id of the resource of `type` named `name` (mock ids are `<name>-id`). */
const idOf = (plan: PlanResult, type: string, name: string) => `${one(plan, type, name).name}-id`;

/** The boot script of the launch template `name`. */
const userDataOf = (plan: PlanResult, name: string) =>
    Buffer.from(String(one(plan, T.lt, name).inputs.userData), "base64").toString();

describe("AsgFleet in the prod stack (the blueprint's values)", () => {
    let plan: PlanResult;
    beforeAll(async () => {
        plan = await planStack("prod");
        expect(plan.errors).toEqual([]);
    });

    it("keeps parity with the blueprint: prefix, 2/2/10, private subnets, latest template, target group, Environment tag", () => {
        const group = one(plan, T.group, "app-asg");
        expect(group.inputs).toMatchObject({
            namePrefix: "multicloud-app-asg-",
            desiredCapacity: 2,
            minSize: 2,
            maxSize: 10,
            vpcZoneIdentifiers: [
                "aws-network-private-0-id",
                "aws-network-private-1-id",
                "aws-network-private-2-id",
            ],
            launchTemplate: { id: idOf(plan, T.lt, "app-lt"), version: "1" },
            targetGroupArns: [expect.stringMatching(/:targetgroup\/app-tg-/)],
        });
        expect(group.inputs.tags).toContainEqual({
            key: "Environment",
            value: "prod",
            propagateAtLaunch: true,
        });
    });

    it("scales on average CPU at 65 % with a target-tracking policy on that group", () => {
        const policy = one(plan, T.policy, "app-cpu-target");
        expect(policy.inputs).toMatchObject({
            policyType: "TargetTrackingScaling",
            targetTrackingConfiguration: {
                predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" },
                targetValue: 65,
            },
        });
        expect(policy.inputs.autoscalingGroupName).toMatch(/^multicloud-app-asg-/);
        expect(policy.dependencies).toContain(one(plan, T.group, "app-asg").urn);
    });

    it("uses ELB health checks, a rolling refresh that never drops below full capacity, rebalancing, and never fights the scaler", () => {
        const group = one(plan, T.group, "app-asg");
        expect(group.inputs).toMatchObject({
            healthCheckType: "ELB",
            healthCheckGracePeriod: 300,
            capacityRebalance: true,
            // Replacements launch before old instances go (min 100 %), half the group at a time.
            instanceRefresh: {
                strategy: "Rolling",
                preferences: { minHealthyPercentage: 100, maxHealthyPercentage: 150 },
            },
        });
        // AWS RefreshPreferences: max - min <= 100, else every later StartInstanceRefresh fails
        // (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html).
        const prefs = (
            group.inputs.instanceRefresh as {
                preferences: { minHealthyPercentage: number; maxHealthyPercentage: number };
            }
        ).preferences;
        expect(instanceRefreshProblems(prefs)).toEqual([]);
        expect(group.ignoreChanges).toEqual(["desiredCapacity"]);
        expect(group.inputs.enabledMetrics).toContain("GroupInServiceInstances");
    });

    it("launches with IMDSv2 only, no public IP, detailed monitoring and an encrypted gp3 root volume", () => {
        const lt = one(plan, T.lt, "app-lt");
        expect(lt.inputs.metadataOptions).toMatchObject({
            httpTokens: "required",
            httpPutResponseHopLimit: 1,
            httpEndpoint: "enabled",
        });
        expect(lt.inputs.monitoring).toEqual({ enabled: true });
        expect(lt.inputs.networkInterfaces).toEqual([
            expect.objectContaining({
                associatePublicIpAddress: "false",
                securityGroups: [idOf(plan, T.sg, "app-instances")],
            }),
        ]);
        const key = one(plan, T.key, "app-key");
        expect(lt.inputs.blockDeviceMappings).toEqual([
            {
                deviceName: "/dev/xvda",
                ebs: {
                    volumeType: "gp3",
                    volumeSize: 30,
                    encrypted: "true",
                    kmsKeyId: expect.stringContaining(":key/"),
                    deleteOnTermination: "true",
                },
            },
        ]);
        expect(lt.dependencies).toContain(key.urn);
    });

    it("takes the AMI from the public SSM parameter of the chosen OS and architecture", () => {
        const ssm = plan.invokes.filter((i) => i.token === "aws:ssm/getParameter:getParameter");
        expect(ssm.map((i) => i.inputs.name)).toEqual([
            "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
        ]);
        expect(one(plan, T.lt, "app-lt").inputs.imageId).toMatch(/^ami-[0-9a-f]{17}$/);
    });

    it("waits for the whole created network (NAT routes included) before the fleet", () => {
        const fleet = one(plan, "multicloud:aws:AsgFleet", "app");
        expect(waitsFor(plan, fleet, one(plan, "multicloud:aws:Network", "aws-network"))).toBe(
            true,
        );
    });

    it("boots the image by digest on port 5001", () => {
        const script = userDataOf(plan, "app-lt");
        // The image the stack just built and pushed to its ECR repository, by digest.
        const image = (plan.outputs.app as { built: { refs: { aws: string } } }).built.refs.aws;
        expect(image).toMatch(
            /^210987654321\.dkr\.ecr\.us-east-1\.amazonaws\.com\/multicloud-app@sha256:[0-9a-f]{64}$/,
        );
        expect(script).toContain(`ExecStartPre=/usr/bin/docker pull ${image}`);
        // As the image's user (app/Dockerfile USER, runtimeUser.ts APP_UID), which owns the TLS
        // key, whatever USER the image itself names.
        expect(script).toContain(
            `docker run --rm --name app -p 5001:5001 --user 10001:10001 --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges `,
        );
        expect(script).toContain(`"210987654321.dkr.ecr.us-east-1.amazonaws.com": "ecr-login"`);
        expect(script).not.toMatch(/:latest\b/);
    });

    it("serves TLS 1.3 on 5001 with a key each instance makes at boot, readable by the app's UID only", () => {
        const script = userDataOf(plan, "app-lt");
        // openssl is installed with Docker (a no-op where the AMI has it).
        expect(script).toContain("dnf install -y docker amazon-ecr-credential-helper openssl");
        // Made on the instance, so the key is never in user data or in Pulumi state.
        expect(script).toContain(
            'openssl req -x509 -newkey rsa:2048 -noenc -days 365 -subj "/CN=$(hostname)" \\\n    -keyout /etc/app-tls/key.pem -out /etc/app-tls/cert.pem',
        );
        expect(script).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
        expect(script).toContain(
            "chown 10001:10001 /etc/app-tls/key.pem\nchmod 0400 /etc/app-tls/key.pem",
        );
        expect(script).toContain("context.minimum_version = ssl.TLSVersion.TLSv1_2");
        // gunicorn (27) reads GUNICORN_CMD_ARGS; the image's plain-HTTP HEALTHCHECK is off.
        expect(script).toContain(
            '--security-opt no-new-privileges -v /etc/app-tls:/tls:ro -e "GUNICORN_CMD_ARGS=--certfile /tls/cert.pem --keyfile /tls/key.pem --config /tls/gunicorn_tls.py" --no-healthcheck 210987654321.dkr.ecr.',
        );
    });

    it("creates the KMS key with rotation, usable by Auto Scaling for EBS and by CloudWatch for the topic", () => {
        const key = one(plan, T.key, "app-key");
        expect(key.inputs.enableKeyRotation).toBe(true);
        const policy = JSON.parse(String(key.inputs.policy));
        const sids = Object.fromEntries(policy.Statement.map((s: { Sid: string }) => [s.Sid, s]));
        // KMS refuses a key policy naming a principal that does not exist
        // (MalformedPolicyDocumentException), and a fresh account has no
        // AWSServiceRoleForAutoScaling: the key names the role the fleet creates, created first.
        const slr = one(plan, T.slr, "app-autoscaling");
        expect(slr.inputs).toMatchObject({
            awsServiceName: "autoscaling.amazonaws.com",
            customSuffix: "multicloud-prod-app",
        });
        expect(key.dependencies).toContain(slr.urn);
        // The role's ARN as the provider reports it (the mock's shape: .../<autoname>).
        const slrArn = sids.AutoScalingUsesTheKeyForEbs.Principal.AWS;
        expect(slrArn).toMatch(/\/app-autoscaling-[0-9a-f]{7}$/);
        expect(sids.AutoScalingGrantsEbs.Principal.AWS).toBe(slrArn);
        // ... and the group launches with that very role, so its grants are the ones allowed.
        const group = one(plan, T.group, "app-asg");
        expect(group.inputs.serviceLinkedRoleArn).toBe(slrArn);
        expect(group.dependencies).toContain(slr.urn);
        expect(sids.CloudWatchPublishesToTheAlertTopic.Principal).toEqual({
            Service: "cloudwatch.amazonaws.com",
        });
        // The same key encrypts the alert topic and the root volumes.
        const topic = one(plan, T.topic, "app-alerts");
        const ebs = (
            one(plan, T.lt, "app-lt").inputs.blockDeviceMappings as { ebs: { kmsKeyId: string } }[]
        )[0].ebs;
        expect(topic.inputs.kmsMasterKeyId).toBe(ebs.kmsKeyId);
        expect(topic.dependencies).toContain(key.urn);
    });

    it("gives instances least privilege: SSM core, CloudWatch agent, and pull from the app's repository only", () => {
        const attached = ofType(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map(
            (a) => a.inputs.policyArn,
        );
        expect(attached.sort()).toEqual([
            "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
            "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
        ]);
        const pull = JSON.parse(
            String(one(plan, "aws:iam/rolePolicy:RolePolicy", "app-ecr-pull").inputs.policy),
        );
        expect(pull.Statement[1]).toMatchObject({
            Action: [
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchCheckLayerAvailability",
            ],
            Resource: "arn:aws:ecr:us-east-1:210987654321:repository/multicloud-app",
        });
        const role = JSON.parse(
            String(one(plan, "aws:iam/role:Role", "app-instance").inputs.assumeRolePolicy),
        );
        expect(role.Statement).toEqual([
            {
                Effect: "Allow",
                Principal: { Service: "ec2.amazonaws.com" },
                Action: "sts:AssumeRole",
            },
        ]);
    });

    it("serves HTTPS with a TLS 1.3 policy and the configured certificate, and HTTP only redirects", () => {
        const alb = one(plan, T.alb, "app-alb");
        expect(alb.inputs).toMatchObject({
            internal: false,
            loadBalancerType: "application",
            subnets: [
                "aws-network-public-0-id",
                "aws-network-public-1-id",
                "aws-network-public-2-id",
            ],
            dropInvalidHeaderFields: true,
            enableDeletionProtection: true,
        });
        const https = one(plan, T.listener, "app-https");
        expect(https.inputs).toMatchObject({
            port: 443,
            protocol: "HTTPS",
            sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
            certificateArn:
                "arn:aws:acm:us-east-1:210987654321:certificate/11111111-1111-1111-1111-111111111111",
            defaultActions: [
                { type: "forward", targetGroupArn: expect.stringMatching(/:targetgroup\/app-tg-/) },
            ],
        });
        expect(one(plan, T.listener, "app-http").inputs).toMatchObject({
            port: 80,
            protocol: "HTTP",
            defaultActions: [
                {
                    type: "redirect",
                    redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" },
                },
            ],
        });
        const tg = one(plan, T.tg, "app-tg");
        expect(tg.inputs).toMatchObject({
            port: 5001,
            protocol: "HTTPS",
            targetType: "instance",
            healthCheck: { path: "/healthz", matcher: "200", protocol: "HTTPS" },
        });
        // The path the app serves its liveness check on, as the pods' probes call it.
        expect(tg.inputs.healthCheck).toMatchObject({ path: HEALTH_CHECK_PATH });
    });

    it("lets clients reach the ALB on 443/80, and instances only from the ALB's group on 5001", () => {
        const albSg = idOf(plan, T.sg, "app-alb");
        const instanceSg = idOf(plan, T.sg, "app-instances");
        const ingress = ofType(plan, T.ingress);
        expect(
            ingress
                .filter((r) => r.inputs.securityGroupId === albSg)
                .map((r) => [r.inputs.fromPort, r.inputs.cidrIpv4]),
        ).toEqual([
            [443, "0.0.0.0/0"],
            [80, "0.0.0.0/0"],
        ]);
        expect(
            ingress.filter((r) => r.inputs.securityGroupId === instanceSg).map((r) => r.inputs),
        ).toEqual([
            expect.objectContaining({
                referencedSecurityGroupId: albSg,
                fromPort: 5001,
                toPort: 5001,
                ipProtocol: "tcp",
            }),
        ]);
        const albEgress = ofType(plan, T.egress).filter((r) => r.inputs.securityGroupId === albSg);
        expect(albEgress.map((r) => r.inputs)).toEqual([
            expect.objectContaining({ referencedSecurityGroupId: instanceSg, fromPort: 5001 }),
        ]);
        // Client rules are named by their range, never by list position: removing a range
        // must not rename (and so replace) the others, whose re-creation EC2 would refuse
        // while the old rule still exists (InvalidPermission.Duplicate).
        expect(one(plan, T.ingress, "app-alb-in-443-0-0-0-0-0").inputs.cidrIpv4).toBe("0.0.0.0/0");
    });

    it("writes only descriptions EC2 accepts on security groups and their rules", () => {
        // EC2 allows "a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*" (API_IpRange.html;
        // hashicorp/terraform-provider-aws internal/service/ec2/validate.go
        // validSecurityGroupRuleDescription): an apostrophe fails the first `up`.
        const described = [T.sg, T.ingress, T.egress].flatMap((t) => ofType(plan, t));
        expect(described.length).toBeGreaterThan(4);
        for (const r of described) {
            expect([r.name, r.inputs.description]).toEqual([
                r.name,
                expect.stringMatching(EC2_DESCRIPTION),
            ]);
        }
        expect(EC2_DESCRIPTION.test("to the instances' app port")).toBe(false);
    });

    it("alarms on sustained CPU, unhealthy hosts, the 5xx rate and the group at max size, to the encrypted topic", () => {
        const topic = one(plan, T.topic, "app-alerts");
        const alarms = Object.fromEntries(ofType(plan, T.alarm).map((a) => [a.name, a.inputs]));
        for (const alarm of Object.values(alarms)) {
            expect(alarm.alarmActions).toEqual([
                expect.stringMatching(/^arn:aws:sns:us-east-1:\d{12}:app-alerts-/),
            ]);
        }
        expect(topic.urn).toBeDefined();
        expect(alarms["app-high-cpu"]).toMatchObject({
            metricName: "CPUUtilization",
            threshold: 85,
            comparisonOperator: "GreaterThanThreshold",
            evaluationPeriods: 3,
            period: 300,
        });
        expect(alarms["app-unhealthy-hosts"]).toMatchObject({
            metricName: "UnHealthyHostCount",
            threshold: 0,
            comparisonOperator: "GreaterThanThreshold",
        });
        expect(alarms["app-unhealthy-hosts"].dimensions).toEqual({
            LoadBalancer: expect.stringMatching(/^app\/app-alb-/),
            TargetGroup: expect.stringMatching(/^targetgroup\/app-tg-/),
        });
        expect(alarms["app-5xx-rate"]).toMatchObject({
            threshold: 2,
            comparisonOperator: "GreaterThanThreshold",
        });
        expect(alarms["app-5xx-rate"].metricQueries).toContainEqual(
            expect.objectContaining({
                id: "rate",
                expression: "100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests",
                returnData: true,
            }),
        );
        expect(alarms["app-at-max-size"]).toMatchObject({
            metricName: "GroupInServiceInstances",
            threshold: 10,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
        });
        const subs = ofType(plan, "aws:sns/topicSubscription:TopicSubscription");
        expect(subs.map((s) => [s.inputs.protocol, s.inputs.endpoint])).toEqual([
            ["email", "platform-oncall@example.com"],
        ]);
    });

    it("exports the fleet's outputs on the stack", () => {
        expect(plan.outputs.aws).toMatchObject({
            region: "us-east-1",
            vpcId: "aws-network-vpc-id",
            albDnsName: expect.stringMatching(/^app-alb-.*\.us-east-1\.elb\.amazonaws\.com$/),
            targetGroupArn: expect.stringMatching(/:targetgroup\/app-tg-/),
            groupName: expect.stringMatching(/^multicloud-app-asg-/),
            alertTopicArn: expect.stringMatching(/:app-alerts-/),
        });
    });
});

/**
 * The AWS side as composition/aws.ts builds it from the stack config (a valid config with `aws`
 * settings merged over each section), planned without the rest of the program.
 */
function planAwsSide(aws: Record<string, Record<string, unknown>>): Promise<PlanResult> {
    const on = AWS_ON as Record<string, unknown>;
    const section = (key: string) => ({ ...(on[key] as object | undefined), ...aws[key] });
    const config = parseStackConfig(
        raw({
            aws: {
                ...AWS_ON,
                fleet: section("fleet"),
                network: section("network"),
                loadBalancer: section("loadBalancer"),
            },
        }),
        NS,
    );
    return planAws(
        ({ req, provider }) => {
            const { awsFleet } = req<typeof import("../../../composition/aws")>("composition/aws");
            awsFleet({
                aws: config.aws,
                app: config.app,
                environment: "dev",
                tags: {},
                provider,
            });
        },
        config.aws.enabled ? config.aws.region : undefined,
    );
}

describe("AsgFleet variants", () => {
    it("selects the TLS 1.3-only policy, uses an existing network and a given key", async () => {
        const plan = await planAwsSide({
            loadBalancer: { sslPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06" },
            network: {
                vpcId: "vpc-0123456789abcdef0",
                publicSubnetIds: ["subnet-0000000a", "subnet-0000000b"],
                privateSubnetIds: ["subnet-0000000c", "subnet-0000000d"],
            },
            fleet: {
                kmsKeyArn:
                    "arn:aws:kms:us-east-1:123456789012:key/0f0f0f0f-0000-4000-8000-0f0f0f0f0f0f",
            },
        });
        expect(plan.errors).toEqual([]);
        expect(one(plan, T.listener, "app-https").inputs.sslPolicy).toBe(
            "ELBSecurityPolicy-TLS13-1-3-2021-06",
        );
        expect(ofType(plan, "multicloud:aws:Network")).toEqual([]);
        expect(ofType(plan, T.key)).toEqual([]);
        // A given key already names its role (KMS would have refused it otherwise): the fleet
        // creates none and lets AWS use the account's default role.
        expect(ofType(plan, T.slr)).toEqual([]);
        expect(one(plan, T.group, "app-asg").inputs.serviceLinkedRoleArn).toBeUndefined();
        expect(one(plan, T.group, "app-asg").inputs.vpcZoneIdentifiers).toEqual([
            "subnet-0000000c",
            "subnet-0000000d",
        ]);
        expect(one(plan, T.alb, "app-alb").inputs.subnets).toEqual([
            "subnet-0000000a",
            "subnet-0000000b",
        ]);
        expect(one(plan, T.topic, "app-alerts").inputs.kmsMasterKeyId).toBe(
            "arn:aws:kms:us-east-1:123456789012:key/0f0f0f0f-0000-4000-8000-0f0f0f0f0f0f",
        );
    });

    it("keeps plain HTTP to the instances only as the configured exception, and writes no access logs unless asked", async () => {
        const plan = await planAwsSide({ loadBalancer: { targetProtocol: "HTTP" } });
        expect(plan.errors).toEqual([]);
        expect(one(plan, T.tg, "app-tg").inputs).toMatchObject({
            protocol: "HTTP",
            healthCheck: { protocol: "HTTP" },
        });
        const script = userDataOf(plan, "app-lt");
        expect(script).not.toContain("GUNICORN_CMD_ARGS");
        expect(script).not.toContain("--no-healthcheck");
        expect(ofType(plan, T.bucket)).toEqual([]);
        expect(one(plan, T.alb, "app-alb").inputs.accessLogs).toBeUndefined();
    });

    it("writes no access logs in the dev stack, as committed", async () => {
        const plan = await planStack("dev");
        expect(plan.errors).toEqual([]);
        expect(ofType(plan, T.bucket)).toEqual([]);
        expect(one(plan, T.alb, "app-alb").inputs.accessLogs).toBeUndefined();
    });

    describe("built with only what it requires", () => {
        let plan: PlanResult;
        /** What the stack config applies when the stack file sets nothing under `aws`. */
        const config = AwsSchema.parse({});
        beforeAll(async () => {
            plan = await planAws(({ req, opts }) => {
                const { AsgFleet } =
                    req<typeof import("../../../components/aws/AsgFleet")>(
                        "components/aws/AsgFleet",
                    );
                new AsgFleet("web", minimalArgs(), opts);
            });
            expect(plan.errors).toEqual([]);
        });

        it("defaults to the blueprint's values", () => {
            expect(one(plan, T.group, "web-asg").inputs).toMatchObject({
                minSize: 2,
                maxSize: 10,
                desiredCapacity: 2,
            });
            expect(
                one(plan, T.policy, "web-cpu-target").inputs.targetTrackingConfiguration,
            ).toMatchObject({ targetValue: 65 });
            expect(one(plan, T.listener, "web-https").inputs.sslPolicy).toBe(
                "ELBSecurityPolicy-TLS13-1-2-2021-06",
            );
            expect(one(plan, T.alarm, "web-at-max-size").inputs.threshold).toBe(10);
            expect(one(plan, T.tg, "web-tg").inputs.protocol).toBe("HTTPS");
        });

        // One default each, written once (components/aws/checks.ts): a stack that sets nothing
        // gets the same fleet whether the value comes from the config schema or the component.
        it("applies the defaults the stack config applies, for the fleet", () => {
            const { fleet, loadBalancer, alerts } = config;
            expect(one(plan, T.group, "web-asg").inputs).toMatchObject({
                minSize: fleet.minSize,
                maxSize: fleet.maxSize,
                desiredCapacity: fleet.desiredCapacity,
                healthCheckGracePeriod: fleet.healthCheckGracePeriodSeconds,
                instanceRefresh: { preferences: fleet.instanceRefresh },
            });
            expect(
                one(plan, T.policy, "web-cpu-target").inputs.targetTrackingConfiguration,
            ).toMatchObject({ targetValue: fleet.targetCpuUtilization });
            const ssm = plan.invokes.filter((i) => i.token === "aws:ssm/getParameter:getParameter");
            expect(ssm.map((i) => i.inputs.name)).toEqual([
                FLEET_OS[fleet.os].ami(fleet.architecture),
            ]);
            const lt = one(plan, T.lt, "web-lt").inputs;
            expect(lt.instanceType).toBe(fleet.instanceType);
            expect(lt.blockDeviceMappings).toMatchObject([
                {
                    deviceName: FLEET_OS[fleet.os].rootDevice,
                    ebs: { volumeSize: fleet.rootVolumeSizeGiB },
                },
            ]);
            expect(one(plan, T.listener, "web-https").inputs.sslPolicy).toBe(
                loadBalancer.sslPolicy,
            );
            expect(one(plan, T.tg, "web-tg").inputs.protocol).toBe(loadBalancer.targetProtocol);
            expect(one(plan, T.alb, "web-alb").inputs).toMatchObject({
                enableDeletionProtection: loadBalancer.deletionProtection,
                idleTimeout: loadBalancer.idleTimeoutSeconds,
            });
            const clientRules = ofType(plan, T.ingress).filter((r) =>
                r.name.startsWith("web-alb-in-443-"),
            );
            expect(clientRules.map((r) => r.inputs.cidrIpv4)).toEqual(loadBalancer.ingressCidrs);
            expect(one(plan, T.alarm, "web-high-cpu").inputs.threshold).toBe(
                alerts.highCpuThreshold,
            );
            expect(one(plan, T.alarm, "web-5xx-rate").inputs.threshold).toBe(
                alerts.error5xxRatePercent,
            );
            expect(ofType(plan, "aws:sns/topicSubscription:TopicSubscription")).toHaveLength(
                alerts.emails.length,
            );
        });
    });

    it("lets two fleets share a stack without a single name collision", async () => {
        const plan = await planFleets("blue", "green");
        expect(plan.errors).toEqual([]);
        const fleetChildren = created(plan).filter(
            (r) => byUrn(plan, r.parent)?.type === "multicloud:aws:AsgFleet",
        );
        const names = fleetChildren.map((r) => `${r.type}::${r.name}`);
        expect(new Set(names).size).toBe(names.length);
        expect(fleetChildren.filter((r) => r.name.startsWith("blue-")).length).toBe(
            fleetChildren.filter((r) => r.name.startsWith("green-")).length,
        );
    });

    it("registers nothing when its arguments are invalid, listing every problem", async () => {
        const plan = await planAws(({ req, opts }) => {
            const { AsgFleet } =
                req<typeof import("../../../components/aws/AsgFleet")>("components/aws/AsgFleet");
            new AsgFleet(
                "bad",
                {
                    ...minimalArgs(),
                    minSize: 5,
                    maxSize: 3,
                    privateSubnetIds: ["subnet-0000000c"],
                },
                opts,
            );
        });
        // Only the program's own provider: not the component, not a single child.
        expect(created(plan).map((r) => r.type)).toEqual(["pulumi:providers:aws"]);
        expect(plan.errors[0]).toContain("AsgFleet 'bad' has invalid arguments:");
        expect(plan.errors[0]).toContain("maxSize (3) must be >= minSize (5)");
        expect(plan.errors[0]).toContain("privateSubnetIds lists 1 subnet(s): give at least two");
    });
});

/** A program of nothing but AsgFleets with minimal arguments, on their own AWS provider. */
function planFleets(...names: string[]) {
    return planAws(({ req, opts }) => {
        const { AsgFleet } =
            req<typeof import("../../../components/aws/AsgFleet")>("components/aws/AsgFleet");
        for (const name of names) new AsgFleet(name, minimalArgs(), opts);
    });
}

function minimalArgs(): AsgFleetArgs {
    return {
        vpcId: "vpc-0123456789abcdef0",
        publicSubnetIds: ["subnet-0000000a", "subnet-0000000b"],
        privateSubnetIds: ["subnet-0000000c", "subnet-0000000d"],
        image: IMAGE,
        certificateArn:
            "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
        environment: "test",
    };
}

describe("validateAsgFleetArgs", () => {
    const problems = (patch: Partial<AsgFleetArgs>, name = "app") =>
        validateAsgFleetArgs(name, { ...minimalArgs(), ...patch });

    it("accepts the minimal arguments", () => {
        expect(problems({})).toEqual([]);
    });

    it.each<[string, Partial<AsgFleetArgs>, string]>([
        [
            "a target protocol the load balancer does not speak to instances",
            { targetProtocol: "TCP" as never },
            "targetProtocol 'TCP' must be one of HTTPS, HTTP",
        ],
        [
            "min > max",
            { minSize: 4, maxSize: 2 },
            "maxSize (2) must be >= minSize (4): raise maxSize or lower minSize",
        ],
        [
            "desired outside [min, max]",
            { desiredCapacity: 11 },
            "desiredCapacity (11) must be within [minSize, maxSize] = [2, 10]",
        ],
        [
            "a target of 0",
            { targetCpuUtilization: 0 },
            "targetCpuUtilization (0) must be a percentage in (0, 100], e.g. 65",
        ],
        [
            "a target over 100",
            { targetCpuUtilization: 120 },
            "targetCpuUtilization (120) must be a percentage in (0, 100], e.g. 65",
        ],
        ["a negative minimum", { minSize: -1 }, "minSize (-1) must be a whole number >= 0"],
        [
            "a maximum of 0 (the stack config's least is 1)",
            { minSize: 0, maxSize: 0, desiredCapacity: 0 },
            "maxSize (0) must be a whole number >= 1",
        ],
        [
            "a fractional desired capacity",
            { desiredCapacity: 2.5 },
            "desiredCapacity (2.5) must be a whole number >= 0",
        ],
        [
            "an instance type that is no EC2 instance type",
            { instanceType: "t3-small" },
            "instanceType 't3-small' is not an EC2 instance type such as t3.small or m7g.large",
        ],
        [
            "an OS named like a property every object has",
            { os: "toString" as never },
            "os 'toString' must be one of al2023, ubuntu-24.04",
        ],
        [
            "one public subnet",
            { publicSubnetIds: ["subnet-0000000a"] },
            "publicSubnetIds lists 1 subnet(s): give at least two, in different availability zones",
        ],
        [
            "a malformed subnet id",
            { privateSubnetIds: ["subnet-0000000c", "sub-1"] },
            "privateSubnetIds: 'sub-1' is not a subnet id (subnet-...)",
        ],
        [
            "a malformed CIDR",
            { ingressCidrs: ["10.0.0.0/33"] },
            "ingressCidrs: '10.0.0.0/33' is not an IPv4 CIDR block such as 203.0.113.0/24",
        ],
        [
            "a malformed certificate ARN",
            { certificateArn: "arn:aws:iam::123456789012:server-certificate/x" },
            "certificateArn 'arn:aws:iam::123456789012:server-certificate/x' is not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)",
        ],
        [
            "a KMS alias instead of a key ARN",
            { kmsKeyArn: "alias/aws/ebs" },
            "kmsKeyArn 'alias/aws/ebs' is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); aliases are not accepted",
        ],
        [
            "an SSL policy without TLS 1.3",
            { sslPolicy: "ELBSecurityPolicy-2016-08" },
            "sslPolicy 'ELBSecurityPolicy-2016-08' does not offer TLS 1.3 with a TLS 1.2 minimum: use an ELBSecurityPolicy-TLS13-1-2-* or -1-3-* policy such as ELBSecurityPolicy-TLS13-1-2-2021-06",
        ],
        [
            "a TLS 1.3 policy that still accepts TLS 1.0",
            { sslPolicy: "ELBSecurityPolicy-TLS13-1-0-2021-06" },
            "sslPolicy 'ELBSecurityPolicy-TLS13-1-0-2021-06' does not offer TLS 1.3 with a TLS 1.2 minimum: use an ELBSecurityPolicy-TLS13-1-2-* or -1-3-* policy such as ELBSecurityPolicy-TLS13-1-2-2021-06",
        ],
        [
            "an image by tag",
            { image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest" },
            "image '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest' must be pinned by digest: <registry>/<repository>@sha256:<64 hex digits>",
        ],
        [
            "a bad email",
            { alertEmails: ["oncall"] },
            "alertEmails: 'oncall' is not an email address",
        ],
        [
            // AWS RefreshPreferences: "the difference between them cannot be greater than 100"
            // (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html).
            "refresh bounds more than 100 apart (the old 90/200)",
            { instanceRefresh: { minHealthyPercentage: 90, maxHealthyPercentage: 200 } },
            "instanceRefresh.maxHealthyPercentage (200) may exceed minHealthyPercentage (90) by 100 at most (AWS refuses to start the refresh otherwise): raise minHealthyPercentage to 100 or lower maxHealthyPercentage to 190",
        ],
        [
            "an x86_64 AMI on a Graviton type",
            { instanceType: "m7g.large" },
            "architecture (x86_64) does not match instanceType m7g.large, which is arm64 (AWS Graviton): set architecture to arm64, or choose an x86_64 instance type such as t3.small",
        ],
        [
            "a client range with host bits set",
            { ingressCidrs: ["203.0.113.7/24"] },
            "ingressCidrs: '203.0.113.7/24' has host bits set: write its network address 203.0.113.0/24 (the clouds refuse or rewrite such a block)",
        ],
        [
            "a repeated client range",
            { ingressCidrs: ["203.0.113.0/24", "203.0.113.0/24"] },
            "ingressCidrs[1] '203.0.113.0/24' repeats ingressCidrs[0] '203.0.113.0/24': list each range once (AWS refuses the same security group rule twice: InvalidPermission.Duplicate)",
        ],
        [
            "a repeated alert address",
            { alertEmails: ["oncall@example.com", "OnCall@example.com"] },
            "alertEmails[1] 'OnCall@example.com' repeats alertEmails[0]: list each address once (SNS keeps one subscription per address)",
        ],
        [
            "a service-linked role of another service",
            {
                serviceLinkedRoleArn:
                    "arn:aws:iam::123456789012:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing",
            },
            "serviceLinkedRoleArn 'arn:aws:iam::123456789012:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing' is not an Auto Scaling service-linked role ARN (arn:aws:iam::<account>:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling[_<suffix>])",
        ],
    ])("names %s", (_what, patch, message) => {
        expect(problems(patch)).toEqual([message]);
    });

    it("accepts a Graviton type with arm64, refresh bounds exactly 100 apart, and a given role", () => {
        expect(
            problems({
                instanceType: "m7g.large",
                architecture: "arm64",
                instanceRefresh: { minHealthyPercentage: 100, maxHealthyPercentage: 200 },
                serviceLinkedRoleArn:
                    "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_team-a",
            }),
        ).toEqual([]);
    });

    it("refuses a name too long for AWS's 32-character load balancer names", () => {
        expect(problems({}, "a-very-long-fleet-name-indeed")).toEqual([
            "name 'a-very-long-fleet-name-indeed' must be 1-20 lowercase letters, digits or hyphens: it prefixes the load balancer and target group names, which AWS caps at 32 characters",
        ]);
    });
});

describe("helpers", () => {
    it("finds the ECR repository of an image, and none for other registries", () => {
        expect(ecrRepositoryOf(IMAGE)).toEqual({
            account: "123456789012",
            region: "us-east-1",
            repository: "multicloud-app",
        });
        expect(ecrRepositoryOf(`ghcr.io/org/app@${DIGEST}`)).toBeUndefined();
    });

    it("writes a boot script that installs with the OS's package manager", () => {
        expect(userDataScript("ubuntu-24.04", IMAGE)).toContain(
            "apt-get install -y docker.io amazon-ecr-credential-helper openssl",
        );
        expect(userDataScript("al2023", IMAGE)).toContain(
            "dnf install -y docker amazon-ecr-credential-helper openssl",
        );
        expect(userDataScript("al2023", IMAGE, "HTTP")).not.toContain("openssl req");
    });
});
