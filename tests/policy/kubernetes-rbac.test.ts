/**
 * Kubernetes RBAC policies of issue 19 (broad subjects, admin and edit, escalation verbs, Secrets),
 * each with a compliant fixture and one failing variant per rule; the program's own deployer Role
 * and RoleBinding (components/app/Workload.ts) must pass every one of them.
 */
import { workloadObjects, workloadSpec } from "../../components/app/Workload";
import type { AnalyzedResource } from "../../plan/analyzer";
import { UNKNOWN_STRING } from "../../plan/analyzer";
import { messages, resource, usePack } from "./harness";

const pack = usePack();

const RBAC = "rbac.authorization.k8s.io";
const TYPE = (kind: string, version = "v1") => `kubernetes:${RBAC}/${version}:${kind}`;
const ROLE = TYPE("Role");
const CLUSTER_ROLE = TYPE("ClusterRole");
const ROLE_BINDING = TYPE("RoleBinding");
const CLUSTER_ROLE_BINDING = TYPE("ClusterRoleBinding");

const POLICIES = [
    "kubernetes-rolebinding-no-broad-subjects",
    "kubernetes-rolebinding-no-admin-edit",
    "kubernetes-role-no-escalation-verbs",
    "kubernetes-role-no-secret-writes",
    "kubernetes-role-no-secret-reads",
];

/** The messages of every policy of this file for `r`. */
async function all(r: AnalyzedResource): Promise<string[]> {
    const found: string[] = [];
    for (const policy of POLICIES) found.push(...(await messages(pack(), policy, r)));
    return found;
}

const group = (name: string) => ({ apiGroup: RBAC, kind: "Group", name });
const user = (name: string) => ({ apiGroup: RBAC, kind: "User", name });
const serviceAccount = (name: string, namespace: string) => ({
    kind: "ServiceAccount",
    name,
    namespace,
});
const binding = (
    role: string,
    subjects: unknown[],
    type = ROLE_BINDING,
    roleKind = "ClusterRole",
) =>
    resource(type, "grant", {
        metadata: { name: "grant", namespace: "app" },
        roleRef: { apiGroup: RBAC, kind: roleKind, name: role },
        subjects,
    });
const role = (rules: Record<string, unknown>[], type = ROLE, extra = {}) =>
    resource(type, "ops", { metadata: { name: "ops", namespace: "app" }, rules, ...extra });
/** Like Workload's app-deployer: explicit verbs and resources, nothing on Secrets or RBAC. */
const deploy = { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "update"] };

describe("the program's own RBAC (components/app/Workload.ts)", () => {
    const objects = workloadObjects(
        workloadSpec(
            { image: "registry.example.com/app@sha256:0", ingress: { host: "a.b" } },
            "pulumi",
        ),
    );
    const rbac = objects.filter((o) => o.apiVersion === `${RBAC}/v1`);

    it("passes every policy: the app-deployer Role and its RoleBinding", async () => {
        expect(rbac.map((o) => `${o.kind} ${o.metadata.name}`)).toEqual([
            "Role app-deployer",
            "RoleBinding app-deployers",
        ]);
        for (const o of rbac) {
            expect(await all(resource(TYPE(o.kind), o.metadata.name, { ...o }))).toEqual([]);
        }
    });

    it("would be flagged with a rule that writes Secrets (the fixture reaches the policies)", async () => {
        const deployer = rbac[0];
        const rules = [
            ...(deployer.rules as unknown[]),
            { apiGroups: [""], resources: ["secrets"], verbs: ["patch"] },
        ];
        expect(await all(resource(ROLE, "app-deployer", { ...deployer, rules }))).toEqual([
            `Role 'app-deployer' rules[${rules.length - 1}] grants "patch" on secrets, which lets its holders replace or delete the credentials and TLS keys workloads use, or plant their own: remove this verb from rules[${rules.length - 1}].verbs (keep "get" with resourceNames for Secrets it must read), and let the deployment write Secrets (Pulumi, or an operator such as External Secrets) rather than a role that people or pods hold.`,
        ]);
    });
});

