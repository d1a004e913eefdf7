/** kubernetes-secret-database-tls: a compliant fixture and one failing variant per rule. */
import { secretValue, UNKNOWN_STRING } from "../../plan/analyzer";
import { messages, resource, usePack } from "./harness";

const pack = usePack();
const policy = "kubernetes-secret-database-tls";

const PASSWORD = "Sup3rS3cretPassw0rd";
const HOST = "db-prod.internal.example.com";
const url = (query: string) => `postgresql://app:${PASSWORD}@${HOST}:5432/app${query}`;

/** The Secret the Workload creates: app-database, stringData.url, as a Pulumi secret. */
const secret = (stringData: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    resource("kubernetes:core/v1:Secret", "app-secret-app-database", {
        metadata: { name: "app-database", namespace: "app" },
        type: "Opaque",
        stringData,
        ...extra,
    });
const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

const fix = (mode: string) =>
    `so the password and every query may cross the network in clear text: set sslmode=${mode} in it, as a query parameter of the URI (postgresql://host/db?sslmode=verify-full) or a keyword (sslmode=verify-full).`;
const DEFAULT_FIX = fix(
    "verify-full (or require, which encrypts without checking the server's certificate)",
);
const BLUEPRINT =
    " If this is the app's database Secret, it is written from the multicloud:databaseUrl secret: set it again with `pulumi config set --secret databaseUrl '<the URL with ?sslmode=verify-full>'`.";
const NO_SSLMODE =
    "without sslmode, so libpq uses its default, prefer, which falls back to an unencrypted connection whenever TLS cannot be negotiated (something in the network path can force that)";

describe("kubernetes-secret-database-tls", () => {
    it("passes connection strings that require TLS, as URI or keywords, in stringData or data", async () => {
        for (const mode of ["require", "verify-ca", "verify-full"]) {
            expect(
                await messages(
                    pack(),
                    policy,
                    secret({ url: secretValue(url(`?sslmode=${mode}`)) }),
                ),
            ).toEqual([]);
            expect(
                await messages(
                    pack(),
                    policy,
                    secret(
                        {},
                        {
                            data: {
                                url: base64(
                                    `postgres://${HOST}/app?connect_timeout=5&sslmode=${mode}`,
                                ),
                            },
                        },
                    ),
                ),
            ).toEqual([]);
            expect(
                await messages(
                    pack(),
                    policy,
                    secret({
                        dsn: `host=${HOST} port=5432 dbname=app user=app password='p w\\'d' sslmode=${mode}`,
                    }),
                ),
            ).toEqual([]);
        }
    });

    it("passes connections that stay in the pod, values not known yet, and unrelated values", async () => {
        for (const value of [
            `postgresql://app:${PASSWORD}@localhost:5432/app`,
            `postgresql://app@127.0.0.1/app?sslmode=disable`,
            `postgresql://app@[::1]:5432/app`,
            `postgresql://app@%2Fcloudsql%2Fproject%3Aregion%3Adb/app`,
            `postgresql:///app?host=/var/run/postgresql`,
            `dbname=app user=app`,
            `service=appdb`,
            `jdbc:postgresql://${HOST}/app?ssl=true`,
            `mysql://app:${PASSWORD}@${HOST}/app`,
            "key=value other=thing",
            "https://example.com/?sslmode=disable",
            UNKNOWN_STRING,
        ]) {
            expect(await messages(pack(), policy, secret({ url: value }))).toEqual([]);
        }
        // A data value that is not base64 is not read.
        expect(
            await messages(pack(), policy, secret({}, { data: { url: "not base64!" } })),
        ).toEqual([]);
        // Other resources are not checked.
        expect(
            await messages(
                pack(),
                policy,
                resource("kubernetes:core/v1:ConfigMap", "cm", { data: { url: url("") } }),
            ),
        ).toEqual([]);
    });

    it("flags a URI without sslmode, naming the Secret, the key and multicloud:databaseUrl", async () => {
        expect(await messages(pack(), policy, secret({ url: secretValue(url("")) }))).toEqual([
            `Secret 'app-database' key 'url' (stringData) holds a PostgreSQL connection string ${NO_SSLMODE}, ${DEFAULT_FIX}${BLUEPRINT}`,
        ]);
    });

    it("flags sslmode disable, allow and prefer, in stringData, data and keyword form", async () => {
        expect(await messages(pack(), policy, secret({ url: url("?sslmode=disable") }))).toEqual([
            `Secret 'app-database' key 'url' (stringData) holds a PostgreSQL connection string with sslmode=disable, which never encrypts the connection, ${DEFAULT_FIX}${BLUEPRINT}`,
        ]);
        expect(
            await messages(
                pack(),
                policy,
                secret(
                    {},
                    { data: { DATABASE_URL: base64(`postgres://${HOST}/app?sslmode=allow`) } },
                ),
            ),
        ).toEqual([
            `Secret 'app-database' key 'DATABASE_URL' (data) holds a PostgreSQL connection string with sslmode=allow, which tries an unencrypted connection first, ${DEFAULT_FIX}`,
        ]);
        expect(
            await messages(
                pack(),
                policy,
                secret({ dsn: `host=${HOST} dbname=app password=${PASSWORD} sslmode=prefer` }),
            ),
        ).toEqual([
            `Secret 'app-database' key 'dsn' (stringData) holds a PostgreSQL connection string with sslmode=prefer, which falls back to an unencrypted connection whenever TLS cannot be negotiated (something in the network path can force that), ${DEFAULT_FIX}`,
        ]);
        // An unknown mode, and a URI inside a larger value (an env file).
        expect(
            await messages(
                pack(),
                policy,
                secret({ env: `A=1\nDATABASE_URL=${url("?sslmode=REQUIRE")}\n` }),
            ),
        ).toEqual([
            `Secret 'app-database' key 'env' (stringData) holds a PostgreSQL connection string with an sslmode libpq does not accept (one of disable, allow, prefer, require, verify-ca, verify-full, in lower case), ${DEFAULT_FIX}`,
        ]);
        // A remote host among several, and a SecretPatch.
        expect(
            await messages(
                pack(),
                policy,
                resource("kubernetes:core/v1:SecretPatch", "app-database", {
                    metadata: { name: "app-database" },
                    stringData: { url: `postgresql://localhost,${HOST}/app` },
                }),
            ),
        ).toEqual([
            `Secret 'app-database' key 'url' (stringData) holds a PostgreSQL connection string ${NO_SSLMODE}, ${DEFAULT_FIX}${BLUEPRINT}`,
        ]);
    });

    describe("with requireVerifyFull", () => {
        const strict = usePack({
            "kubernetes-secret-database-tls": {
                enforcementLevel: "mandatory",
                requireVerifyFull: true,
            },
        });
        it("accepts only verify-full", async () => {
            expect(
                await messages(strict(), policy, secret({ url: url("?sslmode=verify-full") })),
            ).toEqual([]);
            expect(
                await messages(strict(), policy, secret({ url: url("?sslmode=require") })),
            ).toEqual([
                `Secret 'app-database' key 'url' (stringData) holds a PostgreSQL connection string with sslmode=require, which encrypts but does not check the server's certificate, and this policy is configured to require verify-full, ${fix("verify-full")}${BLUEPRINT}`,
            ]);
        });
    });

    it("never echoes the connection string or any part of it", async () => {
        const found = [
            ...(await messages(
                pack(),
                policy,
                secret({ url: secretValue(url("?sslmode=disable")) }),
            )),
            ...(await messages(
                pack(),
                policy,
                secret({}, { data: { dsn: base64(`host=${HOST} password=${PASSWORD}`) } }),
            )),
        ];
        expect(found).toHaveLength(2);
        for (const message of found) {
            for (const part of [PASSWORD, HOST, "db-prod", "5432", "app:"]) {
                expect(message).not.toContain(part);
            }
        }
    });
});
