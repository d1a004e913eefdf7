import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord, read, redactCredentials } from "../types";

/** Where each resource type keeps the URL of the git repository a cluster syncs. */
const GIT_URL_PATHS: readonly (readonly [RegExp, string])[] = [
    [
        /^gcp:gkehub\/feature:Feature$/,
        "fleetDefaultMemberConfig.configmanagement.configSync.git.syncRepo",
    ],
    [
        /^gcp:gkehub\/featureMembership:FeatureMembership$/,
        "configmanagement.configSync.git.syncRepo",
    ],
    // Azure Arc / AKS GitOps: Flux v2 configurations and the older (Flux v1) source controls.
    [
        /^azure-native:kubernetesconfiguration(?:\/v[0-9a-z]+)?:FluxConfiguration$/,
        "gitRepository.url",
    ],
    [
        /^azure-native:kubernetesconfiguration(?:\/v[0-9a-z]+)?:SourceControlConfiguration$/,
        "repositoryUrl",
    ],
    // Flux's GitRepository custom resource (kubernetes.apiextensions.CustomResource), and patches.
    [
        /^kubernetes:source\.toolkit\.fluxcd\.io\/v1(?:beta[12])?:GitRepository(?:Patch)?$/,
        "spec.url",
    ],
];
const POLICY_ASSIGNMENT = /^azure-native:authorization(?:\/v[0-9a-z]+)?:PolicyAssignment$/;
/** The git URL parameters of Azure Policy assignments (the built-in Flux GitOps definitions). */
const ASSIGNMENT_URL_PARAMETERS = ["repositoryUrl"];

/** The unencrypted scheme a URL uses: "http" or "git" (git://, unauthenticated as well). */
function plainScheme(url: unknown): string | undefined {
    if (typeof url !== "string") return undefined;
    return /^(http|git):\/\//i.exec(url.trim())?.[1].toLowerCase();
}

/** The same URL over https. */
function httpsOf(url: string): string {
    return url.trim().replace(/^(?:http|git):\/\//i, "https://");
}

export const gitopsSourceHttps: ResourceValidationPolicy = {
    name: "gitops-source-https",
    description:
        "GitOps sources (Config Sync, Azure Flux configurations and source control configurations, the Azure Policy assignments that deploy Flux, and Flux GitRepository resources) must fetch their git repository over https or ssh, never plain http or git://, so what clusters apply cannot be read or altered in transit.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const check = (field: string, url: unknown) => {
            const scheme = plainScheme(url);
            if (!scheme || typeof url !== "string") return;
            const how =
                scheme === "http"
                    ? "over plain http"
                    : "over the git:// protocol, unencrypted and unauthenticated";
            // The URL is quoted without the credentials it may carry (a token in its userinfo).
            const quoted = redactCredentials(url);
            reportViolation(
                `${args.type.split(":").pop()} '${args.name}' syncs ${field} '${quoted}' ${how}, where what the cluster applies can be read and altered in transit: set ${field} to '${httpsOf(quoted)}' (or an ssh URL).`,
            );
        };
        const path = GIT_URL_PATHS.find(([type]) => type.test(args.type))?.[1];
        if (path) {
            // A URL computed from another resource is checked once it is known.
            check(path, read(args.props, path));
            return;
        }
        if (!POLICY_ASSIGNMENT.test(args.type)) return;
        const parameters = read(args.props, "parameters");
        if (!isRecord(parameters)) return;
        for (const name of ASSIGNMENT_URL_PARAMETERS) {
            check(`parameters.${name}.value`, read(parameters, `${name}.value`));
        }
    },
};
