import type { ResourceValidationPolicy } from "@pulumi/policy";
import { read, UNKNOWN } from "../types";

const LISTENER_TYPES = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];
/**
 * The ELB security policies that offer TLS 1.3 and nothing below TLS 1.2:
 * ELBSecurityPolicy-TLS13-1-2-* (TLS 1.3 and 1.2) and ELBSecurityPolicy-TLS13-1-3-* (TLS 1.3
 * only), with their -Res-, -Ext1-, -Ext2-, -FIPS- and -PQ- variants. ELBSecurityPolicy-TLS13-1-0-*
 * and -1-1-* also offer TLS 1.3, but still accept TLS 1.0 and 1.1 clients.
 */
export const TLS13_POLICY = /^ELBSecurityPolicy-TLS13-1-[23]-/;

export const awsLbListenerTls13: ResourceValidationPolicy = {
    name: "aws-lb-listener-tls13",
    description:
        "HTTPS and TLS listeners of AWS load balancers must use a TLS 1.3 security policy whose minimum is TLS 1.2 (ELBSecurityPolicy-TLS13-1-2-* or ELBSecurityPolicy-TLS13-1-3-*), so clients negotiate TLS 1.3 and never fall back below TLS 1.2.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!LISTENER_TYPES.includes(args.type)) return;
        const protocol = read(args.props, "protocol");
        if (typeof protocol !== "string") return;
        const upper = protocol.toUpperCase();
        if (upper !== "HTTPS" && upper !== "TLS") return;
        const sslPolicy = read(args.props, "sslPolicy");
        // A policy name computed from another resource is checked once it is known.
        if (sslPolicy === UNKNOWN) return;
        if (typeof sslPolicy === "string" && TLS13_POLICY.test(sslPolicy)) return;
        const below =
            typeof sslPolicy === "string" && /^ELBSecurityPolicy-TLS13-1-[01]-/.test(sslPolicy);
        reportViolation(
            `${upper} listener '${args.name}' uses ${typeof sslPolicy === "string" && sslPolicy ? `security policy '${sslPolicy}'` : "the default security policy"}, which is not a TLS 1.3 policy${below ? " with a TLS 1.2 minimum (it still accepts TLS 1.0 or 1.1 clients)" : ""}: set sslPolicy to ELBSecurityPolicy-TLS13-1-2-2021-06 (TLS 1.3 and 1.2) or ELBSecurityPolicy-TLS13-1-3-2021-06 (TLS 1.3 only).`,
        );
    },
};
