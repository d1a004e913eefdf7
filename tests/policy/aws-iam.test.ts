/**
 * AWS IAM policies (issue 19): actions read before Resource, ARN wildcards, conditions that
 * really narrow, reads that return secrets, AWS managed *FullAccess policies, and wildcard
 * patterns in trust policies. Each rule: a compliant counterpart, then failing variants.
 *
 * Sources (IAM User Guide, IAM JSON policy reference):
 * - Condition operators, incl. ...IfExists ("If the policy key is not present in the request
 *   context, the condition evaluates as true") and negated operators (true when the key is
 *   absent): docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * - ForAllValues "also returns true if there are no context keys in the request":
 *   docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 */
import { UNKNOWN_STRING } from "../../plan/analyzer";
import { messages, resource, usePack } from "./harness";

const pack = usePack();

const NO_WILDCARDS = "aws-iam-policy-no-wildcards";
const TRUST = "aws-iam-role-trust-not-public";

const policy = (...statements: Record<string, unknown>[]) =>
    resource("aws:iam/policy:Policy", "app", {
        policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }),
    });
/** A document given as an object, so single fields can be unknown (computed from outputs). */
const objectPolicy = (...statements: Record<string, unknown>[]) =>
    resource("aws:iam/policy:Policy", "app", {
        policy: { Version: "2012-10-17", Statement: statements },
    });
const everyAction = (label = "statement #1", action = "*") =>
    `IAM policy 'app' ${label} allows every action ("${action}"), which makes its holder an administrator: list the specific actions needed (for example "s3:GetObject", "s3:PutObject") instead.`;
const writesOn = (writes: string, on = 'Resource "*"', it = "it") =>
    `IAM policy 'app' statement #1 allows write action${it === "they" ? "s" : ""} ${writes} on ${on}, so ${it} can change every resource of the account: set Resource to the ARNs ${it} must change (for example arn:aws:s3:::my-bucket/*), or limit the statement with a Condition on the resources' tags (aws:ResourceTag/..., aws:RequestTag/...) or on a condition key of the service.`;
const secretsOn = (reads: string, on = 'Resource "*"', it = "it") =>
    `IAM policy 'app' statement #1 allows secret-reading action${it === "they" ? "s" : ""} ${reads} on ${on}, so ${it} can read every secret value, parameter or KMS-encrypted data of the account: set Resource to the ARNs of the secrets, parameters or keys ${it} must read (for example arn:aws:secretsmanager:us-east-1:123456789012:secret:my-app/*, arn:aws:ssm:us-east-1:123456789012:parameter/my-app/*), or limit the statement with a Condition on the resources' tags (aws:ResourceTag/...) or on a condition key of the service (kms:ViaService, kms:EncryptionContext:...).`;

describe("aws-iam-policy-no-wildcards: actions are read before Resource", () => {
    it("passes writes whose Resource, or whose Condition, is not known yet (checked once known)", async () => {
        expect(
            await messages(
                pack(),
                NO_WILDCARDS,
                objectPolicy({ Effect: "Allow", Action: "s3:PutObject", Resource: UNKNOWN_STRING }),
            ),
        ).toEqual([]);
        expect(
            await messages(
                pack(),
                NO_WILDCARDS,
                objectPolicy({
                    Effect: "Allow",
                    Action: "ec2:TerminateInstances",
                    Resource: "*",
                    Condition: { StringEquals: { "aws:ResourceTag/team": UNKNOWN_STRING } },
                }),
            ),
        ).toEqual([]);
    });

    it('flags Action "*" whatever the Resource: not known yet, a list with an unknown, or a statement next to an unknown one', async () => {
        expect(
            await messages(
                pack(),
                NO_WILDCARDS,
                objectPolicy({ Effect: "Allow", Action: "*", Resource: UNKNOWN_STRING }),
            ),
        ).toEqual([everyAction()]);
        expect(
            await messages(
                pack(),
                NO_WILDCARDS,
                objectPolicy({
                    Effect: "Allow",
                    Action: [UNKNOWN_STRING, "*:*"],
                    Resource: ["arn:aws:s3:::logs/*", UNKNOWN_STRING],
                    Condition: { StringEquals: { "aws:ResourceTag/team": UNKNOWN_STRING } },
                }),
            ),
        ).toEqual([everyAction("statement #1", "*:*")]);
        expect(
            await messages(
                pack(),
                NO_WILDCARDS,
                resource("aws:iam/policy:Policy", "app", {
                    policy: {
                        Version: "2012-10-17",
                        Statement: [
                            UNKNOWN_STRING,
                            { Effect: "Allow", Action: "*", Resource: "*" },
                        ],
                    },
                }),
            ),
        ).toEqual([everyAction("statement #2")]);
    });
});

