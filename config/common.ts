/**
 * What the sections of the stack config share: leaf formats used by more than one section (they
 * accept what Pulumi hands a program, as the leaf types of config-issues.ts do), and the zod
 * helpers every section builds on.
 */
import { z } from "zod";
import { text } from "../config-issues";
import { cidrHostBitsProblem } from "../components/cidr";
import {
    ATTACHED_PLATFORM_VERSION,
    ATTACHED_PLATFORM_VERSION_RULE,
    GIT_URL,
    GUID,
    HTTPS_URL,
    OIDC_ISSUER_URL_RULE,
} from "../components/formats";
import { GCP_REGION } from "../components/gcp/checks";

export const gcpRegion = z.string().regex(GCP_REGION, {
    message: "must be a Google Cloud region such as europe-west1 or us-central1 (not a zone)",
});
/** A GUID (components/formats.ts, as the Azure components check it), named by what it is. */
export const uuid = (what: string) =>
    z.string().regex(GUID, {
        message: `must be the ${what} as a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`,
    });
export const oidcIssuerUrl = z.string().regex(HTTPS_URL, { message: OIDC_ISSUER_URL_RULE });
export const attachedPlatformVersion = z
    .string()
    .regex(ATTACHED_PLATFORM_VERSION, { message: ATTACHED_PLATFORM_VERSION_RULE });

/**
 * Tags become AWS tags, Google Cloud labels and Azure tags, so they follow the strictest of
 * the three: Google Cloud label rules (lowercase, 63 characters).
 */
export const tagKey = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, {
    message:
        "must be a valid tag key on every cloud: start with a lowercase letter, then up to 62 lowercase letters, digits, _ or - (Google Cloud label rules)",
});
export const tagValue = text(
    z.string().regex(/^[a-z0-9_-]{0,63}$/, {
        message:
            "must be a valid tag value on every cloud: up to 63 lowercase letters, digits, _ or - (Google Cloud label rules)",
    }),
);

export const gitUrl = z.string().regex(GIT_URL, {
    message:
        "must be an https or ssh git URL (https://host/org/repo.git or git@host:org/repo.git); plain http is refused",
});

/** A well-formed CIDR must also have no host bits set: the clouds refuse 10.0.0.1/16. */
export function networkAddress<T extends z.ZodType<string>>(cidrSchema: T) {
    return cidrSchema.superRefine((value, ctx) => {
        const problem = cidrHostBitsProblem(value);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
    });
}

/**
 * A list whose items must be distinct: a repeated item would create the same cloud object twice
 * (Azure refuses a second role assignment of one role to one principal at one scope with
 * RoleAssignmentExists; EC2 refuses a repeated security-group rule with
 * InvalidPermission.Duplicate). Each repeat is reported at its own index.
 */
export function distinct<T extends z.ZodType<string>>(
    item: T,
    what: string,
    key: (value: string) => string = (value) => value,
) {
    return z.array(item).superRefine((list, ctx) => {
        const keys = list.map(key);
        list.forEach((value, i) => {
            if (keys.indexOf(keys[i]) !== i) {
                ctx.addIssue({
                    code: "custom",
                    path: [i],
                    message: `'${value}' is listed twice: each ${what} may appear once; remove the repeat`,
                });
            }
        });
    });
}

/** Entra ID group object ids, each once (GUIDs compare without case). @default [] */
export const groupObjectIds = () =>
    distinct(uuid("Entra ID group object id"), "group", (id) => id.toLowerCase()).default([]);

/** Adds "X is required when <section>.enabled is true" problems for missing fields. */
export function requiredWhenEnabled(section: string, fields: readonly string[]) {
    // Returned as a check plus its `when`, so it also runs when other fields are invalid.
    return {
        check: (value: unknown, ctx: z.RefinementCtx) => {
            const v = value as Record<string, unknown> | undefined;
            if (!v || v.enabled !== true) return;
            for (const field of fields) {
                const path = field.split(".");
                const value = path.reduce<unknown>(
                    (at, k) => (at as Record<string, unknown> | undefined)?.[k],
                    v,
                );
                if (value === undefined) {
                    ctx.addIssue({
                        code: "custom",
                        path,
                        message: `is required when ${section}.enabled is true: set it with \`pulumi config set --path ${section}.${field} <value>\`, or set ${section}.enabled to false`,
                    });
                }
            }
        },
        // Run even when other fields of the section are invalid, so every problem is listed.
        when: () => true,
    };
}

/**
 * A cloud section, narrowed on `enabled`: when a cloud is on, the fields it requires are
 * present (the schema's `requiredWhenEnabled` checks guarantee it).
 */
type RequirePath<T, P extends string> = P extends `${infer K}.${infer Rest}`
    ? K extends keyof T
        ? Omit<T, K> & { [Q in K]: RequirePath<T[K], Rest> }
        : T
    : P extends keyof T
      ? Omit<T, P> & { [Q in P]-?: NonNullable<T[P]> }
      : T;
type RequireAll<T, Paths extends readonly string[]> = Paths extends readonly [
    infer H extends string,
    ...infer R extends string[],
]
    ? RequireAll<RequirePath<T, H>, R>
    : T;
export type Section<T extends { enabled: boolean }, Required extends readonly string[]> =
    | (Omit<T, "enabled"> & { enabled: false })
    | RequireAll<Omit<T, "enabled"> & { enabled: true }, Required>;
