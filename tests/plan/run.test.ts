/**
 * Plans the committed stacks, and variants of them, under the recording mocks, and checks what
 * a user relies on: explicit providers everywhere, tags on every cloud, the parent tree, the
 * clouds that are switched off staying off, and invalid config registering nothing.
 */
import { RecordingMocks } from "../../plan/mocks";
import { byUrn, created, ofType, one, planComponents, planStack, providerInputs } from "../harness";

const STACK_TAGS = (stack: string, environment: string) => ({
    project: "multicloud",
    stack,
    environment,
    "managed-by": "pulumi",
});

describe.each([
    ["dev", { team: "platform", "cost-center": "platform-dev" }],
    ["prod", { team: "platform", "cost-center": "platform-prod", criticality: "high" }],
])("the committed %s stack", (stack, userTags) => {
    let plan: Awaited<ReturnType<typeof planStack>>;
    beforeAll(async () => {
        plan = await planStack(stack);
    });

    it("plans without errors, every custom resource with an explicit provider", () => {
        expect(plan.errors).toEqual([]);
        const custom = created(plan).filter(
            (r) => r.custom && !r.type.startsWith("pulumi:providers:"),
        );
        expect(custom.length).toBeGreaterThan(0);
        for (const r of custom) {
            expect(byUrn(plan, r.provider)?.type).toBe(`pulumi:providers:${r.type.split(":")[0]}`);
        }
    });

    it("pins each provider to the stack's region, project and subscription, and tags every cloud", () => {
        const tags = { ...STACK_TAGS(stack, stack), ...userTags };
        const aws = one(plan, "pulumi:providers:aws", "aws");
        expect(aws.inputs.region).toBe("us-east-1");
        expect(providerInputs(aws).defaultTags).toEqual({ tags });
        const gcp = one(plan, "pulumi:providers:gcp", "gcp");
        expect(gcp.inputs.project).toBe(`multicloud-${stack}-000000`);
        expect(gcp.inputs.region).toBe("europe-west1");
        expect(providerInputs(gcp).defaultLabels).toEqual(tags);
        const azure = one(plan, "pulumi:providers:azure-native", "azure");
        expect(azure.inputs.location).toBe("westeurope");
        expect(one(plan, "azure-native:resources:ResourceGroup", "fleet").inputs.tags).toEqual(
            tags,
        );
    });

    it("enables the Google APIs the fleet needs, as children of the ProjectServices component", () => {
        const component = one(plan, "multicloud:gcp:ProjectServices", "gcp-services");
        const services = ofType(plan, "gcp:projects/service:Service");
        expect(services.map((s) => s.inputs.service)).toEqual(
            expect.arrayContaining([
                "container.googleapis.com",
                "gkehub.googleapis.com",
                "anthosconfigmanagement.googleapis.com",
                "cloudkms.googleapis.com",
            ]),
        );
        for (const s of services) {
            expect(s.parent).toBe(component.urn);
            expect(s.name).toBe(
                `gcp-services-${String(s.inputs.service).replace(".googleapis.com", "")}`,
            );
            expect(s.inputs).toMatchObject({
                project: `multicloud-${stack}-000000`,
                disableOnDestroy: false,
            });
        }
    });

    it("names every child from its component, so two instances never collide", () => {
        const children = created(plan).filter((r) =>
            byUrn(plan, r.parent)?.type.startsWith("multicloud:"),
        );
        expect(children.length).toBeGreaterThan(10);
        for (const child of children) {
            const component = byUrn(plan, child.parent)!.name;
            expect([child.name, component]).toEqual([
                expect.stringMatching(new RegExp(`^${component}(-|$)`)),
                component,
            ]);
        }
        // Components hang directly under the stack.
        const root = one(plan, "pulumi:pulumi:Stack", `multicloud-${stack}`);
        for (const component of created(plan).filter((r) => r.type.startsWith("multicloud:"))) {
            expect(component.parent).toBe(root.urn);
        }
    });

    it("exports the stack outputs", () => {
        expect(plan.outputs).toMatchObject({
            environment: stack,
            enabledClouds: ["aws", "gcp", "azure"],
            aws: { region: "us-east-1" },
            gcp: { project: `multicloud-${stack}-000000`, region: "europe-west1" },
            azure: {
                resourceGroupName: stack === "prod" ? "multicloud-prod-fleet" : "multicloud-dev",
            },
        });
        expect(plan.outputSecretPaths).toEqual([]);
    });
});

