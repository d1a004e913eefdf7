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
    try {
        parseStackConfig(config, NS, "dev", secretKeys);
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return [...(e as ConfigError).problems];
    }
    throw new Error("expected the config to be rejected");
}
