/**
 * Google Cloud IAM policies (issue 19): no basic roles on a project, folder or organization, and
 * service account keys reported (advisory, also in prod). Each with a compliant fixture and one
 * failing variant per resource type and rule; then the pack over the prod stack's own plan.
 */
import { readPolicyConfig, stackPolicyConfigPath } from "../../policy/config";
import { UNKNOWN_STRING } from "../../plan/analyzer";
import { runGate, violationText } from "../../plan/gate";
import { planStack, PROJECT_DIR } from "../harness";
import { messages, PACK_DIR, resource, usePack } from "./harness";

const pack = usePack();

describe("gcp-iam-no-primitive-roles", () => {
    const POLICY = "gcp-iam-no-primitive-roles";
    const NODE_SA = "serviceAccount:gke-us@fleet-prod.iam.gserviceaccount.com";
    const ALICE = "user:alice@example.com";
    const OPS = "group:ops@example.com";
    const LEVELS = [
        ["projects", "project", "fleet-prod", "project 'fleet-prod'", "Project"],
        [
            "folder",
            "folder",
            "folders/1234567890",
            "folder 'folders/1234567890' (and every project under it)",
            "Folder",
        ],
        [
            "organizations",
            "orgId",
            "123456789012",
            "organization '123456789012' (and every folder and project in it)",
            "Organization",
        ],
    ] as const;
    const OWNER =
        "which allows changing and deleting every resource of every service, and granting access to anyone";
    const EDITOR = "which allows changing and deleting nearly every resource of every service";
    const VIEWER =
        "which allows reading nearly every resource, and much of the data, of every service";
    const EXAMPLE = "(for example roles/container.developer or roles/monitoring.viewer";

    const member = (module: string, property: string, at: string, role: string, who = NODE_SA) =>
        resource(`gcp:${module}/iAMMember:IAMMember`, "grant", {
            [property]: at,
            role,
            member: who,
        });
    const binding = (module: string, property: string, at: string, role: string, who: unknown) =>
        resource(`gcp:${module}/iAMBinding:IAMBinding`, "grant", {
            [property]: at,
            role,
            members: who,
        });
    const policy = (module: string, property: string, at: string, bindings: unknown[]) =>
        resource(`gcp:${module}/iAMPolicy:IAMPolicy`, "grant", {
            [property]: at,
            policyData: JSON.stringify({ bindings }),
        });

    it("passes the predefined roles GkeCluster and MonitoringReader grant, and custom roles, at every level", async () => {
        for (const [module, property, at] of LEVELS) {
            for (const role of [
                "roles/logging.logWriter",
                "roles/monitoring.viewer",
                "roles/artifactregistry.reader",
                "organizations/123456789012/roles/fleetOperator",
                "projects/fleet-prod/roles/owner",
            ]) {
                expect(await messages(pack(), POLICY, member(module, property, at, role))).toEqual(
                    [],
                );
                expect(
                    await messages(pack(), POLICY, binding(module, property, at, role, [OPS])),
                ).toEqual([]);
            }
            expect(
                await messages(
                    pack(),
                    POLICY,
                    policy(module, property, at, [
                        { role: "roles/monitoring.viewer", members: [NODE_SA] },
                        { role: "roles/container.developer", members: [OPS, ALICE] },
                    ]),
                ),
            ).toEqual([]);
        }
    });

    it("passes a role, or a policyData, not known until deployment, and basic roles bound to no one", async () => {
        const [module, property, at] = LEVELS[0];
        expect(
            await messages(pack(), POLICY, member(module, property, at, UNKNOWN_STRING)),
        ).toEqual([]);
        expect(
            await messages(pack(), POLICY, binding(module, property, at, UNKNOWN_STRING, [OPS])),
        ).toEqual([]);
        expect(
            await messages(
                pack(),
                POLICY,
                resource("gcp:projects/iAMPolicy:IAMPolicy", "grant", {
                    project: at,
                    policyData: UNKNOWN_STRING,
                }),
            ),
        ).toEqual([]);
        expect(
            await messages(pack(), POLICY, binding(module, property, at, "roles/owner", [])),
        ).toEqual([]);
        expect(
            await messages(
                pack(),
                POLICY,
                policy(module, property, at, [{ role: "roles/editor", members: [] }]),
            ),
        ).toEqual([]);
    });

    it("flags roles/owner, roles/editor and roles/viewer granted by an IAMMember at every level", async () => {
        for (const [module, property, at, scope, title] of LEVELS) {
            for (const [role, effect] of [
                ["roles/owner", OWNER],
                ["roles/editor", EDITOR],
                ["roles/viewer", VIEWER],
            ]) {
                expect(
                    await messages(pack(), POLICY, member(module, property, at, role, ALICE)),
                ).toEqual([
                    `${title} IAM member 'grant' grants the basic role ${role} on ${scope} to user:alice@example.com, ${effect}: change role to the predefined roles the member needs ${EXAMPLE}, one IAMMember per role) or to a custom role.`,
                ]);
            }
        }
    });

    it("flags a basic role granted by an IAMBinding at every level, naming its members", async () => {
        for (const [module, property, at, scope, title] of LEVELS) {
            expect(
                await messages(
                    pack(),
                    POLICY,
                    binding(module, property, at, "roles/editor", [OPS, ALICE, NODE_SA]),
                ),
            ).toEqual([
                `${title} IAM binding 'grant' grants the basic role roles/editor on ${scope} to group:ops@example.com, user:alice@example.com and serviceAccount:gke-us@fleet-prod.iam.gserviceaccount.com, ${EDITOR}: change role to the predefined roles the members need ${EXAMPLE}, one IAMBinding per role) or to a custom role.`,
            ]);
        }
    });

    it("flags a basic role granted by an IAMPolicy at every level, one violation per binding", async () => {
        for (const [module, property, at, scope, title] of LEVELS) {
            expect(
                await messages(
                    pack(),
                    POLICY,
                    policy(module, property, at, [
                        { role: "roles/monitoring.viewer", members: [NODE_SA] },
                        { role: "roles/owner", members: [OPS] },
                        {
                            role: "roles/viewer",
                            members: [ALICE, NODE_SA],
                            condition: {
                                title: "expires",
                                expression: "request.time < timestamp('2030-01-01T00:00:00Z')",
                            },
                        },
                    ]),
                ),
            ).toEqual([
                `${title} IAM policy 'grant' grants the basic role roles/owner on ${scope} to group:ops@example.com in policyData.bindings[1], ${OWNER}: in policyData, change bindings[1].role to the predefined roles the member needs ${EXAMPLE}, one binding per role) or to a custom role.`,
                `${title} IAM policy 'grant' grants the basic role roles/viewer on ${scope} to user:alice@example.com and serviceAccount:gke-us@fleet-prod.iam.gserviceaccount.com in policyData.bindings[2], ${VIEWER}: in policyData, change bindings[2].role to the predefined roles the members need ${EXAMPLE}, one binding per role) or to a custom role.`,
            ]);
        }
    });

    it("flags a basic role whose members or scope are not known until deployment", async () => {
        const fix = `change role to the predefined roles the members need ${EXAMPLE}, one IAMBinding per role) or to a custom role.`;
        // As MonitoringReader grants it: the member is the new service account's `member` output.
        expect(
            await messages(
                pack(),
                POLICY,
                member("projects", "project", UNKNOWN_STRING, "roles/owner", UNKNOWN_STRING),
            ),
        ).toEqual([
            `Project IAM member 'grant' grants the basic role roles/owner on its project to a member not known until deployment, ${OWNER}: change role to the predefined roles the member needs ${EXAMPLE}, one IAMMember per role) or to a custom role.`,
        ]);
        expect(
            await messages(
                pack(),
                POLICY,
                binding("folder", "folder", UNKNOWN_STRING, "roles/editor", [OPS, UNKNOWN_STRING]),
            ),
        ).toEqual([
            `Folder IAM binding 'grant' grants the basic role roles/editor on its folder (and every project under it) to group:ops@example.com and a member not known until deployment, ${EDITOR}: ${fix}`,
        ]);
        expect(
            await messages(
                pack(),
                POLICY,
                binding("organizations", "orgId", "123456789012", "roles/viewer", UNKNOWN_STRING),
            ),
        ).toEqual([
            `Organization IAM binding 'grant' grants the basic role roles/viewer on organization '123456789012' (and every folder and project in it) to members not known until deployment, ${VIEWER}: ${fix}`,
        ]);
    });
});

