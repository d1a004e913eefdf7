import { validateProjectServicesArgs } from "../../../components/gcp/ProjectServices";
import { GcpSchema } from "../../../config/gcp";
import { created, planStack } from "../../harness";

describe("ProjectServices", () => {
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

    it("registers nothing, not even itself, when its args are invalid", async () => {
        const plan = await planStack(
            "dev",
            {},
            {
                load: () => {
                    const { ProjectServices } =
                        require("../../../components/gcp/ProjectServices") as typeof import("../../../components/gcp/ProjectServices");
                    new ProjectServices("svc", { project: "p", services: ["not-an-api"] });
                },
            },
        );
        expect(created(plan)).toEqual([]);
        expect(plan.errors[0]).toContain(
            "ProjectServices 'svc' has invalid arguments:\n  - services: 'not-an-api' is not a Google API service name",
        );
    });

    it("can switch services off on destroy when the project is the stack's own", async () => {
        const plan = await planStack(
            "dev",
            {},
            {
                load: () => {
                    const gcp = require("@pulumi/gcp") as typeof import("@pulumi/gcp");
                    const { ProjectServices } =
                        require("../../../components/gcp/ProjectServices") as typeof import("../../../components/gcp/ProjectServices");
                    const provider = new gcp.Provider("gcp", { project: "p" });
                    new ProjectServices(
                        "a",
                        { project: "p", services: ["dns.googleapis.com"], keepOnDestroy: false },
                        { providers: [provider] },
                    );
                    new ProjectServices(
                        "b",
                        { project: "p", services: ["dns.googleapis.com"] },
                        { providers: [provider] },
                    );
                },
            },
        );
        expect(plan.errors).toEqual([]);
        const services = plan.resources.filter((r) => r.type === "gcp:projects/service:Service");
        // Two instances in one stack never collide: every child is named from its component.
        expect(services.map((s) => [s.name, s.inputs.disableOnDestroy])).toEqual([
            ["a-dns", true],
            ["b-dns", false],
        ]);
    });
});
