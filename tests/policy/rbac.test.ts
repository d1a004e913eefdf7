/** RBAC policies, each with a compliant fixture and one failing variant per rule. */
import { UNKNOWN_STRING } from "../../plan/analyzer";
import { messages, resource, usePack } from "./harness";

const pack = usePack();

describe("kubernetes-rolebinding-no-cluster-admin", () => {
    const POLICY = "kubernetes-rolebinding-no-cluster-admin";
    const CLUSTER_ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";
    const ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
    const group = (name: string) => ({
        apiGroup: "rbac.authorization.k8s.io",
        kind: "Group",
        name,
    });
    const binding = (role: string, subjects: unknown[], type = CLUSTER_ROLE_BINDING) =>
        resource(type, "admins", {
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
            subjects,
        });

    it("passes narrower roles, and cluster-admin bound to system subjects only", async () => {
        expect(await messages(pack(), POLICY, binding("view", [group("developers")]))).toEqual([]);
        expect(
            await messages(pack(), POLICY, binding("cluster-admin", [group("system:masters")])),
        ).toEqual([]);
    });

    it("flags cluster-admin bound to a group", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                binding("cluster-admin", [group("system:masters"), group("developers")]),
            ),
        ).toEqual([
            "ClusterRoleBinding 'admins' binds cluster-admin to Group 'developers', which gives unrestricted access to the whole cluster: bind a ClusterRole (or, in a RoleBinding, a Role) that lists only the verbs and resources this subject needs, such as the built-in view or a role of your own.",
        ]);
    });

    const user = (name: string) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "User", name });
    const serviceAccount = (name: string, namespace?: string) => ({
        kind: "ServiceAccount",
        name,
        ...(namespace ? { namespace } : {}),
    });
    const flagged = (kind: string, subjects: string, many = false) =>
        `${kind} 'admins' binds cluster-admin to ${subjects}, which gives unrestricted access to the whole cluster: bind a ClusterRole (or, in a RoleBinding, a Role) that lists only the verbs and resources ${many ? "these subjects need" : "this subject needs"}, such as the built-in view or a role of your own.`;

    it("passes cluster-admin bound to kube-system service accounts and control-plane users", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                binding("cluster-admin", [
                    serviceAccount("tiller", "kube-system"),
                    user("system:serviceaccount:kube-system:clusterrole-aggregation-controller"),
                    user("system:kube-controller-manager"),
                    user("system:kube-scheduler"),
                ]),
            ),
        ).toEqual([]);
        // A RoleBinding's ServiceAccount subjects default to the binding's own namespace.
        expect(
            await messages(
                pack(),
                POLICY,
                resource(ROLE_BINDING, "admins", {
                    metadata: { name: "admins", namespace: "kube-system" },
                    roleRef: {
                        apiGroup: "rbac.authorization.k8s.io",
                        kind: "ClusterRole",
                        name: "cluster-admin",
                    },
                    subjects: [serviceAccount("addon-manager")],
                }),
            ),
        ).toEqual([]);
    });

    it("passes a subject or role computed from other resources (unknown during preview)", async () => {
        expect(
            await messages(pack(), POLICY, binding("cluster-admin", [group(UNKNOWN_STRING)])),
        ).toEqual([]);
        expect(await messages(pack(), POLICY, binding(UNKNOWN_STRING, [group("devs")]))).toEqual(
            [],
        );
    });

    it("flags the system: groups and users that stand for everyone, and nodes", async () => {
        const cases: [Record<string, unknown>, string][] = [
            [
                group("system:authenticated"),
                "Group 'system:authenticated' (every authenticated user)",
            ],
            [
                group("system:unauthenticated"),
                "Group 'system:unauthenticated' (every anonymous request)",
            ],
            [user("system:anonymous"), "User 'system:anonymous' (anonymous requests)"],
            [
                group("system:serviceaccounts"),
                "Group 'system:serviceaccounts' (every service account of the cluster)",
            ],
            [
                group("system:serviceaccounts:kube-system"),
                "Group 'system:serviceaccounts:kube-system' (every service account in namespace kube-system)",
            ],
            [group("system:nodes"), "Group 'system:nodes' (the kubelet of every node)"],
            [
                user("system:node:ip-10-0-0-1"),
                "User 'system:node:ip-10-0-0-1' (the kubelet of node ip-10-0-0-1)",
            ],
            [user("system:kube-proxy"), "User 'system:kube-proxy'"],
        ];
        for (const [subject, named] of cases) {
            expect(
                await messages(
                    pack(),
                    POLICY,
                    binding("cluster-admin", [group("system:masters"), subject]),
                ),
            ).toEqual([flagged("ClusterRoleBinding", named)]);
        }
    });

    it("flags service accounts outside kube-system, in either spelling", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                binding("cluster-admin", [
                    user("system:serviceaccount:ci:deployer"),
                    serviceAccount("deployer", "ci"),
                    serviceAccount("no-namespace"),
                ]),
            ),
        ).toEqual([
            flagged(
                "ClusterRoleBinding",
                "User 'system:serviceaccount:ci:deployer' (service account deployer in namespace ci), ServiceAccount 'deployer', ServiceAccount 'no-namespace'",
                true,
            ),
        ]);
    });

    it("flags a RoleBinding of cluster-admin to a user and a service account", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                binding(
                    "cluster-admin",
                    [
                        { apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "alice" },
                        { kind: "ServiceAccount", name: "ci", namespace: "app" },
                    ],
                    ROLE_BINDING,
                ),
            ),
        ).toEqual([
            "RoleBinding 'admins' binds cluster-admin to User 'alice', ServiceAccount 'ci', which gives unrestricted access to the whole cluster: bind a ClusterRole (or, in a RoleBinding, a Role) that lists only the verbs and resources these subjects need, such as the built-in view or a role of your own.",
        ]);
    });
});

