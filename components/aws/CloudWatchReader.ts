/**
 * What the fleet dashboard's CloudWatch data source signs in with. Grafana outside AWS can only
 * present an access key (Azure Managed Grafana offers no federation into AWS), so the key is
 * made as weak as it can be: its user may do nothing but assume one read-only role, with an
 * external id, and the key is replaced whenever `credentialRotation` changes.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_CREDENTIAL_ROTATION } from "../formats";
import { credentialRotationProblems, throwIfInvalid } from "../validation";

/**
 * The read-only actions Grafana's CloudWatch data source needs for metrics (Grafana's
 * documented IAM policy for CloudWatch metrics, without the logs actions this blueprint does not
 * query). None supports resource-level permissions, so they apply to "*".
 */
export const CLOUDWATCH_READ_ACTIONS = [
    "cloudwatch:DescribeAlarmsForMetric",
    "cloudwatch:DescribeAlarmHistory",
    "cloudwatch:DescribeAlarms",
    "cloudwatch:ListMetrics",
    "cloudwatch:GetMetricData",
    "cloudwatch:GetInsightRuleReport",
    "ec2:DescribeTags",
    "ec2:DescribeInstances",
    "ec2:DescribeRegions",
    "tag:GetResources",
] as const;

/** The IAM path of the reader's user and role. */
export const GRAFANA_IAM_PATH = "/grafana/";

export interface CloudWatchReaderArgs {
    /**
     * The external id the data source presents when it assumes the role (guards against a
     * confused deputy). Not a secret.
     */
    readonly externalId: string;
    /** Any label; changing it replaces the access key. @default "1" */
    readonly credentialRotation?: string;
    /** @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Every problem with `args`, each naming the argument and the fix; empty when valid. */
export function validateCloudWatchReaderArgs(args: CloudWatchReaderArgs): string[] {
    const problems: string[] = [];
    // IAM's rule for sts:ExternalId: 2-1224 characters of [\w+=,.@:/-].
    if (!/^[\w+=,.@:/-]{2,1224}$/.test(args.externalId)) {
        problems.push(
            `externalId '${args.externalId}' must be 2-1224 letters, digits or +=,.@:/-_ (IAM's rule for sts:ExternalId)`,
        );
    }
    problems.push(...credentialRotationProblems(args.credentialRotation));
    return problems;
}

/** A read-only CloudWatch role and the one key that may assume it. */
export class CloudWatchReader extends pulumi.ComponentResource {
    public readonly roleArn: pulumi.Output<string>;
    public readonly externalId: pulumi.Output<string>;
    public readonly accessKeyId: pulumi.Output<string>;
    /** A secret. */
    public readonly secretAccessKey: pulumi.Output<string>;

    constructor(name: string, args: CloudWatchReaderArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfInvalid("CloudWatchReader", name, validateCloudWatchReaderArgs(args));
        super("multicloud:aws:CloudWatchReader", name, {}, opts);
        const credentialRotation = args.credentialRotation ?? DEFAULT_CREDENTIAL_ROTATION;
        const tags = args.tags ?? {};
        const parent = { parent: this };

        const user = new aws.iam.User(`${name}-user`, { path: GRAFANA_IAM_PATH, tags }, parent);
        const role = new aws.iam.Role(
            name,
            {
                description: "Read-only CloudWatch access for the fleet dashboard (Grafana)",
                // Under the user's path, so that the deployer's IAM rights can be limited to
                // user/grafana/* and role/grafana/* (docs/permissions.md#aws).
                path: GRAFANA_IAM_PATH,
                assumeRolePolicy: user.arn.apply((arn) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Effect: "Allow",
                                Principal: { AWS: arn },
                                Action: "sts:AssumeRole",
                                Condition: { StringEquals: { "sts:ExternalId": args.externalId } },
                            },
                        ],
                    }),
                ),
                maxSessionDuration: 3600,
                tags,
            },
            parent,
        );
        new aws.iam.RolePolicy(
            `${name}-read`,
            {
                role: role.id,
                policy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Effect: "Allow", Action: [...CLOUDWATCH_READ_ACTIONS], Resource: "*" },
                    ],
                }),
            },
            parent,
        );
        // The user's only right: to become the role.
        new aws.iam.UserPolicy(
            `${name}-assume`,
            {
                user: user.name,
                policy: role.arn.apply((arn) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: arn }],
                    }),
                ),
            },
            parent,
        );
        const key = new aws.iam.AccessKey(
            `${name}-key`,
            { user: user.name },
            { ...parent, replacementTrigger: credentialRotation },
        );

        this.roleArn = role.arn;
        this.externalId = pulumi.output(args.externalId);
        this.accessKeyId = key.id;
        this.secretAccessKey = pulumi.secret(key.secret);
        // The secret key stays a property only: never a registered output, even a secret one.
        this.registerOutputs({
            roleArn: this.roleArn,
            externalId: this.externalId,
            accessKeyId: this.accessKeyId,
        });
    }
}