describe("the pack", () => {
    it("loads each policy at its level, with a description in full sentences", async () => {
        const info = await pack().info();
        const levels = POLICIES.map((name) => {
            const policy = info.policies.find((p) => p.name === name);
            expect(policy?.description).toMatch(/^Kubernetes .*\.$/s);
            return [name, policy?.enforcementLevel];
        });
        expect(levels).toEqual([
            ["kubernetes-rolebinding-no-broad-subjects", "mandatory"],
            ["kubernetes-rolebinding-no-admin-edit", "mandatory"],
            ["kubernetes-role-no-escalation-verbs", "mandatory"],
            ["kubernetes-role-no-secret-writes", "mandatory"],
            ["kubernetes-role-no-secret-reads", "advisory"],
        ]);
    });
});

describe("kubernetes-rolebinding-no-broad-subjects", () => {
    const POLICY = "kubernetes-rolebinding-no-broad-subjects";
    const fix =
        "which gives its permissions to identities nobody chose (any new user, Google account or pod): bind it to the users, groups or service accounts that need it instead (a group of your identity provider, or a workload's own ServiceAccount).";

    it("passes named groups, users and service accounts, and one namespace's service accounts", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                binding("view", [
                    group("app-deployers"),
                    user("alice@example.com"),
                    serviceAccount("app", "app"),
                    group("system:serviceaccounts:app"),
                ]),
            ),
        ).toEqual([]);
    });

    it("flags system:authenticated bound to any role, view included", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                binding("view", [group("app-deployers"), group("system:authenticated")]),
            ),
        ).toEqual([
            `RoleBinding 'grant' binds ClusterRole 'view' to subjects[1] Group 'system:authenticated' (every authenticated user: on GKE, anyone signed in with a Google account), ${fix}`,
        ]);
    });

    it("flags system:unauthenticated, system:anonymous and system:serviceaccounts, in a ClusterRoleBinding to a Role of one's own", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                binding(
                    "reader",
                    [
                        group("system:unauthenticated"),
                        user("system:anonymous"),
                        group("system:serviceaccounts"),
                    ],
                    CLUSTER_ROLE_BINDING,
                ),
            ),
        ).toEqual([
            `ClusterRoleBinding 'grant' binds ClusterRole 'reader' to subjects[0] Group 'system:unauthenticated' (every request without credentials), subjects[1] User 'system:anonymous' (every request without credentials), subjects[2] Group 'system:serviceaccounts' (every service account of the cluster, so every pod of every namespace), ${fix}`,
        ]);
    });

    it("flags the names of everyone as a User or a Group, like the gitops lint, in v1beta1 and patches", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                binding(
                    "reader",
                    [user("system:authenticated")],
                    TYPE("RoleBinding", "v1beta1"),
                    "Role",
                ),
            ),
        ).toEqual([
            `RoleBinding 'grant' binds Role 'reader' to subjects[0] User 'system:authenticated' (every authenticated user: on GKE, anyone signed in with a Google account), ${fix}`,
        ]);
        expect(
            await messages(
                pack(),
                POLICY,
                resource(TYPE("ClusterRoleBindingPatch"), "grant", {
                    subjects: [group("system:anonymous")],
                }),
            ),
        ).toEqual([
            `ClusterRoleBinding 'grant' binds its role to subjects[0] Group 'system:anonymous' (every request without credentials), ${fix}`,
        ]);
    });

    it("leaves cluster-admin to kubernetes-rolebinding-no-cluster-admin, and skips subjects not known yet", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                binding("cluster-admin", [group("system:authenticated")]),
            ),
        ).toEqual([]);
        expect(await messages(pack(), POLICY, binding("view", [group(UNKNOWN_STRING)]))).toEqual(
            [],
        );
    });

    it("flags a broad subject bound to a role not known yet", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                binding(UNKNOWN_STRING, [group("system:authenticated")]),
            ),
        ).toEqual([
            `RoleBinding 'grant' binds its role to subjects[0] Group 'system:authenticated' (every authenticated user: on GKE, anyone signed in with a Google account), ${fix}`,
        ]);
    });
});

