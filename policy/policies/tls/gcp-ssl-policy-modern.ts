import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isSet, read, UNKNOWN } from "../types";

const SSL_POLICY_TYPES = [
    "gcp:compute/sSLPolicy:SSLPolicy",
    "gcp:compute/regionSslPolicy:RegionSslPolicy",
];
/** The proxies that terminate TLS for a load balancer, each with the SSL policy type it takes. */
const PROXY_TYPES: Readonly<Record<string, readonly [string, string]>> = {
    "gcp:compute/targetHttpsProxy:TargetHttpsProxy": ["TargetHttpsProxy", "gcp.compute.SSLPolicy"],
    "gcp:compute/regionTargetHttpsProxy:RegionTargetHttpsProxy": [
        "RegionTargetHttpsProxy",
        "gcp.compute.RegionSslPolicy",
    ],
    "gcp:compute/targetSSLProxy:TargetSSLProxy": ["TargetSSLProxy", "gcp.compute.SSLPolicy"],
};
/** Minimum TLS versions accepted, as the Compute API spells them. */
const MODERN_MIN_TLS = ["TLS_1_2", "TLS_1_3"];
/**
 * Profiles whose cipher suites are all acceptable: MODERN, RESTRICTED, and FIPS_202205 (FIPS
 * 140-2 ciphers; the API requires minTlsVersion TLS_1_2 with it). CUSTOM is a hand-picked list:
 * refused.
 */
const MODERN_PROFILES = ["MODERN", "RESTRICTED", "FIPS_202205"];

export const gcpSslPolicyModern: ResourceValidationPolicy = {
    name: "gcp-ssl-policy-modern",
    description:
        "Google Cloud SSL policies must set minTlsVersion to TLS_1_2 or TLS_1_3 and use the MODERN, RESTRICTED or FIPS_202205 profile, since the API defaults (TLS_1_0, COMPATIBLE) still accept TLS 1.0 and weak ciphers; and target HTTPS and SSL proxies must attach one (sslPolicy), since without it the load balancer uses those defaults.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const proxy = PROXY_TYPES[args.type];
        if (proxy) {
            // A policy created in the same stack is only known after deployment: set.
            if (isSet(read(args.props, "sslPolicy"))) return;
            const [kind, policyType] = proxy;
            reportViolation(
                `${kind} '${args.name}' has no sslPolicy, so its load balancer uses Google Cloud's default SSL policy (COMPATIBLE profile, minimum TLS 1.0), which accepts clients below TLS 1.2 and weak ciphers: attach an SSL policy (${policyType}) with profile "MODERN" or "RESTRICTED" and minTlsVersion "TLS_1_2" through sslPolicy.`,
            );
            return;
        }
        if (!SSL_POLICY_TYPES.includes(args.type)) return;
        const minTls = read(args.props, "minTlsVersion");
        if (minTls !== UNKNOWN) {
            const value = typeof minTls === "string" && minTls ? minTls : undefined;
            if (!MODERN_MIN_TLS.includes(String(value ?? "TLS_1_0").toUpperCase())) {
                reportViolation(
                    `SSL policy '${args.name}' ${value ? `sets minTlsVersion '${value}'` : "leaves minTlsVersion unset (the API default is TLS_1_0)"}, which accepts clients below TLS 1.2: set minTlsVersion to "TLS_1_2" (or "TLS_1_3" with the RESTRICTED profile).`,
                );
            }
        }
        const profile = read(args.props, "profile");
        if (profile !== UNKNOWN) {
            const value = typeof profile === "string" && profile ? profile : undefined;
            if (!MODERN_PROFILES.includes(String(value ?? "COMPATIBLE").toUpperCase())) {
                reportViolation(
                    `SSL policy '${args.name}' ${value ? `uses profile '${value}'` : "leaves profile unset (the API default is COMPATIBLE)"}, which is not a vetted modern cipher set: set profile to "MODERN" or "RESTRICTED" (or "FIPS_202205" with minTlsVersion "TLS_1_2"), and drop customFeatures.`,
                );
            }
        }
    },
};
