/**
 * MonitoringReader: the service account the fleet dashboard's Cloud Monitoring data source signs
 * in as, and its one key. Planned directly under the recording mocks.
 */
import type * as MonitoringReaderModule from "../../../components/gcp/MonitoringReader";
import type { PlanResult } from "../../../plan/run";
import { created, one, planComponents, workerModule } from "../../harness";
import { gcpOpts, PROJECT, settle, T } from "./fixtures";

/** The component's module as the plans load it: its rule and checks, called directly. */
const { SERVICE_ACCOUNT_ID, validateMonitoringReaderArgs } = workerModule<
    typeof MonitoringReaderModule
>("components/gcp/MonitoringReader");

describe("MonitoringReader's arguments", () => {
    // Rule: a service account id is 6-30 characters, [a-z]([-a-z0-9]*[a-z0-9]) (RFC 1035), and
    // a new one replaces the account (google_service_account.account_id: Required, ForceNew,
    // ValidateRFC1035Name(6, 30) in hashicorp/terraform-provider-google
    // google/services/resourcemanager/resource_google_service_account.go; the SDK's
    // serviceaccount/account.d.ts: "must be 6-30 characters long ... Changing this forces a new
    // service account to be created").
    it("takes a service account id of 6-30 lowercase letters, digits or hyphens", () => {
        for (const [id, ok] of [
            ["grafana-dev", true],
            ["abcdef", true],
            [`g${"a".repeat(29)}`, true],
            ["abcde", false],
            [`g${"a".repeat(30)}`, false],
            ["1grafana", false],
            ["grafana-", false],
            ["Grafana-dev", false],
            ["grafana_prod", false],
        ] as const) {
            expect([id, SERVICE_ACCOUNT_ID.test(id)]).toEqual([id, ok]);
            expect([id, validateMonitoringReaderArgs({ project: "p", accountId: id })]).toEqual([
                id,
                ok
                    ? []
                    : [
                          `accountId '${id}' must be 6-30 lowercase letters, digits or hyphens, starting with a letter`,
                      ],
            ]);
        }
    });

    it("names every bad argument at once: the id and the rotation label", () => {
        expect(
            validateMonitoringReaderArgs({
                project: "p",
                accountId: "g",
                credentialRotation: "not a label",
            }),
        ).toEqual([
            "accountId 'g' must be 6-30 lowercase letters, digits or hyphens, starting with a letter",
            "credentialRotation 'not a label' must be a short label such as 2026-11",
        ]);
    });
});

describe("MonitoringReader", () => {
    let plan: PlanResult;
    let privateKey: { value: string; secret: boolean };
    let tokenUri: { value: string; secret: boolean };
    let email: { value: string; secret: boolean };
    beforeAll(async () => {
        plan = await planComponents(async (req) => {
            const { MonitoringReader } = req<
                typeof import("../../../components/gcp/MonitoringReader")
            >("components/gcp/MonitoringReader");
            const opts = gcpOpts(req);
            const reader = new MonitoringReader(
                "reader",
                { project: PROJECT, accountId: "grafana-dev" },
                opts,
            );
            new MonitoringReader(
                "rotated",
                { project: PROJECT, accountId: "grafana-prod", credentialRotation: "2026-11" },
                opts,
            );
            [privateKey, tokenUri, email] = await Promise.all([
                settle(req, reader.privateKey),
                settle(req, reader.tokenUri),
                settle(req, reader.email),
            ]);
        });
        expect(plan.errors).toEqual([]);
    });

    it("creates a service account with the given id, that may only read Cloud Monitoring", () => {
        const account = one(plan, T.sa, "reader");
        expect(account.inputs).toMatchObject({ project: PROJECT, accountId: "grafana-dev" });
        const grants = created(plan).filter(
            (r) =>
                r.type === T.iam &&
                r.parent === one(plan, "multicloud:gcp:MonitoringReader", "reader").urn,
        );
        // One role, granted to this account (its `member`, as the API returns it).
        expect(grants.map((g) => [g.name, g.inputs])).toEqual([
            [
                "reader-monitoring-viewer",
                {
                    project: PROJECT,
                    role: "roles/monitoring.viewer",
                    member: `serviceAccount:grafana-dev@${PROJECT}.iam.gserviceaccount.com`,
                },
            ],
        ]);
    });

    // Rule: google_service_account_key `keepers` is an "arbitrary map of values that, when
    // changed, will trigger a new key to be generated" (the SDK's serviceaccount/key.d.ts): the
    // rotation label is the one keeper, so changing dashboard.credentialRotation issues a new key.
    it("ties the key to its account and to the rotation label, '1' until a stack rotates it", () => {
        const key = one(plan, T.saKey, "reader-key");
        expect(key.inputs.keepers).toEqual({ rotation: "1" });
        // The key's account is this component's own (its `name` output).
        expect(key.propertyDependencies.serviceAccountId).toEqual([one(plan, T.sa, "reader").urn]);
        expect(one(plan, T.saKey, "rotated-key").inputs.keepers).toEqual({ rotation: "2026-11" });
    });

    it("hands the PEM key out as a secret, and never registers it as an output", () => {
        expect(privateKey.secret).toBe(true);
        expect(privateKey.value).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
        expect(tokenUri.value).toBe("https://oauth2.googleapis.com/token");
        expect(email.value).toBe(`grafana-dev@${PROJECT}.iam.gserviceaccount.com`);
        const component = one(plan, "multicloud:gcp:MonitoringReader", "reader");
        expect(Object.keys(component.outputs ?? {}).sort()).toEqual(["email", "tokenUri"]);
    });

    it("registers nothing, not even itself, when its arguments are invalid", async () => {
        const refused = await planComponents((req) => {
            const { MonitoringReader } = req<
                typeof import("../../../components/gcp/MonitoringReader")
            >("components/gcp/MonitoringReader");
            new MonitoringReader("bad", { project: PROJECT, accountId: "Grafana" }, gcpOpts(req));
        });
        expect(created(refused).filter((r) => !r.type.startsWith("pulumi:providers:"))).toEqual([]);
        expect(refused.errors[0]).toContain(
            "MonitoringReader 'bad' has invalid arguments:\n  - accountId 'Grafana' must be 6-30",
        );
    });
});