describe("kubernetes-rolebinding-no-admin-edit", () => {
    const POLICY = "kubernetes-rolebinding-no-admin-edit";
    const edit =
        "which in its namespace reads and writes Secrets and runs pods as any ServiceAccount, so its holders get the API access of every ServiceAccount";
    const fix = (many = false) =>
        `: bind a Role or ClusterRole of your own that lists only the verbs and resources ${many ? "these subjects need" : "this subject needs"} (as Workload's app-deployer does), or the built-in view to read.`;

    it("passes view, roles of one's own, and a Role named edit", async () => {
        expect(await messages(pack(), POLICY, binding("view", [group("developers")]))).toEqual([]);
        expect(await messages(pack(), POLICY, binding("constructor", [group("toString")]))).toEqual(
            [],
        );
        expect(
            await messages(
                pack(),
                POLICY,
                binding("app-deployer", [group("developers")], ROLE_BINDING, "Role"),
            ),
        ).toEqual([]);
        expect(
            await messages(
                pack(),
                POLICY,
                binding("edit", [group("developers")], ROLE_BINDING, "Role"),
            ),
        ).toEqual([]);
    });

    it("flags edit bound to a group in a RoleBinding", async () => {
        expect(await messages(pack(), POLICY, binding("edit", [group("developers")]))).toEqual([
            `RoleBinding 'grant' binds the built-in ClusterRole edit to subjects[0] Group 'developers', ${edit}${fix()}`,
        ]);
    });

    it("flags admin bound cluster-wide, naming each subject, and leaves broad subjects to kubernetes-rolebinding-no-broad-subjects", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                binding(
                    "admin",
                    [
                        user("alice@example.com"),
                        group("system:authenticated"),
                        serviceAccount("ci", "tools"),
                        group("system:serviceaccounts:tools"),
                    ],
                    CLUSTER_ROLE_BINDING,
                ),
            ),
        ).toEqual([
            `ClusterRoleBinding 'grant' binds the built-in ClusterRole admin to subjects[0] User 'alice@example.com', subjects[2] ServiceAccount 'ci', subjects[3] Group 'system:serviceaccounts:tools', which in every namespace reads and writes Secrets, runs pods as any ServiceAccount and manages Roles and RoleBindings, so its holders get the API access of every ServiceAccount and can grant it to others${fix(true)}`,
        ]);
        expect(
            await messages(pack(), POLICY, binding("edit", [group("system:authenticated")])),
        ).toEqual([]);
    });
});

describe("kubernetes-role-no-escalation-verbs", () => {
    const POLICY = "kubernetes-role-no-escalation-verbs";
    const bind = "bind lets its holders bind roles with permissions they do not have";
    const escalate =
        "escalate lets its holders create and update roles with permissions they do not have";
    const impersonate =
        "impersonate lets its holders act as the users, groups or service accounts the rule allows, with their permissions";
    const fix = (i: number, many: boolean) =>
        `a way to any permission up to cluster-admin: remove ${many ? "them" : "it"} from rules[${i}].verbs and grant the subjects the permissions themselves (the API server lets anyone bind, or put in a role, permissions they hold); leave role changes and impersonation to cluster administrators.`;

    it("passes roles that create RoleBindings and Roles without bind or escalate", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                role([
                    deploy,
                    {
                        apiGroups: [RBAC],
                        resources: ["rolebindings", "roles"],
                        verbs: ["get", "create", "update"],
                    },
                ]),
            ),
        ).toEqual([]);
    });

    it("flags bind and escalate on clusterroles, whatever the resourceNames", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                role(
                    [
                        deploy,
                        {
                            apiGroups: [RBAC],
                            resources: ["clusterroles"],
                            verbs: ["bind", "escalate"],
                            resourceNames: ["view"],
                        },
                    ],
                    CLUSTER_ROLE,
                ),
            ),
        ).toEqual([
            `ClusterRole 'ops' rules[1] grants "bind" and "escalate" (${bind}; ${escalate}), ${fix(1, true)}`,
        ]);
    });

    it("flags impersonate on users, groups and service accounts, in v1beta1 and patches", async () => {
        const rules = [
            {
                apiGroups: [""],
                resources: ["users", "groups", "serviceaccounts"],
                verbs: ["impersonate"],
            },
        ];
        for (const type of [ROLE, TYPE("ClusterRole", "v1beta1"), TYPE("RolePatch")]) {
            const kind = type.includes("ClusterRole") ? "ClusterRole" : "Role";
            expect(await messages(pack(), POLICY, role(rules, type))).toEqual([
                `${kind} 'ops' rules[0] grants "impersonate" (${impersonate}), ${fix(0, false)}`,
            ]);
        }
    });

    it('leaves "*" verbs to kubernetes-role-no-wildcards', async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                role([{ apiGroups: [RBAC], resources: ["roles"], verbs: ["*"] }]),
            ),
        ).toEqual([]);
    });
});

