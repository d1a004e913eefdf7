import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ACCESS_LOG_EXPIRATION_DAYS, AWS_FORMATS } from "./checks";
import { throwIfInvalid } from "../validation";

export { ACCESS_LOG_EXPIRATION_DAYS } from "./checks";

/**
 * The Regions where ALB access logs are written by a regional Elastic Load Balancing account
 * (the Regions opened before August 2022): the keys of `accountIDPerRegionMap` in
 * hashicorp/terraform-provider-aws internal/service/elb/service_account_data_source.go, which
 * `aws.elb.getServiceAccount` answers from (and fails with "unsupported AWS Region" elsewhere).
 * In every other Region AWS documents the service principal {@link ELB_LOG_DELIVERY_SERVICE}
 * instead ("Enable access logs for your Application Load Balancer", Step 2, "Regions available
 * as of August 2022 or later"; the same split in the SDK doc of `aws.elb.getServiceAccount`).
 */
export const ELB_ACCOUNT_REGIONS: readonly string[] = [
    "af-south-1",
    "ap-east-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ca-central-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-north-1",
    "eu-south-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "me-south-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/** The log delivery service principal of Regions opened in August 2022 or later. */
export const ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com";

/** The key prefix ALB writes under. @see AccessLogBucketArgs.prefix */
export const DEFAULT_ACCESS_LOG_PREFIX = "alb";

/**
 * A prefix ALB accepts: path segments of letters, digits and `!-_.*'()`, no leading or trailing
 * slash, and never the word `AWSLogs`, which ALB adds itself ("Access log files": the file names
 * are `bucket[/prefix]/AWSLogs/<account>/elasticloadbalancing/...`).
 */
const PREFIX = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/;

export interface AccessLogBucketArgs {
    /**
     * The Region of the bucket and of the load balancer that writes into it (ALB writes only to a
     * bucket of its own Region). It picks who may write: the Region's Elastic Load Balancing
     * account where there is one ({@link ELB_ACCOUNT_REGIONS}), else the log delivery service.
     */
    readonly region: string;
    /** Key prefix of the logs inside the bucket. @default "alb" */
    readonly prefix?: string;
    /** Days after which a log is deleted (lifecycle expiration). @default 90 */
    readonly expirationDays?: number;
    /** Tags of the bucket. @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Every problem with `args`, each naming the argument and the fix; empty when valid. */
export function validateAccessLogBucketArgs(args: AccessLogBucketArgs): string[] {
    const problems: string[] = [];
    if (!AWS_FORMATS.region.test(args.region)) {
        problems.push(`region '${args.region}' must be an AWS Region code such as us-east-1`);
    }
    const prefix = args.prefix ?? DEFAULT_ACCESS_LOG_PREFIX;
    if (!PREFIX.test(prefix) || prefix.includes("AWSLogs")) {
        problems.push(
            `prefix '${prefix}' must be path segments of letters, digits and !-_.*'() without a leading or trailing slash, and must not contain AWSLogs (ALB adds it): use e.g. alb`,
        );
    }
    const days = args.expirationDays ?? ACCESS_LOG_EXPIRATION_DAYS.default;
    if (!Number.isInteger(days) || days < ACCESS_LOG_EXPIRATION_DAYS.min) {
        problems.push(
            `expirationDays (${days}) must be a whole number of days >= ${ACCESS_LOG_EXPIRATION_DAYS.min} (S3 lifecycle expiration)`,
        );
    }
    return problems;
}

/** The principal that writes ALB access logs in `region`, as the bucket policy names it. */
export function logDeliveryPrincipal(
    region: string,
    elbAccountArn: () => pulumi.Output<string>,
): { AWS: pulumi.Output<string> } | { Service: string } {
    return ELB_ACCOUNT_REGIONS.includes(region)
        ? { AWS: elbAccountArn() }
        : { Service: ELB_LOG_DELIVERY_SERVICE };
}

/**
 * The S3 bucket an Application Load Balancer writes its access logs to, so that the TLS version
 * and cipher of every client connection can be audited (the `ssl_protocol` and `ssl_cipher`
 * fields of each entry).
 *
 * - Public access blocked, ACLs disabled (`BucketOwnerEnforced`, what S3 sets on every new bucket
 *   since April 2023 anyway), so the account owns every log.
 * - SSE-S3 (AES-256): the only default encryption ALB access logs support ("Enable access logs
 *   for your Application Load Balancer", Step 1, Requirements: "The only server-side encryption
 *   option that's supported is Amazon S3-managed keys (SSE-S3)"); an SSE-KMS bucket gets no logs.
 * - A lifecycle rule that deletes logs after `expirationDays`.
 * - A bucket policy letting only Elastic Load Balancing put objects, only under
 *   `<prefix>/AWSLogs/<this account>/`, and refusing any request not made over TLS.
 *
 * The load balancer must depend on `policy`: ALB checks that it can write (a test object) when
 * access logs are switched on, and refuses the change otherwise.
 */
export class AccessLogBucket extends pulumi.ComponentResource {
    /** The bucket's name, for the load balancer's `accessLogs.bucket`. */
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;
    /** The key prefix, for the load balancer's `accessLogs.prefix`. */
    public readonly prefix: string;
    /** The policy that lets ALB write: what the load balancer must wait for. */
    public readonly policy: aws.s3.BucketPolicy;

    constructor(name: string, args: AccessLogBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfInvalid("AccessLogBucket", name, validateAccessLogBucketArgs(args));
        super("multicloud:aws:AccessLogBucket", name, {}, opts);

        // --- Defaults, settled once ---------------------------------------------------------
        const prefix = args.prefix ?? DEFAULT_ACCESS_LOG_PREFIX;
        const expirationDays = args.expirationDays ?? ACCESS_LOG_EXPIRATION_DAYS.default;
        const parent = { parent: this };
        // Audit logs outlive the setting that writes them: switching logs off, or destroying the
        // stack, forgets the bucket and its protections (public access block, encryption,
        // expiry, TLS-only policy) instead of deleting them. Deleting would fail anyway: ALB
        // writes a test object as soon as logging is on, and S3 deletes only an empty bucket
        // (DeleteBucket: BucketNotEmpty); and the settings deleted before the bucket would
        // leave it unprotected. Set explicitly on each resource, not inherited.
        const kept = { parent: this, retainOnDelete: true };

        const identity = aws.getCallerIdentityOutput({}, parent);
        // Autonamed (`<name>-<random>`): bucket names are global, two stacks must not collide.
        const bucket = new aws.s3.Bucket(name, { tags: { ...args.tags } }, kept);
        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access`,
            {
                bucket: bucket.id,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            kept,
        );
        new aws.s3.BucketOwnershipControls(
            `${name}-ownership`,
            { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
            kept,
        );
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                bucket: bucket.id,
                // SSE-S3 only: ALB cannot write to a bucket whose default encryption is SSE-KMS.
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
            },
            kept,
        );
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-lifecycle`,
            {
                bucket: bucket.id,
                rules: [
                    {
                        id: "expire-access-logs",
                        status: "Enabled",
                        filter: { prefix: `${prefix}/` },
                        expiration: { days: expirationDays },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    },
                ],
            },
            kept,
        );
        const writer = logDeliveryPrincipal(
            args.region,
            () => aws.elb.getServiceAccountOutput({ region: args.region }, parent).arn,
        );
        this.policy = new aws.s3.BucketPolicy(
            `${name}-policy`,
            {
                bucket: bucket.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "ElasticLoadBalancingWritesAccessLogs",
                            Effect: "Allow",
                            Principal: writer,
                            Action: "s3:PutObject",
                            Resource: pulumi.interpolate`${bucket.arn}/${prefix}/AWSLogs/${identity.accountId}/*`,
                        },
                        {
                            Sid: "RefuseRequestsWithoutTls",
                            Effect: "Deny",
                            Principal: "*",
                            Action: "s3:*",
                            Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        },
                    ],
                }),
            },
            // After the public access block: S3 refuses a policy while another access setting of
            // the bucket is being changed, and although the provider's S3 client retries that
            // (OperationAborted), one change at a time keeps the first apply simple.
            { ...kept, dependsOn: [publicAccess] },
        );

        this.bucketName = bucket.id;
        this.bucketArn = bucket.arn;
        this.prefix = prefix;
        this.registerOutputs({
            bucketName: this.bucketName,
            bucketArn: this.bucketArn,
            prefix: this.prefix,
        });
    }
}