describe("aws-iam-policy-no-wildcards: ARN wildcards count as *", () => {
    it("passes writes on ARNs that name a resource or a name prefix", async () => {
        expect(
            await messages(
                pack(),
                NO_WILDCARDS,
                policy({
                    Effect: "Allow",
                    Action: ["s3:PutObject", "s3:DeleteObject"],
                    Resource: ["arn:aws:s3:::logs/*", "arn:aws:s3:::logs-*"],
                }),
            ),
        ).toEqual([]);
    });

    it("flags writes on arn:aws:s3:::*, arn:aws:s3:::*/* and arn:aws:*:*:*:*", async () => {
        for (const arn of ["arn:aws:s3:::*", "arn:aws:s3:::*/*", "arn:aws:*:*:*:*"]) {
            expect(
                await messages(
                    pack(),
                    NO_WILDCARDS,
                    policy({
                        Effect: "Allow",
                        Action: "s3:PutObject",
                        Resource: ["arn:aws:s3:::logs/*", arn],
                    }),
                ),
            ).toEqual([
                writesOn(
                    '"s3:PutObject"',
                    `Resource "${arn}" (every resource of the service, like "*")`,
                ),
            ]);
        }
    });
});

describe("aws-iam-policy-no-wildcards: only conditions that really narrow count", () => {
    const writes = { Effect: "Allow", Action: "ec2:TerminateInstances", Resource: "*" };

    it("passes StringEquals on a tag, Null false (the tag must be set) and ForAnyValue: on aws:TagKeys", async () => {
        for (const condition of [
            { StringEquals: { "aws:ResourceTag/team": "platform" } },
            { Null: { "aws:ResourceTag/team": "false" } },
            { "ForAnyValue:StringEquals": { "aws:TagKeys": ["team"] } },
        ]) {
            expect(
                await messages(pack(), NO_WILDCARDS, policy({ ...writes, Condition: condition })),
            ).toEqual([]);
        }
    });

    it("flags ...IfExists, ForAllValues:, negated operators and Null true, all true when the key is absent", async () => {
        for (const condition of [
            { StringEqualsIfExists: { "aws:ResourceTag/team": "platform" } },
            { "ForAllValues:StringEquals": { "aws:TagKeys": ["team"] } },
            { StringNotEquals: { "aws:ResourceTag/team": "production" } },
            { Null: { "aws:ResourceTag/team": "true" } },
            { ArnNotLike: { "ec2:InstanceProfile": "arn:aws:iam::*:instance-profile/prod-*" } },
        ]) {
            expect(
                await messages(pack(), NO_WILDCARDS, policy({ ...writes, Condition: condition })),
            ).toEqual([writesOn('"ec2:TerminateInstances"')]);
        }
    });
});

