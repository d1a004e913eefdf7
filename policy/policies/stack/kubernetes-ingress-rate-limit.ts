import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { isRecord, known, read, UNKNOWN } from "../types";

/*
 * Facts, each from the controller's own source or documentation:
 * - ingress-nginx (kubernetes/ingress-nginx, internal/ingress/annotations/ratelimit/main.go):
 *   per-client limits come from the annotations limit-rpm, limit-rps and limit-connections
 *   (prefix nginx.ingress.kubernetes.io, parser/main.go DefaultAnnotationsPrefix), each parsed
 *   with strconv.Atoi; internal/ingress/controller/template/template.go buildRateLimit only
 *   writes a limit whose value is > 0, so "0", a negative number or a value that is not a whole
 *   number limits nothing. limit-burst-multiplier (default 5) sizes bursts; limit-rate is
 *   bandwidth per connection, not a request limit. limit-allowlist (alias limit-whitelist) lists
 *   client CIDRs that are never limited. Its IngressClass controller is "k8s.io/ingress-nginx"
 *   (internal/ingress/controller/ingressclass/ingressclass.go DefaultControllerName).
 * - AWS Load Balancer Controller (kubernetes-sigs/aws-load-balancer-controller,
 *   docs/guide/ingress/annotations.md, docs/guide/ingress/ingress_class.md): controller
 *   "ingress.k8s.aws/alb"; alb.ingress.kubernetes.io/scheme defaults to internal; the load
 *   balancer gets a WAFv2 web ACL from alb.ingress.kubernetes.io/wafv2-acl-arn or wafv2-acl-name
 *   ("none" removes it), or from the IngressClassParams fields wafv2AclArn / wafv2AclName, whose
 *   scheme field, when set, applies to every Ingress of the class. The web ACL's rate-based rule
 *   is checked by aws-wafv2-web-acl-rate-limit when the ACL is in the stack.
 * - Traefik (doc.traefik.io, Kubernetes Ingress provider and RateLimit middleware): controller
 *   "traefik.io/ingress-controller"; traefik.ingress.kubernetes.io/router.middlewares lists
 *   middlewares, a Middleware custom resource being `<namespace>-<name>@kubernetescrd`
 *   (`<namespace>_<name>@kubernetescrd` with safeNaming); a Middleware limits clients with
 *   spec.rateLimit.average, 0 (the default) meaning no rate limiting.
 * - GKE Ingress (kubernetes/ingress-gce) reads its class from the kubernetes.io/ingress.class
 *   annotation only (gce, gce-regional-external; gce-internal makes an internal Application Load
 *   Balancer). Its per-client limits live in a Cloud Armor security policy attached through a
 *   BackendConfig referenced from the Service, which an Ingress does not show.
 * - Kubernetes: an Ingress names its class in spec.ingressClassName or the older
 *   kubernetes.io/ingress.class annotation; without either, the cluster's default IngressClass
 *   (annotation ingressclass.kubernetes.io/is-default-class: "true") serves it.
 */
const INGRESS_TYPE =
    /^kubernetes:(?:networking\.k8s\.io\/v1(?:beta1)?|extensions\/v1beta1):Ingress(Patch)?$/;
const INGRESS_CLASS_TYPE = /^kubernetes:networking\.k8s\.io\/v1(?:beta1)?:IngressClass$/;
const INGRESS_CLASS_PARAMS_TYPE = /^kubernetes:elbv2\.k8s\.aws\/v1beta1:IngressClassParams$/;
const TRAEFIK_MIDDLEWARE_TYPE = /^kubernetes:traefik\.(?:io|containo\.us)\/v1alpha1:Middleware$/;

const CLASS_ANNOTATION = "kubernetes.io/ingress.class";
const DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";

