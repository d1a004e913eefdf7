/**
 * Pushing to Azure Container Registry with the admin user off (components/app/acrLogin.ts): the
 * identity running Pulumi exchanges its Azure Resource Manager token for a registry refresh
 * token, as `az acr login` does, so no registry password exists anywhere. A local HTTP server
 * plays the registry's /oauth2/exchange.
 */
import * as http from "http";
import { AddressInfo } from "net";
import { ACR_TOKEN_USER, exchangeAcrRefreshToken } from "../../../components/app/acrLogin";

describe("exchangeAcrRefreshToken", () => {
    async function withRegistry(
        handler: http.RequestListener,
        run: (baseUrl: string) => Promise<void>,
    ) {
        const server = http.createServer(handler);
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        try {
            await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
        } finally {
            server.close();
        }
    }

    it("posts the ARM token as `az acr login` does and returns the refresh token", async () => {
        let seen: URLSearchParams | undefined;
        await withRegistry(
            (req, res) => {
                let body = "";
                req.on("data", (c) => (body += c));
                req.on("end", () => {
                    expect(req.method).toBe("POST");
                    expect(req.url).toBe("/oauth2/exchange");
                    seen = new URLSearchParams(body);
                    res.setHeader("content-type", "application/json");
                    res.end(JSON.stringify({ refresh_token: "acr-refresh" }));
                });
            },
            async (baseUrl) => {
                await expect(
                    exchangeAcrRefreshToken({
                        loginServer: "contoso.azurecr.io",
                        armToken: "arm-token",
                        tenantId: "tenant-1",
                        baseUrl,
                    }),
                ).resolves.toBe("acr-refresh");
            },
        );
        expect(Object.fromEntries(seen!)).toEqual({
            grant_type: "access_token",
            service: "contoso.azurecr.io",
            tenant: "tenant-1",
            access_token: "arm-token",
        });
    });

    it("says what to grant when the registry refuses, without echoing the token", async () => {
        await withRegistry(
            (_req, res) => {
                res.statusCode = 401;
                res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
            },
            async (baseUrl) => {
                const failure = exchangeAcrRefreshToken({
                    loginServer: "contoso.azurecr.io",
                    armToken: "very-secret-arm-token",
                    tenantId: "t",
                    baseUrl,
                });
                await expect(failure).rejects.toThrow(
                    'the registry contoso.azurecr.io refused the token exchange (HTTP 401: {"errors":[{"code":"UNAUTHORIZED"}]}); grant the identity running Pulumi the AcrPush role on the registry',
                );
                await expect(failure).rejects.not.toThrow(/very-secret-arm-token/);
            },
        );
    });
});

describe("exchangeAcrRefreshToken: what it asks and where, and how it fails", () => {
    // `docker login <registry>.azurecr.io --username 00000000-0000-0000-0000-000000000000
    // --password-stdin` with the token of `az acr login --expose-token`: the fixed user name of a
    // refresh token (MicrosoftDocs/azure-management-docs articles/container-registry/
    // container-registry-authentication.md, "Az login with --expose-token").
    it("logs in as the fixed user of an exchanged token", () => {
        expect(ACR_TOKEN_USER).toBe("00000000-0000-0000-0000-000000000000");
    });

    it("asks the registry itself, over https, when no base URL is given", async () => {
        const seen: string[] = [];
        const fetch = (async (url: string | URL | Request) => {
            seen.push(String(url));
            return new Response(JSON.stringify({ refresh_token: "r" }), { status: 200 });
        }) as typeof globalThis.fetch;
        await expect(
            exchangeAcrRefreshToken({
                loginServer: "contoso.azurecr.io",
                armToken: "a",
                tenantId: "t",
                fetch,
            }),
        ).resolves.toBe("r");
        expect(seen).toEqual(["https://contoso.azurecr.io/oauth2/exchange"]);
    });

    it("says what to check when the registry cannot be reached, or answers without a token", async () => {
        const unreachable = (async () => {
            throw new Error("getaddrinfo ENOTFOUND contoso.azurecr.io");
        }) as typeof globalThis.fetch;
        await expect(
            exchangeAcrRefreshToken({
                loginServer: "contoso.azurecr.io",
                armToken: "a",
                tenantId: "t",
                fetch: unreachable,
            }),
        ).rejects.toThrow(
            "cannot reach https://contoso.azurecr.io/oauth2/exchange to log in to the registry contoso.azurecr.io: getaddrinfo ENOTFOUND contoso.azurecr.io; check network access to the registry",
        );
        const empty = (async () =>
            new Response(JSON.stringify({ access_token: "x" }), {
                status: 200,
            })) as typeof globalThis.fetch;
        await expect(
            exchangeAcrRefreshToken({
                loginServer: "contoso.azurecr.io",
                armToken: "a",
                tenantId: "t",
                fetch: empty,
            }),
        ).rejects.toThrow(
            "the registry contoso.azurecr.io answered the token exchange without a refresh_token",
        );
    });
});
