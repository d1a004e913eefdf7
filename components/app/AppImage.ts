/**
 * The app image: built once from `app/` for every platform the stack runs (one OCI image index,
 * e.g. linux/amd64 + linux/arm64) and pushed to each enabled cloud's registry, all created here:
 * Amazon ECR (scan on push, immutable tags, KMS), Artifact Registry (Docker format, immutable
 * tags, CMEK when a key is given) and Azure Container Registry (admin user off; a Key Vault key
 * through an identity of its own when one is given, see AcrEncryptionArgs). Registry
 * credentials come from each cloud's SDK at run time, never from files: ECR's authorization
 * token, the Google access token of the running identity, and for ACR the running identity's
 * Azure token exchanged for a registry token (see ./acrLogin.ts).
 *
 * Built with `@pulumi/docker-build` in two steps, so that a retry after a failed push converges:
 * 1. One BuildKit build pushes the image to every registry BY DIGEST only (no tag). A push by
 *    digest never meets tag immutability, so a retried build (which, builds not being
 *    bit-reproducible, may have a new digest) pushes cleanly everywhere again.
 * 2. One `docker-build.Index` per registry then tags that digest in the same repository under a
 *    release tag that contains the digest (`src-<sources>-<digest>`). Each registry's tag is its
 *    own resource, so a retry redoes only the registries whose tagging failed, with the same
 *    digest and tag; a new build is a new digest and so a new tag, never a second push of an
 *    existing immutable tag (which ECR refuses even for the same digest).
 * `@pulumi/docker`'s Image pushes to one registry per resource, so three registries would mean
 * three builds and three different digests.
 */
import * as aws from "@pulumi/aws";
import * as azure from "@pulumi/azure-native";
import * as dockerBuild from "@pulumi/docker-build";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import dockerignore from "@balena/dockerignore";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { throwIfInvalid } from "../validation";
import {
    acrEncryptionProblems,
    KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
    parseKeyVaultId,
    roleDefinitionIdIn,
} from "../azure/keyVaultKey";
import { roleAssignmentName } from "../azure/roleAssignmentName";
import { ACR_TOKEN_USER, exchangeAcrRefreshToken } from "./acrLogin";
import {
    attestationBuildArgs,
    attestationProblems,
    DEFAULT_PROVENANCE,
    DEFAULT_SBOM,
    ProvenanceMode,
} from "./attestations";
import { APP_IMAGE_DEFAULTS, IMAGE_REPOSITORY, IMAGE_REPOSITORY_RULE } from "./checks";
import { DEFAULT_IMAGE_PLATFORMS, ImagePlatform, platformListProblems } from "./platforms";

export type RegistryCloud = "aws" | "gcp" | "azure";

/** The provider package each registry needs. */
const REGISTRY_PACKAGE: Record<RegistryCloud, string> = {
    aws: "aws",
    gcp: "gcp",
    azure: "azure-native",
};

/** The tag the build cache lives under (mutable, unlike release tags). */
export const CACHE_TAG = "buildcache";

export interface AppImageRegistries {
    /** Push to Amazon ECR in the AWS provider's account and region. */
    readonly aws?: {
        /** KMS key for the repository. @default the account's AWS managed key `aws/ecr` */
        readonly kmsKeyArn?: pulumi.Input<string>;
    };
    /** Push to Artifact Registry. */
    readonly gcp?: {
        readonly project: string;
        /** A region (e.g. europe-west1) or multi-region (us, europe, asia). */
        readonly location: string;
        /**
         * Cloud KMS key (`projects/.../cryptoKeys/...`) for CMEK; the Artifact Registry service
         * agent is granted it. @default Google-managed encryption
         */
        readonly kmsKeyName?: pulumi.Input<string>;
    };
    /** Push to Azure Container Registry. */
    readonly azure?: {
        readonly resourceGroupName: pulumi.Input<string>;
        readonly location: string;
        /** Globally unique, 5-50 letters and digits. @default derived from project, stack and name */
        readonly registryName?: string;
        /** Premium is required by `encryption`. @default "Standard" */
        readonly sku?: "Basic" | "Standard" | "Premium";
        /** Tenant of the identity running Pulumi, for the token exchange. */
        readonly tenantId: pulumi.Input<string>;
        /**
         * Encrypt the registry with a customer-managed Key Vault key (see `AcrEncryptionArgs`).
         * Azure enables it only when a registry is created and never disables it: with the
         * default `registryName`, setting or removing it therefore names (and creates) a new
         * registry, and the old one is deleted once the image is in the new one.
         * @default Microsoft-managed keys
         */
        readonly encryption?: AcrEncryptionArgs;
    };
}

