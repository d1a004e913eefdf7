/**
 * The app's sections of the stack config (config/app.ts: the release `app`, the image
 * `appImage`, and the checks that read them with other sections): refusals with their key and
 * their fix, on the parser alone, before anything is planned.
 */
import { ConfigError, databaseUrlTlsProblem, parseAppConfig, parseStackConfig } from "../../config";
import { AppImageSchema, buildContextProblems } from "../../config/app";
import { secretPlaceholder } from "../../lib/stack-files";
import {
    APP,
    AZURE_ARC,
    awsWith,
    EDGE_SITE,
    NS,
    problemsIfAny,
    problemsOf,
    PROJECT,
    raw,
} from "./harness";

/** The problems of `config`, with the project folder given (paths in the config are checked). */
const problemsInProject = (config: Record<string, string>) => problemsIfAny(config, [], PROJECT);

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
    it("refuses a system: group as the app's deployers (kubernetes-rolebinding-no-broad-subjects)", () => {
        expect(problemsOf(raw({ app: { ...APP, deployerGroup: "system:authenticated" } }))).toEqual(
            [
                "multicloud:app.deployerGroup must not be a system: group (Kubernetes' own groups: system:authenticated is everyone signed in, on GKE any Google account): name the group of the people who deploy the app",
            ],
        );
    });

    it("refuses GKE's own ingress classes", () => {
        // ingress-gce serves only Ingresses with the kubernetes.io/ingress.class annotation
        // (kubernetes/ingress-gce pkg/utils/utils.go IsGCEIngress), never ingressClassName.
        const app = { ...APP, ingress: { host: "app.example.com", className: "gce" } };
        expect(problemsOf(raw({ app }))).toEqual([
            "multicloud:app.ingress.className is GKE's own ingress controller, which ignores spec.ingressClassName: run an ingress controller in the cluster (e.g. ingress-nginx, class nginx)",
        ]);
    });

    it("refuses a wildcard or single-label host: the app's ingress host is the one name it is reached at", () => {
        // The Workload component holds the same rule (components/app/checks.ts INGRESS_HOST):
        // HTTP-01, which the app namespace admits for a clusterIssuer, cannot validate a wildcard.
        for (const host of ["*.example.com", "localhost"]) {
            const app = { ...APP, ingress: { host } };
            expect(problemsOf(raw({ app }))).toEqual([
                `multicloud:app.ingress.host must be a fully qualified DNS name such as app.example.com, got "${host}": fix it with \`pulumi config set --path app.ingress.host <value>\``,
            ]);
        }
    });

    // The rate limit the fleet dashboard's WAF panel counts, and the web ACL enforces.
    it("refuses a rate limit below AWS WAF's minimum", () => {
        expect(problemsOf(raw({ app: { ...APP, rateLimit: { requestsPer5Minutes: 9 } } }))).toEqual(
            [
                `${NS}:app.rateLimit.requestsPer5Minutes must be at least 10: AWS WAF's rate-based rules count no fewer than 10 requests per 5 minutes; raise it with \`pulumi config set --path app.rateLimit.requestsPer5Minutes 10\``,
            ],
        );
    });

    // Pulumi applies Pulumi.yaml's project-level `multicloud:app` only to a stack that does not
    // set the key, and never merges the two (pulumi/pulumi pkg/workspace/config.go,
    // `mergeConfig`): a stack that sets `app` to change one field has no image or ingress.
    it("says that a stack's app replaces Pulumi.yaml's whole object when it lacks image or ingress", () => {
        const replaced = (field: string) =>
            `${NS}:app.${field} is required: a stack that sets multicloud:app replaces Pulumi.yaml's whole ` +
            "multicloud:app object (Pulumi does not merge the two), so copy " +
            `${field} from Pulumi.yaml's multicloud:app into the stack's multicloud:app, ` +
            "or remove the stack's with `pulumi config rm app` to use the project's";
        expect(problemsOf(raw({ app: { minReplicas: 3 } }))).toEqual([
            replaced("image"),
            replaced("ingress"),
        ]);
        expect(problemsOf(raw({ app: { ...APP, ingress: { className: "nginx" } } }))).toEqual([
            replaced("ingress.host"),
        ]);
        expect(problemsOf(raw({ app: undefined }))).toEqual([
            `${NS}:app is required: Pulumi.yaml gives it to every stack (config: multicloud:app: value: image, ingress, ...); restore it there`,
        ]);
    });

    it("points at Pulumi.yaml for the release read alone", () => {
        expect(() => parseAppConfig({ ingress: APP.ingress }, NS)).toThrow(
            `${NS}:app.image is required: add image to multicloud:app in Pulumi.yaml`,
        );
        expect(() => parseAppConfig(undefined, NS)).toThrow(
            `${NS}:app is required: set it in Pulumi.yaml (config: multicloud:app: value: image, ingress, ...)`,
        );
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
    it("refuses a build target the Dockerfile lacks", () => {
        // BuildKit fails a build whose --target names no stage.
        expect(problemsInProject(raw({ appImage: { target: "nope" } }))).toEqual([
            "multicloud:appImage.target 'nope' names no stage of the Dockerfile (it has 'python-base', 'builder', 'runtime'): set multicloud:appImage.target to one of them",
        ]);
    });

    // Rule: a tag can be moved to other content, a digest cannot; app/Dockerfile's FROM lines take
    // the base image from PYTHON_IMAGE, so a stack's value must be a digest or a stage name.
    it("refuses a base image build argument that is not pinned by digest, and accepts one that is", () => {
        const problems = (buildArgs: Record<string, string>) =>
            problemsInProject(raw({ appImage: { buildArgs } }));
        expect(problems({ PYTHON_IMAGE: "python:3.11-alpine" })).toEqual([
            "multicloud:appImage.buildArgs.PYTHON_IMAGE 'python:3.11-alpine' chooses a base image of the Dockerfile and is not pinned by digest: " +
                "append @sha256:<digest of its image index> (`docker buildx imagetools inspect python:3.11-alpine`), " +
                "or remove it to build on the Dockerfile's pinned default",
        ]);
        const digest = `@sha256:${"ab".repeat(32)}`;
        for (const PYTHON_IMAGE of [`python:3.11.16-alpine3.24${digest}`, "python-base"]) {
            expect(problems({ PYTHON_IMAGE })).toEqual([]);
        }
        // BuildKit matches the expanded name against stage names as stored, in lowercase
        // (moby/buildkit dockerfile2llb/convert.go addState): "Python-Base" names no stage.
        expect(problems({ PYTHON_IMAGE: "Python-Base" })[0]).toMatch(
            /^multicloud:appImage\.buildArgs\.PYTHON_IMAGE 'Python-Base' chooses a base image/,
        );
        // Arguments that no FROM line uses are not images.
        expect(problems({ GREETING: "hello" })).toEqual([]);
        // Attestations are chosen with appImage.sbom and appImage.provenance.
        expect(problems({ BUILDKIT_ATTEST_PROVENANCE: "mode=min" })).toEqual([
            "multicloud:appImage.buildArgs.BUILDKIT_ATTEST_PROVENANCE asks BuildKit for an attestation directly: remove it, and set multicloud:appImage.sbom or multicloud:appImage.provenance instead",
        ]);
    });

    it("settles the image's attestations: an SBOM and max provenance unless told otherwise", () => {
        expect(parseStackConfig(raw(), NS).appImage).toMatchObject({
            sbom: true,
            provenance: "max",
        });
        expect(
            parseStackConfig(raw({ appImage: { sbom: false, provenance: "min" } }), NS).appImage,
        ).toMatchObject({ sbom: false, provenance: "min" });
        expect(problemsOf(raw({ appImage: { provenance: "full" } }))[0]).toMatch(
            /^multicloud:appImage\.provenance must be one of "max", "min", "off"/,
        );
    });

    // Rule: provenance mode=max records every build argument's value (moby/buildkit
    // solver/llbsolver/provenance.go: only min mode scrubs build-arg:*), and a secret set with
    // `pulumi config set --secret --path appImage.buildArgs.X` makes all of appImage secret.
    it("refuses max provenance when appImage holds a secret, and accepts min", () => {
        const secretConfig = (appImage: Record<string, unknown>) =>
            problemsIfAny(raw({ appImage }), [`${NS}:appImage`]);
        expect(secretConfig({ buildArgs: { TOKEN: "s3cr3t" } })).toEqual([
            "multicloud:appImage.provenance 'max' would record the value of the secret build argument TOKEN in the image's provenance, readable by anyone who can pull it: pass secrets as build secrets, or set multicloud:appImage.provenance to min",
        ]);
        expect(secretConfig({ buildArgs: { TOKEN: "s3cr3t" }, provenance: "min" })).toEqual([]);
        expect(secretConfig({})).toEqual([]);
    });

    it("refuses an image that lacks an architecture the stack runs", () => {
        // A node pulls the manifest of its own architecture from the image index; without one
        // the container fails with `exec format error` (docs.docker.com/build/building/multi-platform).
        const aws = awsWith({}, { instanceType: "m7g.large", architecture: "arm64" });
        expect(problemsOf(raw({ aws }))).toEqual([
            "multicloud:appImage.platforms lacks linux/arm64, which the stack runs (aws.fleet.architecture is arm64): add linux/arm64 to multicloud:appImage.platforms, or change those nodes' architecture",
        ]);
        const both = raw({ aws, appImage: { platforms: ["linux/amd64", "linux/arm64"] } });
        expect(parseStackConfig(both, NS, "dev").appImage.platforms).toEqual([
            "linux/amd64",
            "linux/arm64",
        ]);
        expect(problemsOf(raw({ appImage: { platform: "linux/amd64" } }))).toEqual([
            "multicloud:appImage.platform has moved: list every platform in appImage.platforms (e.g. [linux/amd64, linux/arm64]) and remove appImage.platform with `pulumi config rm --path appImage.platform`",
        ]);
    });

    it("holds the registry's customer-managed key to the rules AppImage applies (Premium, key URI, vault id, same vault)", () => {
        // Premium only: MicrosoftDocs/azure-management-docs tutorial-customer-managed-keys.md.
        const vault = (name: string) =>
            `/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/keys/providers/Microsoft.KeyVault/vaults/${name}`;
        const key = "https://fleet-keys.vault.azure.net/keys/acr";
        expect(
            problemsOf(
                raw({
                    appImage: {
                        azureEncryption: { keyIdentifier: key, keyVaultId: vault("other-keys") },
                    },
                }),
            ),
        ).toEqual([
            "multicloud:appImage.azureSku is 'Standard' (the default), but appImage.azureEncryption needs the Premium tier (Azure Container Registry takes customer-managed keys on Premium only): set appImage.azureSku to Premium, or remove appImage.azureEncryption",
            "multicloud:appImage.azureEncryption.keyVaultId is vault 'other-keys', but appImage.azureEncryption.keyIdentifier is a key of vault 'fleet-keys': give the id of the vault that holds the key, which is where its identity is granted",
        ]);
        expect(
            problemsOf(
                raw({
                    appImage: {
                        azureSku: "Premium",
                        azureEncryption: {
                            keyIdentifier: "fleet-keys/acr",
                            keyVaultId: "fleet-keys",
                        },
                    },
                }),
            ),
        ).toEqual([
            "multicloud:appImage.azureEncryption.keyIdentifier 'fleet-keys/acr' is not a Key Vault key URI: use https://<vault>.vault.azure.net/keys/<name> (versionless, rotated automatically) or .../keys/<name>/<version>",
            "multicloud:appImage.azureEncryption.keyVaultId 'fleet-keys' is not a Key Vault's ARM id: use /subscriptions/<s>/resourceGroups/<g>/providers/Microsoft.KeyVault/vaults/<vault> (az keyvault show --query id)",
        ]);
        const ok = raw({
            appImage: {
                azureSku: "Premium",
                azureEncryption: { keyIdentifier: key, keyVaultId: vault("fleet-keys") },
            },
        });
        expect(parseStackConfig(ok, NS, "dev").appImage.azureEncryption).toEqual({
            keyIdentifier: key,
            keyVaultId: vault("fleet-keys"),
        });
    });
});

