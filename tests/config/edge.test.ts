/**
 * The `edge` section of the stack config (config/edge.ts, with its checks that read the azure and
 * gcp sections): what a valid fleet settles to, and every refusal with its key and its fix, on
 * the parser alone, before anything is planned. Kubeconfigs grant cluster access, so every valid
 * case holds `multicloud:edge` as a secret, as `pulumi config set --secret --path` does.
 */
import { parseStackConfig } from "../../config";
import { APP, AZURE_ARC, EDGE_SITE, NS, problemsOf, raw } from "./harness";

const SECRET = [`${NS}:edge`];
/** Google Cloud on, with Config Sync (on by default) and one GKE cluster. */
const GCP = {
    enabled: true,
    project: "proj-123456",
    region: "europe-west1",
    configSync: { syncRepo: "https://github.com/org/fleet.git" },
    clusters: [{ name: "gke-1", location: "europe-west1", masterIpv4CidrBlock: "172.16.0.0/28" }],
};
/** A released image the sites can pull with the pull secret they are given. */
const ACR_APP = {
    ...APP,
    image: `fleet.azurecr.io/app@sha256:${"0".repeat(64)}`,
    imagePullSecrets: ["app-registry"],
};

/** A stack with Azure, the given edge section, and whatever else `more` sets. */
const stack = (edge: Record<string, unknown>, more: Record<string, unknown> = {}) =>
    raw({ azure: AZURE_ARC, dashboard: { enabled: false }, app: ACR_APP, edge, ...more });

describe("edge: a valid fleet", () => {
    it("settles each site's defaults: generic distribution and infrastructure, Azure RBAC left to EdgeCluster", () => {
        const config = parseStackConfig(stack({ sites: [EDGE_SITE] }), NS, "dev", SECRET);
        expect(config.edge).toEqual({
            gitops: "flux",
            anthos: { enabled: false },
            shards: {},
            sites: [
                {
                    ...EDGE_SITE,
                    distribution: "generic",
                    infrastructure: "generic",
                    azureRbacSkipList: [],
                    labels: {},
                },
            ],
        });
        // No shard: this stack owns every site.
        expect(config.edge.shard).toBeUndefined();
    });

    it("takes no site at all without Azure: the section is empty by default", () => {
        expect(parseStackConfig(raw(), NS).edge.sites).toEqual([]);
    });
});

