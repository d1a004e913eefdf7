/**
 * The typed schema of the whole stack config, and its validation: the whole-stack schema, the
 * checks that read several sections, and the parsers. Each section's schema lives beside it, as
 * the components do: config/aws.ts, gcp.ts, azure.ts, edge.ts, app.ts (the app release and image),
 * dashboard.ts; what they share in config/common.ts.
 *
 * Every key lives in the project namespace (`multicloud:`). Objects are set with
 * `pulumi config set --path`, e.g. `pulumi config set --path aws.fleet.maxSize 10`.
 * `parseStackConfig` is pure: it takes the raw config map Pulumi hands the program
 * (`pulumi.runtime.allConfig()`), and either returns the typed config with every
 * default settled, or throws one `ConfigError` that lists every problem at once.
 */
import { z } from "zod";
import {
    ConfigError,
    describeIssue,
    namespaceValues,
    ownValueIssue,
    pathText,
} from "../config-issues";
import { attestationProblems } from "../components/app/attestations";
import { DEFAULT_PULL_SECRET_NAME } from "../components/app/checks";
import { imagePlatformProblems } from "../components/app/platforms";
import { DashboardFile, loadDashboards } from "../components/azure/dashboards";
import { acrEncryptionProblems } from "../components/azure/keyVaultKey";
import {
    AppConfig,
    AppImageConfig,
    AppImageSchema,
    AppSchema,
    buildContextProblems,
    DatabaseUrlSchema,
    REGISTRY_CLOUDS,
    RegistryPullCredentialSchema,
} from "./app";
import { AwsConfig, AwsSchema } from "./aws";
import { AzureConfig, AzureSchema } from "./azure";
import { checkDashboard, DashboardSchema } from "./dashboard";
import { checkEdge, EdgeSchema } from "./edge";
import { GcpConfig, GcpSchema } from "./gcp";
import { tagKey, tagValue } from "./common";

export { databaseUrlTlsProblem, REGISTRY_CLOUDS, TLS_SSL_MODES } from "./app";
export type { AppConfig, AppImageConfig } from "./app";
export type { AwsConfig } from "./aws";
export type { AzureConfig } from "./azure";
export type { EdgeConfig, EdgeSiteConfig } from "./edge";
export type { GcpConfig } from "./gcp";
export { masterRange, REQUIRED_GCP_SERVICES } from "./gcp";

/** Tag keys the program sets itself on every resource; users may not override them. */
export const RESERVED_TAGS = ["project", "stack", "environment", "managed-by"] as const;

/** Config namespaces of the providers this program configures explicitly (never via ambient config). */
export const PROVIDER_NAMESPACES = [
    "aws",
    "gcp",
    "azure-native",
    "kubernetes",
    "docker",
    "docker-build",
    "tls",
] as const;

/** The whole stack config, keyed without the `multicloud:` namespace. */
export const StackConfigSchema = z
    .strictObject({
        /** Environment name, tagged on everything (e.g. dev, staging, prod). Required. */
        environment: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, {
            message: "must be a short lowercase name such as dev, staging or prod",
        }),
        /** Extra tags (AWS), labels (Google Cloud) and tags (Azure) for every resource. @default {} */
        tags: z.record(tagKey, tagValue).default({}),
        aws: AwsSchema.prefault({}),
        gcp: GcpSchema.prefault({}),
        azure: AzureSchema.prefault({}),
        edge: EdgeSchema.prefault({}),
        app: AppSchema,
        appImage: AppImageSchema.prefault({}),
        dashboard: DashboardSchema.prefault({}),
        /**
         * The database URL for the clusters Pulumi applies the app to; a secret. A PostgreSQL URI
         * that requires TLS (`sslmode=require`, `verify-ca` or `verify-full`). @default none
         */
        databaseUrl: DatabaseUrlSchema.optional(),
        /**
         * The released image's pull credential for the clusters GitOps feeds (edge sites,
         * attached clusters): Pulumi writes it into each as the Secret `secretName` of the app
         * namespace. A secret: set with `pulumi config set --secret --path
         * registryPullCredential.password <token password>`. @default none
         */
        registryPullCredential: RegistryPullCredentialSchema.optional(),
    })
    // Runs even when other keys are invalid, so that every problem is listed at once.
    .check(z.superRefine(checkWholeStack, { when: () => true }))
    .check(z.superRefine(checkEdge, { when: () => true }))
    .check(z.superRefine(checkDashboard, { when: () => true }));

