/**
 * The typed schema of the whole stack config, and its validation.
 *
 * Every key lives in the project namespace (`multicloud:`). Objects are set with
 * `pulumi config set --path`, e.g. `pulumi config set --path aws.fleet.maxSize 10`.
 * `parseStackConfig` is pure: it takes the raw config map Pulumi hands the program
 * (`pulumi.runtime.allConfig()`), and either returns the typed config with every
 * default settled, or throws one `ConfigError` that lists every problem at once.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

/** Tag keys the program sets itself on every resource; users may not override them. */
export const RESERVED_TAGS = ["project", "stack", "environment", "managed-by"] as const;

/** Config namespaces of the providers this program configures explicitly (never via ambient config). */
export const PROVIDER_NAMESPACES = ["aws", "gcp", "azure-native", "kubernetes", "docker"] as const;

// ---------------------------------------------------------------------------------------------
// Leaf types. Pulumi hands top-level scalars to the program as strings ("2", "true"), and
// `pulumi config set --path` may store numbers as strings too: accept both, reject the rest.
// ---------------------------------------------------------------------------------------------

const fromString = (parse: (s: string) => unknown) => (v: unknown) =>
    typeof v === "string" && v.trim() !== "" ? parse(v.trim()) : v;

const integer = () =>
    z.preprocess(
        fromString((s) => (/^-?\d+$/.test(s) ? Number(s) : s)),
        z.number().int(),
    );
const number = () =>
    z.preprocess(
        fromString((s) => (/^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s)),
        z.number(),
    );
const boolean = () =>
    z.preprocess(
        fromString((s) => (s === "true" ? true : s === "false" ? false : s)),
        z.boolean(),
    );

const awsRegion = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, {
    message: "must be an AWS region code such as us-east-1 or eu-west-2",
});
const awsAccountId = z.string().regex(/^\d{12}$/, { message: "must be a 12-digit AWS account id" });
const gcpProject = z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, {
    message:
        "must be a Google Cloud project id: 6-30 lowercase letters, digits or hyphens, starting with a letter",
});
const gcpRegion = z.string().regex(/^[a-z]+(-[a-z]+)+\d+$/, {
    message: "must be a Google Cloud region such as europe-west1 or us-central1 (not a zone)",
});
const gcpService = z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)*\.googleapis\.com$/, {
    message: "must be a Google API service name such as container.googleapis.com",
});
const azureLocation = z.string().regex(/^[a-z][a-z0-9]+$/, {
    message: "must be an Azure location name such as westeurope or eastus2 (lowercase, no spaces)",
});
const uuid = (what: string) =>
    z
        .string()
        .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, {
            message: `must be the ${what} as a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`,
        });
const azureResourceGroupName = z.string().regex(/^[-\w.()]{1,89}[-\w()]$/, {
    message:
        "must be 1-90 letters, digits, underscores, hyphens, periods or parentheses, not ending in a period",
});

/**
 * Tags become AWS tags, Google Cloud labels and Azure tags, so they follow the strictest of
 * the three: Google Cloud label rules (lowercase, 63 characters).
 */
const tagKey = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, {
    message:
        "must be a valid tag key on every cloud: start with a lowercase letter, then up to 62 lowercase letters, digits, _ or - (Google Cloud label rules)",
});
const tagValue = z.string().regex(/^[a-z0-9_-]{0,63}$/, {
    message:
        "must be a valid tag value on every cloud: up to 63 lowercase letters, digits, _ or - (Google Cloud label rules)",
});

// ---------------------------------------------------------------------------------------------
// Sections
// ---------------------------------------------------------------------------------------------

