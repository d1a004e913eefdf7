/**
 * HubMembership: a cluster in the fleet. GKE clusters get a membership linked to the cluster;
 * clusters outside Google Cloud become GKE attached clusters. Its argument checks, the component
 * planned directly, attached clusters through composition/gcp.ts, and the memberships of the
 * committed stacks.
 */
import type * as HubMembershipModule from "../../../components/gcp/HubMembership";
import type { AttachedMemberArgs } from "../../../components/gcp/HubMembership";
import { parseStackConfig } from "../../../config";
import type { PlanResult } from "../../../plan/run";
import { APP, NS, raw } from "../../config/harness";
import { byUrn, one, planComponents, workerModule } from "../../harness";
import {
    ClusterOutput,
    gcpOpts,
    plannedStack,
    PROJECT,
    settle,
    STACK_CLUSTERS,
    T,
} from "./fixtures";

/** The component's module as the plans load it: its checks, called directly. */
const { validateHubMembershipArgs } = workerModule<typeof HubMembershipModule>(
    "components/gcp/HubMembership",
);

const ATTACHED: AttachedMemberArgs = {
    kind: "attached",
    project: PROJECT,
    location: "us-west1",
    distribution: "generic",
    oidcIssuerUrl: "https://k8s.onprem.example.com",
    platformVersion: "1.31.0-gke.1",
    kubeconfig: "apiVersion: v1",
};

describe("HubMembership's arguments", () => {
    it("names every bad field of an attached cluster", () => {
        expect(
            validateHubMembershipArgs("x", {
                kind: "attached",
                project: "p",
                location: "us-west1-a",
                distribution: "eks",
                oidcIssuerUrl: "http://issuer",
                platformVersion: "1.31",
                kubeconfig: "k",
            }),
        ).toEqual([
            "location 'us-west1-a' must be a Google Cloud region such as us-west1",
            "oidcIssuerUrl 'http://issuer' must be the cluster's https OIDC issuer URL",
            "platformVersion '1.31' must be an attached clusters version such as 1.31.0-gke.1",
        ]);
    });

    // Rule: an attached cluster's distribution is "eks", "aks" or "generic" (the SDK's
    // container/attachedCluster.d.ts, distribution), and its membership id is the cluster's name.
    it("takes the distributions the attached clusters API supports, and a DNS label as the name", () => {
        expect(
            validateHubMembershipArgs("Onprem_1", { ...ATTACHED, distribution: "gke" as never }),
        ).toEqual([
            "name 'Onprem_1' must be a lowercase DNS label (it becomes the membership id)",
            "distribution 'gke' must be one of eks, aks, generic",
        ]);
        for (const distribution of ["eks", "aks", "generic"] as const) {
            expect(validateHubMembershipArgs("onprem-1", { ...ATTACHED, distribution })).toEqual(
                [],
            );
        }
    });

    // "Up to ten admin users can be provided" (@pulumi/gcp types/input.d.ts,
    // AttachedClusterAuthorization.adminUsers); the config refuses the same
    // (tests/config/gcp.test.ts).
    it("grants cluster-admin to at most ten admin users", () => {
        const users = (n: number) => Array.from({ length: n }, (_, i) => `a${i}@example.com`);
        expect(
            validateHubMembershipArgs("onprem-1", { ...ATTACHED, adminUsers: users(10) }),
        ).toEqual([]);
        expect(
            validateHubMembershipArgs("onprem-1", { ...ATTACHED, adminUsers: users(11) }),
        ).toEqual([
            "adminUsers lists 11 users, more than the 10 an attached cluster grants cluster-admin: keep ten, and bind the others to a role in the cluster",
        ]);
    });

    it("asks a GKE member for its cluster id only", () => {
        expect(
            validateHubMembershipArgs("gke-1", { kind: "gke", project: "p", clusterId: "x" }),
        ).toEqual([]);
    });
});

