/**
 * CloudNat: egress for private GKE nodes, one Cloud Router and NAT per network and region. Its
 * names (natName), its argument checks, the component planned directly, and the NATs the
 * committed prod stack gives its clusters.
 */
import type * as CloudNatModule from "../../../components/gcp/CloudNat";
import type { PlanResult } from "../../../plan/run";
import {
    created,
    ofType,
    one,
    planComponents,
    planStack,
    waitsFor,
    workerModule,
} from "../../harness";
import { gcpOpts, PROJECT, T } from "./fixtures";

/** The component's module as the plans load it: its names and checks, called directly. */
const { MAX_NAT_NAME, natName, networkName, validateCloudNatArgs } =
    workerModule<typeof CloudNatModule>("components/gcp/CloudNat");

// Rule: router and NAT names are RFC 1035 labels of at most 63 characters
// (google_compute_router.name ValidateGCEName, google_compute_router_nat.name
// ValidateRFC1035Name(2, 63): hashicorp/terraform-provider-google google/services/compute; the
// SDK's compute/router.d.ts and routerNat.d.ts: "must be 1-63 characters long and comply with
// RFC1035"), and Pulumi names them `<component>-router-<7 hex>` and `<component>-nat-<7 hex>`.
const RFC1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

describe("Cloud NAT names", () => {
    const physical = (name: string) => [`${name}-router-abcdef0`, `${name}-nat-abcdef0`];

    it("keeps the names stacks already use for networks given by name", () => {
        expect(natName("default", "europe-west1")).toBe("nat-default-europe-west1");
        expect(natName("default", "us-central1")).toBe("nat-default-us-central1");
    });

    it("accepts partial URLs and self-links, and stays within 63 characters", () => {
        const long = "a-very-long-network-name-that-uses-most-of-the-63-characters-ok";
        const cases = [
            ["projects/host-project/global/networks/shared", "europe-west1"],
            [
                "https://www.googleapis.com/compute/v1/projects/host-project/global/networks/shared",
                "europe-west1",
            ],
            [long, "northamerica-northeast1"],
            [`projects/p/global/networks/${long}`, "southamerica-east1"],
        ];
        const names = cases.map(([network, region]) => natName(network, region));
        for (const name of names) {
            expect(name.length).toBeLessThanOrEqual(MAX_NAT_NAME);
            for (const p of physical(name)) {
                expect(p.length).toBeLessThanOrEqual(63);
                expect(p).toMatch(RFC1035);
            }
            expect(validateCloudNatArgs({ project: "p", region: "europe-west1" }, name)).toEqual(
                [],
            );
        }
        expect(names[0]).toMatch(/^nat-shared-europe-west1-[0-9a-f]{6}$/);
        // Stable: the same network and region always give the same name ...
        expect(natName(cases[1][0], cases[1][1])).toBe(names[1]);
        // ... and two references never share one.
        expect(new Set(names).size).toBe(names.length);
        expect(networkName(cases[1][0])).toBe("shared");
    });

    it("refuses a component name the router or NAT name could not hold", () => {
        expect(
            validateCloudNatArgs(
                { project: "p", region: "europe-west1" },
                "nat-projects/p/global/networks/n-europe-west1",
            ),
        ).toEqual([
            `name 'nat-projects/p/global/networks/n-europe-west1' must be a lowercase RFC 1035 name of at most ${MAX_NAT_NAME} characters (it prefixes the router and NAT names, 63 at most): use natName(network, region)`,
        ]);
        // One character over: the router's name would be 64.
        const tooLong = `n${"a".repeat(MAX_NAT_NAME)}`;
        expect(`${tooLong}-router-abcdef0`).toHaveLength(64);
        expect(validateCloudNatArgs({ project: "p", region: "europe-west1" }, tooLong)).toEqual([
            `name '${tooLong}' must be a lowercase RFC 1035 name of at most ${MAX_NAT_NAME} characters (it prefixes the router and NAT names, 63 at most): use natName(network, region)`,
        ]);
    });

    it("refuses a zone where a region is needed (routers are regional)", () => {
        expect(validateCloudNatArgs({ project: "p", region: "europe-west1-b" })).toEqual([
            "region 'europe-west1-b' must be a Google Cloud region such as europe-west1",
        ]);
    });
});

