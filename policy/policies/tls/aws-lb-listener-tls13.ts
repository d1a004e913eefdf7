import type { ResourceValidationPolicy } from "@pulumi/policy";

const LISTENER_TYPES = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];
/** The ELB security policies that offer TLS 1.3 (and 1.2 at most below it). */
export const TLS13_POLICY = /^ELBSecurityPolicy-TLS13-/;

export const awsLbListenerTls13: ResourceValidationPolicy = {
    name: "aws-lb-listener-tls13",
    description:
        "HTTPS and TLS listeners of AWS load balancers must use a TLS 1.3 security policy (ELBSecurityPolicy-TLS13-*), so clients negotiate TLS 1.3 and never fall back below TLS 1.2.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!LISTENER_TYPES.includes(args.type)) return;
        const protocol = String(args.props.protocol ?? "").toUpperCase();
        if (protocol !== "HTTPS" && protocol !== "TLS") return;
        const sslPolicy = args.props.sslPolicy as string | undefined;
        if (!sslPolicy || !TLS13_POLICY.test(sslPolicy)) {
            reportViolation(
                `${protocol} listener '${args.name}' uses ${sslPolicy ? `security policy '${sslPolicy}'` : "the default security policy"}, which is not a TLS 1.3 policy: set sslPolicy to ELBSecurityPolicy-TLS13-1-2-2021-06 (TLS 1.3 and 1.2) or ELBSecurityPolicy-TLS13-1-3-2021-06 (TLS 1.3 only).`,
            );
        }
    },
};