describe("HubMembership", () => {
    const JWKS = '{"keys":[{"kty":"RSA","kid":"k1"}]}';
    let plan: PlanResult;
    let gke: { membershipId: string; membershipName: string; location: string };
    let attached: { membershipId: string; membershipName: string; location: string };
    beforeAll(async () => {
        plan = await planComponents(async (req) => {
            const { HubMembership } = req<typeof import("../../../components/gcp/HubMembership")>(
                "components/gcp/HubMembership",
            );
            const opts = gcpOpts(req);
            const cluster = new HubMembership(
                "gke-1",
                {
                    kind: "gke",
                    project: PROJECT,
                    clusterId: `projects/${PROJECT}/locations/europe-west1/clusters/gke-1-abc`,
                },
                opts,
            );
            const onprem = new HubMembership(
                "onprem-1",
                {
                    ...ATTACHED,
                    jwks: JWKS,
                    adminUsers: ["admin@example.com"],
                    projectNumber: "123456789012",
                },
                opts,
            );
            // Neither a JWKS (a public issuer) nor admins; the project number looked up.
            new HubMembership("eks-1", { ...ATTACHED, distribution: "eks" }, opts);
            const outputs = async (m: typeof cluster) => ({
                membershipId: (await settle(req, m.membershipId)).value,
                membershipName: (await settle(req, m.membershipName)).value,
                location: (await settle(req, m.location)).value,
            });
            [gke, attached] = await Promise.all([outputs(cluster), outputs(onprem)]);
        });
        expect(plan.errors).toEqual([]);
    });

    // Rule: a GKE membership links to the cluster's self-link `//container.googleapis.com/<id>`
    // and, for fleet Workload Identity, trusts the issuer
    // `https://container.googleapis.com/v1/<id>` (the SDK's types/input.d.ts,
    // MembershipEndpointGkeCluster.resourceLink and MembershipAuthority.issuer).
    it("links a GKE membership to its cluster, with the cluster's issuer", () => {
        const id = `projects/${PROJECT}/locations/europe-west1/clusters/gke-1-abc`;
        expect(one(plan, T.membership, "gke-1").inputs).toEqual({
            project: PROJECT,
            membershipId: "gke-1",
            location: "global",
            endpoint: { gkeCluster: { resourceLink: `//container.googleapis.com/${id}` } },
            authority: { issuer: `https://container.googleapis.com/v1/${id}` },
        });
        expect(gke).toEqual({
            membershipId: `projects/${PROJECT}/locations/global/memberships/gke-1`,
            membershipName: "gke-1",
            location: "global",
        });
    });

    // Rule: the fleet is named by the host project's number (`projects/<number>`), an issuer
    // reachable only inside gets its JWKS (the API takes it as bytes: base64 of the document),
    // and up to ten admin users (the SDK's types/input.d.ts, AttachedClusterFleet.project,
    // AttachedClusterOidcConfig, AttachedClusterAuthorization.adminUsers).
    it("attaches an outside cluster with its issuer, JWKS, admins and the fleet project's number", () => {
        const cluster = one(plan, T.attached, "onprem-1");
        expect(cluster.inputs).toEqual({
            project: PROJECT,
            name: "onprem-1",
            location: "us-west1",
            distribution: "generic",
            platformVersion: "1.31.0-gke.1",
            oidcConfig: {
                issuerUrl: "https://k8s.onprem.example.com",
                jwks: Buffer.from(JWKS).toString("base64"),
            },
            fleet: { project: "projects/123456789012" },
            authorization: { adminUsers: ["admin@example.com"] },
        });
        // The fleet names the membership: read from the API, not assumed.
        expect(attached).toEqual({
            membershipId: "projects/123456789012/locations/global/memberships/onprem-1",
            membershipName: "onprem-1",
            location: "global",
        });
    });

    it("looks the project number up when not given, and sends no JWKS or admins it was not given", () => {
        const eks = one(plan, T.attached, "eks-1");
        expect(eks.inputs.oidcConfig).toEqual({ issuerUrl: "https://k8s.onprem.example.com" });
        expect(eks.inputs.authorization).toBeUndefined();
        expect(eks.inputs.fleet).toEqual({ project: expect.stringMatching(/^projects\/\d+$/) });
        const lookups = plan.invokes.filter(
            (i) => i.token === "gcp:organizations/getProject:getProject",
        );
        expect(lookups.map((i) => i.inputs)).toEqual([{ projectId: PROJECT }]);
    });

    it("installs Google's bootstrap manifest through a provider holding the kubeconfig as a secret, then attaches", () => {
        const manifest = plan.invokes.filter(
            (i) =>
                i.token === "gcp:container/getAttachedInstallManifest:getAttachedInstallManifest" &&
                i.inputs.clusterId === "onprem-1",
        );
        expect(manifest.map((i) => i.inputs)).toEqual([
            {
                project: PROJECT,
                location: "us-west1",
                clusterId: "onprem-1",
                platformVersion: "1.31.0-gke.1",
            },
        ]);
        const bootstrap = one(plan, "kubernetes:yaml/v2:ConfigGroup", "onprem-1-attach-bootstrap");
        expect(one(plan, T.attached, "onprem-1").dependencies).toContain(bootstrap.urn);
        const provider = byUrn(plan, bootstrap.provider)!;
        expect(provider.name).toBe("onprem-1-k8s");
        expect(provider.secretPaths).toContain("kubeconfig");
        expect(provider.inputs.kubeconfig).toBe("apiVersion: v1");
    });
});