describe("kubernetes-role-no-wildcards", () => {
    const POLICY = "kubernetes-role-no-wildcards";
    const ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role";
    const CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole";
    /** Like Workload's app-deployer: explicit verbs and resources. */
    const deployer = { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "update"] };
    const role = (rule: Record<string, unknown>, type = ROLE) =>
        resource(type, "deployer", { rules: [deployer, { ...deployer, ...rule }] });

    it("passes explicit verbs, resources and API groups", async () => {
        expect(await messages(pack(), POLICY, role({}))).toEqual([]);
        expect(await messages(pack(), POLICY, role({}, CLUSTER_ROLE))).toEqual([]);
    });

    it('flags "*" in verbs', async () => {
        expect(await messages(pack(), POLICY, role({ verbs: ["get", "*"] }))).toEqual([
            `Role 'deployer' has "*" in rules[1].verbs, which grants every one of them, including those added later: list the exact verbs the role needs instead of "*" (for example verbs: ["get", "list", "watch"]).`,
        ]);
    });

    it('flags "*" in resources', async () => {
        expect(await messages(pack(), POLICY, role({ resources: ["*"] }, CLUSTER_ROLE))).toEqual([
            `ClusterRole 'deployer' has "*" in rules[1].resources, which grants every one of them, including those added later: list the exact resources the role needs instead of "*" (for example verbs: ["get", "list", "watch"]).`,
        ]);
    });

    it('flags "*" in apiGroups, and every wildcard field of a rule at once', async () => {
        expect(await messages(pack(), POLICY, role({ apiGroups: ["*"] }))).toEqual([
            `Role 'deployer' has "*" in rules[1].apiGroups, which grants every one of them, including those added later: list the exact API groups the role needs instead of "*" (for example verbs: ["get", "list", "watch"]).`,
        ]);
        expect(
            await messages(
                pack(),
                POLICY,
                role({ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }),
            ),
        ).toEqual([
            `Role 'deployer' has "*" in rules[1].apiGroups, rules[1].resources, rules[1].verbs, which grants every one of them, including those added later: list the exact API groups, resources and verbs the role needs instead of "*" (for example verbs: ["get", "list", "watch"]).`,
        ]);
    });
});

describe("kubernetes-role-no-wildcards on subresources and non-resource URLs", () => {
    const POLICY = "kubernetes-role-no-wildcards";
    const CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole";
    const role = (...rules: Record<string, unknown>[]) =>
        resource(CLUSTER_ROLE, "scaler", { rules });

    it("passes named subresources and non-resource URL prefixes", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                role(
                    { apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["update"] },
                    { nonResourceURLs: ["/healthz", "/metrics/*"], verbs: ["get"] },
                ),
            ),
        ).toEqual([]);
    });

    it('flags "*" on either side of a subresource', async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                role({
                    apiGroups: ["", "apps"],
                    resources: ["*/scale", "pods/*"],
                    verbs: ["get", "update"],
                }),
            ),
        ).toEqual([
            `ClusterRole 'scaler' has "*/scale", "pods/*" in rules[0].resources, wildcards that grant every match, including those added later: list the exact resources the role needs instead (for example resources: ["deployments/scale"] rather than "*/scale").`,
        ]);
    });

    it('flags nonResourceURLs ["*"]', async () => {
        expect(
            await messages(pack(), POLICY, role({ nonResourceURLs: ["*"], verbs: ["get"] })),
        ).toEqual([
            `ClusterRole 'scaler' has "*" in rules[0].nonResourceURLs, which grants every one of them, including those added later: list the exact non-resource URLs the role needs instead of "*" (for example verbs: ["get", "list", "watch"]).`,
        ]);
    });
});

