import type { ResourceValidationPolicy } from "@pulumi/policy";
import { get, isRecord } from "../types";

/** Where each resource type keeps the URL of the git repository a cluster syncs. */
const GIT_URL_PATHS: Readonly<Record<string, string>> = {
    "gcp:gkehub/feature:Feature":
        "fleetDefaultMemberConfig.configmanagement.configSync.git.syncRepo",
    "gcp:gkehub/featureMembership:FeatureMembership": "configmanagement.configSync.git.syncRepo",
    "azure-native:kubernetesconfiguration:FluxConfiguration": "gitRepository.url",
};
const POLICY_ASSIGNMENT = "azure-native:authorization:PolicyAssignment";
/** The git URL parameters of Azure Policy assignments (the built-in Flux GitOps definitions). */
const ASSIGNMENT_URL_PARAMETERS = ["repositoryUrl"];

function isPlainHttp(url: unknown): url is string {
    return typeof url === "string" && /^http:\/\//i.test(url.trim());
}

/** The same URL over https. */
function httpsOf(url: string): string {
    return url.trim().replace(/^http:\/\//i, "https://");
}

export const gitopsSourceHttps: ResourceValidationPolicy = {
    name: "gitops-source-https",
    description:
        "GitOps sources (Config Sync, Flux configurations and the Azure Policy assignments that deploy Flux) must fetch their git repository over https or ssh, never plain http, so what clusters apply cannot be read or altered in transit.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const fix = (field: string, url: string) =>
            `${args.type.split(":").pop()} '${args.name}' syncs ${field} '${url}' over plain http, where what the cluster applies can be read and altered in transit: set ${field} to '${httpsOf(url)}' (or an ssh URL).`;
        const path = GIT_URL_PATHS[args.type];
        if (path) {
            const url = get(args.props, path);
            if (isPlainHttp(url)) reportViolation(fix(path, url));
            return;
        }
        if (args.type !== POLICY_ASSIGNMENT) return;
        const parameters = args.props.parameters;
        if (!isRecord(parameters)) return;
        for (const name of ASSIGNMENT_URL_PARAMETERS) {
            const url = get(parameters, `${name}.value`);
            if (isPlainHttp(url)) reportViolation(fix(`parameters.${name}.value`, url));
        }
    },
};