describe("clusters outside Google Cloud, through composition/gcp.ts", () => {
    const onprem = {
        name: "onprem-1",
        location: "us-west1",
        distribution: "generic",
        oidcIssuerUrl: "https://k8s.onprem.example.com",
        platformVersion: "1.31.0-gke.1",
        kubeconfig: "apiVersion: v1",
    };

    it("attaches them to the fleet after installing the bootstrap manifest, with the kubeconfig kept secret", async () => {
        const jwks = '{"keys":[{"kty":"RSA","kid":"k1"}]}';
        const config = parseStackConfig(
            raw({
                // Pulled by the attached cluster through GitOps: a public image needs no secret.
                app: {
                    ...APP,
                    image: `ghcr.io/example-org/multicloud-app@sha256:${"0".repeat(64)}`,
                },
                gcp: {
                    enabled: true,
                    project: PROJECT,
                    region: "europe-west1",
                    attachedClusters: [{ ...onprem, jwks }],
                    configSync: { syncRepo: "https://github.com/example-org/fleet.git" },
                },
            }),
            NS,
            "dev",
            [`${NS}:gcp`],
        );
        let membershipIds: string[] = [];
        const plan = await planComponents(async (req) => {
            const { gcpFleet, gcpProjectServices } =
                req<typeof import("../../../composition/gcp")>("composition/gcp");
            const [provider] = gcpOpts(req).providers;
            const services = gcpProjectServices({ gcp: config.gcp, provider });
            const fleet = gcpFleet({
                gcp: config.gcp,
                app: config.app,
                tags: {},
                provider,
                services,
            })!;
            membershipIds = await Promise.all(
                fleet.membershipIds.map(async (id) => (await settle(req, id)).value),
            );
        });
        expect(plan.errors).toEqual([]);
        const attached = one(plan, T.attached, "onprem-1");
        // The API takes the JWKS as bytes: base64 of the document kubectl prints.
        expect((attached.inputs.oidcConfig as { jwks: string }).jwks).toBe(
            Buffer.from(jwks).toString("base64"),
        );
        expect(attached.inputs).toMatchObject({
            name: "onprem-1",
            location: "us-west1",
            distribution: "generic",
            platformVersion: "1.31.0-gke.1",
            oidcConfig: { issuerUrl: "https://k8s.onprem.example.com" },
            fleet: { project: expect.stringMatching(/^projects\/\d+$/) },
        });
        const bootstrap = one(plan, "kubernetes:yaml/v2:ConfigGroup", "onprem-1-attach-bootstrap");
        expect(attached.dependencies).toContain(bootstrap.urn);
        const provider = byUrn(plan, bootstrap.provider)!;
        expect(provider.type).toBe("pulumi:providers:kubernetes");
        expect(provider.secretPaths).toContain("kubeconfig");
        // What the stack exports as gcp.membershipIds (index.ts; see the committed stacks below).
        expect(membershipIds).toEqual([
            expect.stringMatching(/^projects\/\d+\/locations\/global\/memberships\/onprem-1$/),
        ]);
    });
});

describe.each(STACK_CLUSTERS)("the %s stack's fleet memberships", (stack, names) => {
    const project = `multicloud-${stack}-000000`;
    let plan: PlanResult;
    let clusters: ClusterOutput[];
    beforeAll(async () => ({ plan, clusters } = await plannedStack(stack)));

    it("links each membership to its cluster, with the cluster's issuer for fleet Workload Identity", () => {
        expect(clusters.map((c) => c.name)).toEqual(names);
        for (const c of clusters) {
            expect(c.clusterId).toMatch(
                new RegExp(
                    `^projects/${project}/locations/[a-z0-9-]+/clusters/${c.name}-[0-9a-f]+$`,
                ),
            );
            const membership = one(plan, T.membership, c.name);
            expect(membership.inputs).toMatchObject({
                project,
                membershipId: c.name,
                location: "global",
                endpoint: {
                    gkeCluster: { resourceLink: `//container.googleapis.com/${c.clusterId}` },
                },
                authority: { issuer: `https://container.googleapis.com/v1/${c.clusterId}` },
            });
            expect(membership.dependencies).toContain(one(plan, T.cluster, c.name).urn);
        }
    });

    it("exports the memberships", () => {
        expect(plan.outputs.gcp).toMatchObject({
            membershipIds: names.map(
                (n) => `projects/${project}/locations/global/memberships/${n}`,
            ),
        });
    });
});