describe("gcp-service-account-key", () => {
    const POLICY = "gcp-service-account-key";
    const KEY = "gcp:serviceaccount/key:Key";
    const start =
        "Service account key 'reader-key' is a user-managed key, a long-lived credential that signs in as its service account from anywhere until it is deleted: avoid it: on Google Cloud, attach the service account to the workload (on GKE, use Workload Identity Federation for GKE); from AWS, Azure, GitHub Actions or on premises, use Workload Identity Federation; for people and tools, use service account impersonation.";
    const rotating = `${start} Where no keyless option exists (as for Grafana's Cloud Monitoring data source), rotate the key: it is replaced whenever its keepers change, so change them on a schedule (for the fleet dashboard's key, multicloud:dashboard.credentialRotation).`;
    const fixed = `${start} Where no keyless option exists, set keepers (for example { rotation: "2026-01" }) and change them on a schedule: each change replaces the key and deletes the old one.`;
    const key = (props: Record<string, unknown>, type = KEY) =>
        resource(type, "reader-key", { serviceAccountId: UNKNOWN_STRING, ...props });

    it("passes the service account itself and its IAM grants", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                resource("gcp:serviceaccount/account:Account", "reader", {
                    accountId: "fleet-dashboard",
                }),
            ),
        ).toEqual([]);
        expect(
            await messages(
                pack(),
                POLICY,
                resource("gcp:serviceaccount/iAMMember:IAMMember", "reader-token-creator", {
                    serviceAccountId:
                        "projects/fleet-prod/serviceAccounts/reader@fleet-prod.iam.gserviceaccount.com",
                    role: "roles/iam.serviceAccountTokenCreator",
                    member: "group:ops@example.com",
                }),
            ),
        ).toEqual([]);
    });

    it("flags a key that rotates with its keepers (as MonitoringReader creates it), keepers known or not", async () => {
        expect(await messages(pack(), POLICY, key({ keepers: { rotation: "2026-11" } }))).toEqual([
            rotating,
        ]);
        expect(await messages(pack(), POLICY, key({ keepers: UNKNOWN_STRING }))).toEqual([
            rotating,
        ]);
    });

    it("flags a key without keepers, an uploaded key, and the legacy type token", async () => {
        expect(await messages(pack(), POLICY, key({}))).toEqual([fixed]);
        expect(await messages(pack(), POLICY, key({ keepers: {} }))).toEqual([fixed]);
        expect(
            await messages(
                pack(),
                POLICY,
                key({ publicKeyData: "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t" }),
            ),
        ).toEqual([fixed]);
        expect(await messages(pack(), POLICY, key({}, "gcp:serviceAccount/key:Key"))).toEqual([
            fixed,
        ]);
    });

    it("ships as advisory", async () => {
        const info = await pack().info();
        expect(info.policies.find((p) => p.name === POLICY)?.enforcementLevel).toBe("advisory");
        expect(
            info.policies.find((p) => p.name === "gcp-iam-no-primitive-roles")?.enforcementLevel,
        ).toBe("mandatory");
    });
});

