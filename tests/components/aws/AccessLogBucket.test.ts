/**
 * AccessLogBucket (components/aws/AccessLogBucket.ts): the S3 bucket the load balancer writes
 * its access logs to. The prod stack's bucket as the committed stack registers it (and the load
 * balancer that writes there); the component planned directly in a Region of each kind of log
 * writer; its argument checks called directly.
 */
import type { PlanResult } from "../../../plan/run";
import type * as AccessLogBucketModule from "../../../components/aws/AccessLogBucket";
import { byUrn, created, one, planStack, workerModule } from "../../harness";
import { planAws } from "./harness";

/** The component's module as the plans load it: its rules and checks, called directly. */
const {
    DEFAULT_ACCESS_LOG_PREFIX,
    ELB_ACCOUNT_REGIONS,
    ELB_LOG_DELIVERY_SERVICE,
    logDeliveryPrincipal,
    validateAccessLogBucketArgs,
} = workerModule<typeof AccessLogBucketModule>("components/aws/AccessLogBucket");

const T = {
    component: "multicloud:aws:AccessLogBucket",
    alb: "aws:lb/loadBalancer:LoadBalancer",
    bucket: "aws:s3/bucket:Bucket",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    encryption:
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
};

/** The mock id of the resource of `type` named `name` (mock ids are `<name>-id`). */
const idOf = (plan: PlanResult, type: string, name: string) => `${one(plan, type, name).name}-id`;

interface Statement {
    Sid: string;
    Effect: string;
    Principal: unknown;
    Action: string;
    Resource: unknown;
    Condition?: unknown;
}
/** The statements of the bucket policy `name`. */
const statements = (plan: PlanResult, name: string) =>
    (
        JSON.parse(String(one(plan, T.bucketPolicy, name).inputs.policy)) as {
            Statement: Statement[];
        }
    ).Statement;

/** A program of one AccessLogBucket `logs` in `region`, on a provider of that Region. */
function planBucket(region: string, args: Record<string, unknown> = {}): Promise<PlanResult> {
    return planAws(({ req, opts }) => {
        const { AccessLogBucket } = req<typeof import("../../../components/aws/AccessLogBucket")>(
            "components/aws/AccessLogBucket",
        );
        new AccessLogBucket("logs", { region, ...args }, opts);
    }, region);
}

