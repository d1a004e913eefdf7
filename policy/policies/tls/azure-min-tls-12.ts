import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord, items, read } from "../types";

/** The names azure-native gives a minimum TLS version setting, on the resource or nested. */
const TLS_VERSION_KEYS = new Set([
    "minimumTlsVersion",
    "minTlsVersion",
    "minimalTlsVersion",
    "minimumTlsVersionAllowed",
    "scmMinTlsVersion",
    "minSupportedTlsVersion",
]);
/** How deep to look: the resource's own properties, and two object levels under them. */
const MAX_DEPTH = 3;

/**
 * The minor TLS 1.x version a setting allows, from any of Azure's spellings: "1.0", "1.2",
 * "TLS1_0", "TLS1_2", "Tls10", "Tls11", "TLS12", "TLSv1", "TLSv1.2", "Tls" (Cosmos DB's 1.0).
 * "None" and "TLSEnforcementDisabled" allow anything: 0. Undefined for an unrecognized value.
 */
export function tlsMinor(value: string): number | undefined {
    const v = value.trim().toLowerCase();
    if (v === "none" || v.includes("disabled") || v.startsWith("ssl")) return 0;
    const m = /^(?:tls)?[\s_v-]*(\d)?[._]?(\d)?$/.exec(v);
    if (!m) return undefined;
    if (m[1] === undefined) return v.startsWith("tls") ? 0 : undefined;
    if (m[1] !== "1") return undefined;
    return m[2] === undefined ? 0 : Number(m[2]);
}

/** The TLS 1.2 value in the spelling `value` uses: "1.0" -> "1.2", "TLS1_0" -> "TLS1_2", "Tls" -> "Tls12". */
export function tls12Like(value: string): string {
    const v = value.trim();
    const versioned = /^(.*1)([._]?)\d$/.exec(v);
    if (versioned) return `${versioned[1]}${versioned[2]}2`;
    if (/^tls$/i.test(v)) return `${v}12`;
    if (/^tls[\s_v-]*1$/i.test(v)) return `${v}.2`;
    if (/disabled/i.test(v)) return "TLS1_2";
    return "1.2";
}

interface Finding {
    readonly path: string;
    readonly value: string;
}

/** The TLS version settings below 1.2 in `value`, `depth` object levels down. */
function weakSettings(value: unknown, path: string, depth: number): Finding[] {
    if (depth > MAX_DEPTH || (!isRecord(value) && !Array.isArray(value))) return [];
    const findings: Finding[] = [];
    for (const key of Object.keys(value)) {
        const at = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
        if (!Array.isArray(value) && TLS_VERSION_KEYS.has(key)) {
            // Read directly: a version unknown during preview makes the policy say it can't run.
            const setting = (value as Record<string, unknown>)[key];
            if (typeof setting !== "string") continue;
            const minor = tlsMinor(setting);
            if (minor !== undefined && minor < 2) findings.push({ path: at, value: setting });
            continue;
        }
        let child: unknown;
        try {
            child = (value as Record<string, unknown>)[key];
        } catch {
            // Unknown during preview (an output of another resource): nothing to read inside.
            continue;
        }
        findings.push(...weakSettings(child, at, depth + 1));
    }
    return findings;
}

/** azure-native:network:ApplicationGateway and its API-versioned tokens. */
const APPLICATION_GATEWAY = /^azure-native:network(?:\/v[0-9a-z]+)?:ApplicationGateway$/;
/**
 * The predefined Application Gateway TLS policies (ApplicationGatewaySslPolicyName) that accept
 * clients below TLS 1.2, with their minimum, from Microsoft's TLS policy overview:
 * AppGwSslPolicy20150501 allows TLS 1.0 and AppGwSslPolicy20170401 TLS 1.1, while
 * AppGwSslPolicy20170401S, AppGwSslPolicy20220101 and AppGwSslPolicy20220101S start at TLS 1.2.
 */
const WEAK_APP_GATEWAY_POLICIES: Readonly<Record<string, string>> = {
    AppGwSslPolicy20150501: "TLS 1.0",
    AppGwSslPolicy20170401: "TLS 1.1",
};

/** The weak settings of an Application Gateway's sslPolicy and each of its sslProfiles. */
function applicationGatewayFindings(props: unknown): Finding[] {
    const policies: [string, unknown][] = [["sslPolicy", read(props, "sslPolicy")]];
    items(read(props, "sslProfiles")).forEach((profile, i) => {
        if (isRecord(profile)) {
            policies.push([`sslProfiles[${i}].sslPolicy`, read(profile, "sslPolicy")]);
        }
    });
    const findings: Finding[] = [];
    for (const [path, policy] of policies) {
        // Computed from other resources: checked once known.
        if (!isRecord(policy)) continue;
        const version = read(policy, "minProtocolVersion");
        if (typeof version === "string" && (tlsMinor(version) ?? 2) < 2) {
            findings.push({ path: `${path}.minProtocolVersion`, value: version });
        }
        const name = read(policy, "policyName");
        if (typeof name === "string" && WEAK_APP_GATEWAY_POLICIES[name]) {
            findings.push({ path: `${path}.policyName`, value: name });
        }
    }
    return findings;
}

export const azureMinTls12: ResourceValidationPolicy = {
    name: "azure-min-tls-12",
    description:
        "Azure resources that set a minimum TLS version (minimumTlsVersion, minTlsVersion, minimalTlsVersion and the like, and an Application Gateway's sslPolicy and sslProfiles[].sslPolicy: minProtocolVersion, or a predefined policyName) must require TLS 1.2 or later, so no client can connect over TLS 1.0 or 1.1.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!args.type.startsWith("azure-native:")) return;
        if (APPLICATION_GATEWAY.test(args.type)) {
            for (const { path, value } of applicationGatewayFindings(args.props)) {
                const fix = path.endsWith(".policyName")
                    ? `set ${path} to "AppGwSslPolicy20220101" (TLS 1.2 and 1.3, v2 SKUs) or "AppGwSslPolicy20170401S" (TLS 1.2)`
                    : `set ${path} to "TLSv1_2" (or "TLSv1_3")`;
                const allows = WEAK_APP_GATEWAY_POLICIES[value] ?? `TLS 1.${tlsMinor(value) ?? 0}`;
                reportViolation(
                    `${args.type} '${args.name}' sets ${path} to '${value}', which lets clients connect with ${allows}: ${fix}.`,
                );
            }
        }
        for (const { path, value } of weakSettings(args.props, "", 1)) {
            reportViolation(
                `${args.type} '${args.name}' sets ${path} to '${value}', which lets clients connect below TLS 1.2: set ${path} to "${tls12Like(value)}" (TLS 1.2), or to the TLS 1.3 value where the service offers one.`,
            );
        }
    },
};
