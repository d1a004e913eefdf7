/**
 * The app's sections of the stack config (config/app.ts: the release `app`, the image
 * `appImage`, and the checks that read them with other sections): refusals with their key and
 * their fix, on the parser alone, before anything is planned.
 */
import { ConfigError, parseAppConfig, parseStackConfig } from "../../config";
import { AppImageSchema, buildContextProblems } from "../../config/app";
import { APP, NS, problemsOf, PROJECT, raw } from "./harness";

/** The problems of `config`, with the project folder given (paths in the config are checked). */
function problemsInProject(config: Record<string, string>): string[] {
    try {
        parseStackConfig(config, NS, "dev", [], PROJECT);
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return [...(e as ConfigError).problems];
    }
    return [];
}

describe("app: the release", () => {
    it("rejects reversed replica bounds, naming the key", () => {
        expect(() =>
            parseAppConfig(
                {
                    image: APP.image,
                    minReplicas: 4,
                    maxReplicas: 3,
                    ingress: { host: "a.example.com" },
                },
                NS,
            ),
        ).toThrow(
            "multicloud:app.minReplicas (4) is greater than app.maxReplicas (3): the bounds are reversed; swap them or raise app.maxReplicas",
        );
    });

    // The namespace's egress policy opens the database port: a NetworkPolicyPort's port must be a
    // TCP port number, 1-65535 (kubernetes/kubernetes pkg/apis/networking/validation
    // ValidateNetworkPolicyPort, validation.IsValidPortNum), or the API server refuses the policy.
    it("refuses a database port outside TCP's range", () => {
        const problems = (databasePort: number) => {
            try {
                parseAppConfig({ ...APP, databasePort }, NS);
            } catch (e) {
                return [...(e as ConfigError).problems];
            }
            return [];
        };
        const fix = "fix it with `pulumi config set --path app.databasePort <value>`";
        expect(problems(0)).toEqual([`multicloud:app.databasePort (0) must be >= 1: ${fix}`]);
        expect(problems(65536)).toEqual([
            `multicloud:app.databasePort (65536) must be <= 65535: ${fix}`,
        ]);
        expect(problems(1)).toEqual([]);
        expect(problems(65535)).toEqual([]);
    });
});

describe("appImage: the image this stack builds", () => {
    it("refuses a registry of a cloud that is switched off", () => {
        expect(
            problemsOf(raw({ gcp: { enabled: false }, appImage: { registries: ["aws", "gcp"] } })),
        ).toContain(
            "multicloud:appImage.registries[1] names the gcp registry, but gcp.enabled is not true: remove gcp from appImage.registries, or enable gcp",
        );
    });

    it("pushes to every enabled cloud's registry when the stack lists none", () => {
        expect(parseStackConfig(raw(), NS).appImage.registries).toEqual(["aws"]);
        expect(parseStackConfig(raw({ appImage: { build: false } }), NS).appImage.build).toBe(
            false,
        );
    });

    it("refuses a build context without a Dockerfile, or outside the project", () => {
        expect(problemsInProject(raw({ appImage: { context: "gitops" } }))).toEqual([
            "multicloud:appImage.context 'gitops' has no Dockerfile: add it, set appImage.dockerfile to its path relative to the context, or set appImage.build to false",
        ]);
        expect(problemsInProject(raw({ appImage: { context: "no-such-folder" } }))).toEqual([
            "multicloud:appImage.context 'no-such-folder' is not a folder of the project: point it at the app's folder with `pulumi config set --path appImage.context app`",
        ]);
        // Nothing is built: no context to check.
        expect(buildContextProblems({ context: "gitops", build: false }, NS, PROJECT)).toEqual([]);
        // The committed context passes.
        expect(problemsInProject(raw())).toEqual([]);
    });

    it("refuses a repository name no registry takes", () => {
        expect(AppImageSchema.safeParse({ repository: "multicloud-app" }).success).toBe(true);
        expect(problemsOf(raw({ appImage: { repository: "Multicloud/App" } }))).toEqual([
            "multicloud:appImage.repository must be lowercase letters, digits, '.', '_' or '-' (up to 63), starting and ending with a letter or digit, got \"Multicloud/App\": fix it with `pulumi config set --path appImage.repository <value>`",
        ]);
    });
});

// The rule lives in config/gcp.ts (GKE clusters' Config Sync folders); it exists for the app:
// Pulumi applies the Workload to the GKE clusters of the stack itself, so their Config Sync must
// not sync gitops/workload too (two appliers of one object revert each other).
describe("the app's GitOps folder on the GKE clusters Pulumi applies it to", () => {
    it("refuses a GKE cluster folder that holds the rendered app", () => {
        const gcp = {
            enabled: true,
            project: "proj-123456",
            region: "europe-west1",
            configSync: {
                syncRepo: "https://github.com/org/fleet.git",
                baselinePolicyDir: "./gitops/",
            },
            clusters: [
                {
                    name: "gke-1",
                    location: "europe-west1",
                    masterIpv4CidrBlock: "172.16.0.0/28",
                    configSyncPolicyDir: "gitops",
                },
            ],
        };
        const message = problemsOf(raw({ gcp })).join("\n");
        expect(message).toContain(
            "multicloud:gcp.configSync.baselinePolicyDir ('./gitops/') contains gitops/workload, but Pulumi applies the app to the GKE clusters of this stack itself: point it at the baseline (gitops/cluster) or another folder without the app",
        );
        expect(message).toContain(
            "multicloud:gcp.clusters[0].configSyncPolicyDir ('gitops') contains gitops/workload",
        );
    });
});