/** Cross-section checks. The value may be partly invalid here: read it defensively. */
function checkWholeStack(value: unknown, ctx: z.RefinementCtx): void {
    const c = value as Record<string, { enabled?: unknown } | undefined>;
    const sections = ["aws", "gcp", "azure"].map((cloud) => c[cloud]);
    // A section that is not an object is reported on its own; "no cloud" would only be noise.
    if (
        sections.some(
            (section) => section !== undefined && (typeof section !== "object" || section === null),
        )
    ) {
        return;
    }
    const flags = ["aws", "gcp", "azure"].map((cloud) => c[cloud]?.enabled ?? false);
    // An invalid flag is reported on its own; "no cloud" would only be noise then.
    if (flags.every((f) => f === false)) {
        ctx.addIssue({
            code: "custom",
            path: [],
            message:
                "enables no cloud: set at least one of aws.enabled, gcp.enabled, azure.enabled to true",
        });
    }
    const registries = (c.appImage as { registries?: unknown } | undefined)?.registries;
    if (Array.isArray(registries)) {
        registries.forEach((cloud: unknown, i) => {
            if (
                typeof cloud !== "string" ||
                !(REGISTRY_CLOUDS as readonly string[]).includes(cloud)
            )
                return;
            const enabled = c[cloud]?.enabled;
            if (enabled !== true && enabled !== "true") {
                ctx.addIssue({
                    code: "custom",
                    path: ["appImage", "registries", i],
                    message: `names the ${cloud} registry, but ${cloud}.enabled is not true: remove ${cloud} from appImage.registries, or enable ${cloud}`,
                    params: { standalone: true },
                });
            }
        });
    }
    const image = c.appImage as
        | {
              azureSku?: unknown;
              azureEncryption?: { keyIdentifier?: unknown; keyVaultId?: unknown };
          }
        | undefined;
    if (image?.azureEncryption && typeof image.azureEncryption === "object") {
        const names = {
            encryption: "appImage.azureEncryption",
            sku: "appImage.azureSku",
            keyIdentifier: "appImage.azureEncryption.keyIdentifier",
            keyVaultId: "appImage.azureEncryption.keyVaultId",
        } as const;
        for (const p of acrEncryptionProblems(
            { sku: image.azureSku, ...image.azureEncryption },
            names,
        )) {
            ctx.addIssue({
                code: "custom",
                path: names[p.field].split("."),
                message: p.message,
                params: { standalone: true },
            });
        }
    }
    if ((c.appImage as { platform?: unknown } | undefined)?.platform !== undefined) {
        ctx.addIssue({
            code: "custom",
            path: ["appImage", "platform"],
            message:
                "has moved: list every platform in appImage.platforms (e.g. [linux/amd64, linux/arm64]) and remove appImage.platform with `pulumi config rm --path appImage.platform`",
            params: { standalone: true },
        });
    }
    const tags = c.tags && typeof c.tags === "object" ? c.tags : {};
    for (const key of Object.keys(tags).filter((k) =>
        (RESERVED_TAGS as readonly string[]).includes(k),
    )) {
        ctx.addIssue({
            code: "custom",
            path: ["tags", key],
            message: `is set by the program on every resource; remove it (reserved: ${RESERVED_TAGS.join(", ")})`,
            // Reported even when the value is invalid too: it is a separate problem.
            params: { standalone: true },
        });
    }
}

type Parsed = z.output<typeof StackConfigSchema>;

/**
 * The keys whose values the program refuses unless Pulumi holds them as secrets
 * (`pulumi config set --secret`; Pulumi encrypts the whole top-level key). One list: the parser
 * checks it, and the config reference (tools/config-doc.ts) marks these rows secret.
 */
