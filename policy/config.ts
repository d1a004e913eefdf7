/**
 * The pack's config as teams write it, and as Pulumi takes it.
 *
 * Teams write one file per stack, `policy/config/<stack>.json`. It uses the standard
 * policy-pack config format. Keys are a policy name, or `all`, and each maps to `advisory`,
 * `mandatory` or `disabled`, or to `{ "enforcementLevel": ..., <property>: ... }`. The file may
 * also use the group names of this pack: rbac, tls, encryption and stack.
 *
 * The Pulumi CLI (`--policy-pack-config`) and Pulumi Cloud policy groups take per-policy keys
 * only, so `expandPolicyConfig` turns groups into their policies. The most specific key wins:
 * `all`, then a group, then a policy. Properties set at a broader level are kept.
 * `npm run policy-config` writes the expanded file. The offline gate and the deployment
 * settings program (deployments/) use the same function.
 */
import * as fs from "fs";
import * as path from "path";
import { POLICIES_BY_GROUP } from "./policies";
import { POLICY_GROUPS } from "./policies/types";

export const CONFIG_LEVELS = ["advisory", "mandatory", "disabled"] as const;
export type ConfigLevel = (typeof CONFIG_LEVELS)[number];

/** Per-policy config, as `--policy-pack-config` and the analyzer's Configure take it. */
export type ExpandedPolicyConfig = Record<
    string,
    { enforcementLevel?: ConfigLevel; [property: string]: unknown }
>;

/** Every policy of this pack. */
export const POLICY_NAMES: readonly string[] = Object.values(POLICIES_BY_GROUP)
    .flat()
    .map((p) => p.name);

/** A config file naming an unknown policy or level, or one that is not a JSON object. */
export class PolicyConfigError extends Error {}

/** Where a stack's policy config lives: `<projectDir>/policy/config/<stack>.json`. */
export function stackPolicyConfigPath(projectDir: string, stack: string): string {
    return path.join(projectDir, "policy", "config", `${stack}.json`);
}

/**
 * Expands `raw` (the parsed file; `source` names it in errors) to per-policy keys. `known` is
 * the set of policies of the pack that will run it (default: this pack). Every problem is
 * reported at once.
 */
export function expandPolicyConfig(
    raw: unknown,
    source: string,
    known: readonly string[] = POLICY_NAMES,
): ExpandedPolicyConfig {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        throw new PolicyConfigError(
            `policy config ${source} must be a JSON object of policy names to levels`,
        );
    }
    const problems: string[] = [];
    const result: ExpandedPolicyConfig = {};
    const groups = POLICY_GROUPS as readonly string[];
    // "all" first, then groups, then single policies: the most specific setting wins.
    const order = (k: string) => (k === "all" ? 0 : groups.includes(k) ? 1 : 2);
    for (const [key, value] of Object.entries(raw).sort(([a], [b]) => order(a) - order(b))) {
        if (typeof value !== "string" && (typeof value !== "object" || value === null)) {
            problems.push(
                `'${key}': expected a level (${CONFIG_LEVELS.join(", ")}) or an object with enforcementLevel, got ${JSON.stringify(value)}`,
            );
            continue;
        }
        const level =
            typeof value === "string"
                ? value
                : (value as { enforcementLevel?: unknown }).enforcementLevel;
        if (level !== undefined && !CONFIG_LEVELS.includes(level as ConfigLevel)) {
            problems.push(
                `'${key}': enforcement level ${JSON.stringify(level)} is not one of ${CONFIG_LEVELS.join(", ")}`,
            );
            continue;
        }
        const targets =
            key === "all"
                ? known
                : groups.includes(key)
                  ? POLICIES_BY_GROUP[key as keyof typeof POLICIES_BY_GROUP]
                        .map((p) => p.name)
                        .filter((n) => known.includes(n))
                  : known.includes(key)
                    ? [key]
                    : undefined;
        if (!targets) {
            problems.push(
                `'${key}' is neither a policy of the pack nor a group (groups: ${groups.join(", ")}; policies: ${known.join(", ")})`,
            );
            continue;
        }
        const entry = typeof value === "string" ? { enforcementLevel: value } : value;
        for (const t of targets) result[t] = { ...result[t], ...(entry as object) };
    }
    if (problems.length > 0) {
        throw new PolicyConfigError(
            `policy config ${source} has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
        );
    }
    return result;
}

/** Reads and expands a policy config file. */
export function readPolicyConfig(
    file: string,
    known: readonly string[] = POLICY_NAMES,
): ExpandedPolicyConfig {
    let raw: unknown;
    try {
        raw = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new PolicyConfigError(
            `policy config ${file} is not readable JSON: ${(e as Error).message}`,
        );
    }
    return expandPolicyConfig(raw, file, known);
}