describe("CloudNat", () => {
    // The longest name the component takes: its children's names reach the limit exactly.
    const longest = `nat-${"n".repeat(MAX_NAT_NAME - 4)}`;
    let plan: PlanResult;
    beforeAll(async () => {
        plan = await planComponents((req) => {
            const { CloudNat } =
                req<typeof import("../../../components/gcp/CloudNat")>("components/gcp/CloudNat");
            const opts = gcpOpts(req);
            new CloudNat("nat", { project: PROJECT, region: "europe-west1" }, opts);
            new CloudNat(
                longest,
                {
                    project: PROJECT,
                    region: "us-central1",
                    network: "projects/host/global/networks/shared",
                },
                opts,
            );
        });
        expect(plan.errors).toEqual([]);
    });

    it("puts a router on the project's default network unless told otherwise", () => {
        expect(one(plan, T.router, "nat-router").inputs).toMatchObject({
            project: PROJECT,
            region: "europe-west1",
            network: "default",
        });
        expect(one(plan, T.router, `${longest}-router`).inputs.network).toBe(
            "projects/host/global/networks/shared",
        );
    });

    // Rule (the SDK's compute/routerNat.d.ts, sourceSubnetworkIpRangesToNat): with
    // ALL_SUBNETWORKS_ALL_IP_RANGES "there should not be any other RouterNat section in any
    // Router for this network in this region": one CloudNat per network and region.
    it("translates every subnetwork range of the region with Google-allocated addresses, and logs errors", () => {
        const nat = one(plan, T.routerNat, "nat-nat");
        expect(nat.inputs).toMatchObject({
            project: PROJECT,
            region: "europe-west1",
            natIpAllocateOption: "AUTO_ONLY",
            sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
            logConfig: { enable: true, filter: "ERRORS_ONLY" },
        });
        // The NAT lives in its own router: the name ties them, and it waits for the router.
        expect(nat.propertyDependencies.router).toEqual([one(plan, T.router, "nat-router").urn]);
        expect(nat.inputs.router).toMatch(/^nat-router-[0-9a-f]{7}$/);
    });

    it("keeps the router's name, as Pulumi completes it, within 63 characters for the longest name", () => {
        const router = String(one(plan, T.routerNat, `${longest}-nat`).inputs.router);
        expect(router).toHaveLength(63);
        expect(router).toMatch(RFC1035);
        const component = one(plan, "multicloud:gcp:CloudNat", longest);
        expect(component.outputs?.routerName).toBe(router);
        // Every child is named from the component and parented to it.
        expect(
            created(plan)
                .filter((r) => r.parent === component.urn)
                .map((r) => r.name),
        ).toEqual([`${longest}-router`, `${longest}-nat`]);
    });

    it("registers nothing for a name its children could not carry", async () => {
        const refused = await planComponents((req) => {
            const { CloudNat } =
                req<typeof import("../../../components/gcp/CloudNat")>("components/gcp/CloudNat");
            new CloudNat(`${longest}x`, { project: PROJECT, region: "us-central1" }, gcpOpts(req));
        });
        expect(ofType(refused, T.router)).toEqual([]);
        expect(ofType(refused, "multicloud:gcp:CloudNat")).toEqual([]);
        expect(refused.errors[0]).toContain(`CloudNat '${longest}x' has invalid arguments:`);
    });
});

describe("the prod stack's Cloud NATs", () => {
    let plan: PlanResult;
    beforeAll(async () => {
        plan = await planStack("prod");
        expect(plan.errors).toEqual([]);
    });

    it("gives private nodes egress through one Cloud NAT per region, created before the clusters", () => {
        const nats = ofType(plan, "multicloud:gcp:CloudNat");
        expect(nats.map((n) => n.name)).toEqual([
            "nat-default-europe-west1",
            "nat-default-us-central1",
        ]);
        expect(one(plan, T.routerNat, "nat-default-europe-west1-nat").inputs).toMatchObject({
            natIpAllocateOption: "AUTO_ONLY",
            sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
        });
        for (const c of ofType(plan, "multicloud:gcp:GkeCluster")) {
            for (const nat of nats) expect(waitsFor(plan, c, nat)).toBe(true);
        }
    });
});