export const SECRET_CONFIG: readonly {
    /** The documented key paths (`edge.sites[].kubeconfig`). */
    readonly keys: readonly string[];
    /** The top-level key Pulumi must hold as a secret. */
    readonly topLevel: string;
    /** The problems of a stack that sets the key in plain text. */
    readonly problems: (data: Parsed, project: string) => string[];
}[] = [
    {
        keys: ["gcp.attachedClusters[].kubeconfig"],
        topLevel: "gcp",
        problems: (data, project) =>
            data.gcp.attachedClusters.map(
                (c, i) =>
                    `${project}:gcp.attachedClusters[${i}].kubeconfig must be a secret: set it with ` +
                    `\`pulumi config set --secret --path 'gcp.attachedClusters[${i}].kubeconfig' "$(cat kubeconfig-${c.name})"\``,
            ),
    },
    {
        keys: ["edge.sites[].kubeconfig"],
        topLevel: "edge",
        problems: (data, project) =>
            data.edge.sites.length
                ? [
                      `${project}:edge.sites[*].kubeconfig must be secrets: set each with ` +
                          `\`pulumi config set --secret --path 'edge.sites[0].kubeconfig' "$(cat kubeconfig-${data.edge.sites[0].name})"\``,
                  ]
                : [],
    },
    {
        keys: ["registryPullCredential", "registryPullCredential.password"],
        topLevel: "registryPullCredential",
        problems: (data, project) =>
            data.registryPullCredential !== undefined
                ? [
                      `${project}:registryPullCredential must be a secret: set its password with \`pulumi config set --secret --path registryPullCredential.password <password>\``,
                  ]
                : [],
    },
    {
        keys: ["databaseUrl"],
        topLevel: "databaseUrl",
        problems: (data, project) =>
            data.databaseUrl !== undefined
                ? [
                      `${project}:databaseUrl must be a secret: set it with \`pulumi config set --secret databaseUrl <postgresql://...>\``,
                  ]
                : [],
    },
];

/** Every key of SECRET_CONFIG: messages never quote their values. */
const SECRET_KEYS = SECRET_CONFIG.flatMap((s) => s.keys);

/**
 * The fix for a missing required key of `app`, which Pulumi.yaml gives every stack as
 * project-level config. Pulumi applies a project-level value only to a stack that does not set
 * the key itself, and then the stack's whole value stands, never merged with the project's
 * (pulumi/pulumi pkg/workspace/config.go, `mergeConfig`: the project value is set only
 * `if !foundOnStack && (hasValue || hasDefault)`). So a stack that sets `multicloud:app` to
 * change one field loses Pulumi.yaml's image and ingress.
 */
function appRequiredFix(path: readonly PropertyKey[], project: string): string | undefined {
    if (path[0] !== "app") return undefined;
    const config = `${project}:app`;
    if (path.length === 1) {
        return `Pulumi.yaml gives it to every stack (config: ${config}: value: image, ingress, ...); restore it there`;
    }
    const field = pathText(path.slice(1));
    return (
        `a stack that sets ${config} replaces Pulumi.yaml's whole ${config} object (Pulumi does not merge the two), ` +
        `so copy ${field} from Pulumi.yaml's ${config} into the stack's ${config}, ` +
        `or remove the stack's with \`pulumi config rm app\` to use the project's`
    );
}

/** The validated stack config, every default settled. */
export type StackConfig = Omit<Parsed, "aws" | "gcp" | "azure" | "appImage" | "dashboard"> & {
    readonly dashboard: Parsed["dashboard"] & {
        /** The repository's dashboards (`dashboards/*.json`), checked; [] without a project folder. */
        readonly files: readonly DashboardFile[];
    };
    readonly aws: AwsConfig;
    readonly gcp: GcpConfig;
    readonly azure: AzureConfig;
    readonly appImage: AppImageConfig;
};

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

export { ConfigError };

/**
 * Validates the raw config map Pulumi gives the program (`pulumi.runtime.allConfig()`: keys
 * `<namespace>:<key>`, structured values as JSON text) and returns the typed config. Throws one
 * `ConfigError` listing every problem: the key path, what is wrong, and how to fix it.
 * `secretKeys` are the keys Pulumi holds as secrets (values that must be secret are checked).
 */