describe("kubernetes-role-no-secret-writes", () => {
    const POLICY = "kubernetes-role-no-secret-writes";
    const fix = (i: number, many: boolean) =>
        `on secrets, which lets its holders replace or delete the credentials and TLS keys workloads use, or plant their own: remove ${many ? "these verbs" : "this verb"} from rules[${i}].verbs (keep "get" with resourceNames for Secrets it must read), and let the deployment write Secrets (Pulumi, or an operator such as External Secrets) rather than a role that people or pods hold.`;

    it("passes reads of Secrets, writes of other resources, and secrets of another API group", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                role([
                    deploy,
                    {
                        apiGroups: [""],
                        resources: ["secrets"],
                        verbs: ["get"],
                        resourceNames: ["app-database"],
                    },
                    {
                        apiGroups: [""],
                        resources: ["configmaps"],
                        verbs: ["create", "update", "delete"],
                    },
                    { apiGroups: ["example.com"], resources: ["secrets"], verbs: ["create"] },
                ]),
            ),
        ).toEqual([]);
    });

    it("flags each write verb on secrets in the core group, named or not", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                role([
                    deploy,
                    {
                        apiGroups: [""],
                        resources: ["configmaps", "secrets"],
                        verbs: ["get", "create", "update", "patch", "delete", "deletecollection"],
                    },
                    {
                        apiGroups: [""],
                        resources: ["secrets"],
                        verbs: ["update"],
                        resourceNames: ["app-tls"],
                    },
                ]),
            ),
        ).toEqual([
            `Role 'ops' rules[1] grants "create", "update", "patch", "delete" and "deletecollection" ${fix(1, true)}`,
            `Role 'ops' rules[2] grants "update" ${fix(2, false)}`,
        ]);
    });

    it('flags "*" verbs, apiGroups "*" and a subresource of secrets, in a ClusterRolePatch', async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                role(
                    [
                        { apiGroups: [""], resources: ["secrets"], verbs: ["*"] },
                        { apiGroups: ["*"], resources: ["secrets/status"], verbs: ["patch"] },
                    ],
                    TYPE("ClusterRolePatch"),
                ),
            ),
        ).toEqual([
            `ClusterRole 'ops' rules[0] grants "*" ${fix(0, false)}`,
            `ClusterRole 'ops' rules[1] grants "patch" ${fix(1, false)}`,
        ]);
    });

    it("checks a rule whose API groups are computed from other resources once they are known", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                role([{ apiGroups: [UNKNOWN_STRING], resources: ["secrets"], verbs: ["create"] }]),
            ),
        ).toEqual([]);
    });
});