describe("stack variants", () => {
    it("guards prod with its allowed AWS account and a named resource group", async () => {
        const plan = await planStack("prod");
        expect(providerInputs(one(plan, "pulumi:providers:aws", "aws")).allowedAccountIds).toEqual([
            "210987654321",
        ]);
        expect(
            one(plan, "azure-native:resources:ResourceGroup", "fleet").inputs.resourceGroupName,
        ).toBe("multicloud-prod-fleet");
        expect(one(plan, "pulumi:providers:azure-native", "azure").inputs.tenantId).toBe(
            "22222222-2222-2222-2222-222222222222",
        );
    });

    it("runs AWS alone: nothing of Google Cloud or Azure is registered", async () => {
        const plan = await planStack("dev", { "gcp.enabled": false, "azure.enabled": false });
        expect(plan.errors).toEqual([]);
        const packages = new Set(
            created(plan)
                .filter((r) => r.custom)
                .map((r) => r.type.replace("pulumi:providers:", "").split(":")[0]),
        );
        // AWS, and the build that pushes the app image to ECR alone.
        expect([...packages].sort()).toEqual(["aws", "docker-build"]);
        expect(plan.outputs).toMatchObject({ enabledClouds: ["aws"], gcp: null, azure: null });
        // The image is tagged in ECR alone (one Index per registry the build pushed to).
        expect(
            ofType(plan, "docker-build:index:Index").map(
                (i) => `${i.name} ${String(i.inputs.tag).split("/")[0]}`,
            ),
        ).toEqual(["app-aws 123456789012.dkr.ecr.us-east-1.amazonaws.com"]);
    });

    it("adds extra Google APIs from config once, even when they repeat a required one", async () => {
        const plan = await planStack("dev", {
            "gcp.extraServices": ["monitoring.googleapis.com", "container.googleapis.com"],
        });
        const services = ofType(plan, "gcp:projects/service:Service").map((s) => s.inputs.service);
        expect(services.filter((s) => s === "container.googleapis.com")).toHaveLength(1);
        expect(services).toContain("monitoring.googleapis.com");
    });

    it("registers nothing when the config is invalid, and reports every problem with its key", async () => {
        const plan = await planStack("dev", {
            "aws.fleet.maxSize": 0,
            "gcp.region": "europe-west1-b",
        });
        expect(created(plan)).toEqual([]);
        expect(plan.errors).toHaveLength(1);
        expect(plan.errors[0]).toContain(
            "Invalid stack config for stack 'dev' (2 problems); nothing was created:",
        );
        expect(plan.errors[0]).toContain("multicloud:aws.fleet.maxSize (0) must be >= 1");
        expect(plan.errors[0]).toContain("multicloud:gcp.region must be a Google Cloud region");
    });

    it("fails like the engine when a resource would fall back to a disabled default provider", async () => {
        const plan = await planComponents((req) => {
            const gcp = req<typeof import("@pulumi/gcp")>("@pulumi/gcp");
            new gcp.projects.Service("stray", { service: "dns.googleapis.com" });
        });
        expect(plan.errors).toEqual([
            "Default provider for 'gcp' disabled. 'urn:pulumi:dev::multicloud::pulumi:pulumi:Stack$gcp:projects/service:Service::stray' " +
                "must use an explicit provider (pass { provider } or { parent } whose provider applies).",
        ]);
    });

    it("fails like the engine when an invoke would fall back to a disabled default provider", async () => {
        const plan = await planComponents((req) => {
            const aws = req<typeof import("@pulumi/aws")>("@pulumi/aws");
            return { account: aws.getCallerIdentityOutput().accountId };
        });
        expect(plan.errors).toEqual([
            "Default provider for 'aws' disabled. Invoke 'aws:index/getCallerIdentity:getCallerIdentity' must use " +
                "an explicit provider (pass { provider } or { parent } whose provider applies).",
        ]);
    });
});

describe("RecordingMocks", () => {
    it("throws on an unknown invoke, and answers a known one", () => {
        const mocks = new RecordingMocks({ "test:index:known": () => ({ ok: true }) });
        expect(mocks.call({ token: "test:index:known", inputs: {} })).toEqual({ ok: true });
        expect(() =>
            mocks.call({ token: "aws:ssm/getParameter:getParameter", inputs: {} }),
        ).toThrow("the mock engine has no answer for invoke 'aws:ssm/getParameter:getParameter'");
        expect(mocks.invokes.map((i) => i.token)).toEqual([
            "test:index:known",
            "aws:ssm/getParameter:getParameter",
        ]);
    });
});