const NGINX = "nginx.ingress.kubernetes.io/";
const NGINX_LIMITS = ["limit-rpm", "limit-rps", "limit-connections"].map((a) => NGINX + a);
const NGINX_ALLOWLISTS = ["limit-allowlist", "limit-whitelist"].map((a) => NGINX + a);
const ALB_SCHEME = "alb.ingress.kubernetes.io/scheme";
const ALB_WAF = ["wafv2-acl-arn", "wafv2-acl-name"].map((a) => `alb.ingress.kubernetes.io/${a}`);
const TRAEFIK_MIDDLEWARES = "traefik.ingress.kubernetes.io/router.middlewares";

type Controller = "nginx" | "alb" | "traefik" | "gke";
const CONTROLLER_NAMES: Record<string, Controller> = {
    "k8s.io/ingress-nginx": "nginx",
    "ingress.k8s.aws/alb": "alb",
    "traefik.io/ingress-controller": "traefik",
};
/** The class names each controller's install docs use, when no IngressClass is in the stack. */
const WELL_KNOWN_CLASSES: Record<string, Controller> = {
    nginx: "nginx",
    alb: "alb",
    traefik: "traefik",
    gce: "gke",
    "gce-regional-external": "gke",
    "gce-internal": "gke",
};
const CONTROLLER_LABELS: Record<Controller, string> = {
    nginx: "ingress-nginx",
    alb: "AWS Load Balancer Controller",
    traefik: "Traefik",
    gke: "GKE Ingress",
};

/** Classes not checked unless the policy's config says otherwise: GKE's internal class. */
export const DEFAULT_EXEMPT_INGRESS_CLASSES: readonly string[] = ["gce-internal"];

export interface KubernetesIngressRateLimitConfig {
    /** IngressClass names whose Ingresses are not checked. @default ["gce-internal"] */
    readonly exemptIngressClasses?: readonly string[];
}

/** A whole number as strconv.Atoi reads it (optional sign, digits), or undefined. */
function atoi(value: unknown): number | undefined {
    return typeof value === "string" && /^[+-]?\d+$/.test(value) ? Number(value) : undefined;
}

/** A CIDR list that exempts every client (0.0.0.0/0, ::/0, any /0). */
function allowsEveryone(value: unknown): boolean {
    return typeof value === "string" && value.split(",").some((c) => /\/0$/.test(c.trim()));
}

/** The annotations of a resource, each read defensively; UNKNOWN when the map is not known. */
function annotationsOf(props: unknown): ((key: string) => unknown) | typeof UNKNOWN {
    const annotations = read(props, "metadata.annotations");
    if (annotations === UNKNOWN) return UNKNOWN;
    return (key: string) =>
        isRecord(annotations)
            ? known(() => (annotations as Record<string, unknown>)[key])
            : undefined;
}

/** What an Ingress's ingress-nginx annotations give: a limit, none, or not known yet. */
function nginxLimit(annotation: (key: string) => unknown): "limit" | "unknown" | "none" {
    const values = NGINX_LIMITS.map(annotation);
    if (values.some((v) => v === UNKNOWN)) return "unknown";
    return values.some((v) => (atoi(v) ?? 0) > 0) ? "limit" : "none";
}

/** Whether the WAF annotations (or IngressClassParams fields) attach a web ACL. */
function albWaf(values: readonly unknown[]): "limit" | "unknown" | "none" {
    if (values.some((v) => v === UNKNOWN)) return "unknown";
    const set = values.find((v) => typeof v === "string" && v.trim() !== "");
    return set !== undefined && String(set).trim() !== "none" ? "limit" : "none";
}