describe("aggregated ClusterRoles", () => {
    const aggregated = (...clusterRoleSelectors: Record<string, unknown>[]) =>
        resource(CLUSTER_ROLE, "monitoring", {
            metadata: { name: "monitoring" },
            aggregationRule: { clusterRoleSelectors },
            // Overwritten by the control plane: never checked.
            rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["create", "get"] }],
        });
    const fix =
        'select only ClusterRoles of your own, by a label of your own (for example example.com/aggregate-to-monitoring: "true"), or list the rules the role needs instead of aggregating.';

    it("passes selectors of one's own labels and of the built-in view, whatever the rules say", async () => {
        expect(
            await all(
                aggregated(
                    { matchLabels: { "example.com/aggregate-to-monitoring": "true" } },
                    { matchLabels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" } },
                    {
                        matchExpressions: [
                            { key: "kubernetes.io/bootstrapping", operator: "DoesNotExist" },
                        ],
                    },
                ),
            ),
        ).toEqual([]);
    });

    it("flags a selector that copies the built-in edit (Secrets writes, impersonate)", async () => {
        const r = aggregated({
            matchLabels: { "rbac.authorization.k8s.io/aggregate-to-edit": "true" },
        });
        expect(await messages(pack(), "kubernetes-role-no-secret-writes", r)).toEqual([
            `ClusterRole 'monitoring' aggregationRule.clusterRoleSelectors[0] copies the rules of the built-in ClusterRole system:aggregate-to-edit, which write Secrets: ${fix}`,
        ]);
        expect(await messages(pack(), "kubernetes-role-no-escalation-verbs", r)).toEqual([
            `ClusterRole 'monitoring' aggregationRule.clusterRoleSelectors[0] copies the rules of the built-in ClusterRole system:aggregate-to-edit, which grant impersonate on serviceaccounts: ${fix}`,
        ]);
        expect(await messages(pack(), "kubernetes-role-no-secret-reads", r)).toEqual([]);
    });

    it("flags selectors that match cluster-admin (and admin, which has its labels), the empty one included", async () => {
        const every =
            "copies the rules of the built-in ClusterRoles cluster-admin, admin, edit and system:aggregate-to-edit";
        const admins = "copies the rules of the built-in ClusterRoles cluster-admin and admin";
        const r = aggregated(
            { matchLabels: { "example.com/aggregate-to-monitoring": "true" } },
            {},
            {
                matchLabels: { "kubernetes.io/bootstrapping": "rbac-defaults" },
                matchExpressions: [
                    {
                        key: "rbac.authorization.k8s.io/aggregate-to-admin",
                        operator: "DoesNotExist",
                    },
                    {
                        key: "rbac.authorization.k8s.io/aggregate-to-edit",
                        operator: "NotIn",
                        values: ["true"],
                    },
                ],
            },
        );
        const writes = "which write Secrets";
        const verbs = "which grant every verb, bind, escalate and impersonate included";
        expect(await messages(pack(), "kubernetes-role-no-secret-writes", r)).toEqual([
            `ClusterRole 'monitoring' aggregationRule.clusterRoleSelectors[1] ${every}, ${writes}: ${fix}`,
            `ClusterRole 'monitoring' aggregationRule.clusterRoleSelectors[2] ${admins}, ${writes}: ${fix}`,
        ]);
        expect(await messages(pack(), "kubernetes-role-no-escalation-verbs", r)).toEqual([
            `ClusterRole 'monitoring' aggregationRule.clusterRoleSelectors[1] ${every}, ${verbs}: ${fix}`,
            `ClusterRole 'monitoring' aggregationRule.clusterRoleSelectors[2] ${admins}, ${verbs}: ${fix}`,
        ]);
    });

    it("flags admin's label, which copies edit, and skips selectors not known yet", async () => {
        expect(
            await messages(
                pack(),
                "kubernetes-role-no-secret-writes",
                aggregated({
                    matchExpressions: [
                        {
                            key: "rbac.authorization.k8s.io/aggregate-to-admin",
                            operator: "Exists",
                        },
                    ],
                }),
            ),
        ).toEqual([
            `ClusterRole 'monitoring' aggregationRule.clusterRoleSelectors[0] copies the rules of the built-in ClusterRole edit, which write Secrets: ${fix}`,
        ]);
        expect(
            await all(
                aggregated({
                    matchLabels: { "rbac.authorization.k8s.io/aggregate-to-edit": UNKNOWN_STRING },
                }),
            ),
        ).toEqual([]);
    });
});

describe("kubernetes-role-no-secret-reads (advisory)", () => {
    const POLICY = "kubernetes-role-no-secret-reads";

    it("passes reads of named Secrets, and of names not known yet", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                role([
                    deploy,
                    {
                        apiGroups: [""],
                        resources: ["secrets"],
                        verbs: ["get", "watch"],
                        resourceNames: ["app-database"],
                    },
                    {
                        apiGroups: [""],
                        resources: ["secrets"],
                        verbs: ["get"],
                        resourceNames: [UNKNOWN_STRING],
                    },
                ]),
            ),
        ).toEqual([]);
    });

    it("advises against get, list and watch on every Secret", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                role(
                    [
                        deploy,
                        {
                            apiGroups: ["", "apps"],
                            resources: ["pods", "secrets"],
                            verbs: ["get", "list", "watch"],
                        },
                    ],
                    CLUSTER_ROLE,
                ),
            ),
        ).toEqual([
            `ClusterRole 'ops' rules[1] grants "get", "list" and "watch" on every Secret it reaches (no resourceNames), so its holders read every credential and key there, service account tokens included: list the Secrets it reads in rules[1].resourceNames (a list or watch must then select them by metadata.name), or mount the Secret in the pod that needs it instead of reading it through the API.`,
        ]);
    });
});