// The checks of config/index.ts that hold app.image to the clusters that pull it through GitOps
// (edge sites, attached clusters), with no cloud identity of their own.
describe("app.image and registryPullCredential: the released image, pulled through GitOps", () => {
    const ACR_APP = { ...APP, image: `fleet.azurecr.io/app@sha256:${"0".repeat(64)}` };
    const dashboard = { enabled: false };
    const edge = { sites: [EDGE_SITE] };
    /** Problems of a stack whose edge config is held as a secret, as kubeconfigs must be. */
    const edgeProblems = (config: Record<string, string>) => problemsIfAny(config, [`${NS}:edge`]);

    it("refuses a released image GitOps clusters cannot pull", () => {
        // An ECR authorization token is valid for 12 hours
        // (docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html).
        expect(edgeProblems(raw({ azure: AZURE_ARC, dashboard, edge }))).toEqual([
            "multicloud:app.image is in a private Amazon ECR registry, but edge site 'store-1' pulls it through GitOps with no AWS identity, and an ECR pull token expires after 12 hours: release the image through ACR or Artifact Registry (app.built.refs.azure or .gcp after a `pulumi up`) with a pull secret in app.imagePullSecrets, or through a public registry",
        ]);
        expect(edgeProblems(raw({ azure: AZURE_ARC, dashboard, edge, app: ACR_APP }))).toEqual([
            "multicloud:app.imagePullSecrets is empty, but app.image is in a private registry that edge site 'store-1' pulls from with no cloud identity: create a pull credential (docs/app.md#pulling-the-released-image), set it as registryPullCredential so that Pulumi writes it into each of those clusters, and list its secret name (app-registry) in app.imagePullSecrets",
        ]);
        const app = { ...ACR_APP, imagePullSecrets: ["app-registry"] };
        expect(edgeProblems(raw({ azure: AZURE_ARC, dashboard, edge, app }))).toEqual([]);
        // EKS nodes pull ECR images with their node role (AmazonEC2ContainerRegistryPullOnly;
        // docs.aws.amazon.com/eks/latest/userguide/create-node-role.html): no token to expire.
        const eksSite = { sites: [{ ...EDGE_SITE, distribution: "eks" }] };
        expect(edgeProblems(raw({ azure: AZURE_ARC, dashboard, edge: eksSite }))).toEqual([]);
    });

    it("checks the pull credential Pulumi writes into the GitOps clusters", () => {
        // The kubelet offers a credential only to the registry host it is keyed by.
        const credential = { server: "other.azurecr.io", username: "app-pull", password: "pw" };
        expect(
            edgeProblems(
                raw({
                    azure: AZURE_ARC,
                    dashboard,
                    edge,
                    app: ACR_APP,
                    registryPullCredential: credential,
                }),
            ),
        ).toEqual([
            "multicloud:registryPullCredential must be a secret: set its password with `pulumi config set --secret --path registryPullCredential.password <password>`",
            "multicloud:registryPullCredential.server 'other.azurecr.io' is not the registry of app.image ('fleet.azurecr.io'): the kubelet offers a credential only to its own registry; set it to fleet.azurecr.io",
            "multicloud:app.imagePullSecrets does not list 'app-registry', the Secret Pulumi writes from registryPullCredential: add it in Pulumi.yaml (app.imagePullSecrets)",
        ]);
        const config = parseStackConfig(
            raw({
                azure: AZURE_ARC,
                dashboard,
                edge,
                app: { ...ACR_APP, imagePullSecrets: ["app-registry"] },
                registryPullCredential: { ...credential, server: "fleet.azurecr.io" },
            }),
            NS,
            "dev",
            [`${NS}:edge`, `${NS}:registryPullCredential`],
        );
        expect(config.registryPullCredential?.secretName).toBe("app-registry");
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

// libpq's sslmode (www.postgresql.org/docs/current/libpq-ssl.html): disable, allow and prefer
// may connect in plain text; the app must not.
describe("databaseUrl: TLS required (libpq sslmode)", () => {
    const SECRET = [`${NS}:databaseUrl`];
    const parse = (url: string) => problemsIfAny(raw({ databaseUrl: url }), SECRET);
    const FIX =
        "`pulumi config set --secret databaseUrl 'postgresql://<user>:<password>@<host>:5432/<database>?sslmode=verify-full'`";
    const NO_TLS = (why: string) =>
        `${NS}:databaseUrl does not require TLS: its sslmode is ${why}, and disable, allow and prefer let libpq connect in plain text; add sslmode=verify-full (or verify-ca, or require) to its query string: ${FIX}`;

    it.each([
        "postgresql://app:s3cret@db.internal:5432/app?sslmode=verify-full",
        "postgres://app@db.internal/app?connect_timeout=5&sslmode=verify-ca",
        "postgresql://app@h1:5432,h2:5432/app?sslmode=require&target_session_attrs=read-write",
        "POSTGRESQL://app@db/app?sslmode=%76erify-full",
    ])("accepts %s", (url) => {
        expect(parse(url)).toEqual([]);
    });

    it.each<[string, string]>([
        ["postgresql://app:s3cret@db.internal/app", NO_TLS("missing (libpq then uses prefer)")],
        [
            "postgresql://app:s3cret@db.internal/app?sslmode=prefer",
            NO_TLS("not one of require, verify-ca, verify-full"),
        ],
        [
            "postgresql://app:s3cret@db.internal/app?sslmode=disable",
            NO_TLS("not one of require, verify-ca, verify-full"),
        ],
        [
            "postgresql://app:s3cret@db.internal/app?sslmode=allow",
            NO_TLS("not one of require, verify-ca, verify-full"),
        ],
        // Every sslmode counts: a weak one beside a strong one is refused.
        [
            "postgresql://app:s3cret@db.internal/app?sslmode=require&sslmode=disable",
            NO_TLS("not one of require, verify-ca, verify-full"),
        ],
        // sslmode in the path or the password is not the parameter.
        [
            "postgresql://app:sslmode=require@db.internal/app",
            NO_TLS("missing (libpq then uses prefer)"),
        ],
        [
            "mysql://app:s3cret@db.internal/app?ssl-mode=REQUIRED",
            `${NS}:databaseUrl is not a PostgreSQL connection URI (postgresql:// or postgres://): set it with ${FIX}`,
        ],
    ])("refuses %s, naming the key and the fix, never the URL", (url, message) => {
        const problems = parse(url);
        expect(problems).toEqual([message]);
        // The URL is a secret: no part of it is echoed.
        expect(problems.join("\n")).not.toContain("s3cret");
        expect(problems.join("\n")).not.toContain("db.internal");
    });

    it("checks the pure rule on its own, and leaves the offline plan's placeholder alone", () => {
        expect(databaseUrlTlsProblem("postgresql://db/app?sslmode=verify-full")).toBeUndefined();
        expect(databaseUrlTlsProblem("postgresql://db/app")).toMatch(/^does not require TLS/);
        // No secrets provider offline: the committed prod stack's ciphertext becomes this.
        expect(parse(secretPlaceholder("multicloud:databaseUrl", "v1:ciphertext"))).toEqual([]);
    });
});
