/**
 * Config parser tests' shared inputs: a valid raw config map as `pulumi.runtime.allConfig()`
 * returns it, and the problems parseStackConfig reports for one. Config errors are tested here,
 * on the parser, not through whole plans.
 */
import * as path from "path";
import { ConfigError, parseStackConfig } from "../../config";

export const PROJECT = path.resolve(__dirname, "..", "..");

export const NS = "multicloud";

/** What Flux syncs on Arc clusters, required once Azure is on. */
export const GITOPS = { url: "https://github.com/org/fleet.git" };

/** The least an enabled Azure section needs. */
export const AZURE_ON = {
    enabled: true,
    subscriptionId: "00000000-0000-0000-0000-000000000001",
    location: "westeurope",
    gitops: GITOPS,
};
/** Azure on, with the pinned Arc agents every edge site needs. */
export const AZURE_ARC = { ...AZURE_ON, arc: { agentChartVersion: "1.30.1" } };

/** A kubeconfig with a current context that exists. */
export const KUBECONFIG = [
    "apiVersion: v1",
    "kind: Config",
    "current-context: a",
    "contexts: [{ name: a, context: { cluster: a, user: a } }]",
    "",
].join("\n");
/** An edge site; kubeconfigs must be secrets, so a valid stack holds `multicloud:edge` as one. */
export const EDGE_SITE = { name: "store-1", region: "eu-west", kubeconfig: KUBECONFIG };

/** The least an enabled AWS section needs. */
export const AWS_REQUIRED = {
    fleet: {},
    loadBalancer: {
        certificateArn:
            "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
    },
};
export const AWS_ON = { enabled: true, region: "us-east-1", ...AWS_REQUIRED };

/** `aws` with `fleet` merged over the required fleet settings. */
export const awsWith = (patch: Record<string, unknown>, fleet: Record<string, unknown> = {}) => ({
    ...AWS_ON,
    ...patch,
    fleet: { ...AWS_REQUIRED.fleet, ...fleet },
});

/** The app release (Pulumi.yaml gives it to every stack). */
export const APP = {
    image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:${"0".repeat(64)}`,
    ingress: { host: "app.example.com" },
};

/** A valid raw config map, as `pulumi.runtime.allConfig()` returns it. */
export function raw(overrides: Record<string, unknown> = {}): Record<string, string> {
    const base: Record<string, unknown> = {
        environment: "dev",
        aws: AWS_ON,
        app: APP,
        // The identity granted Grafana Admin, required wherever the dashboard is on (Azure).
        dashboard: { deployerObjectId: "55555555-5555-5555-5555-555555555555" },
        ...overrides,
    };
    return Object.fromEntries(
        Object.entries(base)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [
                k.includes(":") ? k : `${NS}:${k}`,
                typeof v === "string" ? v : JSON.stringify(v),
            ]),
    );
}

/**
 * The problems parseStackConfig reports for `config` (fails the test when it accepts it), with
 * `secretKeys` held as secrets (full keys, `multicloud:edge`).
 */
export function problemsOf(config: Record<string, string>, secretKeys: string[] = []): string[] {
    const problems = problemsIfAny(config, secretKeys);
    if (problems.length === 0) throw new Error("expected the config to be rejected");
    return problems;
}

/**
 * The problems parseStackConfig reports for `config`, none when it accepts it; with `projectDir`,
 * paths in the config are checked against that folder (PROJECT: this repository).
 */
export function problemsIfAny(
    config: Record<string, string>,
    secretKeys: string[] = [],
    projectDir?: string,
): string[] {
    try {
        parseStackConfig(config, NS, "dev", secretKeys, projectDir);
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return [...(e as ConfigError).problems];
    }
    return [];
}