describe("aws-iam-policy-no-wildcards: reads that return secrets", () => {
    it("passes them on named ARNs, with a Condition that narrows, and other reads on *", async () => {
        expect(
            await messages(
                pack(),
                NO_WILDCARDS,
                policy(
                    {
                        Effect: "Allow",
                        Action: ["secretsmanager:GetSecretValue", "ssm:GetParameter*"],
                        Resource: [
                            "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/*",
                            "arn:aws:ssm:us-east-1:123456789012:parameter/app/*",
                        ],
                    },
                    {
                        Effect: "Allow",
                        Action: "secretsmanager:GetSecretValue",
                        Resource: "*",
                        Condition: { StringEquals: { "aws:ResourceTag/app": "web" } },
                    },
                    {
                        Effect: "Allow",
                        Action: "kms:Decrypt",
                        Resource: "*",
                        Condition: {
                            StringEquals: {
                                "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com",
                            },
                        },
                    },
                    {
                        Effect: "Allow",
                        Action: ["ssm:DescribeParameters", "secretsmanager:ListSecrets"],
                        Resource: "*",
                    },
                ),
            ),
        ).toEqual([]);
    });

    it("flags GetSecretValue, ssm:GetParameter*, kms:Decrypt and read patterns covering them on *", async () => {
        expect(
            await messages(
                pack(),
                NO_WILDCARDS,
                policy({
                    Effect: "Allow",
                    Action: [
                        "secretsmanager:GetSecretValue",
                        "ssm:GetParameter*",
                        "kms:Decrypt",
                        "ssm:DescribeParameters",
                    ],
                    Resource: "*",
                }),
            ),
        ).toEqual([
            secretsOn(
                '"secretsmanager:GetSecretValue", "ssm:GetParameter*", "kms:Decrypt"',
                undefined,
                "they",
            ),
        ]);
        expect(
            await messages(
                pack(),
                NO_WILDCARDS,
                policy({ Effect: "Allow", Action: "ssm:Get*", Resource: "arn:aws:ssm:*:*:*" }),
            ),
        ).toEqual([
            secretsOn(
                '"ssm:Get*"',
                'Resource "arn:aws:ssm:*:*:*" (every resource of the service, like "*")',
            ),
        ]);
    });

    it("flags them next to writes (one message each), with NotResource, and with a Condition that does not narrow", async () => {
        expect(
            await messages(
                pack(),
                NO_WILDCARDS,
                policy({
                    Effect: "Allow",
                    Action: ["sqs:SendMessage", "kms:Decrypt"],
                    Resource: "*",
                }),
            ),
        ).toEqual([writesOn('"sqs:SendMessage"'), secretsOn('"kms:Decrypt"')]);
        expect(
            await messages(
                pack(),
                NO_WILDCARDS,
                policy({
                    Effect: "Allow",
                    Action: "secretsmanager:GetSecretValue",
                    NotResource: "arn:aws:secretsmanager:*:*:secret:prod/*",
                }),
            ),
        ).toEqual([
            `IAM policy 'app' statement #1 allows secret-reading action "secretsmanager:GetSecretValue" on every resource but its NotResource, so it can read almost every secret value, parameter or KMS-encrypted data of the account: set Resource to the ARNs of the secrets, parameters or keys it must read (for example arn:aws:secretsmanager:us-east-1:123456789012:secret:my-app/*, arn:aws:ssm:us-east-1:123456789012:parameter/my-app/*) instead of using NotResource.`,
        ]);
        expect(
            await messages(
                pack(),
                NO_WILDCARDS,
                policy({
                    Effect: "Allow",
                    Action: "kms:Decrypt",
                    Resource: "*",
                    Condition: {
                        StringEqualsIfExists: { "kms:ViaService": "s3.us-east-1.amazonaws.com" },
                        Bool: { "aws:SecureTransport": "true" },
                    },
                }),
            ),
        ).toEqual([secretsOn('"kms:Decrypt"')]);
    });
});

describe("aws-iam-policy-no-wildcards: AWS managed *FullAccess policies", () => {
    const attach = (policyArn: string) =>
        resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "attach", {
            role: "app",
            policyArn,
        });
    const fullAccess = (owner: string, field: string, arn: string) =>
        `${owner} attaches the AWS managed policy ${arn.split("/").pop()} (${field} '${arn}'), which allows every action of its service on every resource, which this policy rejects in a document of your own: attach a policy of your own that lists the specific actions and resources needed instead.`;

    it("passes read-only and narrower AWS managed policies, and a customer policy named *FullAccess", async () => {
        for (const arn of [
            "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "arn:aws:iam::123456789012:policy/AmazonS3FullAccess",
        ]) {
            expect(await messages(pack(), NO_WILDCARDS, attach(arn))).toEqual([]);
        }
    });

    it("flags *FullAccess policies attached or in a role's managedPolicyArns, with a path too", async () => {
        const s3 = "arn:aws:iam::aws:policy/AmazonS3FullAccess";
        expect(await messages(pack(), NO_WILDCARDS, attach(s3))).toEqual([
            fullAccess("IAM role policy attachment 'attach'", "policyArn", s3),
        ]);
        const lambda = "arn:aws-us-gov:iam::aws:policy/AWSLambda_FullAccess";
        const pathed = "arn:aws:iam::aws:policy/service-role/AmazonSSMFullAccess";
        expect(
            await messages(
                pack(),
                NO_WILDCARDS,
                resource("aws:iam/role:Role", "ops", {
                    assumeRolePolicy: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Effect: "Allow",
                                Principal: { Service: "lambda.amazonaws.com" },
                                Action: "sts:AssumeRole",
                            },
                        ],
                    }),
                    managedPolicyArns: [lambda, pathed],
                }),
            ),
        ).toEqual([
            fullAccess("IAM role 'ops'", "managedPolicyArns", lambda),
            fullAccess("IAM role 'ops'", "managedPolicyArns", pathed),
        ]);
    });
});