export const kubernetesIngressRateLimit: StackValidationPolicy = {
    name: "kubernetes-ingress-rate-limit",
    description:
        'Every exposed Kubernetes Ingress (networking.k8s.io/v1, v1beta1 and extensions/v1beta1) must carry a per-client rate limit its controller enforces. The controller is found from spec.ingressClassName, else the kubernetes.io/ingress.class annotation, else the stack\'s default IngressClass, through the IngressClass of the stack (spec.controller) or the usual class names (nginx, alb, traefik, gce). ingress-nginx: nginx.ingress.kubernetes.io/limit-rpm, limit-rps or limit-connections set to a whole number above 0, and no limit-allowlist (or limit-whitelist) covering every address (a /0 CIDR). AWS Load Balancer Controller: a WAFv2 web ACL from alb.ingress.kubernetes.io/wafv2-acl-arn or wafv2-acl-name (not "none") or the class\'s IngressClassParams; its Ingresses are exposed only when their scheme (IngressClassParams or alb.ingress.kubernetes.io/scheme) is internet-facing. Traefik: traefik.ingress.kubernetes.io/router.middlewares naming a Middleware of the stack with spec.rateLimit.average above 0. An Ingress whose controller is not known passes with any of these. GKE Ingresses (classes gce, gce-regional-external) are flagged: their Cloud Armor limit cannot be seen from the Ingress. Every other Ingress counts as exposed unless its class is listed in the exemptIngressClasses config property (default ["gce-internal"]). An IngressPatch is flagged when it sets an ingress-nginx limit to a value that turns it off, an allowlist of every address, or a web ACL of "none". Values not known until deployment are never violations.',
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            exemptIngressClasses: {
                type: "array",
                items: { type: "string" },
                default: [...DEFAULT_EXEMPT_INGRESS_CLASSES],
                description:
                    "IngressClass names whose Ingresses are not checked: classes that are not exposed to the internet, or whose per-client limit is enforced where this policy cannot see it (a Cloud Armor policy on GKE, a controller-wide limit).",
            },
        },
    },
    validateStack: (args, reportViolation) => {
        const exempt =
            args.getConfig<KubernetesIngressRateLimitConfig>().exemptIngressClasses ??
            DEFAULT_EXEMPT_INGRESS_CLASSES;
        const classes = args.resources.filter((r) => INGRESS_CLASS_TYPE.test(r.type));
        const params = args.resources.filter((r) => INGRESS_CLASS_PARAMS_TYPE.test(r.type));
        const middlewares = args.resources.filter((r) => TRAEFIK_MIDDLEWARE_TYPE.test(r.type));
        const className = (c: PolicyResource) => read(c.props, "metadata.name");

        /** The default IngressClass of the stack's cluster, if the stack creates one. */
        const defaultClass = classes.find((c) => {
            const annotation = annotationsOf(c.props);
            return annotation !== UNKNOWN && annotation(DEFAULT_CLASS_ANNOTATION) === "true";
        });

        /** A Traefik middleware reference's rate limit: "limit", "unknown" or "none". */
        const traefikLimit = (value: unknown): "limit" | "unknown" | "none" => {
            if (value === UNKNOWN) return "unknown";
            if (typeof value !== "string") return "none";
            let result: "limit" | "unknown" | "none" = "none";
            for (const ref of value.split(",").map((m) => m.trim())) {
                const middleware = middlewares.find((m) => {
                    const name = read(m.props, "metadata.name");
                    const ns = read(m.props, "metadata.namespace");
                    if (name === UNKNOWN || ns === UNKNOWN) return false;
                    const namespace = typeof ns === "string" && ns !== "" ? ns : "default";
                    return [`${namespace}-${String(name)}`, `${namespace}_${String(name)}`]
                        .map((n) => `${n}@kubernetescrd`)
                        .includes(ref);
                });
                if (!middleware) continue;
                const average = read(middleware.props, "spec.rateLimit.average");
                if (average === UNKNOWN) result = result === "limit" ? "limit" : "unknown";
                else if (Number(average) > 0) return "limit";
            }
            return result;
        };

        for (const ingress of args.resources) {
            const match = INGRESS_TYPE.exec(ingress.type);
            if (!match) continue;
            const patch = match[1] !== undefined;
            const annotation = annotationsOf(ingress.props);
            // Annotations computed from other resources: checked once known.
            if (annotation === UNKNOWN) continue;
            const name = `Ingress '${ingress.name}'`;

            if (patch) {
                const problems: string[] = [];
                for (const key of NGINX_LIMITS) {
                    const value = annotation(key);
                    if (value === undefined || value === null || value === UNKNOWN) continue;
                    const n = atoi(value);
                    if (n === undefined)
                        problems.push(
                            `sets ${key} to a value that is not a whole number, so ingress-nginx applies no limit`,
                        );
                    else if (n <= 0)
                        problems.push(`sets ${key} to "${n}", which turns that limit off`);
                }
                for (const key of NGINX_ALLOWLISTS) {
                    if (allowsEveryone(annotation(key))) {
                        problems.push(
                            `sets ${key} to a CIDR list covering every address (/0), so no client is limited`,
                        );
                    }
                }
                for (const key of ALB_WAF) {
                    const value = annotation(key);
                    if (typeof value === "string" && value.trim() === "none") {
                        problems.push(
                            `sets ${key} to "none", which removes the load balancer's web ACL and its rate-based rule`,
                        );
                    }
                }
                if (problems.length) {
                    reportViolation(
                        `${name} (a patch) ${problems.join("; ")}: give nginx.ingress.kubernetes.io/limit-rpm a whole number above 0 (in this blueprint, the limit is multicloud:app.rateLimit.requestsPer5Minutes), list only trusted CIDRs in the allowlist, and keep a web ACL with a blocking rate-based rule.`,
                        ingress.urn,
                    );
                }
                continue;
            }

            // The class, and from it the controller.
            const specClass = read(ingress.props, "spec.ingressClassName");
            const annotationClass = annotation(CLASS_ANNOTATION);
            if (specClass === UNKNOWN || annotationClass === UNKNOWN) continue;
            let cls =
                typeof specClass === "string" && specClass !== ""
                    ? specClass
                    : typeof annotationClass === "string" && annotationClass !== ""
                      ? annotationClass
                      : undefined;
            let ingressClass = classes.find((c) => cls !== undefined && className(c) === cls);
            if (cls === undefined && defaultClass) {
                const defaultName = className(defaultClass);
                if (defaultName === UNKNOWN) continue;
                cls = typeof defaultName === "string" ? defaultName : undefined;
                ingressClass = defaultClass;
            }
            if (cls !== undefined && exempt.includes(cls)) continue;
            const controllerName = ingressClass
                ? read(ingressClass.props, "spec.controller")
                : undefined;
            if (controllerName === UNKNOWN) continue;
            const controller: Controller | undefined =
                typeof controllerName === "string"
                    ? CONTROLLER_NAMES[controllerName]
                    : cls !== undefined
                      ? WELL_KNOWN_CLASSES[cls]
                      : undefined;
            const served = `${cls !== undefined ? `class '${cls}'` : "no ingress class"}${controller ? `, ${CONTROLLER_LABELS[controller]}` : ""}`;

            // The AWS Load Balancer Controller's IngressClassParams, when the stack has them.
            const paramsName = ingressClass
                ? read(ingressClass.props, "spec.parameters")
                : undefined;
            if (paramsName === UNKNOWN) continue;
            const classParams =
                controller === "alb" &&
                isRecord(paramsName) &&
                read(paramsName, "kind") === "IngressClassParams"
                    ? params.find(
                          (p) => read(p.props, "metadata.name") === read(paramsName, "name"),
                      )
                    : undefined;

            const allowlisted = NGINX_ALLOWLISTS.find((k) => allowsEveryone(annotation(k)));
            const nginx = nginxLimit(annotation);
            const waf = albWaf([
                ...(classParams
                    ? [
                          read(classParams.props, "spec.wafv2AclArn"),
                          read(classParams.props, "spec.wafv2AclName"),
                      ]
                    : []),
                ...ALB_WAF.map(annotation),
            ]);
            const traefik = traefikLimit(annotation(TRAEFIK_MIDDLEWARES));
            const nginxFix = `set the annotation nginx.ingress.kubernetes.io/limit-rpm to the requests per minute one client IP may send (a whole number above 0; limit-rps and limit-connections also count, and "0" turns a limit off), with nginx.ingress.kubernetes.io/limit-burst-multiplier for bursts (in this blueprint the Workload sets both from multicloud:app.rateLimit.requestsPer5Minutes)`;

            switch (controller) {
                case "nginx": {
                    if (nginx === "unknown") break;
                    if (allowlisted) {
                        reportViolation(
                            `${name} (${served}) exempts every client from its rate limit: its ${allowlisted} annotation covers every address (a /0 CIDR); list only the CIDRs of trusted clients there, or remove the annotation.`,
                            ingress.urn,
                        );
                    } else if (nginx === "none") {
                        reportViolation(
                            `${name} (${served}) has no per-client rate limit, so one client can send as many requests as it likes: ${nginxFix}.`,
                            ingress.urn,
                        );
                    }
                    break;
                }
                case "alb": {
                    const scheme = classParams ? read(classParams.props, "spec.scheme") : undefined;
                    const annotationScheme = annotation(ALB_SCHEME);
                    if (scheme === UNKNOWN || annotationScheme === UNKNOWN) break;
                    const effective =
                        typeof scheme === "string" && scheme !== "" ? scheme : annotationScheme;
                    // The controller's default scheme is internal: not exposed.
                    if (effective !== "internet-facing") break;
                    if (waf === "none") {
                        reportViolation(
                            `${name} (${served}) is internet-facing and its load balancer has no WAFv2 web ACL, so nothing limits a client's requests: set alb.ingress.kubernetes.io/wafv2-acl-arn to the ARN of a regional web ACL with a rate-based rule that blocks (or wafv2AclArn in the class's IngressClassParams), or set alb.ingress.kubernetes.io/scheme to internal if it need not be reachable from the internet.`,
                            ingress.urn,
                        );
                    }
                    break;
                }
                case "traefik": {
                    if (traefik === "none") {
                        reportViolation(
                            `${name} (${served}) has no per-client rate limit: add to traefik.ingress.kubernetes.io/router.middlewares a Traefik Middleware of this stack with spec.rateLimit.average above 0, referenced as <namespace>-<name>@kubernetescrd (a middleware defined outside the stack cannot be seen: list the class in this policy's exemptIngressClasses if the limit lives there).`,
                            ingress.urn,
                        );
                    }
                    break;
                }
                case "gke": {
                    reportViolation(
                        `${name} (${served}) relies on GKE's load balancer, whose per-client limit lives in a Cloud Armor security policy (a BackendConfig's securityPolicy referenced from the Service) that cannot be seen from the Ingress: serve it through an in-cluster controller that carries the limit (in this blueprint, ingress-nginx, class nginx, with the limit from multicloud:app.rateLimit.requestsPer5Minutes), or, once a Cloud Armor policy with a rate-based rule protects it, list the class in this policy's exemptIngressClasses.`,
                        ingress.urn,
                    );
                    break;
                }
                default: {
                    if ([nginx, waf, traefik].some((v) => v !== "none")) break;
                    reportViolation(
                        `${name} (${served}) has no per-client rate limit this policy recognises, so it counts as exposed without one: for ingress-nginx, ${nginxFix}; for the AWS Load Balancer Controller, attach a web ACL with alb.ingress.kubernetes.io/wafv2-acl-arn; for Traefik, reference a rateLimit Middleware in traefik.ingress.kubernetes.io/router.middlewares. If the class is internal or limits clients elsewhere, list it in this policy's exemptIngressClasses.`,
                        ingress.urn,
                    );
                }
            }
        }
    },
};