describe("prod's policy config", () => {
    const config = readPolicyConfig(stackPolicyConfigPath(PROJECT_DIR, "prod"));

    it("keeps gcp-service-account-key advisory while every other policy is mandatory", () => {
        expect(config["gcp-service-account-key"]).toEqual({ enforcementLevel: "advisory" });
        expect(config["gcp-iam-no-primitive-roles"]).toEqual({ enforcementLevel: "mandatory" });
        const others = Object.entries(config).filter(([n]) => n !== "gcp-service-account-key");
        expect(others.filter(([, c]) => c.enforcementLevel !== "mandatory")).toEqual([]);
    });

    it("on the prod stack's plan, reports MonitoringReader's key as advisory and no basic role", async () => {
        const plan = await planStack("prod");
        expect(plan.errors).toEqual([]);
        const grants = plan.resources.filter((r) => r.type === "gcp:projects/iAMMember:IAMMember");
        expect(grants.length).toBeGreaterThan(0);
        const keys = plan.resources.filter((r) => r.type === "gcp:serviceaccount/key:Key");
        expect(keys).toHaveLength(1);
        const verdict = await runGate(plan, {
            packDir: PACK_DIR,
            configFile: stackPolicyConfigPath(PROJECT_DIR, "prod"),
        });
        const found = verdict.diagnostics.filter((d) =>
            ["gcp-iam-no-primitive-roles", "gcp-service-account-key"].includes(d.policyName),
        );
        expect(found.map((d) => [d.policyName, d.enforcementLevel, d.urn])).toEqual([
            ["gcp-service-account-key", "advisory", keys[0].urn],
        ]);
        expect(violationText(found[0])).toContain(
            "rotate the key: it is replaced whenever its keepers change",
        );
    }, 180_000);
});
