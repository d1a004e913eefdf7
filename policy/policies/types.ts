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