describe("aws-iam-role-trust-not-public: wildcard patterns and conditions true on absent keys", () => {
    const role = (statement: Record<string, unknown>) =>
        resource("aws:iam/role:Role", "ci", {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", ...statement }],
            }),
        });
    const GITHUB = "token.actions.githubusercontent.com";
    const EKS = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
    const oidc = (issuer: string, condition: Record<string, unknown>) =>
        role({
            Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${issuer}` },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: condition,
        });
    const BROAD =
        'a StringLike or ArnLike value that leaves the owner to a wildcard ("*", "repo:*", "system:serviceaccount:*", "arn:aws:iam::*:role/*") matches every account, repository or workload';
    const broadSub = (issuer: string) =>
        `IAM role 'ci' trust policy statement #1 lets web identities of the OIDC provider ${issuer} assume the role with a condition on ${issuer}:sub that only matches wildcard patterns: ${BROAD}. Name the owner before any wildcard (for example { StringLike: { "${issuer}:sub": "repo:my-org/my-repo:*" } } for GitHub Actions, or StringEquals on the exact subject).`;
    const noSub = (issuer: string) =>
        `IAM role 'ci' trust policy statement #1 lets web identities of the OIDC provider ${issuer} assume the role without a condition on ${issuer}:sub, so any repository, project or workload that can get a token from that provider (for that audience) can use its permissions: add { StringEquals: { "${issuer}:sub": "<subject>" } } to the Condition (StringLike for a pattern, for example "repo:my-org/my-repo:*" for GitHub Actions).`;
    const broadPrincipal = `IAM role 'ci' trust policy statement #1 lets any AWS principal ("*") assume the role with a Condition on aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount, aws:SourceArn, aws:SourceOrgID, sts:ExternalId that only matches wildcard patterns: ${BROAD}. Name the organization, account or role before any wildcard (for example { StringEquals: { "aws:PrincipalOrgID": "o-..." } } or { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::123456789012:role/deployer-*" } }).`;

    it("passes patterns that name the owner first", async () => {
        for (const [issuer, sub] of [
            [GITHUB, "repo:my-org/*"],
            [GITHUB, ["repo:my-org/app:ref:refs/heads/main", "repo:my-org/app:environment:prod"]],
            [EKS, "system:serviceaccount:apps:*"],
        ] as const) {
            expect(
                await messages(
                    pack(),
                    TRUST,
                    oidc(issuer, { StringLike: { [`${issuer}:sub`]: sub } }),
                ),
            ).toEqual([]);
        }
        expect(
            await messages(
                pack(),
                TRUST,
                role({
                    Principal: { AWS: "*" },
                    Condition: {
                        ArnLike: { "aws:PrincipalArn": "arn:aws:iam::123456789012:role/ci-*" },
                    },
                }),
            ),
        ).toEqual([]);
    });

    it("flags repo:*, system:serviceaccount:* and a list with one broad pattern", async () => {
        for (const [issuer, sub] of [
            [GITHUB, "repo:*"],
            [GITHUB, "repo:*/app:*"],
            [GITHUB, ["repo:my-org/app:*", "repo:*"]],
            [EKS, "system:serviceaccount:*"],
        ] as const) {
            expect(
                await messages(
                    pack(),
                    TRUST,
                    oidc(issuer, { StringLike: { [`${issuer}:sub`]: sub } }),
                ),
            ).toEqual([broadSub(issuer)]);
        }
    });

    it("flags arn:aws:iam::*:role/* on aws:PrincipalArn", async () => {
        expect(
            await messages(
                pack(),
                TRUST,
                role({
                    Principal: "*",
                    Condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/*" } },
                }),
            ),
        ).toEqual([broadPrincipal]);
    });

    it("does not count ForAllValues: or ...IfExists on the subject", async () => {
        for (const condition of [
            { "ForAllValues:StringLike": { [`${GITHUB}:sub`]: "repo:my-org/app:*" } },
            { StringLikeIfExists: { [`${GITHUB}:sub`]: "repo:my-org/app:*" } },
        ]) {
            expect(await messages(pack(), TRUST, oidc(GITHUB, condition))).toEqual([noSub(GITHUB)]);
        }
    });
});
