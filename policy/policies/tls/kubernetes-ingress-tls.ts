import type { ResourceValidationPolicy } from "@pulumi/policy";
import { get, isRecord, list } from "../types";

const INGRESS_TYPE = "kubernetes:networking.k8s.io/v1:Ingress";

/** Whether a certificate for `tlsHost` serves `host` ("*.example.com" covers one label). */
function covers(tlsHost: string, host: string): boolean {
    const a = tlsHost.toLowerCase();
    const b = host.toLowerCase();
    if (a === b) return true;
    if (!a.startsWith("*.")) return false;
    const dot = b.indexOf(".");
    return dot > 0 && b.slice(dot) === a.slice(1);
}

export const kubernetesIngressTls: ResourceValidationPolicy = {
    name: "kubernetes-ingress-tls",
    description:
        "Kubernetes Ingresses must terminate TLS: spec.tls must be set and list every host the rules serve, so no host is reachable over plain HTTP only.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== INGRESS_TYPE) return;
        const tls = list(get(args.props, "spec.tls"));
        const hosts = list(get(args.props, "spec.rules"))
            .map((rule) => (isRecord(rule) ? rule.host : undefined))
            .filter((host): host is string => typeof host === "string" && host !== "");
        if (tls.length === 0) {
            reportViolation(
                `Ingress '${args.name}' has no spec.tls, so it serves plain HTTP only: add spec.tls: [{ hosts: [${hosts.length ? hosts.map((h) => `"${h}"`).join(", ") : "<the ingress host>"}], secretName: "<tls secret>" }] (or a cert-manager.io/cluster-issuer annotation to have the secret issued).`,
            );
            return;
        }
        const tlsHosts = tls
            .flatMap((entry) => list(get(entry, "hosts")))
            .filter((host): host is string => typeof host === "string");
        const uncovered = [...new Set(hosts)].filter((h) => !tlsHosts.some((t) => covers(t, h)));
        if (uncovered.length > 0) {
            reportViolation(
                `Ingress '${args.name}' serves host${uncovered.length > 1 ? "s" : ""} ${uncovered.map((h) => `'${h}'`).join(", ")} without TLS: add ${uncovered.length > 1 ? "them" : "it"} to the hosts of a spec.tls entry whose secret holds a certificate for ${uncovered.length > 1 ? "them" : "it"}.`,
            );
        }
    },
};