/** Sizing of the EC2 Auto Scaling fleet; defaults are the blueprint's Terraform values. */
const AwsFleetSchema = z
    .strictObject({
        /** @default 2 */
        minSize: integer().pipe(z.number().min(0)).default(2),
        /** @default 10 */
        maxSize: integer().pipe(z.number().min(1)).default(10),
        /** @default 2 */
        desiredCapacity: integer().pipe(z.number().min(0)).default(2),
        /** Target average CPU utilization (percent) of the target-tracking policy. @default 65 */
        targetCpuUtilization: number().default(65),
    })
    .superRefine((f, ctx) => {
        if (f.maxSize < f.minSize) {
            ctx.addIssue({
                code: "custom",
                path: ["maxSize"],
                message: `(${f.maxSize}) must be >= minSize (${f.minSize}): raise maxSize or lower minSize`,
            });
        } else if (f.desiredCapacity < f.minSize || f.desiredCapacity > f.maxSize) {
            ctx.addIssue({
                code: "custom",
                path: ["desiredCapacity"],
                message: `(${f.desiredCapacity}) must be within [minSize, maxSize] = [${f.minSize}, ${f.maxSize}]`,
            });
        }
        if (!(f.targetCpuUtilization > 0 && f.targetCpuUtilization <= 100)) {
            ctx.addIssue({
                code: "custom",
                path: ["targetCpuUtilization"],
                message: `(${f.targetCpuUtilization}) must be a percentage in (0, 100], e.g. 65`,
            });
        }
    });

/** Adds "X is required when <section>.enabled is true" problems for missing fields. */
function requiredWhenEnabled(section: string, fields: readonly string[]) {
    // Returned as a check plus its `when`, so it also runs when other fields are invalid.
    return {
        check: (value: unknown, ctx: z.RefinementCtx) => {
            const v = value as Record<string, unknown> | undefined;
            if (!v || v.enabled !== true) return;
            for (const field of fields) {
                if (v[field] === undefined) {
                    ctx.addIssue({
                        code: "custom",
                        path: [field],
                        message: `is required when ${section}.enabled is true: set it with \`pulumi config set --path ${section}.${field} <value>\`, or set ${section}.enabled to false`,
                    });
                }
            }
        },
        // Run even when other fields of the section are invalid, so every problem is listed.
        when: () => true,
    };
}

const AWS_REQUIRED = ["region"] as const;
const awsRequired = requiredWhenEnabled("aws", AWS_REQUIRED);
const AwsSchema = z
    .strictObject({
        /** Deploy the AWS side of the fleet. @default false */
        enabled: boolean().default(false),
        /** Region of every AWS resource. Required when enabled. */
        region: awsRegion.optional(),
        /**
         * Account ids this stack may deploy into; the AWS provider refuses any other account, so
         * a dev stack can never touch prod by a wrong credential. @default [] (any account)
         */
        allowedAccountIds: z.array(awsAccountId).default([]),
        /** The Auto Scaling fleet. @default the blueprint's values */
        fleet: AwsFleetSchema.prefault({}),
    })
    .check(z.superRefine(awsRequired.check, { when: awsRequired.when }));

/** Google APIs every GKE fleet stack needs enabled before anything else is created. */
export const REQUIRED_GCP_SERVICES = [
    "compute.googleapis.com",
    "container.googleapis.com",
    "cloudkms.googleapis.com",
    "iam.googleapis.com",
    "gkehub.googleapis.com",
    "anthosconfigmanagement.googleapis.com",
    "artifactregistry.googleapis.com",
] as const;

const GCP_REQUIRED = ["project", "region"] as const;
const gcpRequired = requiredWhenEnabled("gcp", GCP_REQUIRED);
const GcpSchema = z
    .strictObject({
        /** Deploy the Google Cloud side of the fleet. @default false */
        enabled: boolean().default(false),
        /** Project that holds the clusters and the fleet (GKE Hub host project). Required when enabled. */
        project: gcpProject.optional(),
        /** Default region of regional resources. Required when enabled. */
        region: gcpRegion.optional(),
        /** Extra Google APIs to enable besides the ones the program needs. @default [] */
        extraServices: z.array(gcpService).default([]),
    })
    .check(z.superRefine(gcpRequired.check, { when: gcpRequired.when }));

const AZURE_REQUIRED = ["subscriptionId", "location"] as const;
const azureRequired = requiredWhenEnabled("azure", AZURE_REQUIRED);
const AzureSchema = z
    .strictObject({
        /** Deploy the Azure side of the fleet (Arc, Policy, Monitor). @default false */
        enabled: boolean().default(false),
        /** Subscription that holds the fleet's resource group. Required when enabled. */
        subscriptionId: uuid("Azure subscription id").optional(),
        /** Entra ID tenant. @default the tenant of the credentials in use */
        tenantId: uuid("Entra ID tenant id").optional(),
        /** Location of the resource group and fleet-wide resources. Required when enabled. */
        location: azureLocation.optional(),
        /** Name of the fleet's resource group. @default `<project>-<stack>` */
        resourceGroupName: azureResourceGroupName.optional(),
    })
    .check(z.superRefine(azureRequired.check, { when: azureRequired.when }));

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
    })
    // Runs even when other keys are invalid, so that every problem is listed at once.
    .check(z.superRefine(checkWholeStack, { when: () => true }));

