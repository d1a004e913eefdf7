/**
 * Reading values that may not be known yet. During a preview, an input computed from another
 * resource's output (a KMS key created in the same stack, a group's generated name) reaches the
 * pack as an unknown, and CrossGuard's property proxy throws when a policy reads it. A policy that
 * only needs to know that such a value is *set* can read it through `read` instead.
 */
import { get } from "../types";

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

/** A non-empty string, or a value that will be known after deployment (set from an output). */
export function isSet(value: unknown): boolean {
    return value === UNKNOWN || (typeof value === "string" && value.trim() !== "");
}