describe("edge: bad input, every problem with its key and its fix", () => {
    const site = EDGE_SITE;

    it("names each problem with its key and its fix", () => {
        const text = problemsOf(
            stack(
                {
                    anthos: { enabled: true },
                    shard: "eu",
                    sites: [
                        { ...site, distribution: "nomad" },
                        { ...site, region: "EU West" },
                    ],
                },
                {
                    azure: { ...AZURE_ARC, arc: { agentChartVersion: "", clusters: [site] } },
                    gcp: GCP,
                },
            ),
            SECRET,
        ).join("\n");
        for (const expected of [
            'multicloud:edge.sites[0].distribution must be one of "aks", ',
            "multicloud:edge.sites[1].region must be a region label such as eu-west",
            "multicloud:edge.sites[1].name 'store-1' is used twice: every site needs its own name",
            "multicloud:azure.arc.clusters has moved: clusters outside Azure are edge sites now",
            "multicloud:edge.shard 'eu' names a shard, but edge.shards defines none",
            "multicloud:edge.anthos.location is required when edge.anthos.enabled is true",
            "multicloud:edge.sites[0].oidcIssuerUrl is required when edge.anthos.enabled is true",
            "multicloud:edge.gitops is flux, but the sites are attached to the GKE fleet, whose Config Sync default syncs gitops/ too",
        ]) {
            expect(text).toContain(expected);
        }
    });

    it("needs Azure for any site, a pinned agent chart, and a shard when shards are defined", () => {
        const noAzure = problemsOf(
            stack({ sites: [site] }, { azure: { enabled: false } }),
            SECRET,
        ).join("\n");
        expect(noAzure).toContain(
            "multicloud:edge.sites lists sites, but azure.enabled is not true",
        );
        const noChart = problemsOf(
            stack(
                { sites: [site], shards: { eu: { regions: ["eu-west"] } } },
                { azure: { ...AZURE_ARC, arc: {} } },
            ),
            SECRET,
        ).join("\n");
        expect(noChart).toContain(
            "multicloud:azure.arc.agentChartVersion is required when edge.sites are listed",
        );
        expect(noChart).toContain("multicloud:edge.shard is required when edge.shards are defined");
        const configSyncWithoutAnthos = problemsOf(
            stack({ gitops: "configsync", sites: [site] }),
            SECRET,
        ).join("\n");
        expect(configSyncWithoutAnthos).toContain(
            "multicloud:edge.gitops is configsync, but Config Sync reaches edge sites only when edge.anthos.enabled and gcp.configSync.enabled are both true",
        );
    });

    it("refuses Arc agents outside Azure's support window, and infrastructure auto", () => {
        // Azure supports the last three minor releases of the agents (N-2): "Arc agent
        // version support policy" (learn.microsoft.com/azure/azure-arc/kubernetes/agent-upgrade).
        expect(
            problemsOf(
                stack(
                    { sites: [site] },
                    { azure: { ...AZURE_ARC, arc: { agentChartVersion: "1.14.0" } } },
                ),
                SECRET,
            ),
        ).toEqual([
            "multicloud:azure.arc.agentChartVersion 1.14.0 is outside Azure's support window for the Arc agents (the last 3 minor releases: 1.28.x to 1.30.1); pin 1.30.1",
        ]);
        // `az connectedk8s connect` resolves `auto` from the nodes' provider ids before it calls
        // Azure (azure-cli-extensions src/connectedk8s custom.py get_kubernetes_infra).
        expect(
            problemsOf(stack({ sites: [{ ...site, infrastructure: "auto" }] }), SECRET)[0],
        ).toMatch(/^multicloud:edge\.sites\[0\]\.infrastructure must be one of "generic"/);
    });

    it("refuses a kubeconfig given in plain text, or one without a current context", () => {
        expect(
            problemsOf(
                stack({ sites: [{ ...site, kubeconfig: "apiVersion: v1\nkind: Config\n" }] }),
                SECRET,
            ),
        ).toContainEqual(
            expect.stringContaining(
                "multicloud:edge.sites[0].kubeconfig has no current-context: set one with `kubectl config use-context`",
            ),
        );
        // Kubeconfigs grant cluster access: the whole edge key must be held as a secret.
        expect(problemsOf(stack({ sites: [site] }))).toEqual([
            "multicloud:edge.sites[*].kubeconfig must be secrets: set each with `pulumi config set --secret --path 'edge.sites[0].kubeconfig' \"$(cat kubeconfig-store-1)\"`",
        ]);
    });

    it("refuses shards that do not partition the sites: a site claimed twice, or by none", () => {
        const sites = [
            { ...site, name: "store-1", region: "eu-west", labels: { tier: "store" } },
            { ...site, name: "store-2", region: "us-east", labels: { tier: "warehouse" } },
        ];
        expect(
            problemsOf(
                stack({
                    sites,
                    shards: {
                        all: { regions: ["eu-west"] },
                        stores: { selector: { tier: "store" } },
                    },
                    shard: "all",
                }),
                SECRET,
            ),
        ).toEqual([
            "multicloud:edge.sites[0] ('store-1') is claimed by shards 'all' and 'stores': two stacks would both manage it; make their regions or selectors disjoint",
            "multicloud:edge.sites[1] ('store-2', region 'us-east') is claimed by no shard: add its region or one of its labels to a shard in edge.shards, so that some stack owns it",
        ]);
    });

    it("refuses a shard this stack names but the definitions lack, and a shard that claims everything", () => {
        const problems = problemsOf(
            stack({
                sites: [site],
                shards: { eu: { regions: ["eu-west"] }, any: {} },
                shard: "us",
            }),
            SECRET,
        );
        expect(problems).toContain(
            "multicloud:edge.shard 'us' is not a shard in edge.shards (eu, any): set it to one of them with `pulumi config set --path edge.shard <eu|any>`",
        );
        expect(problems.join("\n")).toContain(
            "multicloud:edge.shards.any claims every site: give it regions, a selector or both",
        );
    });

    // A site attached to the GKE fleet is a fleet membership named after it, as each GKE
    // cluster's is: two memberships of one fleet cannot share a name.
    it("refuses a site named as a GKE cluster once the sites join the GKE fleet, and anthos without gcp", () => {
        const attached = {
            gitops: "configsync",
            anthos: { enabled: true, location: "us-west1", platformVersion: "1.31.0-gke.1" },
            sites: [{ ...site, name: "gke-1", oidcIssuerUrl: "https://issuer.example.com" }],
        };
        expect(problemsOf(stack(attached, { gcp: GCP }), SECRET)).toEqual([
            "multicloud:edge.sites[0].name 'gke-1' is also a gcp cluster's name: fleet memberships need distinct names; rename the site or the cluster",
        ]);
        expect(problemsOf(stack(attached), SECRET).join("\n")).toContain(
            "multicloud:edge.anthos.enabled is true, but gcp.enabled is not: the GKE fleet lives in the gcp project",
        );
    });
});
