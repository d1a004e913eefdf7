import type { ResourceValidationPolicy } from "@pulumi/policy";
import { get, isRecord, list } from "../types";

const LISTENER_TYPES = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];

/** An action that sends the client to HTTPS: `{ type: "redirect", redirect: { protocol: "HTTPS" } }`. */
function isHttpsRedirect(action: unknown): boolean {
    if (!isRecord(action) || String(action.type ?? "").toLowerCase() !== "redirect") return false;
    return String(get(action, "redirect.protocol") ?? "").toUpperCase() === "HTTPS";
}

export const awsLbListenerHttpsRedirect: ResourceValidationPolicy = {
    name: "aws-lb-listener-https-redirect",
    description:
        "Plain HTTP listeners of AWS load balancers must only redirect to HTTPS, so no request or response ever travels unencrypted.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!LISTENER_TYPES.includes(args.type)) return;
        if (String(args.props.protocol ?? "").toUpperCase() !== "HTTP") return;
        const actions = list(args.props.defaultActions);
        if (actions.length === 0 || !actions.every(isHttpsRedirect)) {
            const kinds = actions.map((a) => String((isRecord(a) && a.type) || "unknown"));
            reportViolation(
                `HTTP listener '${args.name}' ${kinds.length === 0 ? "has no default action" : `has default actions [${kinds.join(", ")}]`} instead of a redirect to HTTPS, so it serves traffic unencrypted: set defaultActions to [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }], or remove the HTTP listener.`,
            );
        }
    },
};
