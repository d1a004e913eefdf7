import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord, known, read, UNKNOWN } from "../types";

/*
 * libpq semantics (PostgreSQL documentation, "Connection Strings" and "Parameter Key Words",
 * libpq-connect.html, and "SSL Support", libpq-ssl.html, table "SSL Mode Descriptions"):
 * - A connection string is a URI (postgresql:// or postgres://, parameters in the query string,
 *   percent-encoded) or keyword/value pairs separated by spaces (`host=db sslmode=require`,
 *   values optionally single-quoted with \' and \\ escapes).
 * - sslmode is disable, allow, prefer, require, verify-ca or verify-full. prefer is the default:
 *   it tries TLS first and falls back to an unencrypted connection; allow tries an unencrypted
 *   connection first; disable never encrypts. Only require, verify-ca and verify-full refuse an
 *   unencrypted connection; verify-ca also checks the server's certificate chain, verify-full
 *   also its host name. Any other value is an error (libpq compares it case-sensitively).
 * - sslmode is ignored for Unix-domain sockets: a host that starts with a slash (an absolute
 *   path) is a socket directory, and without host or hostaddr libpq connects to the default
 *   socket (PGHOST, an environment variable this policy cannot see, may say otherwise).
 * - `service=` reads parameters (sslmode among them) from pg_service.conf, which is not visible
 *   here, so a string naming a service without sslmode is not judged.
 * Decisions: loopback hosts (localhost, 127.0.0.0/8, ::1) are accepted, since the traffic stays
 * in the pod (a sidecar such as the Cloud SQL Auth Proxy encrypts it onward); JDBC URLs
 * (jdbc:postgresql://, pgJDBC's own ssl parameters) and other databases' URLs (mysql://...,
 * whose drivers spell TLS options differently) are not checked.
 */
const SECRET_TYPE = /^kubernetes:core\/v1:Secret(Patch)?$/;

const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];
const TLS_MODES = ["require", "verify-ca", "verify-full"];
/** Why each mode that does not require TLS lets the connection go unencrypted. */
const WEAK_MODES: Record<string, string> = {
    disable: "which never encrypts the connection",
    allow: "which tries an unencrypted connection first",
    prefer: "which falls back to an unencrypted connection whenever TLS cannot be negotiated (something in the network path can force that)",
};

/** libpq's connection parameter key words (PostgreSQL 17, "Parameter Key Words"). */
const KEYWORDS = new Set([
    "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "require_auth",
    "channel_binding", "connect_timeout", "client_encoding", "options", "application_name",
    "fallback_application_name", "keepalives", "keepalives_idle", "keepalives_interval",
    "keepalives_count", "tcp_user_timeout", "replication", "gssencmode", "sslmode", "requiressl",
    "sslnegotiation", "sslcompression", "sslcert", "sslkey", "sslkeylogfile", "sslpassword",
    "sslcertmode", "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "requirepeer",
    "ssl_min_protocol_version", "ssl_max_protocol_version", "krbsrvname", "gsslib",
    "gssdelegation", "service", "target_session_attrs", "load_balance_hosts",
]); // prettier-ignore