export function parseStackConfig(
    raw: Readonly<Record<string, string>>,
    project: string,
    stack?: string,
    secretKeys: readonly string[] = [],
    /** When given, paths in the config (the image's build context) are checked against it. */
    projectDir?: string,
): StackConfig {
    const problems: string[] = [];
    for (const fullKey of Object.keys(raw)) {
        const ns = fullKey.slice(0, fullKey.indexOf(":"));
        if ((PROVIDER_NAMESPACES as readonly string[]).includes(ns)) {
            problems.push(
                `${fullKey} has no effect: this program configures every provider explicitly from ${project}:* keys ` +
                    `(e.g. ${project}:aws.region, ${project}:gcp.project); remove it with \`pulumi config rm ${fullKey}\``,
            );
        }
    }
    // Other namespaces (pulumi:, policy packs, ...) are not ours.
    const values = namespaceValues(raw, project, problems);
    // The program tags everything with the project and stack names: they must be label-safe too.
    for (const [what, name, fix] of [
        ["project", project, "rename the project in Pulumi.yaml"],
        [
            "stack",
            stack,
            `rename the stack with \`pulumi stack rename ${stack?.toLowerCase().replace(/[^a-z0-9_-]/g, "-")}\``,
        ],
    ] as const) {
        if (name !== undefined && !/^[a-z0-9_-]{1,63}$/.test(name)) {
            problems.push(
                `the ${what} name '${name}' cannot be a tag value on every cloud (Google Cloud label rules: up to 63 lowercase letters, digits, _ or -): ${fix}`,
            );
        }
    }
    const result = StackConfigSchema.safeParse(values, { reportInput: true });
    if (!result.success) {
        // A cross-field check on a key that already failed on its own adds nothing: drop it.
        const failed = new Set(
            result.error.issues.filter(ownValueIssue).map((i) => pathText(i.path)),
        );
        const standalone = (i: z.core.$ZodIssue) =>
            i.code === "custom" && (i.params as { standalone?: boolean } | undefined)?.standalone;
        const issues = result.error.issues.filter(
            (i) => ownValueIssue(i) || standalone(i) || !failed.has(pathText(i.path)),
        );
        problems.push(
            ...issues.flatMap((issue) =>
                describeIssue(issue, project, StackConfigSchema, {
                    secretKeys: SECRET_KEYS,
                    requiredFix: (path) => appRequiredFix(path, project),
                }),
            ),
        );
    }
    // Kubeconfigs, credentials and the database URL must arrive as Pulumi secrets.
    if (result.success) {
        for (const secret of SECRET_CONFIG) {
            if (!secretKeys.includes(`${project}:${secret.topLevel}`)) {
                problems.push(...secret.problems(result.data, project));
            }
        }
    }
    problems.push(...buildContextProblems(values.appImage, project, projectDir));
    if (result.success) problems.push(...crossCloudProblems(result.data, project, secretKeys));
    // Dashboards are read (and every panel checked) only where a stack would render them.
    const dashboards =
        projectDir !== undefined &&
        result.success &&
        result.data.dashboard.enabled &&
        result.data.azure.enabled
            ? loadDashboards(projectDir)
            : { dashboards: [], problems: [] };
    problems.push(...dashboards.problems);
    if (problems.length > 0 || !result.success) {
        throw new ConfigError(problems, stack);
    }
    const data = result.data;
    const appImage: AppImageConfig = {
        ...data.appImage,
        registries: imageRegistries(data),
    };
    const dashboard = { ...data.dashboard, files: dashboards.dashboards };
    // Sound: the requiredWhenEnabled checks passed, so enabled sections hold their required fields.
    return { ...data, appImage, dashboard } as StackConfig;
}

/** The clouds whose registry receives the image: as configured, else every enabled cloud. */
function imageRegistries(data: Parsed): (typeof REGISTRY_CLOUDS)[number][] {
    return data.appImage.registries ?? REGISTRY_CLOUDS.filter((c) => data[c].enabled);
}

/**
 * Checks that need the parsed config of several clouds at once.
 * - The image built here must cover every architecture the nodes that run it have (AWS fleet,
 *   GKE node pools): a node of another architecture fails with `exec format error`.
 * - Clusters that GitOps feeds (edge sites, attached clusters) pull the released image
 *   `app.image` with no cloud identity: see `releasedImageProblems`.
 */
function crossCloudProblems(
    data: Parsed,
    project: string,
    secretKeys: readonly string[] = [],
): string[] {
    const problems: string[] = [];
    const image = data.appImage;
    if (image.build) {
        const registries = imageRegistries(data);
        problems.push(
            ...imagePlatformProblems(
                image.platforms,
                {
                    awsFleetArchitecture:
                        data.aws.enabled && registries.includes("aws")
                            ? data.aws.fleet.architecture
                            : undefined,
                    gkeClusters:
                        data.gcp.enabled && registries.includes("gcp") ? data.gcp.clusters : [],
                },
                `${project}:appImage.platforms`,
            ),
        );
        // A secret under appImage (`pulumi config set --secret --path appImage.buildArgs.X`) makes
        // the whole key secret: any build argument may then be one, and provenance max would
        // publish its value.
        const argNames = Object.keys(image.buildArgs);
        problems.push(
            ...attestationProblems(
                image.provenance,
                argNames,
                secretKeys.includes(`${project}:appImage`) ? argNames : [],
                `${project}:appImage.`,
            ),
        );
    }
    problems.push(...releasedImageProblems(data, project));
    return problems;
}

/** Private ECR hosts: `<account>.dkr.ecr.<region>.amazonaws.com[.cn]`. */
const ECR_HOST = /^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;
/** Azure Container Registry and Artifact Registry hosts (private unless made public). */
const PRIVATE_REGISTRY_HOST = /^([a-z0-9]+\.azurecr\.(io|cn|us)|[a-z0-9-]+-docker\.pkg\.dev)\//;

