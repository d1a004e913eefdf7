/**
 * Synthetic edge fleets for benchmarks and scale tests: `count` generated sites on top of the
 * dev stack, each connected to Arc and attached to the GKE fleet (the largest per-site
 * footprint), as `runPlan` overrides. Kubeconfigs are `secure:` values, which the offline plan
 * replaces with placeholders: no kubeconfig is ever generated or committed.
 */

/** Regions the generated sites are spread over, round robin. */
export const SYNTHETIC_REGIONS = ["eu-west", "eu-central", "us-east", "us-west", "ap-south"];

/** The site list: `store-0000` … with a region, a tier label and an OIDC issuer each. */
export function syntheticSites(count: number): Record<string, unknown>[] {
    return Array.from({ length: count }, (_, i) => {
        const name = `store-${String(i).padStart(4, "0")}`;
        return {
            name,
            region: SYNTHETIC_REGIONS[i % SYNTHETIC_REGIONS.length],
            distribution: i % 3 === 0 ? "k3s" : "generic",
            labels: { tier: i % 10 === 0 ? "warehouse" : "store" },
            oidcIssuerUrl: `https://oidc.edge.example.com/${name}`,
            kubeconfig: { secure: `v1:synthetic-${name}` },
        };
    });
}

/** Overrides for `runPlan` on the dev stack: `count` sites in Arc and in the GKE fleet. */
export function syntheticEdgeOverrides(count: number): Record<string, unknown> {
    return {
        "edge.sites": syntheticSites(count),
        "edge.anthos.enabled": true,
        "edge.anthos.location": "us-west1",
        "edge.anthos.platformVersion": "1.31.0-gke.1",
        // Config Sync delivers gitops/ to each attached site through its own FeatureMembership.
        "edge.gitops": "configsync",
    };
}