describe("aws-iam-policy-no-wildcards", () => {
    const POLICY = "aws-iam-policy-no-wildcards";
    const document = (...statements: Record<string, unknown>[]) =>
        JSON.stringify({ Version: "2012-10-17", Statement: statements });
    /** The statements of AsgFleet's ECR pull policy. */
    const ecrLogin = {
        Sid: "EcrLogin",
        Effect: "Allow",
        Action: "ecr:GetAuthorizationToken",
        Resource: "*",
    };
    const pull = {
        Effect: "Allow",
        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        Resource: "arn:aws:ecr:us-east-1:123456789012:repository/app",
    };
    const rolePolicy = (...statements: Record<string, unknown>[]) =>
        resource("aws:iam/rolePolicy:RolePolicy", "app-ecr-pull", {
            role: "app",
            policy: document(ecrLogin, pull, ...statements),
        });

    it("passes AsgFleet's ECR pull policy, reads on *, Deny statements and scoped writes", async () => {
        expect(await messages(pack(), POLICY, rolePolicy())).toEqual([]);
        expect(
            await messages(
                pack(),
                POLICY,
                rolePolicy(
                    { Effect: "Allow", Action: ["s3:List*", "ec2:Describe*"], Resource: "*" },
                    { Effect: "Deny", Action: "*", Resource: "*" },
                    { Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::logs/*" },
                ),
            ),
        ).toEqual([]);
    });

    it('flags Action "*" in every identity policy type, the document given as an object too', async () => {
        const admin = { Effect: "Allow", Action: "*", Resource: "*" };
        const types: [string, string][] = [
            ["aws:iam/policy:Policy", "IAM policy"],
            ["aws:iam/rolePolicy:RolePolicy", "IAM role policy"],
            ["aws:iam/userPolicy:UserPolicy", "IAM user policy"],
            ["aws:iam/groupPolicy:GroupPolicy", "IAM group policy"],
        ];
        for (const [type, what] of types) {
            expect(
                await messages(
                    pack(),
                    POLICY,
                    resource(type, "admin", { policy: document(admin) }),
                ),
            ).toEqual([
                `${what} 'admin' statement #1 allows every action ("*"), which makes its holder an administrator: list the specific actions needed (for example "s3:GetObject", "s3:PutObject") instead.`,
            ]);
        }
        expect(
            await messages(
                pack(),
                POLICY,
                resource("aws:iam/policy:Policy", "admin", {
                    policy: { Version: "2012-10-17", Statement: { ...admin, Action: "*:*" } },
                }),
            ),
        ).toEqual([
            `IAM policy 'admin' statement #1 allows every action ("*:*"), which makes its holder an administrator: list the specific actions needed (for example "s3:GetObject", "s3:PutObject") instead.`,
        ]);
    });

    it("flags write actions on Resource *", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                rolePolicy({
                    Effect: "Allow",
                    Action: ["s3:GetObject", "s3:PutObject", "ec2:*"],
                    Resource: ["*"],
                }),
            ),
        ).toEqual([
            `IAM role policy 'app-ecr-pull' statement #3 allows write actions "s3:PutObject", "ec2:*" on Resource "*", so they can change every resource of the account: set Resource to the ARNs they must change (for example arn:aws:s3:::my-bucket/*), or limit the statement with a Condition on the resources' tags (aws:ResourceTag/..., aws:RequestTag/...) or on a condition key of the service.`,
        ]);
    });

    it("flags NotAction, and writes with NotResource", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                rolePolicy({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }),
            ),
        ).toEqual([
            `IAM role policy 'app-ecr-pull' statement #3 allows every action but its NotAction list, which includes any action AWS adds later: list the specific actions needed in Action instead of using NotAction.`,
        ]);
        expect(
            await messages(
                pack(),
                POLICY,
                rolePolicy({
                    Sid: "Tagging",
                    Effect: "Allow",
                    Action: "ec2:CreateTags",
                    NotResource: "arn:aws:ec2:*:*:vpc/*",
                }),
            ),
        ).toEqual([
            `IAM role policy 'app-ecr-pull' statement "Tagging" allows write action "ec2:CreateTags" on every resource but its NotResource, so it can change almost every resource of the account: set Resource to the ARNs it must change (for example arn:aws:s3:::my-bucket/*) instead of using NotResource.`,
        ]);
    });

    it("checks the inline policies of a role", async () => {
        const role = (policy: string) =>
            resource("aws:iam/role:Role", "app", {
                assumeRolePolicy: document({
                    Effect: "Allow",
                    Principal: { Service: "ec2.amazonaws.com" },
                    Action: "sts:AssumeRole",
                }),
                inlinePolicies: [{ name: "ecr", policy: document(ecrLogin, pull) }, { policy }],
            });
        expect(await messages(pack(), POLICY, role(document(pull)))).toEqual([]);
        expect(
            await messages(
                pack(),
                POLICY,
                role(document({ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" })),
            ),
        ).toEqual([
            `IAM role 'app' inline policy #2 statement #1 allows write action "sqs:SendMessage" on Resource "*", so it can change every resource of the account: set Resource to the ARNs it must change (for example arn:aws:s3:::my-bucket/*), or limit the statement with a Condition on the resources' tags (aws:ResourceTag/..., aws:RequestTag/...) or on a condition key of the service.`,
        ]);
    });
});

describe('aws-iam-policy-no-wildcards: conditions, Resource-"*"-only actions and managed policies', () => {
    const POLICY = "aws-iam-policy-no-wildcards";
    const policy = (...statements: Record<string, unknown>[]) =>
        resource("aws:iam/policy:Policy", "controller", {
            policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }),
        });
    const onEverything = (writes: string, it = "they") =>
        `IAM policy 'controller' statement #1 allows write action${it === "they" ? "s" : ""} ${writes} on Resource "*", so ${it} can change every resource of the account: set Resource to the ARNs ${it} must change (for example arn:aws:s3:::my-bucket/*), or limit the statement with a Condition on the resources' tags (aws:ResourceTag/..., aws:RequestTag/...) or on a condition key of the service.`;

    it("passes writes on * that a Condition limits to tagged resources or a service key (cluster autoscaler, AWS Load Balancer Controller, EBS CSI driver)", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                policy(
                    {
                        Effect: "Allow",
                        Action: [
                            "autoscaling:SetDesiredCapacity",
                            "autoscaling:TerminateInstanceInAutoScalingGroup",
                        ],
                        Resource: "*",
                        Condition: {
                            StringEquals: {
                                "aws:ResourceTag/k8s.io/cluster-autoscaler/fleet": "owned",
                            },
                        },
                    },
                    {
                        Effect: "Allow",
                        Action: ["elasticloadbalancing:ModifyLoadBalancerAttributes"],
                        Resource: "*",
                        Condition: { Null: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } },
                    },
                    {
                        Effect: "Allow",
                        Action: ["ec2:CreateTags"],
                        Resource: "*",
                        Condition: {
                            StringEquals: {
                                "ec2:CreateAction": ["CreateVolume", "CreateSnapshot"],
                            },
                        },
                    },
                ),
            ),
        ).toEqual([]);
    });

    it("passes the writes AWS only accepts on Resource *", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                policy({
                    Effect: "Allow",
                    Action: [
                        "cloudwatch:PutMetricData",
                        "xray:PutTraceSegments",
                        "xray:PutTelemetryRecords",
                        "ssmmessages:CreateControlChannel",
                        "ssmmessages:OpenDataChannel",
                    ],
                    Resource: "*",
                }),
            ),
        ).toEqual([]);
    });

    it("flags writes on * with a Condition that limits no resource, and lists only the other writes next to Resource-*-only ones", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                policy({
                    Effect: "Allow",
                    Action: ["cloudwatch:PutMetricData", "ec2:TerminateInstances"],
                    Resource: "*",
                    Condition: {
                        IpAddress: { "aws:SourceIp": "203.0.113.0/24" },
                        StringEquals: { "aws:RequestedRegion": "us-east-1" },
                    },
                }),
            ),
        ).toEqual([onEverything('"ec2:TerminateInstances"', "it")]);
    });

    it('flags Action "*" whatever its Condition', async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                policy({
                    Effect: "Allow",
                    Action: "*",
                    Resource: "*",
                    Condition: { StringEquals: { "aws:ResourceTag/team": "platform" } },
                }),
            ),
        ).toEqual([
            `IAM policy 'controller' statement #1 allows every action ("*"), which makes its holder an administrator: list the specific actions needed (for example "s3:GetObject", "s3:PutObject") instead.`,
        ]);
    });

    it("skips a policy document computed from other resources (unknown during preview)", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                resource("aws:iam/rolePolicy:RolePolicy", "computed", { policy: UNKNOWN_STRING }),
            ),
        ).toEqual([]);
    });

    const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";
    const admin = (owner: string, field: string, arn = ADMIN) =>
        `${owner} attaches the AWS managed policy ${arn.split("/").pop()} (${field} '${arn}'), which ${
            {
                AdministratorAccess: "allows every action on every resource",
                PowerUserAccess:
                    "allows every action but IAM, Organizations and account management on every resource",
                IAMFullAccess:
                    "allows every IAM action, so its holder can grant itself any permission",
            }[arn.split("/").pop()!]
        }: attach a policy of your own that lists the specific actions and resources needed instead.`;

    it("passes narrower AWS managed policies, and ARNs computed from other resources", async () => {
        for (const arn of [
            "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
            "arn:aws:iam::aws:policy/AdministratorAccess-Amplify",
            "arn:aws:iam::123456789012:policy/AdministratorAccess",
            UNKNOWN_STRING,
        ]) {
            expect(
                await messages(
                    pack(),
                    POLICY,
                    resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "attach", {
                        role: "app",
                        policyArn: arn,
                    }),
                ),
            ).toEqual([]);
        }
    });

    it("flags AdministratorAccess attached in every way", async () => {
        const single: [string, string][] = [
            ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", "IAM role policy attachment"],
            ["aws:iam/userPolicyAttachment:UserPolicyAttachment", "IAM user policy attachment"],
            ["aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "IAM group policy attachment"],
            ["aws:iam/policyAttachment:PolicyAttachment", "IAM policy attachment"],
        ];
        for (const [type, what] of single) {
            expect(
                await messages(pack(), POLICY, resource(type, "admin", { policyArn: ADMIN })),
            ).toEqual([admin(`${what} 'admin'`, "policyArn")]);
        }
        const many: [string, string][] = [
            [
                "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
                "IAM role policy attachments",
            ],
            [
                "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
                "IAM user policy attachments",
            ],
            [
                "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
                "IAM group policy attachments",
            ],
        ];
        for (const [type, what] of many) {
            expect(
                await messages(
                    pack(),
                    POLICY,
                    resource(type, "admin", {
                        policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess", ADMIN],
                    }),
                ),
            ).toEqual([admin(`${what} 'admin'`, "policyArns")]);
        }
    });

    it("flags PowerUserAccess and IAMFullAccess in a role's managedPolicyArns, in any partition", async () => {
        const power = "arn:aws-us-gov:iam::aws:policy/PowerUserAccess";
        const iam = "arn:aws-cn:iam::aws:policy/IAMFullAccess";
        expect(
            await messages(
                pack(),
                POLICY,
                resource("aws:iam/role:Role", "ops", {
                    assumeRolePolicy: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Effect: "Allow",
                                Principal: { Service: "ec2.amazonaws.com" },
                                Action: "sts:AssumeRole",
                            },
                        ],
                    }),
                    managedPolicyArns: [power, iam],
                }),
            ),
        ).toEqual([
            admin("IAM role 'ops'", "managedPolicyArns", power),
            admin("IAM role 'ops'", "managedPolicyArns", iam),
        ]);
    });
});

describe("aws-iam-role-trust-not-public", () => {
    const POLICY = "aws-iam-role-trust-not-public";
    const role = (statement: Record<string, unknown>) =>
        resource("aws:iam/role:Role", "app", {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", ...statement }],
            }),
        });
    const publicTrust = `IAM role 'app' trust policy statement #1 lets any AWS principal ("*") assume the role without a Condition, so any AWS account can use its permissions: set Principal to the accounts, roles or services that need it (for example { AWS: "arn:aws:iam::123456789012:root" } or { Service: "ec2.amazonaws.com" }), or add a Condition such as { StringEquals: { "aws:PrincipalOrgID": "o-..." } }.`;

    it("passes a service principal, an account, and * restricted by a Condition", async () => {
        for (const statement of [
            { Principal: { Service: "ec2.amazonaws.com" } },
            { Principal: { AWS: "arn:aws:iam::123456789012:root" } },
            {
                Principal: { AWS: "*" },
                Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
            },
            { Effect: "Deny", Principal: "*" },
        ]) {
            expect(await messages(pack(), POLICY, role(statement))).toEqual([]);
        }
    });

    it('flags Principal "*"', async () => {
        expect(await messages(pack(), POLICY, role({ Principal: "*" }))).toEqual([publicTrust]);
    });

    it('flags Principal { AWS: "*" }, alone or in a list, and an empty Condition', async () => {
        expect(await messages(pack(), POLICY, role({ Principal: { AWS: "*" } }))).toEqual([
            publicTrust,
        ]);
        expect(
            await messages(
                pack(),
                POLICY,
                role({
                    Principal: { AWS: ["arn:aws:iam::123456789012:root", "*"] },
                    Condition: {},
                }),
            ),
        ).toEqual([publicTrust]);
    });
});

describe("aws-iam-role-trust-not-public: conditions and OIDC providers", () => {
    const POLICY = "aws-iam-role-trust-not-public";
    const role = (statement: Record<string, unknown>) =>
        resource("aws:iam/role:Role", "ci", {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", ...statement }],
            }),
        });
    const weakCondition = `IAM role 'ci' trust policy statement #1 lets any AWS principal ("*") assume the role with a Condition that does not limit who may (no StringEquals, StringLike, ArnEquals or ArnLike on aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount, aws:SourceArn, aws:SourceOrgID, sts:ExternalId), so any AWS account can use its permissions: set Principal to the accounts, roles or services that need it (for example { AWS: "arn:aws:iam::123456789012:root" } or { Service: "ec2.amazonaws.com" }), or add a Condition such as { StringEquals: { "aws:PrincipalOrgID": "o-..." } }.`;
    const GITHUB = "token.actions.githubusercontent.com";
    const oidc = (issuer: string, condition?: Record<string, unknown>) =>
        role({
            Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${issuer}` },
            Action: "sts:AssumeRoleWithWebIdentity",
            ...(condition ? { Condition: condition } : {}),
        });
    const noSub = (issuer: string) =>
        `IAM role 'ci' trust policy statement #1 lets web identities of the OIDC provider ${issuer} assume the role without a condition on ${issuer}:sub, so any repository, project or workload that can get a token from that provider (for that audience) can use its permissions: add { StringEquals: { "${issuer}:sub": "<subject>" } } to the Condition (StringLike for a pattern, for example "repo:my-org/my-repo:*" for GitHub Actions).`;

    it("passes * narrowed by each principal key, keys in any case", async () => {
        for (const [operator, key, value] of [
            ["StringEquals", "AWS:PrincipalOrgId", "o-abc123"],
            [
                "ForAnyValue:StringLike",
                "aws:PrincipalOrgPaths",
                "o-abc123/r-ab12/ou-ab12-11111111/*",
            ],
            ["StringEquals", "aws:PrincipalAccount", "123456789012"],
            ["ArnLike", "aws:PrincipalArn", "arn:aws:iam::123456789012:role/deployer-*"],
            ["StringEquals", "aws:SourceAccount", "123456789012"],
            ["ArnEquals", "aws:SourceArn", "arn:aws:sns:us-east-1:123456789012:alerts"],
            ["StringEquals", "aws:SourceOrgID", "o-abc123"],
            ["StringEquals", "sts:ExternalId", "3f1c9a7e"],
        ]) {
            expect(
                await messages(
                    pack(),
                    POLICY,
                    role({ Principal: { AWS: "*" }, Condition: { [operator]: { [key]: value } } }),
                ),
            ).toEqual([]);
        }
    });

    it("flags * with a Condition that does not narrow the principal", async () => {
        for (const condition of [
            { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } },
            { StringNotEquals: { "aws:PrincipalOrgID": "o-abc123" } },
            { StringEqualsIfExists: { "aws:PrincipalOrgID": "o-abc123" } },
            { StringLike: { "aws:PrincipalArn": "*" } },
        ]) {
            expect(
                await messages(pack(), POLICY, role({ Principal: "*", Condition: condition })),
            ).toEqual([weakCondition]);
        }
    });

    it("passes OIDC providers whose subject claim is pinned, and skips a trust policy computed from other resources", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                oidc(GITHUB, {
                    StringEquals: { [`${GITHUB}:aud`]: "sts.amazonaws.com" },
                    StringLike: { [`${GITHUB}:sub`]: "repo:my-org/my-repo:*" },
                }),
            ),
        ).toEqual([]);
        expect(
            await messages(
                pack(),
                POLICY,
                oidc("api.pulumi.com/oidc", {
                    StringEquals: {
                        "api.pulumi.com/oidc:aud": "my-org",
                        "api.pulumi.com/oidc:sub":
                            "pulumi:deploy:org:my-org:project:fleet:stack:prod:operation:update:scope:write",
                    },
                }),
            ),
        ).toEqual([]);
        expect(
            await messages(
                pack(),
                POLICY,
                resource("aws:iam/role:Role", "ci", { assumeRolePolicy: UNKNOWN_STRING }),
            ),
        ).toEqual([]);
    });

    it("flags OIDC providers trusted on the audience alone, or on a subject of *", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                oidc(GITHUB, { StringEquals: { [`${GITHUB}:aud`]: "sts.amazonaws.com" } }),
            ),
        ).toEqual([noSub(GITHUB)]);
        const eks = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
        expect(await messages(pack(), POLICY, oidc(eks))).toEqual([noSub(eks)]);
        expect(
            await messages(
                pack(),
                POLICY,
                oidc("api.pulumi.com/oidc", { StringLike: { "api.pulumi.com/oidc:sub": "*" } }),
            ),
        ).toEqual([noSub("api.pulumi.com/oidc")]);
    });
});

describe("gcp-gke-no-legacy-abac", () => {
    const POLICY = "gcp-gke-no-legacy-abac";
    const cluster = (props: Record<string, unknown>) =>
        resource("gcp:container/cluster:Cluster", "fleet", { location: "europe-west1", ...props });

    it("passes a cluster with legacy ABAC off or left to the default", async () => {
        expect(await messages(pack(), POLICY, cluster({ enableLegacyAbac: false }))).toEqual([]);
        expect(await messages(pack(), POLICY, cluster({}))).toEqual([]);
    });

    it("flags legacy ABAC", async () => {
        expect(await messages(pack(), POLICY, cluster({ enableLegacyAbac: true }))).toEqual([
            "GKE cluster 'fleet' sets enableLegacyAbac to true, which grants broad static permissions (service accounts included) outside Kubernetes RBAC: set enableLegacyAbac to false (or remove it; false is the default) and grant access with RBAC Roles and RoleBindings.",
        ]);
    });
});

describe("gcp-gke-rbac-groups", () => {
    const POLICY = "gcp-gke-rbac-groups";
    const cluster = (props: Record<string, unknown>) =>
        resource("gcp:container/cluster:Cluster", "fleet", { location: "europe-west1", ...props });

    it("passes a cluster with Google Groups for RBAC", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                cluster({
                    authenticatorGroupsConfig: {
                        securityGroup: "gke-security-groups@example.com",
                    },
                }),
            ),
        ).toEqual([]);
    });

    it("advises a cluster without a security group", async () => {
        expect(await messages(pack(), POLICY, cluster({}))).toEqual([
            `GKE cluster 'fleet' does not set authenticatorGroupsConfig.securityGroup, so its RoleBindings cannot name Google Groups and access must be granted user by user: set authenticatorGroupsConfig to { securityGroup: "gke-security-groups@<your domain>" } (GkeCluster's rbacGroupDomain) and make the groups you bind members of that group.`,
        ]);
    });
});

describe("azure-role-assignment-no-subscription-owner", () => {
    const POLICY = "azure-role-assignment-no-subscription-owner";
    const SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000000";
    const OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
    const CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c";
    const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
    const role = (guid: string) =>
        `${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
    const assignment = (scope: string, guid: string) =>
        resource("azure-native:authorization:RoleAssignment", "ops", {
            scope,
            roleDefinitionId: role(guid),
            principalId: "11111111-1111-1111-1111-111111111111",
            principalType: "Group",
        });
    const fix = (roleName: string, scope: string) =>
        `Role assignment 'ops' grants ${roleName} on the whole subscription '${scope}': set scope to the resource group or resource the principal manages, or assign a narrower built-in role (for example Reader, or a service-specific Contributor role such as Storage Account Contributor).`;

    it("passes Contributor on a resource group (as ArcGovernance assigns it) and Reader on a subscription", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                assignment(`${SUBSCRIPTION}/resourceGroups/fleet`, CONTRIBUTOR),
            ),
        ).toEqual([]);
        expect(await messages(pack(), POLICY, assignment(SUBSCRIPTION, READER))).toEqual([]);
    });

    it("flags Owner on a subscription", async () => {
        expect(await messages(pack(), POLICY, assignment(SUBSCRIPTION, OWNER))).toEqual([
            fix("Owner", SUBSCRIPTION),
        ]);
    });

    const UAA = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
    const MANAGEMENT_GROUP = "/providers/Microsoft.Management/managementGroups/fleet";

    it("passes User Access Administrator on a resource group, and a role or scope computed from other resources", async () => {
        expect(
            await messages(pack(), POLICY, assignment(`${SUBSCRIPTION}/resourceGroups/fleet`, UAA)),
        ).toEqual([]);
        expect(await messages(pack(), POLICY, assignment(UNKNOWN_STRING, OWNER))).toEqual([]);
        expect(
            await messages(
                pack(),
                POLICY,
                resource("azure-native:authorization:RoleAssignment", "ops", {
                    scope: SUBSCRIPTION,
                    roleDefinitionId: UNKNOWN_STRING,
                }),
            ),
        ).toEqual([]);
    });

    it("flags User Access Administrator on a subscription", async () => {
        expect(await messages(pack(), POLICY, assignment(SUBSCRIPTION, UAA))).toEqual([
            fix("User Access Administrator", SUBSCRIPTION),
        ]);
    });

    it("flags Owner on a management group and Contributor at the root scope", async () => {
        const narrower = `: set scope to the resource group or resource the principal manages, or assign a narrower built-in role (for example Reader, or a service-specific Contributor role such as Storage Account Contributor).`;
        expect(await messages(pack(), POLICY, assignment(MANAGEMENT_GROUP, OWNER))).toEqual([
            `Role assignment 'ops' grants Owner on the whole management group '${MANAGEMENT_GROUP}'${narrower}`,
        ]);
        expect(await messages(pack(), POLICY, assignment("/", CONTRIBUTOR))).toEqual([
            `Role assignment 'ops' grants Contributor on the root scope '/' (every management group and subscription of the tenant)${narrower}`,
        ]);
    });

    it("flags Contributor on a subscription given with a trailing slash", async () => {
        expect(await messages(pack(), POLICY, assignment(`${SUBSCRIPTION}/`, CONTRIBUTOR))).toEqual(
            [fix("Contributor", `${SUBSCRIPTION}/`)],
        );
    });

    const RBAC_ADMIN = "f58310d9-a9f6-439a-9e8d-f62e7b41a168";
    /** Azure's "Constrain roles" template: only Backup Contributor and Backup Reader. */
    const CONSTRAIN_ROLES =
        "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {5e467623-bb1f-42f4-a55d-6e525e11384b, a795c7a0-d4a2-40c1-ae25-d81f01202912})) AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {5e467623-bb1f-42f4-a55d-6e525e11384b, a795c7a0-d4a2-40c1-ae25-d81f01202912}))";
    const delegated = (scope: string, condition?: string) =>
        resource("azure-native:authorization:RoleAssignment", "ops", {
            scope,
            roleDefinitionId: role(RBAC_ADMIN),
            principalId: "11111111-1111-1111-1111-111111111111",
            principalType: "Group",
            ...(condition === undefined ? {} : { condition, conditionVersion: "2.0" }),
        });
    const unconstrained = (scope: string) =>
        `Role assignment 'ops' grants Role Based Access Control Administrator on ${scope} without a condition on the roles it may assign, so the principal can assign itself or anyone Owner there: set scope to the resource group or resource the principal manages, or add a condition (conditionVersion "2.0") that tests @Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId], for example one that only allows the roles the principal hands out, or excludes Owner, User Access Administrator and Role Based Access Control Administrator.`;

    it("passes Role Based Access Control Administrator on a resource group, or on a subscription with a condition that constrains the roles, or one not known yet", async () => {
        expect(
            await messages(pack(), POLICY, delegated(`${SUBSCRIPTION}/resourceGroups/fleet`)),
        ).toEqual([]);
        expect(await messages(pack(), POLICY, delegated(SUBSCRIPTION, CONSTRAIN_ROLES))).toEqual(
            [],
        );
        expect(await messages(pack(), POLICY, delegated(SUBSCRIPTION, UNKNOWN_STRING))).toEqual([]);
    });

    it("flags Role Based Access Control Administrator on a subscription without a condition", async () => {
        expect(await messages(pack(), POLICY, delegated(SUBSCRIPTION))).toEqual([
            unconstrained(`the whole subscription '${SUBSCRIPTION}'`),
        ]);
    });

    it("flags Role Based Access Control Administrator on a management group and at the root scope, with a condition that leaves the roles free", async () => {
        const principalTypesOnly =
            "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'User', 'Group'}))";
        expect(
            await messages(pack(), POLICY, delegated(MANAGEMENT_GROUP, principalTypesOnly)),
        ).toEqual([unconstrained(`the whole management group '${MANAGEMENT_GROUP}'`)]);
        expect(await messages(pack(), POLICY, delegated("/", ""))).toEqual([
            unconstrained(
                "the root scope '/' (every management group and subscription of the tenant)",
            ),
        ]);
    });
});

describe("kubernetes-rolebinding-no-cluster-admin with exemptSubjects", () => {
    const POLICY = "kubernetes-rolebinding-no-cluster-admin";
    // A vendor's bootstrap service account (the mock of Google's attached-cluster installer,
    // plan/mocks.ts, binds one), accepted by exact kind, name and namespace only.
    const installer = { kind: "ServiceAccount", name: "gke-install", namespace: "gke-install" };
    const exempting = usePack({
        [POLICY]: { enforcementLevel: "mandatory", exemptSubjects: [installer] },
    });
    const binding = (subjects: unknown[]) =>
        resource("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "bootstrap", {
            roleRef: {
                apiGroup: "rbac.authorization.k8s.io",
                kind: "ClusterRole",
                name: "cluster-admin",
            },
            subjects,
        });

    it("accepts the listed subject, and nothing that only resembles it", async () => {
        expect(await messages(exempting(), POLICY, binding([installer]))).toEqual([]);
        expect(
            await messages(
                exempting(),
                POLICY,
                binding([
                    { ...installer, namespace: "default" },
                    { kind: "User", name: "gke-install" },
                ]),
            ),
        ).toEqual([
            "ClusterRoleBinding 'bootstrap' binds cluster-admin to ServiceAccount 'gke-install', User 'gke-install', which gives unrestricted access to the whole cluster: bind a ClusterRole (or, in a RoleBinding, a Role) that lists only the verbs and resources these subjects need, such as the built-in view or a role of your own.",
        ]);
    });

    it("is not exempted without the config", async () => {
        expect(await messages(pack(), POLICY, binding([installer]))).toHaveLength(1);
    });
});