/**
 * The released image (`app.image`) is what GitOps delivers to the edge sites and the attached
 * clusters, whose kubelets have no cloud identity to pull with:
 * - a private ECR image cannot be pulled there for long: an ECR authorization token is valid
 *   for 12 hours (docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html), so a
 *   pull secret made from one stops working the same day;
 * - an ACR or Artifact Registry image needs a pull secret in the app namespace of every such
 *   cluster, listed in `app.imagePullSecrets` (docs/app.md#pulling-the-released-image).
 */
function releasedImageProblems(
    data: Pick<Parsed, "app" | "edge" | "gcp" | "registryPullCredential">,
    project: string,
): string[] {
    const credential = data.registryPullCredential;
    if (credential) {
        const problems: string[] = [];
        const host = data.app.image.split("/")[0];
        if (credential.server !== host) {
            problems.push(
                `${project}:registryPullCredential.server '${credential.server}' is not the registry of app.image ('${host}'): the kubelet offers a credential only to its own registry; set it to ${host}`,
            );
        }
        if (!data.app.imagePullSecrets.includes(credential.secretName)) {
            problems.push(
                `${project}:app.imagePullSecrets does not list '${credential.secretName}', the Secret Pulumi writes from registryPullCredential: add it in Pulumi.yaml (app.imagePullSecrets)`,
            );
        }
        return problems;
    }
    const registry = ECR_HOST.test(data.app.image)
        ? "ecr"
        : PRIVATE_REGISTRY_HOST.test(data.app.image)
          ? data.app.image.includes(".azurecr.")
              ? "acr"
              : "artifact-registry"
          : undefined;
    if (registry === undefined) return [];
    // EKS nodes pull from ECR with their node role (AmazonEC2ContainerRegistryPullOnly), and AKS
    // nodes from ACR with their kubelet identity (AcrPull): those clusters need no pull secret.
    const native = (distribution: string) =>
        (registry === "ecr" && distribution === "eks") ||
        (registry === "acr" && distribution === "aks");
    const gitopsClusters = [
        ...data.edge.sites
            .filter((s) => !native(s.distribution))
            .map((s) => `edge site '${s.name}'`),
        ...(data.gcp.enabled ? data.gcp.attachedClusters : [])
            .filter((a) => !native(a.distribution))
            .map((a) => `attached cluster '${a.name}'`),
    ];
    if (gitopsClusters.length === 0) return [];
    const pull = gitopsClusters.length === 1 ? "pulls" : "pull";
    const where =
        gitopsClusters.length > 2
            ? `${gitopsClusters.slice(0, 2).join(", ")} and ${gitopsClusters.length - 2} more`
            : gitopsClusters.join(" and ");
    if (registry === "ecr") {
        return [
            `${project}:app.image is in a private Amazon ECR registry, but ${where} ${pull} it through GitOps with no AWS identity, and an ECR pull token expires after 12 hours: release the image through ACR or Artifact Registry (app.built.refs.azure or .gcp after a \`pulumi up\`) with a pull secret in app.imagePullSecrets, or through a public registry`,
        ];
    }
    if (data.app.imagePullSecrets.length === 0) {
        return [
            `${project}:app.imagePullSecrets is empty, but app.image is in a private registry that ${where} ${pull} from with no cloud identity: create a pull credential (docs/app.md#pulling-the-released-image), set it as registryPullCredential so that Pulumi writes it into each of those clusters, and list its secret name (${DEFAULT_PULL_SECRET_NAME}) in app.imagePullSecrets`,
        ];
    }
    return [];
}

/**
 * Validates the app release alone (the `app` key of Pulumi.yaml's project-level config), for
 * renderers that need no stack. Throws a `ConfigError` listing every problem.
 */
export function parseAppConfig(value: unknown, project: string): AppConfig {
    const result = AppSchema.safeParse(value, { reportInput: true });
    if (result.success) return result.data;
    throw new ConfigError(
        result.error.issues.flatMap((issue) =>
            describeIssue(
                { ...issue, path: ["app", ...issue.path] } as z.core.$ZodIssue,
                project,
                StackConfigSchema,
                {
                    // Pulumi.yaml's own object: the fix is there.
                    requiredFix: (path) =>
                        path.length === 1
                            ? `set it in Pulumi.yaml (config: ${project}:app: value: image, ingress, ...)`
                            : `add ${pathText(path.slice(1))} to ${project}:app in Pulumi.yaml`,
                },
            ),
        ),
    );
}