/**
 * Customer-managed key encryption of the Azure Container Registry. The component creates a
 * user-assigned managed identity, grants it "Key Vault Crypto Service Encryption User" on the
 * vault, and creates the registry with that identity and key once the grant exists.
 *
 * What Azure requires (MicrosoftDocs/azure-management-docs articles/container-registry/
 * tutorial-customer-managed-keys.md and tutorial-enable-customer-managed-keys.md):
 * - the Premium tier (`sku: "Premium"`);
 * - a customer-managed key "only while creating a registry", and encryption cannot be disabled
 *   afterwards;
 * - a user-assigned identity to reach the key (`encryption.keyVaultProperties.identity` is its
 *   client id);
 * - an RSA or RSA-HSM key (no elliptic-curve keys);
 * - a vault with purge protection (Microsoft recommends it; new vaults have soft delete on by
 *   default) and, for the role granted here, the Azure RBAC permission model
 *   (`enableRbacAuthorization`); a vault behind a firewall must admit the registry's call at
 *   creation, and its trusted-services bypass may not cover a user-assigned identity
 *   (MicrosoftDocs/azure-docs#61015, "caller is not a trusted service").
 *
 * On the first `pulumi up` the registry's create may fail with "Failed to access KeyId": Key
 * Vault applies a new role assignment within 10 minutes (key-vault/general/rbac-guide.md). Run
 * `pulumi up` again after that; nothing is deleted before the new registry exists. The old
 * registry's name is free for anyone once it is deleted (container-registry-get-started-azure-cli.md,
 * subdomain takeover), and tokens, scope maps, webhooks or grants made on it outside this
 * component go with it.
 */
export interface AcrEncryptionArgs {
    /**
     * The key's URI, `https://<vault>.vault.azure.net/keys/<name>`. Versionless, the registry
     * picks up each new key version within an hour (automatic rotation, Microsoft's
     * suggestion); with `/<version>` it keeps that version until the key is rotated by hand
     * (`az acr encryption rotate-key`, or a new value here: an in-place update).
     */
    readonly keyIdentifier: pulumi.Input<string>;
    /**
     * ARM id of the vault holding the key,
     * `/subscriptions/<s>/resourceGroups/<g>/providers/Microsoft.KeyVault/vaults/<vault>`: the
     * scope of the identity's grant.
     */
    readonly keyVaultId: pulumi.Input<string>;
}

export interface AppImageArgs {
    /** Directory holding the Dockerfile and the sources. @default "app" */
    readonly context?: string;
    /** The Dockerfile, relative to `context`. @default "Dockerfile" */
    readonly dockerfile?: string;
    /** The Dockerfile stage to build. @default "runtime" */
    readonly target?: string;
    /**
     * Every platform the image must run on; more than one builds one multi-platform image (an
     * image index). A platform other than the builder's own is built under QEMU user-mode
     * emulation (bundled with official BuildKit releases; elsewhere register it with
     * `docker run --privileged --rm tonistiigi/binfmt --install arm64,amd64`), or natively on a
     * builder with a node of that platform.
     * @default ["linux/amd64"] (DEFAULT_IMAGE_PLATFORMS)
     */
    readonly platforms?: readonly ImagePlatform[];
    /**
     * An existing buildx builder (`docker buildx create --driver docker-container --name <n>`):
     * a `docker-container`, `kubernetes` or `remote` builder. Never one of the `docker` driver,
     * whatever its image store: buildx refuses push-by-digest there ("push-by-digest is
     * currently not implemented for docker driver", docker/buildx build/opt.go).
     * @default a docker-container builder the provider picks or creates
     */
    readonly builder?: string;
    /** `ARG` values, e.g. `PYTHON_IMAGE` pinned by digest. @default {} */
    readonly buildArgs?: Record<string, pulumi.Input<string>>;
    /**
     * An SBOM attestation (SPDX, per platform, by the digest-pinned SBOM_GENERATOR) stored with
     * the image in every registry. @default true (DEFAULT_SBOM)
     */
    readonly sbom?: boolean;
    /**
     * The provenance attestation (SLSA, per platform) stored with the image: `max` records the
     * whole build request with build argument values, `min` without them. Refused as `max`
     * when a build argument is secret. @default "max" (DEFAULT_PROVENANCE)
     */
    readonly provenance?: ProvenanceMode;
    /**
     * Build during `pulumi preview` too (never pushed; catches a broken Dockerfile in pull
     * requests, at the cost of a build per preview). @default false
     */
    readonly buildOnPreview?: boolean;
    /** Repository name in every registry. @default name */
    readonly repository?: string;
    /** Where to push: at least one registry. */
    readonly registries: AppImageRegistries;
    /** Tags (AWS, Azure) and labels (Google Cloud) for the registries. @default {} */
    readonly tags?: Record<string, string>;
}

