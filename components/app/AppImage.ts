/**
 * The app image: built once from `app/` for linux/amd64 and pushed to each enabled cloud's
 * registry, all created here: Amazon ECR (scan on push, immutable tags, KMS), Artifact Registry
 * (Docker format, immutable tags, CMEK when a key is given) and Azure Container Registry (admin
 * user off). Registry credentials come from each cloud's SDK at run time, never from files:
 * ECR's authorization token, the Google access token of the running identity, and for ACR the
 * running identity's Azure token exchanged for a registry token (see ./acrLogin.ts).
 *
 * Built with `@pulumi/docker-build`: one BuildKit build pushes the same manifest to every
 * registry (one digest everywhere), with a registry build cache. `@pulumi/docker`'s Image pushes
 * to one registry per resource, so three registries would mean three builds and, since builds
 * are not bit-reproducible, three different digests.
 */
import * as aws from "@pulumi/aws";
import * as azure from "@pulumi/azure-native";
import * as dockerBuild from "@pulumi/docker-build";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { throwIfInvalid } from "../validation";
import { ACR_TOKEN_USER, exchangeAcrRefreshToken } from "./acrLogin";

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
        /** @default "Standard" */
        readonly sku?: "Basic" | "Standard" | "Premium";
        /** Tenant of the identity running Pulumi, for the token exchange. */
        readonly tenantId: pulumi.Input<string>;
    };
}

export interface AppImageArgs {
    /** Directory holding the Dockerfile and the sources. @default "app" */
    readonly context?: string;
    /** The Dockerfile, relative to `context`. @default "Dockerfile" */
    readonly dockerfile?: string;
    /** The Dockerfile stage to build. @default "runtime" */
    readonly target?: string;
    /** @default "linux/amd64" */
    readonly platform?: dockerBuild.Platform;
    /** `ARG` values, e.g. `PYTHON_IMAGE` pinned by digest. @default {} */
    readonly buildArgs?: Record<string, pulumi.Input<string>>;
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

/** Pure checks of the arguments; `providerPackages` are the packages `opts.providers` covers. */
export function validateAppImageArgs(
    args: AppImageArgs,
    providerPackages: readonly string[],
    name: string,
): string[] {
    const problems: string[] = [];
    const context = args.context ?? "app";
    const dockerfile = args.dockerfile ?? "Dockerfile";
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
    if (!/^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/.test(repository) || repository.length > 63) {
        problems.push(
            `repository '${repository}' must be lowercase letters, digits, '.', '_' or '-' (up to 63), starting and ending with a letter or digit`,
        );
    }
    const acr = args.registries.azure?.registryName;
    if (acr !== undefined && !/^[a-zA-Z0-9]{5,50}$/.test(acr)) {
        problems.push(`registries.azure.registryName '${acr}' must be 5-50 letters and digits`);
    }
    return problems;
}

/**
 * A tag derived from the build inputs (every file of the context, the Dockerfile path, target,
 * platform and plain build args): the same sources always get the same tag, so immutable tags
 * never collide, and a change of sources is a new tag (and a new build).
 */
export function contentTag(context: string, extra: Readonly<Record<string, unknown>> = {}): string {
    const hash = crypto.createHash("sha256");
    const walk = (dir: string): string[] =>
        fs
            .readdirSync(dir, { withFileTypes: true })
            .flatMap((e) =>
                e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
            );
    for (const file of walk(context).sort()) {
        hash.update(path.relative(context, file).split(path.sep).join("/"));
        hash.update("\0");
        hash.update(fs.readFileSync(file));
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
    /** The content tag the image was pushed under (`src-<hash>`). */
    public readonly tag: string;

    constructor(name: string, args: AppImageArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfInvalid("AppImage", name, validateAppImageArgs(args, packagesOf(opts), name));
        super("multicloud:app:AppImage", name, {}, opts);
        const parent = { parent: this };

        const context = args.context ?? "app";
        const dockerfile = path.join(context, args.dockerfile ?? "Dockerfile");
        const target = args.target ?? "runtime";
        const platform = args.platform ?? dockerBuild.Platform.Linux_amd64;
        const buildArgs = args.buildArgs ?? {};
        const buildOnPreview = args.buildOnPreview ?? false;
        const repository = args.repository ?? name;
        const tags = args.tags ?? {};
        const plainArgs = Object.fromEntries(
            Object.entries(buildArgs).filter(([, v]) => typeof v === "string"),
        );
        // Everything the build provider diffs on goes into the tag: a rebuild for any reason is
        // a new tag, never a second push of an immutable one with another digest.
        this.tag = contentTag(context, {
            dockerfile: args.dockerfile,
            target,
            platform,
            plainArgs,
            secretArgNames: Object.keys(buildArgs).filter((k) => !(k in plainArgs)),
            registries: (Object.keys(REGISTRY_PACKAGE) as RegistryCloud[]).filter(
                (c) => args.registries[c] !== undefined,
            ),
            buildOnPreview,
        });
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
            const registry = new azure.containerregistry.Registry(
                name,
                {
                    registryName: az.registryName ?? defaultRegistryName(name),
                    resourceGroupName: az.resourceGroupName,
                    location: az.location,
                    sku: { name: az.sku ?? "Standard" },
                    // Pushes and pulls authenticate with Entra ID identities, never a shared password.
                    adminUserEnabled: false,
                    anonymousPullEnabled: false,
                    tags,
                },
                parent,
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

        const image = new dockerBuild.Image(
            name,
            {
                context: { location: context },
                dockerfile: { location: dockerfile },
                target,
                platforms: [platform],
                buildArgs,
                buildOnPreview,
                push: true,
                tags: targets.map((t) => pulumi.interpolate`${t.repositoryUrl}:${this.tag}`),
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
                    "org.opencontainers.image.version": this.tag,
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

        this.digest = image.digest;
        const refOf = (cloud: RegistryCloud) => {
            const t = targets.find((x) => x.cloud === cloud);
            return t ? pulumi.interpolate`${t.repositoryUrl}@${image.digest}` : undefined;
        };
        this.refs = { aws: refOf("aws"), gcp: refOf("gcp"), azure: refOf("azure") };
        this.registerOutputs({ digest: this.digest, refs: this.refs, tag: this.tag });
    }
}

/** `123.dkr.ecr.us-east-1.amazonaws.com/app` -> `123.dkr.ecr.us-east-1.amazonaws.com`. */
function hostOf(url: string): string {
    return url.split("/")[0];
}

/** A registry name no other stack of this project would pick: letters and digits, <= 50. */
export function defaultRegistryName(name: string): string {
    const base = `${pulumi.getProject()}${pulumi.getStack()}${name}`.replace(/[^a-zA-Z0-9]/g, "");
    const suffix = crypto
        .createHash("sha256")
        .update(`${pulumi.getProject()}/${pulumi.getStack()}/${name}`)
        .digest("hex")
        .slice(0, 8);
    return `${base.slice(0, 42)}${suffix}`.toLowerCase();
}
