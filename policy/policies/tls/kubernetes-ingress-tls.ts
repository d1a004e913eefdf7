import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord, isSet, items, known, parseJson, read, UNKNOWN } from "../types";

/** Ingress in networking.k8s.io/v1, networking.k8s.io/v1beta1 and extensions/v1beta1, patches included. */
const INGRESS_TYPE =
    /^kubernetes:(?:networking\.k8s\.io\/v1(?:beta1)?|extensions\/v1beta1):Ingress(Patch)?$/;

/** AWS Load Balancer Controller: the ALB's certificate, and the ports it listens on. */
const ALB_CERTIFICATE = "alb.ingress.kubernetes.io/certificate-arn";
const ALB_LISTEN_PORTS = "alb.ingress.kubernetes.io/listen-ports";
/** GKE Ingress: Google-managed certificates, or certificates uploaded to the project. */
const GKE_CERTIFICATES = [
    "networking.gke.io/managed-certificates",
    "ingress.gcp.kubernetes.io/pre-shared-cert",
];

/** Whether a certificate for `tlsHost` serves `host` ("*.example.com" covers one label). */
function covers(tlsHost: string, host: string): boolean {
    const a = tlsHost.toLowerCase();
    const b = host.toLowerCase();
    if (a === b) return true;
    if (!a.startsWith("*.")) return false;
    const dot = b.indexOf(".");
    return dot > 0 && b.slice(dot) === a.slice(1);
}

/**
 * Whether the ALB's listen-ports annotation (JSON such as '[{"HTTP": 80}, {"HTTPS": 443}]')
 * opens an HTTPS port; UNKNOWN when it is not known yet, undefined when it is not valid JSON.
 */
function listensHttps(value: unknown): boolean | typeof UNKNOWN | undefined {
    if (value === UNKNOWN) return UNKNOWN;
    const ports = parseJson(value);
    if (!Array.isArray(ports)) return undefined;
    return ports.some(
        (p) => isRecord(p) && Object.keys(p).some((k) => k.toUpperCase() === "HTTPS"),
    );
}

/**
 * How the cloud load balancer in front of the Ingress terminates TLS, from its annotations:
 * "tls" when it does (or may, once unknown values are known), a problem to report when the
 * annotations set up a load balancer that serves plain HTTP only, undefined when none apply.
 */
function loadBalancerTls(props: unknown): "tls" | { problem: string } | undefined {
    const annotations = read(props, "metadata.annotations");
    // Annotations computed from other resources may name a certificate: checked once known.
    if (annotations === UNKNOWN) return "tls";
    if (!isRecord(annotations)) return undefined;
    const annotation = (key: string) => known(() => annotations[key]);
    if (GKE_CERTIFICATES.some((key) => isSet(annotation(key)))) return "tls";
    const certificate = annotation(ALB_CERTIFICATE);
    const ports = annotation(ALB_LISTEN_PORTS);
    if (ports === undefined) {
        // Without listen-ports the ALB listens on HTTPS 443 when a certificate is set, else HTTP 80.
        return isSet(certificate) ? "tls" : undefined;
    }
    const https = listensHttps(ports);
    // HTTPS with certificate-arn, or with certificates discovered from the Ingress's hosts.
    if (https === true || https === UNKNOWN) return "tls";
    const what = https === undefined ? "is not a JSON list of ports" : "opens no HTTPS port";
    return {
        problem: `its ${ALB_LISTEN_PORTS} annotation ${typeof ports === "string" ? `'${ports}'` : JSON.stringify(ports)} ${what}, so the AWS load balancer serves plain HTTP only: set it to '[{"HTTPS": 443}]' (or '[{"HTTP": 80}, {"HTTPS": 443}]' with alb.ingress.kubernetes.io/ssl-redirect: "443" to send HTTP clients to HTTPS), with the certificate in ${ALB_CERTIFICATE}.`,
    };
}

export const kubernetesIngressTls: ResourceValidationPolicy = {
    name: "kubernetes-ingress-tls",
    description:
        "Kubernetes Ingresses must terminate TLS, so no host is reachable over plain HTTP only: either spec.tls covers every host the rules serve (an entry without hosts covers them all), or the cloud load balancer terminates TLS (AWS Load Balancer Controller: alb.ingress.kubernetes.io/certificate-arn, or listen-ports with an HTTPS port; GKE: networking.gke.io/managed-certificates or ingress.gcp.kubernetes.io/pre-shared-cert). An IngressPatch is checked on the fields it sets.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const match = INGRESS_TYPE.exec(args.type);
        if (!match) return;
        const patch = match[1] !== undefined;
        const lb = loadBalancerTls(args.props);
        if (lb === "tls") return;
        if (lb) {
            reportViolation(`Ingress '${args.name}': ${lb.problem}`);
            return;
        }
        const tls = read(args.props, "spec.tls");
        const rules = read(args.props, "spec.rules");
        // Computed from other resources: checked once known.
        if (tls === UNKNOWN || rules === UNKNOWN) return;
        // A patch without spec.tls leaves the Ingress's own TLS as it is.
        if (patch && tls === undefined) return;
        const hosts = items(rules)
            .map((rule) => (isRecord(rule) ? read(rule, "host") : undefined))
            .filter((host): host is string => typeof host === "string" && host !== "");
        const entries = items(tls);
        if (entries.length === 0) {
            reportViolation(
                `Ingress '${args.name}' has no spec.tls, so it serves plain HTTP only: add spec.tls: [{ hosts: [${hosts.length ? hosts.map((h) => `"${h}"`).join(", ") : "<the ingress host>"}], secretName: "<tls secret>" }] (cert-manager's cert-manager.io/cluster-issuer annotation can issue that secret, for the hosts listed there), or terminate TLS at the cloud load balancer with the ${ALB_CERTIFICATE} annotation (AWS Load Balancer Controller) or networking.gke.io/managed-certificates (GKE).`,
            );
            return;
        }
        // An entry without hosts covers every host (the default the IngressTLS docs give), as
        // does one whose hosts are not known yet.
        const tlsHosts: string[] = [];
        for (const entry of entries) {
            const entryHosts = isRecord(entry) ? read(entry, "hosts") : UNKNOWN;
            if (entryHosts === UNKNOWN) return;
            const names = items(entryHosts);
            if (names.length === 0 || names.includes(UNKNOWN)) return;
            tlsHosts.push(...names.filter((h): h is string => typeof h === "string"));
        }
        const uncovered = [...new Set(hosts)].filter((h) => !tlsHosts.some((t) => covers(t, h)));
        if (uncovered.length > 0) {
            reportViolation(
                `Ingress '${args.name}' serves host${uncovered.length > 1 ? "s" : ""} ${uncovered.map((h) => `'${h}'`).join(", ")} without TLS: add ${uncovered.length > 1 ? "them" : "it"} to the hosts of a spec.tls entry whose secret holds a certificate for ${uncovered.length > 1 ? "them" : "it"}.`,
            );
        }
    },
};