/** The build arguments whose values are Outputs (secrets, or known only at deployment), by name. */
function secretBuildArgNames(buildArgs: Readonly<Record<string, pulumi.Input<string>>>): string[] {
    return Object.keys(buildArgs).filter((k) => typeof buildArgs[k] !== "string");
}

/** Pure checks of the arguments; `providerPackages` are the packages `opts.providers` covers. */
export function validateAppImageArgs(
    args: AppImageArgs,
    providerPackages: readonly string[],
    name: string,
): string[] {
    const problems: string[] = [];
    const context = args.context ?? APP_IMAGE_DEFAULTS.context;
    const dockerfile = args.dockerfile ?? APP_IMAGE_DEFAULTS.dockerfile;
    if (!fs.existsSync(context) || !fs.statSync(context).isDirectory()) {
        problems.push(`context '${context}' is not a directory: point it at the folder of the app`);
    } else if (!fs.existsSync(path.join(context, dockerfile))) {
        problems.push(
            `context '${context}' has no ${dockerfile}: add it, or set dockerfile to its path relative to the context`,
        );
    }
    const listed = (Object.keys(REGISTRY_PACKAGE) as RegistryCloud[]).filter(
        (c) => args.registries[c] !== undefined,
    );
    if (listed.length === 0) {
        problems.push("registries is empty: name at least one of aws, gcp, azure");
    }
    for (const cloud of listed) {
        const pkg = REGISTRY_PACKAGE[cloud];
        if (!providerPackages.includes(pkg)) {
            problems.push(
                `registries.${cloud} is set but no ${pkg} provider was passed (the cloud is switched off): pass one in opts.providers, or remove registries.${cloud}`,
            );
        }
    }
    if (!providerPackages.includes("docker-build")) {
        problems.push("no docker-build provider was passed: pass one in opts.providers");
    }
    const repository = args.repository ?? name;
    if (!IMAGE_REPOSITORY.test(repository)) {
        problems.push(`repository '${repository}' ${IMAGE_REPOSITORY_RULE}`);
    }
    problems.push(...platformListProblems(resolvePlatforms(args), "platforms"));
    const buildArgs = args.buildArgs ?? {};
    problems.push(
        ...attestationProblems(
            args.provenance ?? DEFAULT_PROVENANCE,
            Object.keys(buildArgs),
            secretBuildArgNames(buildArgs),
        ),
    );
    const acr = args.registries.azure?.registryName;
    if (acr !== undefined && !/^[a-zA-Z0-9]{5,50}$/.test(acr)) {
        problems.push(`registries.azure.registryName '${acr}' must be 5-50 letters and digits`);
    }
    problems.push(...acrEncryptionArgProblems(args.registries.azure));
    return problems;
}

/** How AppImage's arguments name the fields of the Azure registry's key. */
const ACR_ENCRYPTION_ARGS = {
    encryption: "registries.azure.encryption",
    sku: "registries.azure.sku",
    keyIdentifier: "registries.azure.encryption.keyIdentifier",
    keyVaultId: "registries.azure.encryption.keyVaultId",
} as const;

/**
 * The problems of `registries.azure.encryption` (the rules live in components/azure/keyVaultKey.ts,
 * shared with the stack config), each starting with the argument it concerns.
 */
export function acrEncryptionArgProblems(az: AppImageRegistries["azure"]): string[] {
    if (!az?.encryption) return [];
    return acrEncryptionProblems({ sku: az.sku, ...az.encryption }, ACR_ENCRYPTION_ARGS).map(
        (p) => `${ACR_ENCRYPTION_ARGS[p.field]} ${p.message}`,
    );
}

/** The platforms to build: `platforms`, else the default. */
export function resolvePlatforms(args: Pick<AppImageArgs, "platforms">): ImagePlatform[] {
    return [...(args.platforms ?? DEFAULT_IMAGE_PLATFORMS)];
}

