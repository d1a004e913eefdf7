/**
 * What every policy file exports: one CrossGuard policy plus the group it belongs to. Groups
 * (rbac, tls, encryption, stack) can be set to an enforcement level at once through the pack's
 * config (see policy/README.md); the pack's own config keys stay the standard per-policy ones.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

export type PolicyGroup = "rbac" | "tls" | "encryption" | "stack";
export const POLICY_GROUPS: readonly PolicyGroup[] = ["rbac", "tls", "encryption", "stack"];

export type FleetPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** A value of an untyped resource property, read defensively. */
export type Props = Record<string, unknown>;

export function isRecord(value: unknown): value is Props {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `get(props, "a.b.c")`: undefined when any step is missing. */
export function get(value: unknown, dotted: string): unknown {
    let current = value;
    for (const key of dotted.split(".")) {
        if (!isRecord(current)) return undefined;
        current = current[key];
    }
    return current;
}

/** A policy document given as JSON text (AWS) or as an object. */
export function parseJson(value: unknown): unknown {
    if (typeof value !== "string") return value;
    try {
        return JSON.parse(value) as unknown;
    } catch {
        return undefined;
    }
}

/** A value or a list of values, as a list. */
export function list(value: unknown): unknown[] {
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? value : [value];
}

// ---------------------------------------------------------------------------------------------
/**
 * Reading values that may not be known yet. During a preview, an input computed from another
 * resource's output (a KMS key created in the same stack, a group's generated name) reaches the
 * pack as an unknown, and CrossGuard's property proxy throws when a policy reads it. A policy that
 * only needs to know that such a value is *set* can read it through `read` instead.
 */
/** What `read` returns for a value only known after deployment. */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Unknown = typeof UNKNOWN;

/** CrossGuard's UnknownValueError is internal to @pulumi/policy: recognised by name. */
function isUnknownValueError(e: unknown): boolean {
    return e instanceof Error && e.constructor.name === "UnknownValueError";
}

/** `get(value, dotted)`, or UNKNOWN when the value (or an object on the way) is not known yet. */
export function read(value: unknown, dotted: string): unknown {
    try {
        return get(value, dotted);
    } catch (e) {
        if (isUnknownValueError(e)) return UNKNOWN;
        throw e;
    }
}

/** `fn()`, or UNKNOWN when it reads a value not known yet (for reads `read` cannot express). */
export function known<T>(fn: () => T): T | Unknown {
    try {
        return fn();
    } catch (e) {
        if (isUnknownValueError(e)) return UNKNOWN;
        throw e;
    }
}

/** The items of `list(value)`, each item not known yet read as UNKNOWN instead of throwing. */
export function items(value: unknown): unknown[] {
    const values = list(value);
    return Array.from({ length: values.length }, (_, i) => known(() => values[i]));
}

/** A non-empty string, or a value that will be known after deployment (set from an output). */
export function isSet(value: unknown): boolean {
    return value === UNKNOWN || (typeof value === "string" && value.trim() !== "");
}

/** Config of the policies that flag storage without a customer-managed key. */
export interface RequireCmekConfig {
    /** Whether storage without a customer-managed key is a violation. @default false */
    readonly requireCmek?: boolean;
}

/** The config schema of those policies: `requireCmek`, off by default. */
export function requireCmekSchema(description: string) {
    return {
        properties: { requireCmek: { type: "boolean" as const, default: false, description } },
    };
}

// ---------------------------------------------------------------------------------------------
/**
 * Violation messages never echo a credential. Policies receive secrets unwrapped, and a value a
 * message quotes (a git URL, a connection string) may carry one: quote it through
 * `redactCredentials`, or name the property instead of quoting its value.
 */
/** What stands for a credential taken out of a quoted value. */
export const REDACTED = "***";

/** The userinfo of a URL (`https://user:token@host`, `https://token@host`). */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#'"`<>@]+(?:@[^\s/?#'"`<>@]+)*@/gi;
/**
 * A `key=value` pair whose key names a credential: in a query string (`?token=`, `&sig=`,
 * `X-Amz-Signature=`, `X-Amz-Security-Token=`, `X-Goog-Credential=`, `?key=`) or a connection
 * string (`Password=...;`, `AccountKey=...;`, `SharedAccessSignature=...`).
 */
const SECRET_PAIR =
    /(^|[?&;\s'"`])((?:[\w.-]*(?:token|sig|signature|credential|secret|password|passwd|pwd|accountkey|accesskey|sharedaccesskey|apikey|api_key|api-key|auth)[\w.-]*|key|code)\s*=\s*)[^&;#\s'"`]+/gi;

/**
 * `text` with the credentials it may carry replaced by `***`: the userinfo of URLs
 * (`https://***@github.com/org/repo.git`) and the values of credential parameters of query
 * strings and connection strings (`?sig=***`, `AccountKey=***;`). Everything else is kept.
 */
export function redactCredentials(text: string): string {
    return text.replace(URL_USERINFO, `$1${REDACTED}@`).replace(SECRET_PAIR, `$1$2${REDACTED}`);
}
