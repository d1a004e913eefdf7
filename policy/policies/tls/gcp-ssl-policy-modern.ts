import type { ResourceValidationPolicy } from "@pulumi/policy";

const SSL_POLICY_TYPES = [
    "gcp:compute/sSLPolicy:SSLPolicy",
    "gcp:compute/regionSslPolicy:RegionSslPolicy",
];
/** Minimum TLS versions accepted, as the Compute API spells them. */
const MODERN_MIN_TLS = ["TLS_1_2", "TLS_1_3"];
/** Profiles whose cipher suites are all acceptable (CUSTOM is a hand-picked list: refused). */
const MODERN_PROFILES = ["MODERN", "RESTRICTED"];

export const gcpSslPolicyModern: ResourceValidationPolicy = {
    name: "gcp-ssl-policy-modern",
    description:
        "Google Cloud SSL policies must set minTlsVersion to TLS_1_2 or TLS_1_3 and use the MODERN or RESTRICTED profile, since the API defaults (TLS_1_0, COMPATIBLE) still accept TLS 1.0 and weak ciphers.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!SSL_POLICY_TYPES.includes(args.type)) return;
        const minTls = args.props.minTlsVersion as string | undefined;
        if (!MODERN_MIN_TLS.includes(String(minTls ?? "TLS_1_0").toUpperCase())) {
            reportViolation(
                `SSL policy '${args.name}' ${minTls ? `sets minTlsVersion '${minTls}'` : "leaves minTlsVersion unset (the API default is TLS_1_0)"}, which accepts clients below TLS 1.2: set minTlsVersion to "TLS_1_2" (or "TLS_1_3" with the RESTRICTED profile).`,
            );
        }
        const profile = args.props.profile as string | undefined;
        if (!MODERN_PROFILES.includes(String(profile ?? "COMPATIBLE").toUpperCase())) {
            reportViolation(
                `SSL policy '${args.name}' ${profile ? `uses profile '${profile}'` : "leaves profile unset (the API default is COMPATIBLE)"}, which is not a vetted modern cipher set: set profile to "MODERN" or "RESTRICTED" (and drop customFeatures).`,
            );
        }
    },
};
