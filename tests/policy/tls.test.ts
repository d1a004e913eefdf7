/** TLS policies, each with a compliant fixture and one failing variant per rule. */
import { messages, resource, usePack } from "./harness";

const pack = usePack();

describe("aws-lb-listener-tls13", () => {
    const listener = (props: Record<string, unknown>) =>
        resource("aws:lb/listener:Listener", "app-https", {
            protocol: "HTTPS",
            port: 443,
            sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
            ...props,
        });

    it("passes an HTTPS listener with a TLS 1.3 policy, and leaves HTTP listeners to the redirect rule", async () => {
        expect(await messages(pack(), "aws-lb-listener-tls13", listener({}))).toEqual([]);
        expect(
            await messages(
                pack(),
                "aws-lb-listener-tls13",
                listener({ protocol: "HTTP", port: 80, sslPolicy: undefined }),
            ),
        ).toEqual([]);
    });

    it("flags a policy without TLS 1.3", async () => {
        expect(
            await messages(
                pack(),
                "aws-lb-listener-tls13",
                listener({ sslPolicy: "ELBSecurityPolicy-2016-08" }),
            ),
        ).toEqual([
            "HTTPS listener 'app-https' uses security policy 'ELBSecurityPolicy-2016-08', which is not a TLS 1.3 policy: set sslPolicy to ELBSecurityPolicy-TLS13-1-2-2021-06 (TLS 1.3 and 1.2) or ELBSecurityPolicy-TLS13-1-3-2021-06 (TLS 1.3 only).",
        ]);
    });

    it("flags a TLS listener left on the default policy", async () => {
        expect(
            await messages(
                pack(),
                "aws-lb-listener-tls13",
                listener({ protocol: "TLS", sslPolicy: undefined }),
            ),
        ).toEqual([
            "TLS listener 'app-https' uses the default security policy, which is not a TLS 1.3 policy: set sslPolicy to ELBSecurityPolicy-TLS13-1-2-2021-06 (TLS 1.3 and 1.2) or ELBSecurityPolicy-TLS13-1-3-2021-06 (TLS 1.3 only).",
        ]);
    });
});