/** Cross-section checks. The value may be partly invalid here: read it defensively. */
function checkWholeStack(value: unknown, ctx: z.RefinementCtx): void {
    const c = value as Record<string, { enabled?: unknown } | undefined>;
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
    const tags = c.tags && typeof c.tags === "object" ? c.tags : {};
    for (const key of Object.keys(tags).filter((k) =>
        (RESERVED_TAGS as readonly string[]).includes(k),
    )) {
        ctx.addIssue({
            code: "custom",
            path: ["tags", key],
            message: `is set by the program on every resource; remove it (reserved: ${RESERVED_TAGS.join(", ")})`,
        });
    }
}

type Parsed = z.output<typeof StackConfigSchema>;

/**
 * A cloud section, narrowed on `enabled`: when a cloud is on, the fields it requires are
 * present (the schema's `requiredWhenEnabled` checks guarantee it).
 */
type Section<T extends { enabled: boolean }, Required extends keyof T> =
    | (Omit<T, "enabled"> & { enabled: false })
    | (Omit<T, "enabled" | Required> & { enabled: true } & {
          [P in Required]-?: NonNullable<T[P]>;
      });

export type AwsConfig = Section<Parsed["aws"], (typeof AWS_REQUIRED)[number]>;
export type GcpConfig = Section<Parsed["gcp"], (typeof GCP_REQUIRED)[number]>;
export type AzureConfig = Section<Parsed["azure"], (typeof AZURE_REQUIRED)[number]>;

/** The validated stack config, every default settled. */
export type StackConfig = Omit<Parsed, "aws" | "gcp" | "azure"> & {
    readonly aws: AwsConfig;
    readonly gcp: GcpConfig;
    readonly azure: AzureConfig;
};

// ---------------------------------------------------------------------------------------------
// Parsing and messages
// ---------------------------------------------------------------------------------------------

/**
 * Invalid stack config. A `RunError`, so `pulumi up` prints the message alone, without a stack
 * trace. `problems` holds one line per problem.
 */
export class ConfigError extends pulumi.RunError {
    constructor(
        public readonly problems: readonly string[],
        stack?: string,
    ) {
        super(
            `Invalid stack config${stack ? ` for stack '${stack}'` : ""} (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was created:\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** `["aws", "fleet", "maxSize"]` -> `aws.fleet.maxSize`; indices as `[0]`. */
function pathText(path: readonly PropertyKey[]): string {
    return path
        .map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`))
        .join("");
}

function show(v: unknown): string {
    return typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
}

/** Known keys of the object schema at `path`, for "not a known setting" messages. */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
    let schema: unknown = StackConfigSchema;
    for (const seg of path) {
        schema = unwrap(schema);
        const shape = (schema as { shape?: Record<string, unknown> }).shape;
        if (!shape || typeof seg !== "string" || !(seg in shape)) return [];
        schema = shape[seg];
    }
    const shape = (unwrap(schema) as { shape?: Record<string, unknown> }).shape;
    return shape ? Object.keys(shape) : [];
}

function unwrap(schema: unknown): unknown {
    // Peel defaults, prefaults, optionals and pipes down to the object schema.
    let s = schema as { def?: Record<string, unknown>; shape?: unknown };
    for (let i = 0; i < 10 && s && !s.shape && s.def; i++) {
        const def = s.def;
        s = (def.innerType ?? def.in ?? def.schema) as typeof s;
    }
    return s;
}