/**
 * The release tag of one build: the content tag of its sources followed by the first 12 hex
 * digits of the image digest. A tag is thus only ever pushed with one digest: registries with
 * immutable tags (ECR refuses any second push of a tag, even of the same digest: aws/containers-
 * roadmap#2179) never see a tag move, and a rebuild with a new digest gets a new tag.
 */
export function releaseTag(sourceTag: string, digest: string): string {
    const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
    if (!m) throw new Error(`'${digest}' is not a sha256 image digest`);
    return `${sourceTag}-${m[1].slice(0, 12)}`;
}

/**
 * The BuildKit export that pushes one build to every repository by digest only (no tag):
 * `type=registry,"name=<a>,<b>",push-by-digest=true`. The names go into one quoted `name`
 * attribute, which BuildKit's image exporter splits on commas (moby/buildkit
 * exporter/containerimage/export.go); docker-build's `names` list would render one `name=` per
 * entry, and its parser keeps only the last (pulumi/pulumi-docker-build
 * provider/internal/export.go, ExportWithNames and parseExports).
 */
export function pushByDigestExport(repositories: readonly string[]): string {
    for (const r of repositories) {
        if (!/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+$/.test(r)) {
            throw new Error(`'${r}' is not a repository name without tag or digest`);
        }
    }
    return `type=registry,"name=${repositories.join(",")}",push-by-digest=true`;
}

/**
 * A tag derived from the build inputs (every file of the context that `.dockerignore` lets into
 * the build, the Dockerfile, its path, target, platform and plain build args): the same sources
 * always get the same tag, so immutable tags never collide, and a change of sources is a new tag
 * (and a new build). Files the build never sees (caches a test run leaves, a virtualenv) are left
 * out, so a fresh clone and a working tree of the same commit get the same tag.
 */
export function contentTag(
    context: string,
    extra: Readonly<Record<string, unknown>> = {},
    dockerfile: string = APP_IMAGE_DEFAULTS.dockerfile,
): string {
    const hash = crypto.createHash("sha256");
    const rules = path.join(context, ".dockerignore");
    // Docker's matching rules (later patterns win, `!` re-includes), as Docker applies them.
    const ignored = fs.existsSync(rules)
        ? dockerignore().add(fs.readFileSync(rules, "utf8").split(/\r?\n/))
        : undefined;
    const walk = (dir: string): string[] =>
        fs
            .readdirSync(dir, { withFileTypes: true })
            .flatMap((e) =>
                e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
            );
    const relative = (file: string) => path.relative(context, file).split(path.sep).join("/");
    const dockerfilePath = relative(path.resolve(context, dockerfile));
    const files = walk(context)
        .map(relative)
        .filter((f) => f === dockerfilePath || !ignored?.ignores(f))
        .sort();
    for (const file of files) {
        hash.update(file);
        hash.update("\0");
        hash.update(fs.readFileSync(path.join(context, file)));
        hash.update("\0");
    }
    hash.update(JSON.stringify(extra));
    return `src-${hash.digest("hex").slice(0, 12)}`;
}

/** Packages covered by `opts.providers` (array or map form). */
function packagesOf(opts?: pulumi.ComponentResourceOptions): string[] {
    const providers = opts?.providers;
    if (!providers) return [];
    const list = Array.isArray(providers) ? providers : Object.values(providers);
    return list.map((p) =>
        // The package a provider serves: `aws`, `gcp`, `azure-native`, `docker-build`.
        String((p as unknown as { getPackage?: () => string }).getPackage?.() ?? ""),
    );
}

export class AppImage extends pulumi.ComponentResource {
    /** The manifest digest, the same in every registry (`sha256:...`). */
    public readonly digest: pulumi.Output<string>;
    /** The image by digest in each registry it was pushed to. */
    public readonly refs: {
        readonly aws?: pulumi.Output<string>;
        readonly gcp?: pulumi.Output<string>;
        readonly azure?: pulumi.Output<string>;
    };
    /**
     * The release tag of this build in every registry: `src-<sources>-<digest>` (see
     * `releaseTag`). Known once the image is built.
     */
    public readonly tag: pulumi.Output<string>;
    /** The tag of the sources alone (`src-<hash>`), known before the build. */
    public readonly sourceTag: string;
    /** The platforms the image covers. */
    public readonly platforms: readonly ImagePlatform[];

