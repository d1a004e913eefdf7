/** RBAC policies, each with a compliant fixture and one failing variant per rule. */
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
            `IAM role policy 'app-ecr-pull' statement #3 allows write actions "s3:PutObject", "ec2:*" on Resource "*", so they can change every resource of the account: set Resource to the ARNs they must change (for example arn:aws:s3:::my-bucket/*).`,
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
            `IAM role 'app' inline policy #2 statement #1 allows write action "sqs:SendMessage" on Resource "*", so it can change every resource of the account: set Resource to the ARNs it must change (for example arn:aws:s3:::my-bucket/*).`,
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

    it("flags Contributor on a subscription given with a trailing slash", async () => {
        expect(await messages(pack(), POLICY, assignment(`${SUBSCRIPTION}/`, CONTRIBUTOR))).toEqual(
            [fix("Contributor", `${SUBSCRIPTION}/`)],
        );
    });
});