describe("AccessLogBucket in the prod stack (the blueprint's values)", () => {
    let plan: PlanResult;
    beforeAll(async () => {
        plan = await planStack("prod");
        expect(plan.errors).toEqual([]);
    });

    it("writes access logs to a bucket of its own: private, SSE-S3, expiring, writable by ELB only", () => {
        const bucket = one(plan, T.bucket, "app-alb-logs");
        const id = idOf(plan, T.bucket, "app-alb-logs");
        expect(byUrn(plan, bucket.parent)?.type).toBe("multicloud:aws:AccessLogBucket");
        // Audit logs outlive the setting: the bucket and every protection of it are only
        // forgotten on delete (S3 refuses DeleteBucket on a non-empty bucket: BucketNotEmpty,
        // and ALB writes a test object as soon as logging is on).
        const s3 = plan.resources.filter((r) => r.type.startsWith("aws:s3/"));
        expect(s3.map((r) => [r.name, r.retainOnDelete])).toEqual(s3.map((r) => [r.name, true]));
        expect(s3).toHaveLength(6);
        expect(one(plan, T.publicAccess, "app-alb-logs-public-access").inputs).toEqual({
            bucket: id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
        expect(one(plan, T.ownership, "app-alb-logs-ownership").inputs.rule).toEqual({
            objectOwnership: "BucketOwnerEnforced",
        });
        // ALB access logs support SSE-S3 only (AWS, "Enable access logs for your Application
        // Load Balancer", Step 1).
        expect(one(plan, T.encryption, "app-alb-logs-encryption").inputs.rules).toEqual([
            { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        ]);
        expect(one(plan, T.lifecycle, "app-alb-logs-lifecycle").inputs.rules).toEqual([
            {
                id: "expire-access-logs",
                status: "Enabled",
                filter: { prefix: "alb/" },
                expiration: { days: 365 },
                abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
            },
        ]);
        const policy = one(plan, T.bucketPolicy, "app-alb-logs-policy");
        const doc = JSON.parse(String(policy.inputs.policy)) as {
            Statement: { Sid: string; Principal: unknown; Resource: unknown }[];
        };
        // us-east-1 opened before August 2022: its Elastic Load Balancing account writes (the
        // mock answers aws.elb.getServiceAccount with a fake account).
        expect(doc.Statement.map((s) => [s.Sid, s.Principal, s.Resource])).toEqual([
            [
                "ElasticLoadBalancingWritesAccessLogs",
                { AWS: expect.stringMatching(/^arn:aws:iam::\d{12}:root$/) },
                expect.stringMatching(/\/alb\/AWSLogs\/210987654321\/\*$/),
            ],
            ["RefuseRequestsWithoutTls", "*", expect.any(Array)],
        ]);
        expect(policy.dependencies).toContain(
            one(plan, T.publicAccess, "app-alb-logs-public-access").urn,
        );
        // The load balancer logs there, and waits for the policy (ALB tests write access).
        const alb = one(plan, T.alb, "app-alb");
        expect(alb.inputs.accessLogs).toEqual({ bucket: id, prefix: "alb", enabled: true });
        expect(alb.dependencies).toContain(policy.urn);
    });
});

describe("AccessLogBucket planned directly", () => {
    let plan: PlanResult;
    beforeAll(async () => {
        plan = await planBucket("us-east-1", { tags: { team: "platform" } });
        expect(plan.errors).toEqual([]);
    });

    // S3 bucket names are global across all accounts (CreateBucket: BucketAlreadyExists): the
    // bucket is autonamed from the component's name, so that two stacks never collide.
    it("names no bucket itself, and tags it", () => {
        const bucket = one(plan, T.bucket, "logs");
        expect(bucket.inputs.bucket).toBeUndefined();
        expect(bucket.inputs.bucketPrefix).toBeUndefined();
        expect(bucket.inputs.tags).toEqual({ team: "platform" });
    });

    it("keeps logs 90 days under alb/ by default, and cleans up unfinished uploads", () => {
        expect(one(plan, T.lifecycle, "logs-lifecycle").inputs.rules).toEqual([
            {
                id: "expire-access-logs",
                status: "Enabled",
                filter: { prefix: `${DEFAULT_ACCESS_LOG_PREFIX}/` },
                expiration: { days: 90 },
                abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
            },
        ]);
    });

    // ALB access logs, "Enable access logs", Step 2: in a Region available before August 2022
    // the bucket policy grants s3:PutObject to that Region's Elastic Load Balancing account, on
    // bucket/prefix/AWSLogs/<your account>/*.
    it("lets the Region's Elastic Load Balancing account put objects under <prefix>/AWSLogs/<account>/ only", () => {
        const [write] = statements(plan, "logs-policy");
        expect(write).toEqual({
            Sid: "ElasticLoadBalancingWritesAccessLogs",
            Effect: "Allow",
            Principal: { AWS: expect.stringMatching(/^arn:aws:iam::\d{12}:root$/) },
            Action: "s3:PutObject",
            Resource: expect.stringMatching(/^arn:aws:s3:.*\/alb\/AWSLogs\/123456789012\/\*$/),
        });
        const elb = plan.invokes.filter(
            (i) => i.token === "aws:elb/getServiceAccount:getServiceAccount",
        );
        expect(elb.map((i) => i.inputs.region)).toEqual(["us-east-1"]);
    });

    it("refuses every request not made over TLS, on the bucket and on its objects", () => {
        const bucketArn = String(one(plan, T.component, "logs").outputs?.bucketArn);
        expect(statements(plan, "logs-policy")[1]).toEqual({
            Sid: "RefuseRequestsWithoutTls",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucketArn, `${bucketArn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        });
    });

    it("sets the policy after the public access block, and keeps every part when deleted", () => {
        const policy = one(plan, T.bucketPolicy, "logs-policy");
        expect(policy.dependencies).toContain(one(plan, T.publicAccess, "logs-public-access").urn);
        const component = one(plan, T.component, "logs");
        const children = created(plan).filter((r) => r.parent === component.urn);
        expect(children.map((r) => r.type).sort()).toEqual(
            [
                T.bucket,
                T.bucketPolicy,
                T.publicAccess,
                T.ownership,
                T.encryption,
                T.lifecycle,
            ].sort(),
        );
        for (const child of children)
            expect([child.name, child.retainOnDelete]).toEqual([child.name, true]);
    });

    it("exports the bucket, its ARN and the prefix the load balancer writes under", () => {
        expect(one(plan, T.component, "logs").outputs).toEqual({
            bucketName: "logs-id",
            bucketArn: expect.stringMatching(/^arn:aws:s3:/),
            prefix: "alb",
        });
    });
});

describe("AccessLogBucket variants", () => {
    // ALB access logs, "Enable access logs", Step 2: Regions available as of August 2022 or
    // later grant the log delivery service principal; aws.elb.getServiceAccount fails there
    // ("unsupported AWS Region"), so it must not be asked.
    it("lets the log delivery service write in a Region opened after August 2022", async () => {
        const plan = await planBucket("eu-central-2");
        expect(plan.errors).toEqual([]);
        expect(statements(plan, "logs-policy")[0].Principal).toEqual({
            Service: ELB_LOG_DELIVERY_SERVICE,
        });
        expect(
            plan.invokes.filter((i) => i.token === "aws:elb/getServiceAccount:getServiceAccount"),
        ).toEqual([]);
    });

    it("writes under a given prefix, expiring its logs after the given days", async () => {
        const plan = await planBucket("eu-west-1", { prefix: "edge/alb", expirationDays: 30 });
        expect(plan.errors).toEqual([]);
        expect(one(plan, T.lifecycle, "logs-lifecycle").inputs.rules).toMatchObject([
            { filter: { prefix: "edge/alb/" }, expiration: { days: 30 } },
        ]);
        expect(statements(plan, "logs-policy")[0].Resource).toMatch(
            /\/edge\/alb\/AWSLogs\/123456789012\/\*$/,
        );
        expect(one(plan, T.component, "logs").outputs?.prefix).toBe("edge/alb");
    });

    it("registers nothing when its arguments are invalid, listing every problem", async () => {
        const plan = await planBucket("eu-west-1", { prefix: "alb/", expirationDays: 1.5 });
        // Only the program's own provider: not the component, not a single child.
        expect(created(plan).map((r) => r.type)).toEqual(["pulumi:providers:aws"]);
        expect(plan.errors[0]).toContain(
            "AccessLogBucket 'logs' has invalid arguments:\n" +
                "  - prefix 'alb/' must be path segments of letters, digits and !-_.*'() without a leading or trailing slash, and must not contain AWSLogs (ALB adds it): use e.g. alb\n" +
                "  - expirationDays (1.5) must be a whole number of days >= 1 (S3 lifecycle expiration)",
        );
    });
});

describe("helpers", () => {
    it("picks who writes access logs by Region, as AWS documents it", () => {
        const account = () => {
            throw new Error("no account asked for");
        };
        // Opened after August 2022 (Hyderabad, Zurich): the log delivery service principal.
        for (const region of ["ap-south-2", "eu-central-2"]) {
            expect(logDeliveryPrincipal(region, account)).toEqual({
                Service: ELB_LOG_DELIVERY_SERVICE,
            });
        }
        // Older Regions: the Region's ELB account, through aws.elb.getServiceAccount.
        expect(ELB_ACCOUNT_REGIONS).toContain("us-east-1");
        expect(ELB_ACCOUNT_REGIONS).not.toContain("me-central-1");
        expect(DEFAULT_ACCESS_LOG_PREFIX).toBe("alb");
    });

    it("validates the access-log bucket's arguments", () => {
        expect(validateAccessLogBucketArgs({ region: "us-east-1" })).toEqual([]);
        expect(
            validateAccessLogBucketArgs({
                region: "Virginia",
                prefix: "/logs/AWSLogs",
                expirationDays: 0,
            }),
        ).toEqual([
            "region 'Virginia' must be an AWS Region code such as us-east-1",
            "prefix '/logs/AWSLogs' must be path segments of letters, digits and !-_.*'() without a leading or trailing slash, and must not contain AWSLogs (ALB adds it): use e.g. alb",
            "expirationDays (0) must be a whole number of days >= 1 (S3 lifecycle expiration)",
        ]);
    });
});