/** One zod issue -> message lines `multicloud:<path> <what is wrong and how to fix it>`. */
function describe(issue: z.core.$ZodIssue, ns: string): string[] {
    const key = (path: readonly PropertyKey[]) =>
        path.length === 0 ? `the ${ns} stack config` : `${ns}:${pathText(path)}`;
    const setHint = (path: readonly PropertyKey[]) =>
        `fix it with \`pulumi config set --path ${pathText(path)} <value>\``;
    const input = (issue as { input?: unknown }).input;
    switch (issue.code) {
        case "invalid_type":
            if (input === undefined) {
                return [`${key(issue.path)} is required: ${setHint(issue.path)}`];
            }
            return [
                `${key(issue.path)} must be ${article(issue.expected)}, got ${show(input)}: ${setHint(issue.path)}`,
            ];
        case "too_small":
        case "too_big": {
            const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
            const op =
                issue.code === "too_small"
                    ? issue.inclusive
                        ? ">="
                        : ">"
                    : issue.inclusive
                      ? "<="
                      : "<";
            const what =
                issue.origin === "array"
                    ? `must list ${op} ${bound} items`
                    : issue.origin === "string"
                      ? `must have ${op} ${bound} characters`
                      : `(${show(input)}) must be ${op} ${bound}`;
            return [`${key(issue.path)} ${what}: ${setHint(issue.path)}`];
        }
        case "unrecognized_keys": {
            const known = knownKeysAt(issue.path);
            return issue.keys.map(
                (k) =>
                    `${key([...issue.path, k])} is not a known setting${known.length ? ` (known here: ${known.join(", ")})` : ""}: remove it with \`pulumi config rm --path ${pathText([...issue.path, k])}\` or fix its spelling`,
            );
        }
        case "invalid_key":
            // A bad key in a map (tags): the fix is to rename the key, not to set a value.
            return issue.issues.map(
                (inner: z.core.$ZodIssue) =>
                    `${key(issue.path)} ${inner.message}: rename the key in the stack file`,
            );
        case "invalid_value":
            return [
                `${key(issue.path)} must be one of ${issue.values.map(show).join(", ")}, got ${show(input)}: ${setHint(issue.path)}`,
            ];
        case "invalid_format":
            return [
                `${key(issue.path)} ${issue.message}, got ${show(input)}: ${setHint(issue.path)}`,
            ];
        default:
            return [`${key(issue.path)} ${issue.message}`];
    }
}

function article(expected: string): string {
    const name = expected === "int" ? "whole number" : expected === "record" ? "object" : expected;
    return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}

/**
 * Validates the raw config map Pulumi gives the program (`pulumi.runtime.allConfig()`: keys
 * `<namespace>:<key>`, structured values as JSON text) and returns the typed config. Throws one
 * `ConfigError` listing every problem: the key path, what is wrong, and how to fix it.
 */
export function parseStackConfig(
    raw: Readonly<Record<string, string>>,
    project: string,
    stack?: string,
): StackConfig {
    const problems: string[] = [];
    const values: Record<string, unknown> = {};
    for (const [fullKey, text] of Object.entries(raw)) {
        const colon = fullKey.indexOf(":");
        const ns = fullKey.slice(0, colon);
        const key = fullKey.slice(colon + 1);
        if ((PROVIDER_NAMESPACES as readonly string[]).includes(ns)) {
            problems.push(
                `${fullKey} has no effect: this program configures every provider explicitly from ${project}:* keys ` +
                    `(e.g. ${project}:aws.region, ${project}:gcp.project); remove it with \`pulumi config rm ${fullKey}\``,
            );
            continue;
        }
        if (ns !== project) continue; // other namespaces (pulumi:, policy packs, ...) are not ours
        if (/^\s*[[{]/.test(text)) {
            try {
                values[key] = JSON.parse(text);
            } catch {
                problems.push(
                    `${fullKey} is not valid structured config: rewrite it as YAML in the stack file`,
                );
            }
        } else {
            values[key] = text;
        }
    }
    const result = StackConfigSchema.safeParse(values, { reportInput: true });
    if (!result.success) {
        // A cross-field check on a key that already failed on its own adds nothing: drop it.
        const failed = new Set(
            result.error.issues.filter((i) => i.code !== "custom").map((i) => pathText(i.path)),
        );
        const issues = result.error.issues.filter(
            (i) => i.code !== "custom" || !failed.has(pathText(i.path)),
        );
        problems.push(...issues.flatMap((issue) => describe(issue, project)));
    }
    if (problems.length > 0 || !result.success) {
        throw new ConfigError(problems, stack);
    }
    // Sound: the requiredWhenEnabled checks passed, so enabled sections hold their required fields.
    return result.data as StackConfig;
}
