import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord, items, read, UNKNOWN } from "../types";

const LISTENER_TYPES = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];
/** Default action types only Application Load Balancers have (NLB and GWLB only forward). */
const ALB_ONLY_ACTIONS = [
    "redirect",
    "fixed-response",
    "authenticate-cognito",
    "authenticate-oidc",
];

type Verdict = "ok" | "bad" | typeof UNKNOWN;

/**
 * Whether a default action keeps traffic off plain HTTP: a redirect to HTTPS, or a fixed
 * response with an error status (4xx or 5xx), which serves no application content.
 */
function actionVerdict(action: unknown): Verdict {
    if (!isRecord(action)) return action === UNKNOWN ? UNKNOWN : "bad";
    const type = read(action, "type");
    if (type === UNKNOWN) return UNKNOWN;
    const kind = String(type ?? "").toLowerCase();
    if (kind === "redirect") {
        const protocol = read(action, "redirect.protocol");
        if (protocol === UNKNOWN) return UNKNOWN;
        return String(protocol ?? "").toUpperCase() === "HTTPS" ? "ok" : "bad";
    }
    if (kind === "fixed-response") {
        const status = read(action, "fixedResponse.statusCode");
        if (status === UNKNOWN) return UNKNOWN;
        return /^[45]\d\d$/.test(String(status ?? "")) ? "ok" : "bad";
    }
    return "bad";
}

/** The load balancer type an ARN names: "app", "net" or "gwy"; undefined when not known. */
function loadBalancerType(arn: unknown): string | undefined {
    return typeof arn === "string" ? /:loadbalancer\/(app|net|gwy)\//.exec(arn)?.[1] : undefined;
}

export const awsLbListenerHttpsRedirect: ResourceValidationPolicy = {
    name: "aws-lb-listener-https-redirect",
    description:
        "Plain HTTP listeners of AWS load balancers (protocol HTTP, or no protocol on an Application Load Balancer, where HTTP is the default) must only redirect to HTTPS or answer with a fixed error response (4xx or 5xx), so no application content travels unencrypted. Listener rules, separate resources, are not seen by this check.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!LISTENER_TYPES.includes(args.type)) return;
        const protocol = read(args.props, "protocol");
        // A protocol computed from another resource is checked once it is known.
        if (protocol === UNKNOWN) return;
        const actions = items(read(args.props, "defaultActions"));
        const types = actions.map((a) => (isRecord(a) ? read(a, "type") : undefined));
        let guessed = false;
        if (protocol === undefined || protocol === null || protocol === "") {
            // No protocol: HTTP on an Application Load Balancer (the aws provider sets it when
            // the load balancer's ARN is an ALB's); Network Load Balancers take TCP, TLS, UDP...
            // and Gateway Load Balancers neither protocol nor port.
            const lb = loadBalancerType(read(args.props, "loadBalancerArn"));
            if (lb === "net" || lb === "gwy") return;
            if (lb === undefined) {
                if (read(args.props, "port") === undefined) return;
                // An ALB-only action proves an ALB; with forward only it may be an NLB's.
                guessed = !types.some(
                    (t) => typeof t === "string" && ALB_ONLY_ACTIONS.includes(t.toLowerCase()),
                );
            }
        } else if (typeof protocol !== "string" || protocol.toUpperCase() !== "HTTP") {
            return;
        }
        const verdicts = actions.map(actionVerdict);
        // An action computed from other resources is checked once it is known.
        if (verdicts.includes(UNKNOWN)) return;
        if (actions.length > 0 && verdicts.every((v) => v === "ok")) return;
        const kinds = types.map((t) => (typeof t === "string" && t ? t : "unknown"));
        const listener = protocol
            ? `HTTP listener '${args.name}'`
            : `Listener '${args.name}' (no protocol, which is HTTP on an Application Load Balancer)`;
        reportViolation(
            `${listener} ${kinds.length === 0 ? "has no default action" : `has default actions [${kinds.join(", ")}]`} instead of a redirect to HTTPS, so it serves traffic unencrypted: set defaultActions to [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }], or remove the HTTP listener${guessed ? '; if the listener belongs to a Network Load Balancer, set its protocol ("TCP" or "TLS") explicitly' : ""}.`,
        );
    },
};