    constructor(name: string, args: AppImageArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfInvalid("AppImage", name, validateAppImageArgs(args, packagesOf(opts), name));
        super("multicloud:app:AppImage", name, {}, opts);
        const parent = { parent: this };

        const context = args.context ?? APP_IMAGE_DEFAULTS.context;
        const dockerfile = path.join(context, args.dockerfile ?? APP_IMAGE_DEFAULTS.dockerfile);
        const target = args.target ?? APP_IMAGE_DEFAULTS.target;
        const platforms = resolvePlatforms(args);
        const buildArgs = args.buildArgs ?? {};
        const buildOnPreview = args.buildOnPreview ?? APP_IMAGE_DEFAULTS.buildOnPreview;
        const repository = args.repository ?? name;
        const tags = args.tags ?? {};
        const plainArgs = Object.fromEntries(
            Object.entries(buildArgs).filter(([, v]) => typeof v === "string"),
        );
        // The sources part of the release tag (the digest part follows the build).
        this.platforms = platforms;
        this.sourceTag = contentTag(
            context,
            {
                dockerfile: args.dockerfile,
                target,
                platforms,
                plainArgs,
                secretArgNames: secretBuildArgNames(buildArgs),
                registries: (Object.keys(REGISTRY_PACKAGE) as RegistryCloud[]).filter(
                    (c) => args.registries[c] !== undefined,
                ),
                buildOnPreview,
            },
            args.dockerfile,
        );
        // Credentials are only needed when something is built: skipped in previews without a build.
        const needsLogin = !pulumi.runtime.isDryRun() || buildOnPreview;

        const targets: {
            cloud: RegistryCloud;
            /** `host/path/to/repository`, no tag. */
            repositoryUrl: pulumi.Output<string>;
            registry: pulumi.Input<dockerBuild.types.input.RegistryArgs>;
            /** Where this registry keeps the build cache, when it can. */
            cacheRepositoryUrl?: pulumi.Output<string>;
            resources: pulumi.Resource[];
        }[] = [];

        // --- Amazon ECR -----------------------------------------------------------------------
        if (args.registries.aws) {
            const repo = new aws.ecr.Repository(
                name,
                {
                    name: repository,
                    // Release tags never move; the build cache tag is the one exception.
                    imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
                    imageTagMutabilityExclusionFilters: [
                        { filter: CACHE_TAG, filterType: "WILDCARD" },
                    ],
                    imageScanningConfiguration: { scanOnPush: true },
                    encryptionConfigurations: [
                        { encryptionType: "KMS", kmsKey: args.registries.aws.kmsKeyArn },
                    ],
                    tags,
                },
                parent,
            );
            new aws.ecr.LifecyclePolicy(
                `${name}-lifecycle`,
                {
                    repository: repo.name,
                    policy: JSON.stringify({
                        rules: [
                            {
                                rulePriority: 1,
                                description:
                                    "Drop untagged images (old cache layers) after 14 days",
                                selection: {
                                    tagStatus: "untagged",
                                    countType: "sinceImagePushed",
                                    countUnit: "days",
                                    countNumber: 14,
                                },
                                action: { type: "expire" },
                            },
                            {
                                rulePriority: 2,
                                description: "Keep the 50 most recent release images",
                                selection: {
                                    tagStatus: "tagged",
                                    tagPrefixList: ["src-"],
                                    countType: "imageCountMoreThan",
                                    countNumber: 50,
                                },
                                action: { type: "expire" },
                            },
                        ],
                    }),
                },
                parent,
            );
            const token = aws.ecr.getAuthorizationTokenOutput(
                { registryId: repo.registryId },
                parent,
            );
            const url = repo.repositoryUrl;
            targets.push({
                cloud: "aws",
                repositoryUrl: url,
                cacheRepositoryUrl: url,
                registry: {
                    address: url.apply(hostOf),
                    username: token.userName,
                    password: pulumi.secret(token.password),
                },
                resources: [repo],
            });
        }

        // --- Azure Container Registry ---------------------------------------------------------
        if (args.registries.azure) {
            const az = args.registries.azure;
            const cmek = az.encryption
                ? this.acrKeyAccess(name, az, az.encryption, tags)
                : undefined;
            const registry = new azure.containerregistry.Registry(
                name,
                {
                    // Azure sets a customer-managed key only at creation, and never removes it
                    // (tutorial-customer-managed-keys.md). azure-native, though, would send a
                    // changed `encryption` as an in-place update: the API spec gives it no
                    // x-ms-mutability and lists it in RegistryPropertiesUpdateParameters
                    // (Azure/azure-rest-api-specs @0084bebc containerregistry 2023-01-01-preview
                    // containerregistry.json), and forceNewMap has no ContainerRegistry entry
                    // (pulumi/pulumi-azure-native @1b7112af provider/pkg/gen/replacement.go). The
                    // default name therefore differs with and without the key: turning it on or
                    // off is a new registry (registryName is a path parameter: a replacement,
                    // created before the old one is deleted, see the options), which the build
                    // pushes to.
                    registryName: az.registryName ?? defaultRegistryName(name, cmek !== undefined),
                    resourceGroupName: az.resourceGroupName,
                    location: az.location,
                    sku: { name: az.sku ?? "Standard" },
                    // Pushes and pulls authenticate with Entra ID identities, never a shared password.
                    adminUserEnabled: false,
                    anonymousPullEnabled: false,
                    ...(cmek
                        ? {
                              // As `az acr create --identity --key-encryption-key` sends it
                              // (Azure/azure-cli acr/custom.py _configure_cmk): the identity
                              // attached, and named in the key settings by its client id.
                              identity: {
                                  type: azure.containerregistry.ResourceIdentityType.UserAssigned,
                                  userAssignedIdentities: cmek.identity.id.apply((id) => ({
                                      [id]: {},
                                  })),
                              },
                              encryption: {
                                  status: azure.containerregistry.EncryptionStatus.Enabled,
                                  keyVaultProperties: {
                                      keyIdentifier: cmek.keyIdentifier,
                                      identity: cmek.identity.clientId,
                                  },
                              },
                          }
                        : {}),
                    tags,
                },
                // Azure checks the key at creation ("Failed to access KeyId ... Verify that
                // identity ... has 'Get, Wrap Key, Unwrap Key' permission", MicrosoftDocs/
                // azure-docs#61015): the grant must exist first. It may still not be in effect
                // (Key Vault applies a new role within 10 minutes, key-vault/general/rbac-guide.md,
                // and azure-native does not retry a 4xx): the create then fails and a rerun
                // succeeds. Hence never delete first: azure-native deletes before replacing any
                // resource with an explicit name (provider.go Diff, deleteBeforeReplace when
                // replaces exist), which would leave no registry while the new one cannot yet be
                // created; create-first, the old registry goes only once the new one exists.
                // A new identity (the key turned on or off under an explicit registryName, which
                // Azure refuses to change in place) is a replacement too: with the same name it
                // fails at create ("already exists") instead of sending an update Azure refuses.
                {
                    ...parent,
                    dependsOn: cmek ? [cmek.grant] : [],
                    deleteBeforeReplace: false,
                    replaceOnChanges: ["identity"],
                },
            );
            const client = azure.authorization.getClientTokenOutput({}, parent);
            const password = pulumi
                .all([registry.loginServer, client.token, az.tenantId])
                .apply(([loginServer, armToken, tenantId]) =>
                    needsLogin ? exchangeAcrRefreshToken({ loginServer, armToken, tenantId }) : "",
                );
            const url = pulumi.interpolate`${registry.loginServer}/${repository}`;
            targets.push({
                cloud: "azure",
                repositoryUrl: url,
                cacheRepositoryUrl: url,
                registry: {
                    address: registry.loginServer,
                    username: ACR_TOKEN_USER,
                    password: pulumi.secret(password),
                },
                resources: [registry],
            });
        }

        // --- Artifact Registry ----------------------------------------------------------------
        if (args.registries.gcp) {
            const g = args.registries.gcp;
            const grants: pulumi.Resource[] = [];
            if (g.kmsKeyName !== undefined) {
                // The Artifact Registry service agent encrypts and decrypts with the key. It may
                // not exist yet in a new project: create it rather than assume it.
                const agent = new gcp.projects.ServiceIdentity(
                    `${name}-registry-agent`,
                    { project: g.project, service: "artifactregistry.googleapis.com" },
                    parent,
                );
                grants.push(
                    agent,
                    new gcp.kms.CryptoKeyIAMMember(
                        `${name}-cmek`,
                        {
                            cryptoKeyId: g.kmsKeyName,
                            role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
                            member: agent.member,
                        },
                        parent,
                    ),
                );
            }
            const repo = new gcp.artifactregistry.Repository(
                name,
                {
                    project: g.project,
                    location: g.location,
                    repositoryId: repository,
                    format: "DOCKER",
                    dockerConfig: { immutableTags: true },
                    kmsKeyName: g.kmsKeyName,
                    description: "The multi-cloud app image, pushed by Pulumi",
                    labels: tags,
                },
                { ...parent, dependsOn: grants },
            );
            const host = `${g.location}-docker.pkg.dev`;
            const client = gcp.organizations.getClientConfigOutput(parent);
            targets.push({
                cloud: "gcp",
                repositoryUrl: pulumi.interpolate`${host}/${g.project}/${repo.repositoryId}/app`,
                registry: {
                    address: host,
                    username: "oauth2accesstoken",
                    password: pulumi.secret(client.accessToken),
                },
                resources: [repo, ...grants],
            });
        }

        // The cache lives in the first registry that allows a mutable tag (ECR by exclusion,
        // ACR by default); Artifact Registry's immutable repositories cannot hold it.
        const cacheHome = targets.find((t) => t.cacheRepositoryUrl);
        const cacheRef = cacheHome?.cacheRepositoryUrl?.apply((u) => `${u}:${CACHE_TAG}`);

        // Step 1: one build, pushed by digest (no tag) to every repository.
        const image = new dockerBuild.Image(
            name,
            {
                context: { location: context },
                dockerfile: { location: dockerfile },
                target,
                platforms: [...platforms],
                builder: args.builder !== undefined ? { name: args.builder } : undefined,
                // An image index even for one platform. Without it BuildKit exports a plain
                // manifest, and `buildx imagetools create` (the Index below, --prefer-index on by
                // default) wraps a single plain manifest in a new index: the tag would name
                // another digest than the one deployed (docker/buildx util/imagetools/create.go;
                // frontend/dockerui/config.go reads BUILDKIT_MULTI_PLATFORM).
                // The attestations go with the image into every registry, in its image index
                // (see ./attestations.ts for why they are build arguments).
                buildArgs: {
                    ...buildArgs,
                    ...attestationBuildArgs(
                        args.sbom ?? DEFAULT_SBOM,
                        args.provenance ?? DEFAULT_PROVENANCE,
                    ),
                    BUILDKIT_MULTI_PLATFORM: "1",
                },
                buildOnPreview,
                push: false,
                exports: [
                    {
                        raw: pulumi
                            .all(targets.map((t) => t.repositoryUrl))
                            .apply((urls) => pushByDigestExport(urls)),
                    },
                ],
                registries: targets.map((t) => t.registry),
                cacheFrom: cacheRef ? [{ registry: { ref: cacheRef } }] : [],
                cacheTo: cacheRef
                    ? [
                          {
                              registry: {
                                  ref: cacheRef,
                                  mode: dockerBuild.CacheMode.Max,
                                  // ECR takes the cache only as an OCI image manifest.
                                  imageManifest: true,
                                  ociMediaTypes: true,
                              },
                          },
                      ]
                    : [],
                labels: {
                    "org.opencontainers.image.title": repository,
                    "org.opencontainers.image.version": this.sourceTag,
                },
            },
            {
                ...parent,
                dependsOn: targets.flatMap((t) => t.resources),
                // Destroying the stack leaves pushed images alone: release tags are immutable,
                // and the login tokens in state would have expired by then anyway.
                retainOnDelete: true,
            },
        );

        // A preview that does not build reports no digest: everything derived from it is then
        // unknown (not an invalid `repo@` ref); an update that pushed nothing is an error.
        this.digest = image.digest.apply((d) => {
            if (/^sha256:[0-9a-f]{64}$/.test(d)) return d;
            if (pulumi.runtime.isDryRun()) return pulumi.unknown as unknown as string;
            throw new Error(
                `the image build reported no pushed digest ('${d}'): check the build log`,
            );
        });
        const sourceTag = this.sourceTag;
        this.tag = this.digest.apply((d) => releaseTag(sourceTag, d));

        // Step 2: in each registry, the release tag on that digest, in the same repository
        // (`buildx imagetools create` with one image-index source keeps its bytes and digest:
        // docker/buildx util/imagetools/create.go, "on single source, return original bytes").
        const refs: Partial<Record<RegistryCloud, pulumi.Output<string>>> = {};
        for (const t of targets) {
            const index = new dockerBuild.Index(
                `${name}-${t.cloud}`,
                {
                    sources: [pulumi.interpolate`${t.repositoryUrl}@${this.digest}`],
                    tag: pulumi.interpolate`${t.repositoryUrl}:${this.tag}`,
                    registry: t.registry,
                    push: true,
                },
                {
                    ...parent,
                    // A replaced tag (a new build) leaves the old one for the lifecycle rules: its
                    // digest may still run until the rollout ends.
                    retainOnDelete: true,
                },
            );
            // The ref waits for the tag, so nothing runs an image its registry has not tagged.
            refs[t.cloud] = pulumi
                .all([t.repositoryUrl, this.digest, index.tag])
                .apply(([url, digest]) => `${url}@${digest}`);
        }
        this.refs = refs;
        this.registerOutputs({
            digest: this.digest,
            refs: this.refs,
            tag: this.tag,
            sourceTag: this.sourceTag,
            platforms: this.platforms,
        });
    }

