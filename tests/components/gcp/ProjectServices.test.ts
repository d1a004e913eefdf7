/**
 * ProjectServices: the Google APIs a stack needs, one `gcp.projects.Service` each. Its argument
 * checks (the same service-name rule as the config's gcp.extraServices), the component planned
 * directly, and the committed prod stack, where every Google resource waits for its APIs.
 */
import { GcpSchema } from "../../../config/gcp";
import type { PlanResult } from "../../../plan/run";
import { created, ofType, planComponents, planStack, workerModule } from "../../harness";
import { gcpOpts, T } from "./fixtures";

type ProjectServicesModule = typeof import("../../../components/gcp/ProjectServices");

/** The component's module as the plans load it: its checks, called directly. */
const { validateProjectServicesArgs } = workerModule<ProjectServicesModule>(
    "components/gcp/ProjectServices",
);

describe("ProjectServices' arguments", () => {
    it("accepts Google API names", () => {
        expect(
            validateProjectServicesArgs({ project: "p", services: ["container.googleapis.com"] }),
        ).toEqual([]);
    });

    it("names every bad argument", () => {
        expect(validateProjectServicesArgs({ project: "p", services: [] })).toEqual([
            "services must name at least one API, e.g. container.googleapis.com",
        ]);
        expect(
            validateProjectServicesArgs({
                project: "p",
                services: ["container", "gkehub.googleapis.com"],
            }),
        ).toEqual([
            "services: 'container' is not a Google API service name such as container.googleapis.com",
        ]);
    });

    // One rule (GCP_SERVICE in components/gcp/checks.ts): a name the config's gcp.extraServices
    // takes is one ProjectServices enables, and the reverse.
    it("takes the service names the config takes", () => {
        for (const [service, ok] of [
            ["container.googleapis.com", true],
            ["alloydb.googleapis.com", true],
            ["container", false],
            ["Container.googleapis.com", false],
            ["container.example.com", false],
        ] as const) {
            const config = GcpSchema.safeParse({ extraServices: [service] }).success;
            const component =
                validateProjectServicesArgs({ project: "p", services: [service] }).length === 0;
            expect([service, config, component]).toEqual([service, ok, ok]);
        }
    });
});

describe("ProjectServices", () => {
    it("registers nothing, not even itself, when its args are invalid", async () => {
        const plan = await planComponents((req) => {
            const { ProjectServices } = req<ProjectServicesModule>(
                "components/gcp/ProjectServices",
            );
            new ProjectServices("svc", { project: "p", services: ["not-an-api"] });
        });
        expect(created(plan)).toEqual([]);
        expect(plan.errors[0]).toContain(
            "ProjectServices 'svc' has invalid arguments:\n  - services: 'not-an-api' is not a Google API service name",
        );
    });

    // Rule: `disableOnDestroy` "should generally only be true in configurations that manage the
    // gcp.organizations.Project resource itself", and with `disableDependentServices` false or
    // unset, disabling a service others depend on fails rather than disabling them too (the
    // SDK's projects/service.d.ts).
    describe("planned", () => {
        let plan: PlanResult;
        let enabled: string[] = [];
        beforeAll(async () => {
            plan = await planComponents(async (req) => {
                const { ProjectServices } = req<ProjectServicesModule>(
                    "components/gcp/ProjectServices",
                );
                const opts = gcpOpts(req, "p");
                new ProjectServices(
                    "a",
                    { project: "p", services: ["dns.googleapis.com"], keepOnDestroy: false },
                    opts,
                );
                new ProjectServices("b", { project: "p", services: ["dns.googleapis.com"] }, opts);
                const c = new ProjectServices(
                    "c",
                    {
                        project: "p",
                        services: [
                            "gkehub.googleapis.com",
                            "container.googleapis.com",
                            "gkehub.googleapis.com",
                        ],
                    },
                    opts,
                );
                enabled = await new Promise((resolve) => c.services.apply(resolve));
            });
            expect(plan.errors).toEqual([]);
        });

        it("can switch services off on destroy when the project is the stack's own", () => {
            const services = ofType(plan, T.service).filter((s) => /^[ab]-/.test(s.name));
            // Two instances in one stack never collide: every child is named from its component.
            expect(services.map((s) => [s.name, s.inputs.disableOnDestroy])).toEqual([
                ["a-dns", true],
                ["b-dns", false],
            ]);
            for (const s of services) expect(s.inputs.disableDependentServices).toBe(false);
        });

        it("enables each API once, in order, named without the googleapis.com suffix", () => {
            expect(
                ofType(plan, T.service)
                    .filter((s) => s.name.startsWith("c-"))
                    .map((s) => [s.name, s.inputs.service]),
            ).toEqual([
                ["c-container", "container.googleapis.com"],
                ["c-gkehub", "gkehub.googleapis.com"],
            ]);
            expect(enabled).toEqual(["container.googleapis.com", "gkehub.googleapis.com"]);
        });
    });
});

describe("the prod stack's Google APIs", () => {
    it("waits for the Google APIs before creating anything", async () => {
        const plan = await planStack("prod");
        expect(plan.errors).toEqual([]);
        const services = ofType(plan, T.service).map((s) => s.urn);
        for (const component of created(plan).filter((r) =>
            /^multicloud:gcp:(GkeCluster|HubMembership|ConfigSync)$/.test(r.type),
        )) {
            expect(component.dependencies).toEqual(expect.arrayContaining(services));
        }
    });
});