/** A postgres:// or postgresql:// URI anywhere in a value, not one of pgJDBC's (jdbc:...). */
const PG_URI = /(?<![\w:])postgres(?:ql)?:\/\/[^\s'"`<>]*/gi;

/** The parameters of a connection string, keys lower-cased by nothing (libpq's are lowercase). */
type Params = Map<string, string>;

function decode(text: string): string {
    try {
        return decodeURIComponent(text);
    } catch {
        return text;
    }
}

/** The hosts and parameters of a libpq URI. */
function parseUri(uri: string): { hosts: string[]; params: Params } {
    const rest = uri.replace(/^[a-z]+:\/\//i, "");
    const authorityEnd = rest.search(/[/?#]/);
    const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
    const hostPart = authority.slice(authority.lastIndexOf("@") + 1);
    const hosts = hostPart
        .split(",")
        .map((h) => {
            const bracketed = /^\[([^\]]*)\]/.exec(h);
            return decode(bracketed ? bracketed[1] : h.replace(/:\d*$/, ""));
        })
        .filter((h) => h !== "");
    const params: Params = new Map();
    const query = /\?([^#]*)/.exec(rest)?.[1] ?? "";
    for (const pair of query.split("&")) {
        const eq = pair.indexOf("=");
        if (eq > 0) params.set(decode(pair.slice(0, eq)), decode(pair.slice(eq + 1)));
    }
    return { hosts, params };
}

/**
 * The parameters of a keyword/value connection string, or undefined when `text` is not one (a
 * key libpq does not know, or neither host, hostaddr nor dbname): unrelated values are left alone.
 */
function parseKeywords(text: string): Params | undefined {
    const params: Params = new Map();
    const pair = /\s*([a-z_]+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|([^\s']*))\s*/y;
    let at = 0;
    const input = text.trim();
    while (at < input.length) {
        pair.lastIndex = at;
        const m = pair.exec(input);
        if (!m || !KEYWORDS.has(m[1])) return undefined;
        params.set(m[1], m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3]);
        at = pair.lastIndex;
    }
    return ["host", "hostaddr", "dbname"].some((k) => params.has(k)) ? params : undefined;
}

/** Whether a host keeps the connection inside the pod: a Unix socket or a loopback address. */
function local(host: string): boolean {
    const h = host.trim().toLowerCase();
    return (
        h.startsWith("/") ||
        h.startsWith("@") ||
        h === "localhost" ||
        h === "::1" ||
        /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
    );
}

/** What is wrong with one connection string's TLS, or undefined when it is fine. */
function problem(
    hosts: readonly string[],
    params: Params,
    verifyFull: boolean,
): string | undefined {
    // Query or keyword host/hostaddr override the URI's hosts.
    const override = params.get("hostaddr") ?? params.get("host");
    const targets = override !== undefined ? override.split(",").filter((h) => h !== "") : hosts;
    // No host: libpq's default Unix-domain socket, where sslmode does not apply.
    if (targets.length === 0 || targets.every(local)) return undefined;
    const mode = params.get("sslmode");
    if (mode === undefined) {
        if (params.has("service")) return undefined;
        return "without sslmode, so libpq uses its default, prefer, which falls back to an unencrypted connection whenever TLS cannot be negotiated (something in the network path can force that)";
    }
    if (!SSL_MODES.includes(mode)) {
        return "with an sslmode libpq does not accept (one of disable, allow, prefer, require, verify-ca, verify-full, in lower case)";
    }
    if (!TLS_MODES.includes(mode)) return `with sslmode=${mode}, ${WEAK_MODES[mode]}`;
    if (verifyFull && mode !== "verify-full") {
        return `with sslmode=${mode}, which encrypts but ${mode === "require" ? "does not check the server's certificate" : "does not check that the server's certificate is for the host it connects to"}, and this policy is configured to require verify-full`;
    }
    return undefined;
}

/** The first TLS problem of the PostgreSQL connection strings in `value`. */
function valueProblem(value: string, verifyFull: boolean): string | undefined {
    for (const uri of value.match(PG_URI) ?? []) {
        const { hosts, params } = parseUri(uri);
        const found = problem(hosts, params, verifyFull);
        if (found) return found;
    }
    const keywords = parseKeywords(value);
    return keywords ? problem([], keywords, verifyFull) : undefined;
}

/** A Secret's data value (base64) as text, or undefined when it is not base64. */
function fromBase64(value: string): string | undefined {
    const compact = value.replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
    return Buffer.from(compact, "base64").toString("utf8");
}

export interface KubernetesSecretDatabaseTlsConfig {
    /** Accept only sslmode=verify-full. @default false */
    readonly requireVerifyFull?: boolean;
}

export const kubernetesSecretDatabaseTls: ResourceValidationPolicy = {
    name: "kubernetes-secret-database-tls",
    description:
        "Kubernetes Secrets (and SecretPatches) whose stringData or data (base64) values hold a PostgreSQL connection string, as a postgres:// or postgresql:// URI (sslmode in the query string) or as libpq keyword/value pairs (host=... sslmode=...), must require TLS: sslmode require, verify-ca or verify-full (only verify-full when the requireVerifyFull config property is true). A missing sslmode fails, since libpq's default, prefer, falls back to an unencrypted connection. Connections that stay in the pod are accepted whatever their sslmode: Unix-domain sockets (a host that is an absolute path, or no host at all) and loopback hosts (localhost, 127.0.0.0/8, ::1); so is a string naming a pg_service.conf service without sslmode. JDBC URLs and other databases' URLs are not checked. Values not known until deployment are checked once known; messages never quote the connection string.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            requireVerifyFull: {
                type: "boolean",
                default: false,
                description:
                    "Accept only sslmode=verify-full, which also checks the server's certificate and host name.",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        if (!SECRET_TYPE.test(args.type)) return;
        const verifyFull =
            args.getConfig<KubernetesSecretDatabaseTlsConfig>().requireVerifyFull === true;
        const metadataName = read(args.props, "metadata.name");
        const secret =
            typeof metadataName === "string" && metadataName !== "" ? metadataName : args.name;
        for (const field of ["stringData", "data"] as const) {
            const values = read(args.props, field);
            if (!isRecord(values)) continue;
            for (const key of Object.keys(values)) {
                const raw = known(() => values[key]);
                // A value computed from another resource is checked once it is known.
                if (raw === UNKNOWN || typeof raw !== "string") continue;
                const text = field === "data" ? fromBase64(raw) : raw;
                if (text === undefined) continue;
                const found = valueProblem(text, verifyFull);
                if (!found) continue;
                const mode = verifyFull
                    ? "verify-full"
                    : "verify-full (or require, which encrypts without checking the server's certificate)";
                const blueprint =
                    key === "url"
                        ? " If this is the app's database Secret, it is written from the multicloud:databaseUrl secret: set it again with `pulumi config set --secret databaseUrl '<the URL with ?sslmode=verify-full>'`."
                        : "";
                reportViolation(
                    `Secret '${secret}' key '${key}' (${field}) holds a PostgreSQL connection string ${found}, so the password and every query may cross the network in clear text: set sslmode=${mode} in it, as a query parameter of the URI (postgresql://host/db?sslmode=verify-full) or a keyword (sslmode=verify-full).${blueprint}`,
                );
            }
        }
    },
};