    /**
     * The registry's way to its key: a user-assigned identity (Azure requires one to enable the
     * key) and its grant of "Key Vault Crypto Service Encryption User" on the vault, as
     * tutorial-enable-customer-managed-keys.md assigns it (`az role assignment create --role
     * "Key Vault Crypto Service Encryption User" --scope $keyvaultID`).
     */
    private acrKeyAccess(
        name: string,
        az: NonNullable<AppImageRegistries["azure"]>,
        encryption: AcrEncryptionArgs,
        tags: Record<string, string>,
    ) {
        const parent = { parent: this };
        const identity = new azure.managedidentity.UserAssignedIdentity(
            `${name}-acr-identity`,
            { resourceGroupName: az.resourceGroupName, location: az.location, tags },
            parent,
        );
        const vault = pulumi.output(encryption.keyVaultId).apply((id) => {
            const parsed = parseKeyVaultId(id);
            // A value known only now (an output) is checked now.
            if (!parsed) {
                throwIfInvalid(
                    "AppImage",
                    name,
                    acrEncryptionProblems(
                        { sku: "Premium", keyVaultId: id },
                        ACR_ENCRYPTION_ARGS,
                    ).map((p) => `${ACR_ENCRYPTION_ARGS[p.field]} ${p.message}`),
                );
            }
            return {
                id,
                roleDefinitionId: roleDefinitionIdIn(
                    parsed!.subscriptionId,
                    KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
                ),
            };
        });
        const grant = new azure.authorization.RoleAssignment(
            `${name}-acr-cmek`,
            {
                scope: encryption.keyVaultId,
                roleDefinitionId: vault.roleDefinitionId,
                principalId: identity.principalId,
                // The identity is seconds old: the type spares Azure the directory lookup that
                // fails while it replicates ("Create a role assignment for a new service
                // principal", MicrosoftDocs/azure-docs role-based-access-control/role-assignments-cli.md).
                principalType: azure.authorization.PrincipalType.ServicePrincipal,
                // Named by what it grants (scope, role, principal): a rerun reuses the name.
                roleAssignmentName: pulumi
                    .all([vault, identity.principalId])
                    .apply(([v, principal]) =>
                        roleAssignmentName(v.id, v.roleDefinitionId, principal),
                    ),
            },
            // Another vault (or identity) is a new name, so the new grant can exist beside the
            // old one: create it first, so the registry never loses its key while the old grant
            // is gone and the new one is not in effect ("Revoking a customer-managed key will
            // block access to all registry data", tutorial-rotate-revoke-customer-managed-keys.md).
            { ...parent, deleteBeforeReplace: false },
        );
        return { identity, grant, keyIdentifier: encryption.keyIdentifier };
    }
}

/** `123.dkr.ecr.us-east-1.amazonaws.com/app` -> `123.dkr.ecr.us-east-1.amazonaws.com`. */
function hostOf(url: string): string {
    return url.split("/")[0];
}

/**
 * A registry name no other stack of this project would pick: letters and digits, <= 50. A
 * registry with a customer-managed key gets another name than one without (see the Registry in
 * AppImage): Azure cannot switch an existing registry between the two.
 */
export function defaultRegistryName(name: string, customerManagedKey = false): string {
    const base = `${pulumi.getProject()}${pulumi.getStack()}${name}`.replace(/[^a-zA-Z0-9]/g, "");
    const suffix = crypto
        .createHash("sha256")
        .update(
            `${pulumi.getProject()}/${pulumi.getStack()}/${name}${customerManagedKey ? "/cmek" : ""}`,
        )
        .digest("hex")
        .slice(0, 8);
    return `${base.slice(0, 42)}${suffix}`.toLowerCase();
}
