/**
 * Pushing to Azure Container Registry with the admin user off: the program's own Entra ID
 * identity is exchanged for an ACR refresh token, as `az acr login` does, so no registry
 * password exists anywhere.
 *
 * The exchange: `POST https://<loginServer>/oauth2/exchange` with form fields
 * `grant_type=access_token`, `service=<loginServer>`, `tenant` and `access_token` (an Azure
 * Resource Manager token); the answer's `refresh_token` is the password for the fixed user
 * name below. The token lives about three hours: long enough for one `pulumi up`.
 */

/** The user name ACR expects with a refresh token obtained by exchange. */
export const ACR_TOKEN_USER = "00000000-0000-0000-0000-000000000000";

export interface AcrExchangeArgs {
    /** The registry's login server, e.g. `contoso.azurecr.io`. */
    readonly loginServer: string;
    /** An Azure Resource Manager access token of the identity running Pulumi. */
    readonly armToken: string;
    readonly tenantId: string;
    /** Where the registry answers. @default `https://<loginServer>` */
    readonly baseUrl?: string;
    /** @default the global fetch */
    readonly fetch?: typeof fetch;
}

/** Exchanges an ARM token for an ACR refresh token; throws a message saying how to fix it. */
export async function exchangeAcrRefreshToken(args: AcrExchangeArgs): Promise<string> {
    const url = `${args.baseUrl ?? `https://${args.loginServer}`}/oauth2/exchange`;
    const body = new URLSearchParams({
        grant_type: "access_token",
        service: args.loginServer,
        tenant: args.tenantId,
        access_token: args.armToken,
    });
    let response: Response;
    try {
        response = await (args.fetch ?? fetch)(url, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body,
        });
    } catch (e) {
        throw new Error(
            `cannot reach ${url} to log in to the registry ${args.loginServer}: ${(e as Error).message}; check network access to the registry`,
        );
    }
    if (!response.ok) {
        // The body names the reason (unauthorized identity, wrong tenant) and carries no token.
        const detail = (await response.text()).slice(0, 300);
        throw new Error(
            `the registry ${args.loginServer} refused the token exchange (HTTP ${response.status}${detail ? `: ${detail}` : ""}); ` +
                `grant the identity running Pulumi the AcrPush role on the registry`,
        );
    }
    const answer = (await response.json()) as { refresh_token?: unknown };
    if (typeof answer.refresh_token !== "string" || answer.refresh_token === "") {
        throw new Error(
            `the registry ${args.loginServer} answered the token exchange without a refresh_token`,
        );
    }
    return answer.refresh_token;
}
